/* asyncio.Lock: a FIFO mutex for tasks.
 *
 * Fairness as in Python 3.13: a newcomer never takes the lock while tasks
 * wait for it. On release the lock is handed to the first waiter directly
 * (its op completes owning the lock), so it stays locked in between; if
 * that waiter is cancelled before it runs, the rollback releases the lock
 * to the next waiter. The waiter list also holds condition waits that are
 * re-acquiring the lock (condition.c). */
#include "sync_internal.h"

static void lock_free(wa_sobj_t *o) { free(o); }

static void lock_withdraw(wa_op_t *op) { wa__list_unlink(op); }

static const wa_sobj_vt_t lock_vt = {lock_free, lock_withdraw};

/* The object behind a public handle, or NULL (stale, never issued, other kind). */
static inline wa_lock_t *lock_get(const wa_lock_t *handle) {
    return (wa_lock_t *)wa__sobj_get(handle, SOBJ_LOCK);
}

static inline bool lock_ok(const wa_lock_t *l) {
    return l && l->hdr.type == SOBJ_LOCK && !l->hdr.destroyed;
}

int wa_lock_new(wa_lock_t **out) {
    if (!out) return WA_EINVAL;
    wa_lock_t *l = calloc(1, sizeof *l);
    if (!l) return WA_ENOMEM;
    wa__sobj_init(&l->hdr, &lock_vt, SOBJ_LOCK);
    if (wa__sobj_register(&l->hdr)) {
        free(l);
        return WA_ENOMEM;
    }
    *out = l->hdr.handle;
    return 0;
}

int wa_lock_destroy(wa_lock_t *l) {
    l = lock_get(l);
    if (!lock_ok(l)) return WA_EINVAL;
    l->hdr.destroyed = 1;
    wa_op_t *op;
    while ((op = wa__list_pop(&l->waiters))) {
        if (op->type == OP_LOCK) wa__op_fail(op, WA_ESHUTDOWN, "lock destroyed");
        else wa__cond_lock_gone(op);
    }
    l->locked = false;
    wa__sobj_unregister(&l->hdr);
    wa__sobj_unref(&l->hdr);
    return 0;
}

void wa__lock_release_internal(wa_lock_t *l) {
    for (;;) {
        wa_op_t *op = wa__list_pop(&l->waiters);
        if (!op) {
            l->locked = false;
            return;
        }
        /* Hand-off: the lock stays locked, now owned by op. */
        if (op->type == OP_LOCK) {
            wa__op_done(op, NULL);
            return;
        }
        if (wa__cond_lock_granted(op)) return;
        /* a wait_for whose predicate is still false went back to waiting */
    }
}

bool wa__lock_acquire_or_queue(wa_lock_t *l, wa_op_t *op) {
    if (!l->locked) {
        l->locked = true;
        return true;
    }
    wa__list_push(&l->waiters, op);
    return false;
}

/* The op owned the lock but its waiter was cancelled before taking it. */
static void lock_rollback(wa_future_t *f) {
    wa_op_t *op = OP(f);
    if (!wa__op_rollback_begin(op)) return;
    wa_lock_t *l = (wa_lock_t *)op->obj;
    if (!l->hdr.destroyed && l->locked) wa__lock_release_internal(l);
    wa__op_withdrawn(op);
}

static wa_op_t *lock_op(wa_lock_t *l) {
    return wa__op_new(sizeof(wa_op_t), OP_LOCK, &l->hdr, NULL, lock_rollback);
}

int wa_lock_acquire(wa_lock_t *l) {
    l = lock_get(l);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!lock_ok(l)) return l && l->hdr.type == SOBJ_LOCK ? WA_ESHUTDOWN : WA_EINVAL;
    if (!l->locked) {
        l->locked = true;
        return 0;
    }
    wa_op_t *op = lock_op(l);
    if (!op) return WA_ENOMEM;
    wa__list_push(&l->waiters, op);
    return wa__op_await(op, NULL);
}

int wa_lock_acquire_start(wa_lock_t *l, wa_future_t **out) {
    l = lock_get(l);
    if (!out || !l || l->hdr.type != SOBJ_LOCK) return WA_EINVAL;
    if (l->hdr.destroyed) return WA_ESHUTDOWN;
    wa_op_t *op = lock_op(l);
    if (!op) return WA_ENOMEM;
    if (!l->locked) {
        l->locked = true;
        wa__op_done(op, NULL);
    } else {
        wa__list_push(&l->waiters, op);
    }
    *out = &op->fut;
    return 0;
}

int wa_lock_release(wa_lock_t *l) {
    l = lock_get(l);
    if (!lock_ok(l)) return WA_EINVAL;
    if (!l->locked) return WA_ESTATE;
    wa__lock_release_internal(l);
    return 0;
}

bool wa_lock_locked(const wa_lock_t *l) {
    l = lock_get(l);
    return lock_ok(l) && l->locked;
}
