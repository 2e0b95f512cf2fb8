/* A weak timer (wa_handle_set_weak) fires while the loop runs but keeps no
 * host alive: under Node, the process ends once main is done although a
 * weak timer an hour away is still pending; a strong one would hold it. */
#include <stdio.h>
#include "wasyncio.h"

static void say(void *arg) { printf("%s\n", (const char *)arg); }

static int amain(void *arg) {
    (void)arg;
    wa_handle_t soon, far;
    int rc = wa_call_later(1, say, "weak timer fired", &soon);
    if (!rc) rc = wa_handle_set_weak(soon, true);
    if (!rc) rc = wa_call_later(3600e3, say, "the hour passed", &far);
    if (!rc) rc = wa_handle_set_weak(far, true);
    if (!rc) rc = wa_sleep(20);
    printf("main done: %d\n", rc);
    return rc;
}

int main(void) {
    int rc = wa_run(amain, NULL);
    return rc == 0 ? 0 : 1;
}
