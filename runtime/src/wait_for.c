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
 * Future form (step tasks, JS): a step task awaiting it runs asyncio's code
 * inline (FFLAG_INLINE): the task enters a timeout scope at the deadline
 * and awaits f itself, so it resumes one loop step after f is done, as in
 * asyncio. Awaited any other way (callbacks, combinators, JS promises), it
 * is a future that behaves like a task running that coroutine, built from
 * callbacks: a timer cancels f; f's completion decides the outcome;
 * cancelling the future cancels f and waits for it, except with timeout
 * <= 0, where asyncio awaits a separate waiter (_cancel_and_wait): then the
 * future is cancelled at once. */
#include "comb.h"
#include "bridge_api.h"

#include <stdlib.h>
#include <string.h>

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
    const wa_inline_vt_t *ivt; /* second (FFLAG_INLINE) */
    wa_future_t *inner;
    wa_handle_t timer;
    double when;            /* the deadline (+inf: none) */
    bool registered;        /* inner_done registered (holds a reference) */
    bool expired;           /* the deadline passed: inner was cancelled */
    bool cancel_requested;  /* the outer was cancelled */
    bool adopted;           /* a task runs it inline, in `scope` */
    bool cancel_and_wait;   /* timeout <= 0: asyncio's _cancel_and_wait */
    wa_timeout_t scope;
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
    if (w->cancel_and_wait && w->inner->state == FUT_PENDING) {
        /* asyncio's _cancel_and_wait awaits a separate waiter: cancelling
         * the caller ends that wait at once (it does not wait for the inner,
         * already cancelled, nor cancel it again) and drops the callback. */
        w->cancel_requested = true;
        int rc = wa__future_cancel_plain(f, msg);
        if (w->registered && wa_future_remove_done_callback(w->inner, inner_done, w) > 0) {
            w->registered = false;
            wa_release(&w->fut); /* the registration's reference (the canceller holds one) */
        }
        return rc;
    }
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

/* ---- run inline by the awaiting step task ------------------------------------ */

/* `async with timeouts.timeout(timeout): return await fut`, in task t: take
 * over from the timer and the callback. */
static wa_future_t *waitfor_adopt(wa_future_t *f, wa_task_impl_t *t) {
    waitfor_t *w = (waitfor_t *)f;
    if (f->state != FUT_PENDING || !w->registered || w->expired || w->cancel_requested ||
        w->inner->state != FUT_PENDING || f->ncb_inline || (f->cbs && f->cbs->n))
        return NULL;
    if (wa_timeout_enter_in(&w->scope, &t->fut, w->when) != 0) return NULL;
    wa_handle_cancel(w->timer);
    w->timer = 0;
    if (wa_future_remove_done_callback(w->inner, inner_done, w) > 0) {
        w->registered = false;
        wa_release(&w->fut); /* the registration's reference (t holds one) */
    }
    w->adopted = true;
    return w->inner;
}

static int waitfor_adopted_step(wa_future_t *f, wa_future_t *in, wa_task_impl_t *t,
                                wa_future_t **next) {
    waitfor_t *w = (waitfor_t *)f;
    *next = NULL;
    int st = wa_future_status(in);
    if (t->must_cancel) { /* thrown in at `await fut` */
        t->must_cancel = 0;
        st = WA_ECANCELLED;
    }
    int rc = wa_timeout_exit(&w->scope, st);
    w->adopted = false;
    /* as the coroutine form: a result that came with the deadline is kept */
    if (rc == WA_ETIMEDOUT && in->state != FUT_PENDING && in->state != FUT_CANCELLED)
        rc = wa_future_status(in);
    if (rc == WA_ETIMEDOUT) {
        wa__future_complete(f, FUT_ERROR, WA_ETIMEDOUT, NULL, NULL, NULL);
    } else if (rc == WA_ECANCELLED) {
        const char *m = in->state == FUT_CANCELLED ? in->message : t->cancel_msg;
        wa__future_complete(f, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, wa__strdup(m));
    } else if (in->state == FUT_OK) {
        wa__future_complete(f, FUT_OK, 0, in->result, NULL, NULL);
    } else {
        wa__future_complete(f, FUT_ERROR, rc, NULL, NULL, wa__strdup(in->message));
    }
    return wa_future_status(f);
}

/* The task could not wait (no memory): leave the scope, fail. */
static void waitfor_unadopt(wa_future_t *f) {
    waitfor_t *w = (waitfor_t *)f;
    if (!w->adopted) return;
    w->adopted = false;
    wa_timeout_exit(&w->scope, 0);
    wa__future_complete(f, FUT_ERROR, WA_ENOMEM, NULL, NULL, NULL);
}

static const wa_inline_vt_t waitfor_ivt = {waitfor_adopt, waitfor_adopted_step, waitfor_unadopt};

int wa_wait_for_start(wa_future_t **out, wa_future_t *f, double timeout) {
    if (!out || !f || isnan(timeout)) return WA_EINVAL;
    waitfor_t *w = malloc(sizeof *w);
    if (!w) return WA_ENOMEM;
    wa__future_init(&w->fut, KIND_FUTURE);
    w->ivt = &waitfor_ivt;
    w->fut.flags |= FFLAG_INLINE;
    w->inner = wa_ref(f);
    w->timer = 0;
    w->when = isinf(timeout) && timeout > 0 ? WA_NO_TIMEOUT : wa__now() + timeout;
    w->registered = false;
    w->expired = false;
    w->cancel_requested = false;
    w->adopted = false;
    w->cancel_and_wait = timeout <= 0;
    memset(&w->scope, 0, sizeof w->scope);
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
        rc = wa_call_at(w->when, on_timeout, w, &w->timer);
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
