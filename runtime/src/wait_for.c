/* asyncio.wait_for (3.12+).
 *
 * Coroutine form: exactly asyncio's implementation, a timeout scope around
 * `await f` (so at the deadline the *calling* task is cancelled, which
 * cancels f, and the caller keeps waiting until f is done), with the
 * special case for timeout <= 0 (_cancel_and_wait). One deliberate
 * improvement: when f completed in the same loop turn as the deadline (its
 * wake-up was queued when the scope cancelled the caller), its outcome is
 * returned instead of WA_ETIMEDOUT, so a result is never dropped.
 *
 * Future form (step tasks, JS): a future that behaves like a task running
 * that coroutine, built from callbacks: a timer cancels f; f's completion
 * decides the outcome; cancelling the future cancels f and waits for it. */
#include "comb.h"

#include <stdlib.h>

/* ---- coroutine form --------------------------------------------------------- */

static void release_waiter(wa_future_t *f, void *arg) {
    (void)f;
    wa_future_t *waiter = arg;
    if (waiter->state == FUT_PENDING) wa__future_complete(waiter, FUT_OK, 0, NULL, NULL, NULL);
}

/* asyncio._cancel_and_wait: cancel f and wait until it is done, through a
 * separate waiter so that this wait itself stays cancellable. */
static int cancel_and_wait(wa_future_t *f) {
    wa_future_t *waiter;
    int rc = wa_future_new(&waiter);
    if (rc) return rc;
    rc = wa_future_add_done_callback(f, release_waiter, waiter);
    if (rc == 0) {
        wa_cancel(f, NULL);
        rc = wa_await(waiter);
        wa_future_remove_done_callback(f, release_waiter, waiter);
    }
    wa_release(waiter);
    return rc;
}

int wa_wait_for(wa_future_t *f, double timeout) {
    wa_task_impl_t *t = wa__current_coro();
    if (!t) return WA_ENOTASK;
    if (!f || f == &t->fut || isnan(timeout)) return WA_EINVAL;
    if (isinf(timeout) && timeout > 0) return wa_await(f);
    if (timeout <= 0) {
        if (f->state != FUT_PENDING) return wa_future_status(f);
        int rc = cancel_and_wait(f);
        if (rc) return rc;
        if (f->state == FUT_PENDING) return WA_ESTATE; /* cannot happen */
        rc = wa_future_status(f);
        return rc == WA_ECANCELLED ? WA_ETIMEDOUT : rc;
    }
    wa_timeout_t scope;
    int rc = wa_timeout_enter(&scope, timeout);
    if (rc) return rc;
    rc = wa_await(f);
    rc = wa_timeout_exit(&scope, rc);
    /* f finished before the deadline's cancellation reached us: keep it. */
    if (rc == WA_ETIMEDOUT && f->state != FUT_PENDING && f->state != FUT_CANCELLED)
        rc = wa_future_status(f);
    return rc;
}

/* ---- future form ---------------------------------------------------------- */

typedef struct waitfor {
    struct wa_future fut;   /* must be first */
    wa_future_t *inner;
    wa_handle_t timer;
    bool registered;        /* inner_done registered (holds a reference) */
    bool expired;           /* the deadline passed: inner was cancelled */
    bool cancel_requested;  /* the outer was cancelled */
} waitfor_t;

static void waitfor_fini(wa_future_t *f) { wa_release(((waitfor_t *)f)->inner); }

/* Complete the outer with the inner's outcome. */
static void take_outcome(waitfor_t *w) {
    wa_future_t *in = w->inner, *out = &w->fut;
    int code = wa_future_status(in);
    if (in->state == FUT_OK)
        wa__future_complete(out, FUT_OK, 0, in->result, NULL, NULL);
    else if (in->state == FUT_ERROR)
        wa__future_complete(out, FUT_ERROR, code, NULL, NULL, wa__strdup(in->message));
    else if (w->expired && !w->cancel_requested)
        wa__future_complete(out, FUT_ERROR, WA_ETIMEDOUT, NULL, NULL, NULL);
    else
        wa__future_complete(out, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, wa__strdup(in->message));
}

static void inner_done(wa_future_t *in, void *arg) {
    waitfor_t *w = arg;
    w->registered = false;
    wa_handle_cancel(w->timer);
    w->timer = 0;
    if (w->fut.state == FUT_PENDING) take_outcome(w);
    else if (in->state != FUT_CANCELLED) wa_future_status(in); /* retrieved */
    wa_release(&w->fut);
}

static void on_timeout(void *arg) {
    waitfor_t *w = arg;
    w->timer = 0;
    if (w->fut.state != FUT_PENDING) return;
    w->expired = true;
    wa_cancel(w->inner, NULL); /* its completion decides (result kept) */
}

static int waitfor_cancel(wa_future_t *f, const char *msg) {
    waitfor_t *w = (waitfor_t *)f;
    w->cancel_requested = true;
    wa_handle_cancel(w->timer);
    w->timer = 0;
    if (wa_cancel(w->inner, msg) == 1) return 1; /* outcome follows the inner's */
    /* The inner is already done (its callback is queued): the cancellation
     * wins, as for a task whose awaited future completed meanwhile, and an
     * operation's outcome (a lock, an item ...) is handed back, as the
     * scheduler does for a task awaiting the op itself. */
    if (w->inner->state == FUT_OK) wa_op_rollback(w->inner);
    return wa__future_cancel_plain(f, msg);
}

/* The task awaiting the outer was cancelled after the outer completed with
 * the inner's value, before it could take it (task_wakeup, or the JS
 * bindings): roll the inner operation back; if it was withdrawn, the outer
 * reads as cancelled too, like a rolled-back op. */
static void waitfor_rollback(wa_future_t *f) {
    waitfor_t *w = (waitfor_t *)f;
    if (f->state != FUT_OK || w->inner->state != FUT_OK || !w->inner->rollback) return;
    wa_op_rollback(w->inner);
    if (w->inner->state != FUT_OK) {
        f->state = FUT_CANCELLED;
        f->code = WA_ECANCELLED;
        f->result = NULL;
    }
}

int wa_wait_for_start(wa_future_t **out, wa_future_t *f, double timeout) {
    if (!out || !f || isnan(timeout)) return WA_EINVAL;
    waitfor_t *w = malloc(sizeof *w);
    if (!w) return WA_ENOMEM;
    wa__future_init(&w->fut, KIND_FUTURE);
    w->inner = wa_ref(f);
    w->timer = 0;
    w->registered = false;
    w->expired = false;
    w->cancel_requested = false;
    w->fut.fini = waitfor_fini;
    w->fut.cancel_hook = waitfor_cancel;
    w->fut.rollback = waitfor_rollback;
    if (f->state != FUT_PENDING) {
        /* asyncio: a done future's outcome at once (whatever the timeout) */
        take_outcome(w);
        *out = &w->fut;
        return 0;
    }
    int rc = 0;
    bool now = timeout <= 0;
    if (!now && !(isinf(timeout) && timeout > 0))
        rc = wa_call_later(timeout, on_timeout, w, &w->timer);
    if (rc == 0) {
        w->fut.refs++;
        rc = wa_future_add_done_callback(f, inner_done, w);
        if (rc) w->fut.refs--;
        else w->registered = true;
    }
    if (rc) {
        wa_handle_cancel(w->timer);
        wa_release(&w->fut);
        return rc;
    }
    if (now) {
        w->expired = true;
        wa_cancel(f, NULL);
    }
    *out = &w->fut;
    return 0;
}
