/* asyncio.wait: wait for a set of futures until FIRST_COMPLETED,
 * FIRST_EXCEPTION or ALL_COMPLETED, or a timeout; cancels nothing.
 *
 * The wait future registers one done callback per distinct future and an
 * optional timer; while they are armed they hold one reference to it. When
 * the condition holds, the timer fires or the wait is cancelled, everything
 * is withdrawn at once (asyncio's `finally:` in _wait). */
#include "comb.h"

#include <stdlib.h>
#include <string.h>

typedef struct waitf {
    struct wa_future fut;   /* must be first */
    int return_when;
    bool armed;             /* callbacks / timer registered */
    size_t counter;         /* futures whose callback has not run yet */
    wa_handle_t timer;
    size_t n;
    wa_future_t *kids[];    /* distinct, referenced */
} waitf_t;

static void wait_fini(wa_future_t *f) {
    waitf_t *w = (waitf_t *)f;
    for (size_t i = 0; i < w->n; i++) wa_release(w->kids[i]);
}

static void on_completion(wa_future_t *kid, void *arg);

/* Withdraw callbacks and the timer; drop the armed reference last. */
static void disarm(waitf_t *w) {
    if (!w->armed) return;
    w->armed = false;
    wa_handle_cancel(w->timer);
    w->timer = 0;
    for (size_t i = 0; i < w->n; i++) wa_future_remove_done_callback(w->kids[i], on_completion, w);
    wa_release(&w->fut);
}

static void release_waiter(waitf_t *w) {
    if (w->fut.state == FUT_PENDING) wa__future_complete(&w->fut, FUT_OK, 0, NULL, NULL, NULL);
    disarm(w);
}

static void on_completion(wa_future_t *kid, void *arg) {
    waitf_t *w = arg;
    w->counter--;
    /* Same short-circuit as asyncio: only FIRST_EXCEPTION looks at (and so
     * retrieves) the outcome, and only while futures remain. */
    if (w->counter == 0 || w->return_when == WA_FIRST_COMPLETED ||
        (w->return_when == WA_FIRST_EXCEPTION && kid->state != FUT_CANCELLED &&
         wa_future_status(kid) != 0))
        release_waiter(w);
}

static void on_timeout(void *arg) {
    waitf_t *w = arg;
    w->timer = 0;
    release_waiter(w);
}

static int wait_cancel(wa_future_t *f, const char *msg) {
    int r = wa__future_cancel_plain(f, msg);
    disarm((waitf_t *)f);
    return r;
}

static int check_args(wa_future_t *const *futs, size_t n, double timeout, int return_when) {
    if (!futs || n == 0 || isnan(timeout)) return WA_EINVAL;
    if (return_when != WA_ALL_COMPLETED && return_when != WA_FIRST_COMPLETED &&
        return_when != WA_FIRST_EXCEPTION)
        return WA_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!futs[i]) return WA_EINVAL;
    return 0;
}

int wa_wait_start(wa_future_t **out, wa_future_t *const *futs, size_t n, double timeout,
                  int return_when) {
    if (!out) return WA_EINVAL;
    int rc = check_args(futs, n, timeout, return_when);
    if (rc) return rc;
    wa_future_t **set;
    size_t m;
    rc = wa__futset(futs, n, &set, &m);
    if (rc) return rc;
    waitf_t *w = malloc(sizeof *w + m * sizeof(wa_future_t *));
    if (!w) {
        free(set);
        return WA_ENOMEM;
    }
    wa__future_init(&w->fut, KIND_FUTURE);
    w->return_when = return_when;
    w->armed = true;
    w->counter = m;
    w->timer = 0;
    w->n = 0;
    w->fut.fini = wait_fini;
    w->fut.cancel_hook = wait_cancel;
    w->fut.refs++; /* the armed reference */
    for (size_t i = 0; i < m; i++) w->kids[w->n++] = wa_ref(set[i]);
    free(set);
    if (!(isinf(timeout) && timeout > 0))
        rc = wa_call_later(timeout > 0 ? timeout : 0, on_timeout, w, &w->timer);
    for (size_t i = 0; rc == 0 && i < m; i++)
        rc = wa_future_add_done_callback(w->kids[i], on_completion, w);
    if (rc) {
        disarm(w);
        wa_release(&w->fut);
        return rc;
    }
    *out = &w->fut;
    return 0;
}

int wa_wait_sets(wa_future_t *f, wa_future_t **done, size_t *ndone, wa_future_t **pending,
                 size_t *npending) {
    if (!f || f->fini != wait_fini) return WA_EINVAL;
    waitf_t *w = (waitf_t *)f;
    size_t nd = 0, np = 0;
    for (size_t i = 0; i < w->n; i++) {
        wa_future_t *k = w->kids[i];
        if (k->state != FUT_PENDING) {
            if (done) done[nd] = k;
            nd++;
        } else {
            if (pending) pending[np] = k;
            np++;
        }
    }
    if (ndone) *ndone = nd;
    if (npending) *npending = np;
    return 0;
}

int wa_wait(wa_future_t *const *futs, size_t n, double timeout, int return_when,
            wa_future_t **done, size_t *ndone, wa_future_t **pending, size_t *npending) {
    int rc = check_args(futs, n, timeout, return_when);
    if (rc) return rc;
    wa_task_impl_t *t = wa__current_coro();
    if (!t) return WA_ENOTASK;
    wa_future_t *w;
    rc = wa_wait_start(&w, futs, n, timeout, return_when);
    if (rc) return rc;
    rc = wa_await(w);
    if (rc == 0) wa_wait_sets(w, done, ndone, pending, npending);
    else wa_cancel(w, NULL); /* withdraw (a no-op if already done) */
    wa_release(w);
    return rc;
}
