/* asyncio.Barrier: `parties` tasks meet, each gets its arrival index.
 *
 * The state machine of Python 3.13's Barrier (FILLING -> DRAINING -> back
 * to FILLING when the last released task has left; RESETTING; BROKEN),
 * without its internal Condition: Python only holds that lock across
 * non-suspending code, so here every step is simply atomic. A task woken
 * by a state change re-checks the state on the next loop step, where the
 * woken task would run in asyncio, so e.g. a reset() before a released
 * task has run still breaks its wait, as in Python.
 * reset() and abort() never block (Python's are coroutines only to take the
 * internal lock), so they are plain functions here. */
#include "sync_internal.h"

struct wa_barrier {
    wa_sobj_t hdr;
    unsigned parties;
    unsigned count;         /* tasks inside the barrier (Python's _count) */
    uint8_t state;
    wa_oplist_t waiters;    /* blocked at the entrance, or filling */
};

enum { B_FILLING = 0, B_DRAINING, B_RESETTING, B_BROKEN };
enum { BW_NEW = 0, BW_LISTED, BW_WOKEN, BW_DONE };

typedef struct bar_op {
    wa_op_t base;
    unsigned index;
    bool has_index;         /* entered (counted in `count`) */
} bar_op_t;

static void bar_free(wa_sobj_t *o) { free(o); }

static void bar_exit(wa_barrier_t *b);

/* An entered op leaves early (cancelled or abandoned). */
static void bar_leave(bar_op_t *op) {
    wa_barrier_t *b = (wa_barrier_t *)op->base.obj;
    wa__list_unlink(&op->base);
    op->base.phase = BW_DONE;
    if (op->has_index && !b->hdr.destroyed) {
        op->has_index = false;
        b->count--;
        bar_exit(b);
    }
}

static void bar_withdraw(wa_op_t *op) { bar_leave((bar_op_t *)op); }

static const wa_sobj_vt_t bar_vt = {bar_free, bar_withdraw};

/* The object behind a public handle, or NULL (stale, never issued, other kind). */
static inline wa_barrier_t *bar_get(const wa_barrier_t *handle) {
    return (wa_barrier_t *)wa__sobj_get(handle, SOBJ_BARRIER);
}

static inline bool bar_ok(const wa_barrier_t *b) {
    return b && b->hdr.type == SOBJ_BARRIER && !b->hdr.destroyed;
}

int wa_barrier_new(wa_barrier_t **out, unsigned parties) {
    if (!out || parties < 1) return WA_EINVAL;
    wa_barrier_t *b = calloc(1, sizeof *b);
    if (!b) return WA_ENOMEM;
    wa__sobj_init(&b->hdr, &bar_vt, SOBJ_BARRIER);
    if (wa__sobj_register(&b->hdr)) {
        free(b);
        return WA_ENOMEM;
    }
    b->parties = parties;
    b->state = B_FILLING;
    *out = b->hdr.handle;
    return 0;
}

static void bar_woken(void *a, void *unused);

/* Python's self._cond.notify_all(): every waiter re-checks on its next step. */
static void bar_notify_all(wa_barrier_t *b) {
    wa_op_t *op = b->waiters.head;
    b->waiters.head = b->waiters.tail = NULL;
    while (op) {
        wa_op_t *next = op->next;
        op->prev = op->next = NULL;
        op->list = NULL;
        op->phase = BW_WOKEN;
        wa_ref(&op->fut);
        if (wa__ready_push(bar_woken, op, NULL) != 0) bar_woken(op, NULL);
        op = next;
    }
}

/* Python's _exit(): the last task out ends draining / resetting. */
static void bar_exit(wa_barrier_t *b) {
    if (b->count == 0) {
        if (b->state == B_RESETTING || b->state == B_DRAINING) b->state = B_FILLING;
        bar_notify_all(b);
    }
}

/* The releasing arrival: returns its index; the barrier starts draining. */
static unsigned bar_release(wa_barrier_t *b) {
    unsigned idx = b->count++;
    b->state = B_DRAINING;
    bar_notify_all(b);
    b->count--;
    return idx;
}

/* One step of a wait (Python's _block + _wait logic): completes the op or
 * (re)links it. */
