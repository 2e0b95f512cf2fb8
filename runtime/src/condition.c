/* asyncio.Condition: wait / wait_for / notify / notify_all over a Lock.
 *
 * A wait is one op going through phases, as Python 3.13's Condition.wait:
 *   CW_WAIT    lock released, linked in the condition's waiter list;
 *   CW_PENDING notified (or cancelled): the re-acquire starts on the next
 *              loop step, where the woken task would run in asyncio;
 *   CW_LOCK    linked in the lock's waiter list;
 *   CW_DONE    the lock is held again (or the op failed).
 * The lock is re-acquired even when the wait is cancelled; the op then ends
 * cancelled (lock held) and passes a notification on to another waiter,
 * like the `except BaseException: self._notify(1)` of Python 3.13. For
 * wait_for the predicate is checked each time the lock is re-acquired; if
 * it is false the op goes back to CW_WAIT. */
#include "sync_internal.h"

struct wa_cond {
    wa_sobj_t hdr;
    wa_lock_t *lock;        /* referenced */
    bool own_lock;          /* created by wa_cond_new (destroyed with it) */
    wa_oplist_t waiters;
};

enum { CW_WAIT = 1, CW_PENDING, CW_LOCK, CW_DONE };

typedef struct cond_op {
    wa_op_t base;
    bool (*pred)(void *arg);    /* wait_for; NULL for wait */
    void *arg;
    bool cancelled;             /* cancellation requested: end cancelled */
} cond_op_t;

static void cond_free(wa_sobj_t *o) {
    wa_cond_t *c = (wa_cond_t *)o;
    wa__sobj_unref(&c->lock->hdr);
    free(c);
}

/* A pending op released unawaited (CW_WAIT or CW_LOCK; CW_PENDING holds a
 * reference so it cannot get here). */
static void cond_withdraw(wa_op_t *op) {
    wa__list_unlink(op);
    op->phase = CW_DONE;
}

static const wa_sobj_vt_t cond_vt = {cond_free, cond_withdraw};

/* The object behind a public handle, or NULL (stale, never issued, other kind). */
static inline wa_cond_t *cond_get(const wa_cond_t *handle) {
    return (wa_cond_t *)wa__sobj_get(handle, SOBJ_COND);
}

static inline bool cond_ok(const wa_cond_t *c) {
    return c && c->hdr.type == SOBJ_COND && !c->hdr.destroyed;
}

int wa_cond_new(wa_cond_t **out, wa_lock_t *lock) {
    if (!out) return WA_EINVAL;
    if (lock && !(lock = (wa_lock_t *)wa__sobj_get(lock, SOBJ_LOCK))) return WA_EINVAL;
    wa_cond_t *c = calloc(1, sizeof *c);
    if (!c) return WA_ENOMEM;
    wa__sobj_init(&c->hdr, &cond_vt, SOBJ_COND);
    if (wa__sobj_register(&c->hdr)) {
        free(c);
        return WA_ENOMEM;
    }
    if (!lock) {
        int rc = wa_lock_new(&lock);
        if (rc) {
            wa__sobj_unregister(&c->hdr);
            free(c);
            return rc;
        }
        lock = (wa_lock_t *)wa__sobj_get(lock, SOBJ_LOCK);
        c->own_lock = true;
    } else {
        lock->hdr.refs++;
    }
    c->lock = lock;
    if (c->own_lock) lock->hdr.refs++; /* ours, besides the handle ref */
    *out = c->hdr.handle;
    return 0;
}

static void cond_reacquire(void *a, void *b);

/* Move op to CW_PENDING and start its re-acquire on the next step. */
static void cond_schedule(cond_op_t *op) {
    op->base.phase = CW_PENDING;
    wa_ref(&op->base.fut);
    if (wa__ready_push(cond_reacquire, op, NULL) != 0) cond_reacquire(op, NULL);
}

/* Python's Condition._notify(n): wake up to n waiters, FIFO. */
static size_t cond_notify_internal(wa_cond_t *c, size_t n) {
    size_t k = 0;
    while (k < n && c->waiters.head) {
        cond_op_t *op = (cond_op_t *)wa__list_pop(&c->waiters);
        cond_schedule(op);
        k++;
    }
    return k;
}

