/* asyncio.Lock (Python 3.13/3.14), step by step.
 *
 * release() unlocks and wakes the first waiter; that waiter takes the lock
 * when its task resumes. Meanwhile the lock reads as unlocked, but a
 * newcomer still queues behind the woken waiter (acquire() only takes a
 * free lock when every waiter is cancelled), as in Python. A woken waiter
 * that is cancelled before it resumes wakes the next one. */
#include "sync_internal.h"

static void lock_free(wa_sobj_t *o) { free(o); }

static const wa_sobj_vt_t lock_vt = {lock_free};

static inline bool lock_ok(const wa_lock_t *l) {
    return l && l->hdr.type == SOBJ_LOCK && !l->hdr.destroyed;
}

int wa_lock_new(wa_lock_t **out) {
    if (!out) return WA_EINVAL;
    wa_lock_t *l = calloc(1, sizeof *l);
    if (!l) return WA_ENOMEM;
    wa__sobj_init(&l->hdr, &lock_vt, SOBJ_LOCK);
    *out = l;
    return 0;
}

int wa_lock_destroy(wa_lock_t *l) {
    if (!lock_ok(l)) return WA_EINVAL;
    l->hdr.destroyed = 1;
    for (wa_op_t *op = l->waiters.head; op; op = op->next) wa__op_wake_error(op, WA_ESHUTDOWN);
    l->locked = false;
    wa__sobj_unref(&l->hdr);
    return 0;
}

/* Lock._wake_up_first: wake the first waiter unless it is already woken. */
void wa__lock_wake_up_first(wa_lock_t *l) {
    wa_op_t *op = l->waiters.head;
    if (op && !wa__op_woken(op)) wa__op_wake(op);
}

void wa__lock_release_internal(wa_lock_t *l) {
    l->locked = false;
    wa__lock_wake_up_first(l);
}

/* acquire()'s fast path: unlocked and no waiter that is not cancelled. */
bool wa__lock_try(wa_lock_t *l) {
    if (l->locked) return false;
    for (wa_op_t *op = l->waiters.head; op; op = op->next)
        if (!wa__op_waiter_cancelled(op)) return false;
    l->locked = true;
    return true;
}

int wa__lock_acquire_step(wa_lock_t *l, wa_op_t *op, int status) {
    if (op->lsub == 0) {
        if (l->hdr.destroyed) return WA_ESHUTDOWN;
        if (wa__lock_try(l)) return 0;
        op->lsub = 1;
        return wa__op_wait(op, &l->waiters);
    }
    /* the wait ended: `finally: self._waiters.remove(fut)` */
    op->lsub = 0;
    wa__list_unlink(op);
    if (status == WA_ECANCELLED) {
        /* keep the invariant: if the lock is free, the next waiter runs */
        if (!l->locked && !l->hdr.destroyed) wa__lock_wake_up_first(l);
        return WA_ECANCELLED;
    }
    if (status) return status; /* destroyed */
    l->locked = true;
    return 0;
}

static int lock_step(wa_op_t *op, int status) {
    return wa__lock_acquire_step((wa_lock_t *)op->obj, op, status);
}

/* Abandoned while waiting: as if cancelled. */
static void lock_abandon(wa_op_t *op) {
    wa_lock_t *l = (wa_lock_t *)op->obj;
    wa__list_unlink(op);
    if (!l->locked) wa__lock_wake_up_first(l);
}

/* The op holds the lock but its awaiter was cancelled before taking it. */
static void lock_rollback(wa_future_t *f) {
    wa_op_t *op = OP(f);
    if (!wa__op_rollback_begin(op)) return;
    wa_lock_t *l = (wa_lock_t *)op->obj;
    if (!l->hdr.destroyed && l->locked) wa__lock_release_internal(l);
    wa__op_withdrawn(op);
}

static const wa_op_vt_t lock_op_vt = {lock_step, lock_abandon, lock_rollback};

int wa_lock_acquire(wa_lock_t *l) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!lock_ok(l)) return l && l->hdr.type == SOBJ_LOCK ? WA_ESHUTDOWN : WA_EINVAL;
    if (wa__lock_try(l)) return 0;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_LOCK, &l->hdr, &lock_op_vt);
    if (!op) return WA_ENOMEM;
    return wa__op_run(op, NULL);
}

int wa_lock_acquire_start(wa_lock_t *l, wa_future_t **out) {
    if (!out || !l || l->hdr.type != SOBJ_LOCK) return WA_EINVAL;
    if (l->hdr.destroyed) return WA_ESHUTDOWN;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_LOCK, &l->hdr, &lock_op_vt);
    if (!op) return WA_ENOMEM;
    wa__op_start(op, out);
    return 0;
}

int wa_lock_release(wa_lock_t *l) {
    if (!lock_ok(l)) return WA_EINVAL;
    if (!l->locked) return WA_ESTATE;
    wa__lock_release_internal(l);
    return 0;
}

bool wa_lock_locked(const wa_lock_t *l) { return lock_ok(l) && l->locked; }
