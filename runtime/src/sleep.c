/* wa_sleep_start: a sleep as a future, for callers that cannot suspend.
 * (Coroutines use wa_sleep, step tasks wa_step_sleep: neither allocates.) */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

typedef struct sleep_future {
    struct wa_future fut; /* must be first */
    uint32_t slot;
} sleep_future_t;

static void sleep_fire(void *arg) {
    sleep_future_t *s = arg;
    s->slot = WA_NO_SLOT;
    wa__future_complete(&s->fut, FUT_OK, 0, NULL, NULL, NULL);
    wa_release(&s->fut); /* the timer's reference */
}

/* sleep(0): a ready-queue entry, not a timer (no heap, no clock read). */
static void sleep0_fire(void *a, void *b) {
    (void)b;
    sleep_future_t *s = a;
    if (s->fut.state == FUT_PENDING) wa__future_complete(&s->fut, FUT_OK, 0, NULL, NULL, NULL);
    wa_release(&s->fut); /* the ready entry's reference */
}

static int sleep_cancel(wa_future_t *f, const char *msg) {
    sleep_future_t *s = (sleep_future_t *)f;
    if (s->slot != WA_NO_SLOT) {
        wa__timer_cancel(s->slot);
        s->slot = WA_NO_SLOT;
        wa__future_cancel_plain(f, msg);
        wa_release(f); /* the timer's reference */
        return 1;
    }
    return wa__future_cancel_plain(f, msg);
}

int wa_sleep_start(double ms, wa_future_t **out) {
    if (!out || isnan(ms) || ms < 0) return WA_EINVAL;
    sleep_future_t *s = malloc(sizeof *s);
    if (!s) return WA_ENOMEM;
    wa__future_init(&s->fut, KIND_FUTURE);
    s->fut.cancel_hook = sleep_cancel;
    s->fut.refs = 2; /* the caller's and the timer's (or ready entry's) */
    s->slot = WA_NO_SLOT;
    int rc = ms == 0 ? wa__ready_push(sleep0_fire, s, NULL)
                     : wa__timer_add(wa__now() + ms, sleep_fire, s, &s->slot);
    if (rc) {
        wa__loop.live_futures--;
        free(s);
        return rc;
    }
    *out = &s->fut;
    return 0;
}
