/* asyncio.Barrier (Python 3.13/3.14), step by step: the state machine
 * (FILLING -> DRAINING -> back to FILLING when the last released task has
 * left; RESETTING; BROKEN) over an internal Condition, whose waits and lock
 * are the inner coroutines of condition.c and lock.c, so tasks wake, re-check
 * and leave exactly when Python's do.
 * reset() and abort() are coroutines in Python only to take the internal
 * lock, which no task ever holds across a suspension (wait() releases it in
 * every condition wait), so it is always free: here they are plain
 * functions with the same effect. */
#include "sync_internal.h"

struct wa_barrier {
    wa_sobj_t hdr;
    unsigned parties;
    unsigned count;         /* tasks inside the barrier (Python's _count) */
    uint8_t state;
    wa_cond_core_t cond;    /* the internal Condition; cond.lock owned */
};

enum { B_FILLING = 0, B_DRAINING, B_RESETTING, B_BROKEN };
/* where a wait() is */
enum { BW_ENTER = 0, BW_BLOCK, BW_WAIT };

typedef struct bar_op {
    wa_op_t base;
    unsigned index;
    bool entered;           /* counted in `count` */
} bar_op_t;

static void bar_free(wa_sobj_t *o) {
    wa_barrier_t *b = (wa_barrier_t *)o;
    wa__sobj_unref(&b->cond.lock->hdr);
    free(b);
}

static const wa_sobj_vt_t bar_vt = {bar_free};

static inline bool bar_ok(const wa_barrier_t *b) {
    return b && b->hdr.type == SOBJ_BARRIER && !b->hdr.destroyed;
}

int wa_barrier_new(wa_barrier_t **out, unsigned parties) {
    if (!out || parties < 1) return WA_EINVAL;
    wa_barrier_t *b = calloc(1, sizeof *b);
    if (!b) return WA_ENOMEM;
    if (wa_lock_new(&b->cond.lock) != 0) {
        free(b);
        return WA_ENOMEM;
    }
    b->cond.lock->hdr.refs++; /* ours, besides the handle ref */
    wa__sobj_init(&b->hdr, &bar_vt, SOBJ_BARRIER);
    b->parties = parties;
    *out = b;
    return 0;
}

static void notify_all(wa_barrier_t *b) { wa__cond_notify(&b->cond, SIZE_MAX); }

/* Python's _exit(): the last task out ends draining / resetting. */
static void bar_exit(wa_barrier_t *b) {
    if (b->count == 0) {
        if (b->state == B_RESETTING || b->state == B_DRAINING) b->state = B_FILLING;
        notify_all(b);
    }
}

/* The `finally` of wait() and `async with self._cond` leaving. */
static int bar_leave(wa_barrier_t *b, bar_op_t *op, int rc) {
    if (op->entered) {
        op->entered = false;
        b->count--;
        bar_exit(b);
    }
    wa__lock_release_internal(b->cond.lock);
    return rc;
}