/* The op holds the lock: finish, or go back to waiting (returns false). */
static bool cond_have_lock(cond_op_t *op) {
    wa_cond_t *c = (wa_cond_t *)op->base.obj;
    if (op->cancelled) {
        op->base.phase = CW_DONE;
        cond_notify_internal(c, 1);
        wa__op_cancelled(&op->base);
        return true;
    }
    if (op->pred && !op->pred(op->arg)) {
        op->base.phase = CW_WAIT;
        wa__list_push(&c->waiters, &op->base);
        return false;
    }
    op->base.phase = CW_DONE;
    wa__op_done(&op->base, NULL);
    return true;
}

bool wa__cond_lock_granted(wa_op_t *op) {
    cond_op_t *co = (cond_op_t *)op;
    if (((wa_cond_t *)op->obj)->hdr.destroyed) { /* cannot happen: destroy unlinks */
        op->phase = CW_DONE;
        wa__op_fail(op, WA_ESHUTDOWN, "condition destroyed");
        return false;
    }
    return cond_have_lock(co);
}

void wa__cond_lock_gone(wa_op_t *op) {
    op->phase = CW_DONE;
    wa__op_fail(op, WA_ESHUTDOWN, "lock destroyed");
}

static void cond_reacquire(void *a, void *b) {
    (void)b;
    cond_op_t *op = a;
    wa_cond_t *c = (wa_cond_t *)op->base.obj;
    if (op->base.phase == CW_PENDING && op->base.fut.refs == 1) {
        /* Released by its waiter while pending: withdrawn, it takes no lock
         * (it would hold it for nobody). Its notification goes on, as for a
         * cancelled wait. */
        op->base.phase = CW_DONE;
        if (!c->hdr.destroyed) cond_notify_internal(c, 1);
    } else if (op->base.phase == CW_PENDING) {
        if (c->hdr.destroyed) {
            op->base.phase = CW_DONE;
            wa__op_fail(&op->base, WA_ESHUTDOWN, "condition destroyed");
        } else if (c->lock->hdr.destroyed) {
            wa__cond_lock_gone(&op->base);
        } else if (wa__lock_acquire_or_queue(c->lock, &op->base)) {
            if (!cond_have_lock(op)) wa__lock_release_internal(c->lock);
        } else {
            op->base.phase = CW_LOCK;
        }
    }
    wa_release(&op->base.fut);
}

static int cond_cancel(wa_future_t *f, const char *msg) {
    cond_op_t *op = (cond_op_t *)f;
    char *m = msg ? wa__strdup(msg) : NULL;
    if (msg && !m) return WA_ENOMEM;
    free(f->message);
    f->message = m; /* kept for the final cancellation */
    op->cancelled = true;
    if (op->base.phase == CW_WAIT) {
        wa__list_unlink(&op->base);
        cond_schedule(op);
    }
    /* CW_PENDING / CW_LOCK: the op ends cancelled once it has the lock. */
    return 1;
}

/* Completed (lock held) but the waiter was cancelled before resuming: it
 * keeps the lock (a cancelled wait returns holding it) and the
 * notification goes to another waiter; the op now reads as cancelled. */
static void cond_rollback(wa_future_t *f) {
    wa_op_t *op = OP(f);
    if (!wa__op_rollback_begin(op)) return;
    wa_cond_t *c = (wa_cond_t *)op->obj;
    if (!c->hdr.destroyed) cond_notify_internal(c, 1);
    wa__op_withdrawn(op);
}

int wa_cond_destroy(wa_cond_t *c) {
    c = cond_get(c);
    if (!cond_ok(c)) return WA_EINVAL;
    c->hdr.destroyed = 1;
    wa_op_t *op;
    while ((op = wa__list_pop(&c->waiters))) {
        op->phase = CW_DONE;
        wa__op_fail(op, WA_ESHUTDOWN, "condition destroyed");
    }
    /* ops re-acquiring the lock: withdraw them from its waiter list */
    for (op = c->lock->waiters.head; op;) {
        wa_op_t *next = op->next;
        if (op->obj == &c->hdr) {
            wa__list_unlink(op);
            op->phase = CW_DONE;
            wa__op_fail(op, WA_ESHUTDOWN, "condition destroyed");
        }
        op = next;
    }
    /* CW_PENDING ops see `destroyed` when their step runs. */
    if (c->own_lock) wa_lock_destroy(c->lock->hdr.handle); /* stale if the user did */
    wa__sobj_unregister(&c->hdr);
    wa__sobj_unref(&c->hdr);
    return 0;
}

wa_lock_t *wa_cond_lock(const wa_cond_t *c) {
    c = cond_get(c);
    return cond_ok(c) ? c->lock->hdr.handle : NULL;
}

