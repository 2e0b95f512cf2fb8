/* Timers at the edges, scheduled from main() before the loop runs (outside
 * any loop turn: on a web host nothing is driving the loop yet):
 *  - a negative deadline and a past one fire at once, before a later timer;
 *  - a deadline 40 days away and one at 1e300 ms are kept, never fire
 *    early, and cancel cleanly (on JS hosts they arm a capped host timer).
 * Prints one line per event; the same output natively, as wasm under Node
 * and under WASI (tests/js/c_programs.test.mjs, tests/js/wasi.test.mjs). */
#include <stdio.h>

#include "wasyncio.h"

static void say(void *arg) { printf("%s\n", (const char *)arg); }

static wa_handle_t far, farther;

static int sleeper(void *arg) {
    (void)arg;
    return wa_sleep(20);
}

static int amain(void *arg) {
    (void)arg;
    wa_task_t *t;
    int rc = wa_spawn(&t, sleeper, NULL, NULL);
    if (rc) return rc;
    rc = wa_await(t);
    wa_release(t);
    if (rc) return rc;
    printf("slept 20 ms\n");
    printf("cancel far: %d, farther: %d\n", wa_handle_cancel(far), wa_handle_cancel(farther));
    return 0;
}

int main(void) {
    /* Outside a turn: the host must be told about each of these. */
    if (wa_call_at(-1e6, say, "negative deadline", NULL) ||
        wa_call_at(wa_time() - 5, say, "past deadline", NULL) ||
        wa_call_at(wa_time() + 40.0 * 86400e3, say, "40 days: fired early!", &far) ||
        wa_call_at(1e300, say, "1e300: fired early!", &farther) ||
        wa_call_later(5, say, "5 ms later", NULL))
        return 2;
    printf("scheduled\n");
    return wa_run(amain, NULL) == 0 ? 0 : 1;
}
