/* A task recurses deeper than its small stack allows: the runtime must stop
 * with a clear message naming the problem, not corrupt memory silently. */
#include <stdio.h>
#include <string.h>
#include "wasyncio.h"

/* Called through a volatile pointer so the compiler must build the whole
 * array in the frame. */
static void *(*volatile fill)(void *, int, size_t) = memset;

/* 32 KiB of locals on a 16 KiB stack. */
static int deep(void *arg) {
    (void)arg;
    char big[32768];
    fill(big, 1, sizeof big);
    int rc = wa_sleep(0);
    return rc + big[0] + big[sizeof big - 1] - 2;
}

static int amain(void *arg) {
    (void)arg;
    wa_task_opts_t o = {.name = "deep", .stack_size = 16384};
    wa_task_t *t;
    int rc = wa_spawn(&t, deep, NULL, &o);
    if (rc) return rc;
    rc = wa_await(t);
    wa_release(t);
    printf("not reached: %d\n", rc);
    return rc;
}

int main(void) { return wa_run(amain, NULL) == 0 ? 0 : 1; }
