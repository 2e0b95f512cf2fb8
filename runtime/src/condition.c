/* asyncio.Condition (Python 3.13/3.14), step by step.
 *
 * wait() releases the lock, waits for a notification, then re-acquires the
 * lock (Lock.acquire as an inner coroutine) when its task resumes - also
 * when cancelled, retrying through further cancellations; a wait that ends
 * with an error (cancelled) then passes a notification on (`except
 * BaseException: self._notify(1)`). wait_for(pred) loops wait() until
 * pred(arg) is true. The waiter list is shared with the barrier
 * (barrier.c), which is built on the same inner coroutine. */
#include "sync_internal.h"

struct wa_cond {
    wa_sobj_t hdr;
    wa_cond_core_t core;    /* core.lock referenced */
    bool own_lock;          /* created by wa_cond_new (destroyed with it) */
};

typedef struct cond_op {
    wa_op_t base;
    bool (*pred)(void *arg);    /* wait_for; NULL for wait */
    void *arg;
} cond_op_t;

enum { CW_START = 0, CW_WAIT, CW_ACQUIRE };

/* ---- the inner coroutine: Condition.wait() ---------------------------------- */

size_t wa__cond_notify(wa_cond_core_t *c, size_t n) {
    size_t k = 0;
    for (wa_op_t *op = c->waiters.head; op && k < n; op = op->next) {
        if (!wa__op_woken(op)) {
            k++;
            wa__op_wake(op);
        }
    }
    return k;
}

int wa__cond_wait_step(wa_cond_core_t *c, wa_op_t *op, int status) {
    wa_lock_t *l = c->lock;
    switch (op->sub) {
    case CW_START:
        wa__lock_release_internal(l);
        op->sub = CW_WAIT;
        return wa__op_wait(op, &c->waiters);
    case CW_WAIT:
        wa__list_unlink(op); /* finally: self._waiters.remove(fut) */
        if (status == WA_ESHUTDOWN) {
            op->sub = CW_START;
            return status; /* condition destroyed: no re-acquire */
        }
        op->saved = status;
        op->flags &= (uint8_t)~OPF_COND_ERR;
        op->sub = CW_ACQUIRE;
        op->lsub = 0;
        status = 0;
        break;
    default:
        break;
    }
    /* CW_ACQUIRE: `while True: try: await self.acquire(); break
     *              except CancelledError as e: err = e` */
    for (;;) {
        int rc = wa__lock_acquire_step(l, op, status);
        if (rc == WA_PENDING) return rc;
        if (rc == WA_ECANCELLED) {
            op->flags |= OPF_COND_ERR;
            status = 0;
            continue;
        }
        op->sub = CW_START;
        if (rc) return rc; /* the lock was destroyed: not held */
        break;
    }
    int final = (op->flags & OPF_COND_ERR) ? WA_ECANCELLED : op->saved;
    if (final) wa__cond_notify(c, 1); /* except BaseException: self._notify(1) */
    return final;
}

void wa__cond_wait_abandon(wa_cond_core_t *c, wa_op_t *op) {
    bool notified = false;
    if (op->sub == CW_WAIT) {
        notified = wa__op_woken(op) && op->waiter->state == FUT_OK;
        wa__list_unlink(op);
    } else if (op->sub == CW_ACQUIRE) {
        notified = op->saved == 0;
        wa__list_unlink(op);
        if (!c->lock->locked) wa__lock_wake_up_first(c->lock);
    }
    if (notified) wa__cond_notify(c, 1);
}

/* ---- the object ---------------------------------------------------------------- */

static void cond_free(wa_sobj_t *o) {
    wa_cond_t *c = (wa_cond_t *)o;
    wa__sobj_unref(&c->core.lock->hdr);
    free(c);
}

static const wa_sobj_vt_t cond_vt = {cond_free};

static inline bool cond_ok(const wa_cond_t *c) {
    return c && c->hdr.type == SOBJ_COND && !c->hdr.destroyed;
}

int wa_cond_new(wa_cond_t **out, wa_lock_t *lock) {
    if (!out) return WA_EINVAL;
    if (lock && (lock->hdr.type != SOBJ_LOCK || lock->hdr.destroyed)) return WA_EINVAL;
    wa_cond_t *c = calloc(1, sizeof *c);
    if (!c) return WA_ENOMEM;
    if (!lock) {
        int rc = wa_lock_new(&lock);
        if (rc) {
            free(c);
            return rc;
        }
        c->own_lock = true;
    } else {
        lock->hdr.refs++;
    }
    wa__sobj_init(&c->hdr, &cond_vt, SOBJ_COND);
    c->core.lock = lock;
    if (c->own_lock) lock->hdr.refs++; /* ours, besides the handle ref */
    *out = c;
    return 0;
}

int wa_cond_destroy(wa_cond_t *c) {
    if (!cond_ok(c)) return WA_EINVAL;
    c->hdr.destroyed = 1;
    for (wa_op_t *op = c->core.waiters.head; op; op = op->next) wa__op_wake_error(op, WA_ESHUTDOWN);
    /* waits re-acquiring the lock end too, without it */
    for (wa_op_t *op = c->core.lock->waiters.head; op; op = op->next)
        if (op->obj == &c->hdr) wa__op_wake_error(op, WA_ESHUTDOWN);
    if (c->own_lock) wa_lock_destroy(c->core.lock);
    wa__sobj_unref(&c->hdr);
    return 0;
}

wa_lock_t *wa_cond_lock(const wa_cond_t *c) { return cond_ok(c) ? c->core.lock : NULL; }