int wa_cond_acquire(wa_cond_t *c) {
    c = cond_get(c);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!cond_ok(c)) return WA_EINVAL;
    if (c->lock->hdr.destroyed) return WA_ESHUTDOWN;
    return wa_lock_acquire(c->lock->hdr.handle);
}

int wa_cond_acquire_start(wa_cond_t *c, wa_future_t **out) {
    c = cond_get(c);
    if (!cond_ok(c) || !out) return WA_EINVAL;
    if (c->lock->hdr.destroyed) return WA_ESHUTDOWN;
    return wa_lock_acquire_start(c->lock->hdr.handle, out);
}

int wa_cond_release(wa_cond_t *c) {
    c = cond_get(c);
    if (!cond_ok(c)) return WA_EINVAL;
    if (c->lock->hdr.destroyed) return WA_ESHUTDOWN;
    return wa_lock_release(c->lock->hdr.handle);
}

bool wa_cond_locked(const wa_cond_t *c) {
    c = cond_get(c);
    return cond_ok(c) && !c->lock->hdr.destroyed && c->lock->locked;
}

/* Common start of wait / wait_for: *out gets an op (maybe already done) or
 * NULL when the predicate already holds (no allocation). */
static int cond_start(wa_cond_t *c, bool (*pred)(void *), void *arg, cond_op_t **out) {
    if (!cond_ok(c)) return WA_EINVAL;
    if (c->lock->hdr.destroyed) return WA_ESHUTDOWN;
    *out = NULL;
    /* Python's wait_for checks the predicate before wait() checks the lock */
    if (pred && pred(arg)) return 0;
    if (!c->lock->locked) return WA_ESTATE;
    cond_op_t *op = (cond_op_t *)wa__op_new(sizeof *op, OP_COND, &c->hdr, cond_cancel, cond_rollback);
    if (!op) return WA_ENOMEM;
    op->pred = pred;
    op->arg = arg;
    wa__lock_release_internal(c->lock);
    op->base.phase = CW_WAIT;
    wa__list_push(&c->waiters, &op->base);
    *out = op;
    return 0;
}

static int cond_wait_coro(wa_cond_t *c, bool (*pred)(void *), void *arg) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    cond_op_t *op;
    int rc = cond_start(c, pred, arg, &op);
    if (rc || !op) return rc;
    return wa__op_await(&op->base, NULL);
}

static int cond_wait_op(wa_cond_t *c, bool (*pred)(void *), void *arg, wa_future_t **out) {
    if (!out) return WA_EINVAL;
    cond_op_t *op;
    int rc = cond_start(c, pred, arg, &op);
    if (rc) return rc;
    if (!op) { /* predicate true: a done op, the lock still held */
        op = (cond_op_t *)wa__op_new(sizeof *op, OP_COND, &c->hdr, cond_cancel, cond_rollback);
        if (!op) return WA_ENOMEM;
        op->base.phase = CW_DONE;
        /* it consumed no notification: a rollback has nothing to pass on */
        op->base.flags |= OPF_ROLLBACK_TRIED;
        wa__op_done(&op->base, NULL);
    }
    *out = &op->base.fut;
    return 0;
}

int wa_cond_wait(wa_cond_t *c) {
    c = cond_get(c);
    return cond_wait_coro(c, NULL, NULL);
}

int wa_cond_wait_start(wa_cond_t *c, wa_future_t **out) {
    c = cond_get(c);
    return cond_wait_op(c, NULL, NULL, out);
}

int wa_cond_wait_for(wa_cond_t *c, bool (*pred)(void *arg), void *arg) {
    c = cond_get(c);
    if (!pred) return wa__cur_coro() ? WA_EINVAL : WA_ENOTASK;
    return cond_wait_coro(c, pred, arg);
}

int wa_cond_wait_for_start(wa_cond_t *c, bool (*pred)(void *arg), void *arg, wa_future_t **out) {
    c = cond_get(c);
    if (!pred) return WA_EINVAL;
    return cond_wait_op(c, pred, arg, out);
}

int wa_cond_notify(wa_cond_t *c, size_t n) {
    c = cond_get(c);
    if (!cond_ok(c)) return WA_EINVAL;
    if (c->lock->hdr.destroyed) return WA_ESHUTDOWN;
    if (!c->lock->locked) return WA_ESTATE;
    size_t k = cond_notify_internal(c, n);
    return k > (size_t)INT32_MAX ? INT32_MAX : (int)k;
}

int wa_cond_notify_all(wa_cond_t *c) { return wa_cond_notify(c, SIZE_MAX); }
