/* Operation futures: the coroutines of the synchronization primitives and
 * queues (see sync_internal.h for the model). This file runs them: start,
 * waits on a plain future (asyncio's `fut`), driving by done callbacks or
 * inline by the task that awaits the op, cancellation, abandonment and the
 * rollback entry point. */
#include "sync_internal.h"

#include <string.h>

static void op_drive(wa_future_t *w, void *arg);
static const wa_inline_vt_t op_inline_vt;

/* Forget the waiter of the wait that ended (or is abandoned). */
static void op_drop_waiter(wa_op_t *op) {
    wa_future_t *w = op->waiter;
    if (!w) return;
    op->waiter = NULL;
    wa_future_remove_done_callback(w, op_drive, op);
    wa_release(w);
}

static void op_fini(wa_future_t *f) {
    wa_op_t *op = OP(f);
    /* Released while still pending: nobody will ever resume it, so leave
     * the object as a cancelled op would (without completing). */
    if (f->state == FUT_PENDING && !op->obj->destroyed && op->vt->abandon) op->vt->abandon(op);
    wa__list_unlink(op);
    op_drop_waiter(op);
    free(op->msg);
    wa__sobj_unref(op->obj);
}

/* Like Task.cancel(): cancel what the op awaits, or (its waiter is already
 * done) deliver the cancellation when it resumes. */
static int op_cancel(wa_future_t *f, const char *msg) {
    wa_op_t *op = OP(f);
    if (f->state != FUT_PENDING) return 0;
    if (op->waiter && op->waiter->state == FUT_PENDING) return wa_cancel(op->waiter, msg);
    char *m = NULL;
    if (msg && !(m = wa__strdup(msg))) return WA_ENOMEM;
    free(op->msg);
    op->msg = m;
    op->must_cancel = 1;
    return 1;
}

wa_op_t *wa__op_new(size_t size, uint8_t type, wa_sobj_t *obj, const wa_op_vt_t *vt) {
    wa_op_t *op = malloc(size);
    if (!op) return NULL;
    wa__future_init(&op->fut, KIND_FUTURE);
    memset((char *)op + sizeof(struct wa_future), 0, size - sizeof(struct wa_future));
    op->fut.flags |= FFLAG_OWNED | FFLAG_INLINE;
    op->ivt = &op_inline_vt;
    op->fut.cancel_hook = op_cancel;
    op->fut.rollback = vt->rollback;
    op->fut.fini = op_fini;
    op->vt = vt;
    op->type = type;
    op->obj = obj;
    obj->refs++;
    return op;
}

int wa__op_wait(wa_op_t *op, wa_oplist_t *list) {
    wa_future_t *w;
    if (wa_future_new(&w) != 0) return WA_ENOMEM;
    op_drop_waiter(op);
    wa__list_unlink(op);
    op->waiter = w;
    if (list) wa__list_push(list, op);
    return WA_PENDING;
}

void wa__op_wake(wa_op_t *op) {
    if (op->waiter && op->waiter->state == FUT_PENDING) wa_future_set_result(op->waiter, NULL, NULL);
}

void wa__op_wake_error(wa_op_t *op, int code) {
    if (op->waiter && op->waiter->state == FUT_PENDING) wa_future_set_error(op->waiter, code, NULL);
}

/* Why an op ended with WA_ESHUTDOWN without a message of its own: its
 * object (or a condition's lock) was destroyed; NULL for a queue shut down. */
static const char *shutdown_msg(const wa_op_t *op) {
    static const char *const names[] = {"lock destroyed", "event destroyed", "condition destroyed",
                                        "semaphore destroyed", "barrier destroyed", "queue destroyed"};
    if (op->obj->destroyed) return names[op->obj->type - SOBJ_LOCK];
    return op->obj->type == SOBJ_COND ? "lock destroyed" : NULL;
}

/* The coroutine returned rc: complete the op future with its outcome. */
static void op_finish(wa_op_t *op, int rc) {
    wa__list_unlink(op);
    op_drop_waiter(op);
    char *m = op->msg;
    op->msg = NULL;
    if (rc == WA_ESHUTDOWN && !m) m = wa__strdup(shutdown_msg(op));
    if (rc == 0) {
        free(m);
        wa__future_complete(&op->fut, FUT_OK, 0, op->result, NULL, NULL);
    } else if (rc == WA_ECANCELLED) {
        wa__future_complete(&op->fut, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, m);
    } else {
        wa__future_complete(&op->fut, FUT_ERROR, rc, NULL, NULL, m);
    }
}

/* The status op resumes with: its waiter's outcome, unless a cancellation
 * was requested meanwhile (of the op, or of the task t running it), which
 * is thrown in instead, as Task.__step does. */
