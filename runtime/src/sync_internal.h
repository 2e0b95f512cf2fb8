/* Shared machinery of the synchronization primitives and queues: the
 * object header, operation futures ("ops") and FIFO waiter lists.
 *
 * Model: asyncio's code, step by step. Each blocking method of a primitive
 * (Lock.acquire, Queue.get ...) is a small coroutine written as a state
 * machine (an op's `step`), and waits the way asyncio's does: it creates a
 * plain future (op->waiter, asyncio's `fut`), links itself into the
 * object's waiter list (asyncio's deque of futures) and awaits it. Whoever
 * wakes it only completes that future (`fut.set_result`); the op runs on,
 * rechecks and takes what it came for when its task resumes - exactly when
 * the asyncio coroutine would - so orders, sizes and who wins a race are
 * asyncio's.
 *
 * Who runs an op's steps:
 *  - a task awaiting it runs them inline, as part of its own steps (the op
 *    is "adopted": the task awaits op->waiter directly, and the op's
 *    outcome reaches the task in the same step it is decided, as the return
 *    value of an awaited coroutine does);
 *  - otherwise (an op awaited by a callback, a JS promise, a combinator) the
 *    done callback of op->waiter does, one loop step after the wake-up.
 * The op future (op->fut) is done when the coroutine returns: it then owns
 * the outcome (the lock, a slot, an item) until its awaiter takes it.
 * Cancelling an op is cancelling its coroutine (Task.cancel: the waiter is
 * cancelled, or the cancellation is delivered when it resumes); releasing a
 * pending op abandons it (the object forgets it; a wake-up it was given is
 * passed on); a done op whose awaiter was cancelled before taking the
 * outcome gives it back (rollback), and then reads as cancelled.
 *
 * Objects are refcounted internally: the user's handle holds one reference
 * until *_destroy, every op holds one, so an op can always reach its object
 * (a destroyed object is only marked; its memory goes with the last op). */
#ifndef WASYNCIO_SYNC_INTERNAL_H
#define WASYNCIO_SYNC_INTERNAL_H

#include "internal.h"
#include "dlist.h"

#include <stdlib.h>

typedef struct wa_op wa_op_t;
typedef struct wa_sobj wa_sobj_t;

typedef struct wa_sobj_vt {
    void (*free)(wa_sobj_t *o);       /* last reference gone               */
} wa_sobj_vt_t;

enum { SOBJ_LOCK = 0x51, SOBJ_EVENT, SOBJ_COND, SOBJ_SEM, SOBJ_BARRIER, SOBJ_QUEUE };

struct wa_sobj {
    const wa_sobj_vt_t *vt;
    uint32_t refs;
    uint8_t type;
    uint8_t destroyed;
};

typedef struct wa_oplist {
    wa_op_t *head, *tail;
} wa_oplist_t;

enum { OP_LOCK = 1, OP_EVENT, OP_COND, OP_SEM, OP_BARRIER, OP_QGET, OP_QPUT, OP_QJOIN };
enum { OPF_ROLLBACK_TRIED = 1u, OPF_COND_ERR = 2u };

typedef struct wa_op_vt {
    /* Run the op's coroutine on from op->phase, with the status of the wait
     * that just ended (0 when it starts; WA_ECANCELLED when cancelled).
     * Returns WA_PENDING after wa__op_wait, else its final status (the
     * result in op->result, a failure message in op->msg). */
    int (*step)(wa_op_t *op, int status);
    /* Released while pending, never to be resumed: leave the object as a
     * cancelled op would (passing on a wake-up it was given). */
    void (*abandon)(wa_op_t *op);
    /* Done, but its awaiter was cancelled before taking the outcome: give
     * it back (wa_op_rollback). NULL: nothing to give back. */
    void (*rollback)(wa_future_t *f);
} wa_op_vt_t;

struct wa_op {
    struct wa_future fut;   /* must be first: an op is a future */
    const wa_inline_vt_t *ivt; /* second: run inline by its awaiting task */
    wa_op_t *prev, *next;   /* in an object's waiter list */
    wa_oplist_t *list;      /* the waiter list it is linked in, or NULL */
    wa_sobj_t *obj;         /* referenced until the op is freed */
    const wa_op_vt_t *vt;
    wa_future_t *waiter;    /* asyncio's `fut` being awaited (referenced) */
    struct wa_task_s *driver; /* the task running it inline, or NULL */
    void *result;           /* outcome of a successful op */
    char *msg;              /* cancel / failure message for the outcome */
    int saved;              /* status kept across an inner wait */
    uint8_t type;
    uint8_t phase;          /* where its coroutine is */
    uint8_t sub;            /* where an inner condition wait is        */
    uint8_t lsub;           /* where an inner lock acquire is          */
    uint8_t flags;
    uint8_t must_cancel;    /* cancelled while its waiter was done */
};