static void bar_eval(wa_barrier_t *b, bar_op_t *op) {
    wa_op_t *o = &op->base;
    if (!op->has_index) {
        if (b->state == B_DRAINING || b->state == B_RESETTING) {
            wa__list_push(&b->waiters, o);
            o->phase = BW_LISTED;
        } else if (b->state == B_BROKEN) {
            o->phase = BW_DONE;
            wa__op_fail(o, WA_EBROKEN, "Barrier aborted");
        } else if (b->count + 1 == b->parties) {
            o->phase = BW_DONE;
            unsigned idx = bar_release(b);
            wa__op_done(o, (void *)(uintptr_t)idx);
            bar_exit(b);
        } else {
            op->index = b->count++;
            op->has_index = true;
            wa__list_push(&b->waiters, o);
            o->phase = BW_LISTED;
        }
        return;
    }
    if (b->state == B_FILLING) { /* spurious wake-up: wait again */
        wa__list_push(&b->waiters, o);
        o->phase = BW_LISTED;
        return;
    }
    op->has_index = false;
    b->count--;
    o->phase = BW_DONE;
    if (b->state == B_BROKEN || b->state == B_RESETTING)
        wa__op_fail(o, WA_EBROKEN, "Abort or reset of barrier");
    else
        wa__op_done(o, (void *)(uintptr_t)op->index);
    bar_exit(b);
}

static void bar_woken(void *a, void *unused) {
    (void)unused;
    bar_op_t *op = a;
    wa_barrier_t *b = (wa_barrier_t *)op->base.obj;
    if (op->base.phase == BW_WOKEN) {
        if (b->hdr.destroyed) {
            op->base.phase = BW_DONE;
            wa__op_fail(&op->base, WA_ESHUTDOWN, "barrier destroyed");
        } else {
            bar_eval(b, op);
        }
    }
    wa_release(&op->base.fut);
}

static int bar_cancel(wa_future_t *f, const char *msg) {
    bar_op_t *op = (bar_op_t *)f;
    /* count-- and _exit() happen after the cancellation, as in Python's
     * `finally` (the waiter's op is done first). */
    bool entered = op->has_index;
    op->has_index = false;
    wa__list_unlink(&op->base);
    op->base.phase = BW_DONE;
    int rc = wa__future_cancel_plain(f, msg);
    wa_barrier_t *b = (wa_barrier_t *)op->base.obj;
    if (entered && !b->hdr.destroyed) {
        b->count--;
        bar_exit(b);
    }
    return rc;
}

int wa_barrier_destroy(wa_barrier_t *b) {
    b = bar_get(b);
    if (!bar_ok(b)) return WA_EINVAL;
    b->hdr.destroyed = 1;
    wa_op_t *op;
    while ((op = wa__list_pop(&b->waiters))) {
        op->phase = BW_DONE;
        wa__op_fail(op, WA_ESHUTDOWN, "barrier destroyed");
    }
    /* BW_WOKEN ops see `destroyed` on their step. */
    wa__sobj_unregister(&b->hdr);
    wa__sobj_unref(&b->hdr);
    return 0;
}

static bar_op_t *bar_op_new(wa_barrier_t *b) {
    return (bar_op_t *)wa__op_new(sizeof(bar_op_t), OP_BARRIER, &b->hdr, bar_cancel, NULL);
}

int wa_barrier_wait(wa_barrier_t *b, unsigned *index) {
    b = bar_get(b);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!bar_ok(b)) return WA_EINVAL;
    /* Cases that finish at once need no op. */
    if (b->state == B_BROKEN) return WA_EBROKEN;
    if (b->state == B_FILLING && b->count + 1 == b->parties) {
        unsigned idx = bar_release(b);
        bar_exit(b);
        if (index) *index = idx;
        return 0;
    }
    bar_op_t *op = bar_op_new(b);
    if (!op) return WA_ENOMEM;
    bar_eval(b, op);
    void *r = NULL;
    int rc = wa__op_await(&op->base, &r);
    if (rc == 0 && index) *index = (unsigned)(uintptr_t)r;
    return rc;
}

int wa_barrier_wait_start(wa_barrier_t *b, wa_future_t **out) {
    b = bar_get(b);
    if (!out || !bar_ok(b)) return WA_EINVAL;
    bar_op_t *op = bar_op_new(b);
    if (!op) return WA_ENOMEM;
    bar_eval(b, op);
    *out = &op->base.fut;
    return 0;
}

int wa_barrier_reset(wa_barrier_t *b) {
    b = bar_get(b);
    if (!bar_ok(b)) return WA_EINVAL;
    if (b->count > 0) b->state = B_RESETTING;
    else b->state = B_FILLING;
    bar_notify_all(b);
    return 0;
}

int wa_barrier_abort(wa_barrier_t *b) {
    b = bar_get(b);
    if (!bar_ok(b)) return WA_EINVAL;
    b->state = B_BROKEN;
    bar_notify_all(b);
    return 0;
}

unsigned wa_barrier_parties(const wa_barrier_t *b) {
    b = bar_get(b);
    return bar_ok(b) ? b->parties : 0;
}

unsigned wa_barrier_n_waiting(const wa_barrier_t *b) {
    b = bar_get(b);
    return bar_ok(b) && b->state == B_FILLING ? b->count : 0;
}

bool wa_barrier_broken(const wa_barrier_t *b) {
    b = bar_get(b);
    return bar_ok(b) && b->state == B_BROKEN;
}