static int op_resume_status(wa_op_t *op, wa_future_t *w, wa_task_impl_t *t) {
    int st = wa_future_status(w);
    if (st == WA_ECANCELLED && !op->msg && w->message) op->msg = wa__strdup(w->message);
    if (op->must_cancel) {
        op->must_cancel = 0;
        st = WA_ECANCELLED;
    } else if (t && t->must_cancel) {
        /* thrown in, unless the waiter's own cancellation already is */
        t->must_cancel = 0;
        if (st != WA_ECANCELLED) {
            st = WA_ECANCELLED;
            free(op->msg);
            op->msg = wa__strdup(t->cancel_msg);
        }
    }
    return st;
}

static int op_resume(wa_op_t *op, int status) {
    int rc = op->vt->step(op, status);
    if (rc != WA_PENDING) op_finish(op, rc);
    return rc;
}

/* Driven by callbacks: wait for op's waiter (cancelling it at once if a
 * cancellation is pending, like Task.__step). */
static void op_register(wa_op_t *op) {
    if (wa_future_add_done_callback(op->waiter, op_drive, op) != 0) {
        if (op->vt->abandon) op->vt->abandon(op);
        op_finish(op, WA_ENOMEM);
        return;
    }
    if (op->must_cancel && wa_cancel(op->waiter, op->msg) == 1) op->must_cancel = 0;
}

static void op_drive(wa_future_t *w, void *arg) {
    wa_op_t *op = arg;
    if (w != op->waiter || op->driver || op->fut.state != FUT_PENDING) return;
    op->fut.refs++; /* alive through its step whatever its callbacks do */
    if (op_resume(op, op_resume_status(op, w, NULL)) == WA_PENDING) op_register(op);
    wa_release(&op->fut);
}

void wa__op_start(wa_op_t *op, wa_future_t **out) {
    if (op_resume(op, 0) == WA_PENDING) op_register(op);
    *out = &op->fut;
}

int wa__op_run(wa_op_t *op, void **result) {
    wa_task_impl_t *t = wa__cur_coro();
    op->driver = t;
    int rc = op->vt->step(op, 0);
    while (rc == WA_PENDING) {
        int st = wa_await(op->waiter);
        if (op->must_cancel) {
            op->must_cancel = 0;
            st = WA_ECANCELLED;
        }
        rc = op->vt->step(op, st);
    }
    op->driver = NULL;
    op_finish(op, rc);
    if (rc == 0 && result) *result = op->fut.result;
    op->fut.flags |= FFLAG_RETRIEVED;
    wa_release(&op->fut);
    return rc;
}

/* ---- adoption by a step task (task.c) -------------------------------------- */

static wa_future_t *op_adopt(wa_future_t *f, wa_task_impl_t *t) {
    if (f->state != FUT_PENDING) return NULL;
    wa_op_t *op = OP(f);
    /* Only an op nobody else follows, waiting (not woken, not cancelled). */
    if (op->driver || op->must_cancel || !op->waiter || op->waiter->state != FUT_PENDING ||
        f->ncb_inline || (f->cbs && f->cbs->n))
        return NULL;
    wa_future_remove_done_callback(op->waiter, op_drive, op);
    op->driver = t;
    return op->waiter;
}

static void op_unadopt(wa_future_t *f) {
    wa_op_t *op = OP(f);
    op->driver = NULL;
    if (f->state == FUT_PENDING && op->waiter) op_register(op);
}

static int op_adopted_step(wa_future_t *f, wa_future_t *w, wa_task_impl_t *t, wa_future_t **next) {
    wa_op_t *op = OP(f);
    int rc = op_resume(op, op_resume_status(op, w, t));
    *next = rc == WA_PENDING ? op->waiter : NULL;
    if (rc != WA_PENDING) op->driver = NULL;
    return rc;
}

static const wa_inline_vt_t op_inline_vt = {op_adopt, op_adopted_step, op_unadopt};

/* ---- rollback ---------------------------------------------------------------- */

void wa__op_withdrawn(wa_op_t *op) {
    op->fut.state = FUT_CANCELLED;
    op->fut.code = WA_ECANCELLED;
    op->fut.result = NULL;
}

bool wa__op_rollback_begin(wa_op_t *op) {
    if (op->fut.state != FUT_OK || (op->flags & OPF_ROLLBACK_TRIED)) return false;
    op->flags |= OPF_ROLLBACK_TRIED;
    return true;
}

int wa_op_rollback(wa_future_t *f) {
    if (!f) return WA_EINVAL;
    if (f->state == FUT_PENDING) return WA_ESTATE;
    if (f->state == FUT_OK && f->rollback) f->rollback(f);
    return wa_future_status(f);
}