#define OP(f) ((wa_op_t *)(f))

/* ---- objects ---------------------------------------------------------- */
static inline void wa__sobj_init(wa_sobj_t *o, const wa_sobj_vt_t *vt, uint8_t type) {
    o->vt = vt;
    o->refs = 1;
    o->type = type;
    o->destroyed = 0;
}

static inline void wa__sobj_unref(wa_sobj_t *o) {
    if (--o->refs == 0) o->vt->free(o);
}

/* ---- waiter lists ----------------------------------------------------- */
static inline void wa__list_push(wa_oplist_t *l, wa_op_t *op) {
    WA_DLIST_APPEND(l->head, l->tail, op);
    op->list = l;
}

static inline void wa__list_unlink(wa_op_t *op) {
    wa_oplist_t *l = op->list;
    if (!l) return;
    WA_DLIST_UNLINK(l->head, l->tail, op);
    op->list = NULL;
}

static inline wa_op_t *wa__list_pop(wa_oplist_t *l) {
    wa_op_t *op = l->head;
    if (op) wa__list_unlink(op);
    return op;
}

/* ---- ops (op.c) ------------------------------------------------------- */
/* Allocate an op of `size` bytes (>= sizeof(wa_op_t), zeroed past the base)
 * for obj, not started. NULL when out of memory. */
wa_op_t *wa__op_new(size_t size, uint8_t type, wa_sobj_t *obj, const wa_op_vt_t *vt);
/* In a step: asyncio's `fut = create_future(); waiters.append(fut); await
 * fut` (list may be NULL: no list). Returns WA_PENDING, or WA_ENOMEM. */
int wa__op_wait(wa_op_t *op, wa_oplist_t *list);
/* asyncio's `fut.set_result(...)` on op's waiter, if it is pending. */
void wa__op_wake(wa_op_t *op);
/* Complete op's waiter with an error (the object was destroyed). */
void wa__op_wake_error(wa_op_t *op, int code);
/* asyncio's fut.done() / fut.cancelled() for op's waiter. */
static inline bool wa__op_woken(const wa_op_t *op) {
    return op->waiter && op->waiter->state != FUT_PENDING;
}
static inline bool wa__op_waiter_cancelled(const wa_op_t *op) {
    return op->waiter && op->waiter->state == FUT_CANCELLED;
}
/* Start op (its first step runs now): done at once, or driven by its
 * waiter's callbacks until a task adopts it. *out gets the op future. */
void wa__op_start(wa_op_t *op, wa_future_t **out);
/* Coroutine forms: start op and run it inline in the calling coroutine
 * task; then release it. *result (if not NULL) gets its result. */
int wa__op_run(wa_op_t *op, void **result);
/* After a successful rollback: the op now reads as cancelled. */
void wa__op_withdrawn(wa_op_t *op);
/* True if op's rollback may run now (done OK, first attempt); marks it. */
bool wa__op_rollback_begin(wa_op_t *op);
/* The running coroutine task, or NULL. */
static inline wa_task_impl_t *wa__cur_coro(void) {
    wa_task_impl_t *t = wa__loop.current;
    return t && t->fut.kind == KIND_CORO ? t : NULL;
}

/* ---- inner coroutines shared by several ops --------------------------- */
struct wa_lock {
    wa_sobj_t hdr;
    bool locked;
    wa_oplist_t waiters;    /* ops awaiting their `fut` in acquire() */
};

/* lock.c: Lock.acquire() as an inner coroutine of op (its state in
 * op->lsub, 0 to start). Returns WA_PENDING or its final status. */
/* Lock.acquire()'s path that does not wait: the lock is free and no waiter
 * is left that is not cancelled; takes it. */
bool wa__lock_try(wa_lock_t *l);
int wa__lock_acquire_step(wa_lock_t *l, wa_op_t *op, int status);
/* lock.c: Lock.release() (the lock is locked). */
void wa__lock_release_internal(wa_lock_t *l);

/* condition.c: the waiter list and lock of a condition, and
 * Condition.wait() as an inner coroutine of op (state in op->sub, with
 * op->saved; 0 to start, the lock held). Returns WA_PENDING or its final
 * status (0: notified, the lock held again). */
typedef struct wa_cond_core {
    wa_lock_t *lock;
    wa_oplist_t waiters;
} wa_cond_core_t;
int wa__cond_wait_step(wa_cond_core_t *c, wa_op_t *op, int status);
/* An op abandoned inside wa__cond_wait_step: leave the condition and its
 * lock as a cancelled wait would (a notification it got is passed on). */
void wa__cond_wait_abandon(wa_cond_core_t *c, wa_op_t *op);
/* Condition._notify(n): wake up to n waiters; returns how many. */
size_t wa__cond_notify(wa_cond_core_t *c, size_t n);
/* Lock._wake_up_first. */
void wa__lock_wake_up_first(wa_lock_t *l);

#endif
