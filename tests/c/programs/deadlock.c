/* main awaits a future nobody will ever complete: the run must end with
 * WA_EDEADLOCK (natively by wa_run, under Node by the JS host at exit)
 * instead of hanging or exiting silently. */
#include <stdio.h>
#include "wasyncio.h"

static int amain(void *arg) {
    (void)arg;
    wa_future_t *f;
    int rc = wa_future_new(&f);
    if (rc) return rc;
    printf("waiting forever\n");
    rc = wa_await(f);
    printf("await returned %d (%s)\n", rc, wa_strerror(rc));
    wa_release(f);
    return rc;
}

int main(void) {
    int rc = wa_run(amain, NULL);
#ifndef __EMSCRIPTEN__
    printf("wa_run: %d (%s)\n", rc, wa_strerror(rc));
#endif
    return rc == 0 ? 0 : 1;
}