static int bar_step(wa_op_t *base, int status) {
    bar_op_t *op = (bar_op_t *)base;
    wa_barrier_t *b = (wa_barrier_t *)base->obj;
    if (b->hdr.destroyed) return WA_ESHUTDOWN;
    int rc;
    switch (base->phase) {
    case BW_ENTER: /* async with self._cond */
        rc = wa__lock_acquire_step(b->cond.lock, base, status);
        if (rc) return rc;
        base->phase = BW_BLOCK;
        status = 0;
        /* _block(): wait_for(lambda: state not in (DRAINING, RESETTING)) */
        while (b->state == B_DRAINING || b->state == B_RESETTING) {
            rc = wa__cond_wait_step(&b->cond, base, 0);
            if (rc == WA_PENDING) return rc;
            if (rc) return bar_leave(b, op, rc);
        }
        goto blocked;
    case BW_BLOCK:
        rc = wa__cond_wait_step(&b->cond, base, status);
        if (rc == WA_PENDING) return rc;
        if (rc) return bar_leave(b, op, rc);
        while (b->state == B_DRAINING || b->state == B_RESETTING) {
            rc = wa__cond_wait_step(&b->cond, base, 0);
            if (rc == WA_PENDING) return rc;
            if (rc) return bar_leave(b, op, rc);
        }
    blocked:
        if (b->state == B_BROKEN) {
            free(base->msg);
            base->msg = wa__strdup("Barrier aborted");
            return bar_leave(b, op, WA_EBROKEN);
        }
        op->index = b->count++;
        op->entered = true;
        if (op->index + 1 == b->parties) { /* _release() */
            b->state = B_DRAINING;
            notify_all(b);
            goto passed;
        }
        base->phase = BW_WAIT;
        /* _wait(): wait_for(lambda: state is not FILLING) */
        while (b->state == B_FILLING) {
            rc = wa__cond_wait_step(&b->cond, base, 0);
            if (rc == WA_PENDING) return rc;
            if (rc) return bar_leave(b, op, rc);
        }
        goto waited;
    case BW_WAIT:
        rc = wa__cond_wait_step(&b->cond, base, status);
        if (rc == WA_PENDING) return rc;
        if (rc) return bar_leave(b, op, rc);
        while (b->state == B_FILLING) {
            rc = wa__cond_wait_step(&b->cond, base, 0);
            if (rc == WA_PENDING) return rc;
            if (rc) return bar_leave(b, op, rc);
        }
    waited:
        if (b->state == B_BROKEN || b->state == B_RESETTING) {
            free(base->msg);
            base->msg = wa__strdup("Abort or reset of barrier");
            return bar_leave(b, op, WA_EBROKEN);
        }
    passed:
        base->result = (void *)(uintptr_t)op->index;
        return bar_leave(b, op, 0);
    }
    return WA_ESTATE;
}

/* Abandoned while waiting: leave as a cancelled wait would. */
static void bar_abandon(wa_op_t *base) {
    bar_op_t *op = (bar_op_t *)base;
    wa_barrier_t *b = (wa_barrier_t *)base->obj;
    if (base->phase == BW_ENTER) {
        wa__list_unlink(base);
        if (!b->cond.lock->locked) wa__lock_wake_up_first(b->cond.lock);
        return;
    }
    wa__cond_wait_abandon(&b->cond, base);
    if (op->entered) {
        op->entered = false;
        b->count--;
        bar_exit(b);
    }
}

static const wa_op_vt_t bar_op_vt = {bar_step, bar_abandon, NULL};

int wa_barrier_destroy(wa_barrier_t *b) {
    if (!bar_ok(b)) return WA_EINVAL;
    b->hdr.destroyed = 1;
    for (wa_op_t *op = b->cond.waiters.head; op; op = op->next) wa__op_wake_error(op, WA_ESHUTDOWN);
    wa_lock_destroy(b->cond.lock); /* its waiters end with WA_ESHUTDOWN */
    wa__sobj_unref(&b->hdr);
    return 0;
}

int wa_barrier_wait(wa_barrier_t *b, unsigned *index) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!bar_ok(b)) return WA_EINVAL;
    wa_op_t *op = wa__op_new(sizeof(bar_op_t), OP_BARRIER, &b->hdr, &bar_op_vt);
    if (!op) return WA_ENOMEM;
    void *r = NULL;
    int rc = wa__op_run(op, &r);
    if (rc == 0 && index) *index = (unsigned)(uintptr_t)r;
    return rc;
}

int wa_barrier_wait_start(wa_barrier_t *b, wa_future_t **out) {
    if (!out || !bar_ok(b)) return WA_EINVAL;
    wa_op_t *op = wa__op_new(sizeof(bar_op_t), OP_BARRIER, &b->hdr, &bar_op_vt);
    if (!op) return WA_ENOMEM;
    wa__op_start(op, out);
    return 0;
}

int wa_barrier_reset(wa_barrier_t *b) {
    if (!bar_ok(b)) return WA_EINVAL;
    if (b->count > 0) b->state = B_RESETTING;
    else b->state = B_FILLING;
    notify_all(b);
    return 0;
}

int wa_barrier_abort(wa_barrier_t *b) {
    if (!bar_ok(b)) return WA_EINVAL;
    b->state = B_BROKEN;
    notify_all(b);
    return 0;
}

unsigned wa_barrier_parties(const wa_barrier_t *b) { return bar_ok(b) ? b->parties : 0; }

unsigned wa_barrier_n_waiting(const wa_barrier_t *b) {
    return bar_ok(b) && b->state == B_FILLING ? b->count : 0;
}

bool wa_barrier_broken(const wa_barrier_t *b) { return bar_ok(b) && b->state == B_BROKEN; }