int wa_cond_acquire(wa_cond_t *c) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!cond_ok(c)) return WA_EINVAL;
    return wa_lock_acquire(c->core.lock);
}

int wa_cond_acquire_start(wa_cond_t *c, wa_future_t **out) {
    if (!cond_ok(c)) return WA_EINVAL;
    return wa_lock_acquire_start(c->core.lock, out);
}

int wa_cond_release(wa_cond_t *c) {
    if (!cond_ok(c)) return WA_EINVAL;
    if (c->core.lock->hdr.destroyed) return WA_ESHUTDOWN;
    return wa_lock_release(c->core.lock);
}

bool wa_cond_locked(const wa_cond_t *c) { return cond_ok(c) && wa_lock_locked(c->core.lock); }

/* ---- wait / wait_for ops ---------------------------------------------------------- */

/* wait(), or wait_for(pred): `while not pred(): await self.wait()`. */
static int cond_step(wa_op_t *op, int status) {
    cond_op_t *co = (cond_op_t *)op;
    wa_cond_t *c = (wa_cond_t *)op->obj;
    if (op->phase == 0) { /* the first check was made by the caller */
        op->phase = 1;
        status = 0;
    }
    for (;;) {
        if (op->sub == CW_START) {
            if (c->hdr.destroyed || c->core.lock->hdr.destroyed) return WA_ESHUTDOWN;
            if (!c->core.lock->locked) return WA_ESTATE; /* cannot wait on un-acquired lock */
        }
        int rc = wa__cond_wait_step(&c->core, op, status);
        if (rc != 0 || !co->pred || co->pred(co->arg)) return rc;
        status = 0;
    }
}

static void cond_abandon(wa_op_t *op) {
    wa_cond_t *c = (wa_cond_t *)op->obj;
    wa__cond_wait_abandon(&c->core, op);
}

/* Completed (lock held) but the awaiter was cancelled before resuming: it
 * keeps the lock (a cancelled wait returns holding it) and the
 * notification goes to another waiter; the op now reads as cancelled. */
static void cond_rollback(wa_future_t *f) {
    wa_op_t *op = OP(f);
    if (!wa__op_rollback_begin(op)) return;
    wa_cond_t *c = (wa_cond_t *)op->obj;
    if (!c->hdr.destroyed) wa__cond_notify(&c->core, 1);
    wa__op_withdrawn(op);
}

static const wa_op_vt_t cond_op_vt = {cond_step, cond_abandon, cond_rollback};

/* Checks made at once: the predicate (before the lock, as in Python), then
 * the lock. *op is NULL when the predicate already holds. */
static int cond_begin(wa_cond_t *c, bool (*pred)(void *), void *arg, cond_op_t **out) {
    if (!cond_ok(c)) return WA_EINVAL;
    if (c->core.lock->hdr.destroyed) return WA_ESHUTDOWN;
    *out = NULL;
    if (pred && pred(arg)) return 0;
    if (!c->core.lock->locked) return WA_ESTATE;
    cond_op_t *op = (cond_op_t *)wa__op_new(sizeof *op, OP_COND, &c->hdr, &cond_op_vt);
    if (!op) return WA_ENOMEM;
    op->pred = pred;
    op->arg = arg;
    *out = op;
    return 0;
}

static int cond_wait_coro(wa_cond_t *c, bool (*pred)(void *), void *arg) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    cond_op_t *op;
    int rc = cond_begin(c, pred, arg, &op);
    if (rc || !op) return rc;
    return wa__op_run(&op->base, NULL);
}

static int cond_wait_op(wa_cond_t *c, bool (*pred)(void *), void *arg, wa_future_t **out) {
    if (!out) return WA_EINVAL;
    cond_op_t *op;
    int rc = cond_begin(c, pred, arg, &op);
    if (rc) return rc;
    if (!op) { /* predicate true: a done op, the lock untouched */
        op = (cond_op_t *)wa__op_new(sizeof *op, OP_COND, &c->hdr, &cond_op_vt);
        if (!op) return WA_ENOMEM;
        /* it consumed no notification: a rollback has nothing to pass on */
        op->base.flags |= OPF_ROLLBACK_TRIED;
        wa__future_complete(&op->base.fut, FUT_OK, 0, NULL, NULL, NULL);
        *out = &op->base.fut;
        return 0;
    }
    wa__op_start(&op->base, out);
    return 0;
}

int wa_cond_wait(wa_cond_t *c) { return cond_wait_coro(c, NULL, NULL); }

int wa_cond_wait_start(wa_cond_t *c, wa_future_t **out) { return cond_wait_op(c, NULL, NULL, out); }

int wa_cond_wait_for(wa_cond_t *c, bool (*pred)(void *arg), void *arg) {
    if (!pred) return wa__cur_coro() ? WA_EINVAL : WA_ENOTASK;
    return cond_wait_coro(c, pred, arg);
}

int wa_cond_wait_for_start(wa_cond_t *c, bool (*pred)(void *arg), void *arg, wa_future_t **out) {
    if (!pred) return WA_EINVAL;
    return cond_wait_op(c, pred, arg, out);
}

int wa_cond_notify(wa_cond_t *c, size_t n) {
    if (!cond_ok(c)) return WA_EINVAL;
    if (c->core.lock->hdr.destroyed) return WA_ESHUTDOWN;
    if (!c->core.lock->locked) return WA_ESTATE;
    size_t k = wa__cond_notify(&c->core, n);
    return k > (size_t)INT32_MAX ? INT32_MAX : (int)k;
}

/* notify(len(self._waiters)) */
int wa_cond_notify_all(wa_cond_t *c) { return wa_cond_notify(c, SIZE_MAX); }
