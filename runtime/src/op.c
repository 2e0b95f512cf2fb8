/* Operation futures: the pending side of every blocking call on a
 * synchronization primitive or queue (see sync_internal.h for the model).
 * This file has what all of them share: creation, completion, withdrawal
 * when abandoned, the rollback entry point and the coroutine-form await. */
#include "sync_internal.h"

#include <string.h>

static void op_fini(wa_future_t *f) {
    wa_op_t *op = OP(f);
    /* Released while still pending: nobody will ever take the outcome, so
     * leave the waiter list as a cancellation would (without completing). */
    if (f->state == FUT_PENDING) op->obj->vt->withdraw(op);
    wa__sobj_unref(op->obj);
}

wa_op_t *wa__op_new(size_t size, uint8_t type, wa_sobj_t *obj,
                    int (*cancel)(wa_future_t *, const char *),
                    void (*rollback)(wa_future_t *)) {
    wa_op_t *op = malloc(size);
    if (!op) return NULL;
    wa__future_init(&op->fut, KIND_FUTURE);
    memset((char *)op + sizeof(struct wa_future), 0, size - sizeof(struct wa_future));
    op->fut.flags |= FFLAG_OWNED;
    op->fut.cancel_hook = cancel ? cancel : wa__op_cancel_default;
    op->fut.rollback = rollback;
    op->fut.fini = op_fini;
    op->type = type;
    op->obj = obj;
    obj->refs++;
    return op;
}

void wa__op_done(wa_op_t *op, void *result) {
    wa__future_complete(&op->fut, FUT_OK, 0, result, NULL, NULL);
}

void wa__op_fail(wa_op_t *op, int code, const char *msg) {
    wa__future_complete(&op->fut, FUT_ERROR, code, NULL, NULL, msg ? wa__strdup(msg) : NULL);
}

void wa__op_cancelled(wa_op_t *op) {
    char *m = op->fut.message; /* kept there by the cancel hook */
    op->fut.message = NULL;
    wa__future_complete(&op->fut, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, m);
}

int wa__op_cancel_default(wa_future_t *f, const char *msg) {
    wa_op_t *op = OP(f);
    op->obj->vt->withdraw(op);
    return wa__future_cancel_plain(f, msg);
}

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

int wa__op_await(wa_op_t *op, void **result) {
    wa_future_t *f = &op->fut;
    int rc = wa_await(f);
    if (rc == WA_ECANCELLED && f->state == FUT_OK && f->rollback) {
        /* Cancelled after the op completed: normally the scheduler has
         * already rolled it back (task_wakeup); this covers any other path. */
        f->rollback(f);
        if (f->state == FUT_OK) {
            /* The outcome could not be withdrawn (a put whose item was
             * already taken ...): report it, and deliver the cancellation
             * at the next suspension point instead of losing it. */
            wa_task_impl_t *t = wa__cur_coro();
            if (t) t->must_cancel = 1;
            rc = 0;
        }
    }
    if (rc == 0 && result) *result = f->result;
    wa_release(f);
    return rc;
}
