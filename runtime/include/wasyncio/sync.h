/*
 * wasyncio/sync.h — Lock, Event, Condition, Semaphore, Barrier and queues (asyncio).
 *
 * Part of the C API; include "wasyncio.h", which includes this file.
 */
#ifndef WASYNCIO_SYNC_H
#define WASYNCIO_SYNC_H

#include "../wasyncio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Synchronization primitives: Lock, Event, Condition, Semaphore,           */
/* BoundedSemaphore, Barrier                                                 */
/* ------------------------------------------------------------------------ */


/*
 * Model shared by every primitive and queue below
 *
 *  - Semantics are Python 3.13/3.14's asyncio, step by step: same names,
 *    same error cases (RuntimeError -> WA_ESTATE, ValueError -> WA_EVALUE,
 *    QueueEmpty/QueueFull/QueueShutDown/BrokenBarrierError ->
 *    WA_EEMPTY/WA_EFULL/WA_ESHUTDOWN/WA_EBROKEN), and the same interleaving:
 *    a waiter is only *woken* (release(), put(), notify() ...); it takes
 *    what it waited for - the lock, a slot, an item - when its task resumes,
 *    one loop step later, rechecking first (a queue getter that finds the
 *    item gone waits again, at the end of the line). Until then a released
 *    lock reads unlocked and a put item counts in qsize(), as in Python.
 *  - Objects: wa_X_new(&x, ...) creates, wa_X_destroy(x) destroys. The
 *    handle must not be used after destroy: like free(), a call with a
 *    destroyed handle is undefined behaviour (it may read freed memory or
 *    act on a newer object at the same address); only NULL is checked
 *    (WA_EINVAL). Destroying an object with
 *    waiters never leaves them hanging: every pending operation ends with
 *    WA_ESHUTDOWN when its waiter next runs (items the object holds are
 *    dropped, see queues).
 *  - Every blocking operation has two forms:
 *      wa_X_op(x, ...)            coroutine form: suspends the calling
 *                                 coroutine task (WA_ENOTASK elsewhere);
 *                                 does not allocate unless it must wait.
 *      wa_X_op_start(x, ..., &op) gives an operation future ("op"; one
 *                                 reference, wa_release it), done at once
 *                                 or later, for step tasks
 *                                 (wa_step_await), JS bindings, callbacks.
 *    A step task awaiting a pending op runs it as part of its own steps (an
 *    awaited coroutine, in asyncio's terms): it resumes when the op is done,
 *    in the same loop step. Awaited any other way, an op runs on in the loop
 *    step after each wake-up, then completes (its done callbacks follow).
 *    A done op *owns* its outcome (the lock, a semaphore slot, a queue item
 *    as its result ...) until its awaiter takes it.
 *    wa_future_set_result/set_error refuse ops (WA_EINVAL).
 *  - Cancellation never loses anything. wa_cancel(op) cancels the op as
 *    asyncio cancels a task running it: a waiting op ends cancelled when it
 *    next runs (a condition wait re-acquires its lock first); a woken one
 *    that has not run yet takes nothing and passes its wake-up on (to the
 *    next waiter). Releasing a pending op without cancelling it withdraws
 *    it the same way. If the op was already done when its awaiter got
 *    cancelled (possible only for an op not awaited directly by a task: a
 *    combinator, a callback, JS async code), the outcome is handed back
 *    with wa_op_rollback(op); the scheduler does so for a task awaiting a
 *    done op.
 *  - Releasing a *done* op does not give its outcome back: take it (or roll
 *    it back) first.
 */

/* Give back the outcome of a done op whose waiter was cancelled before it
 * took it: a lock or semaphore slot goes to the next waiter (or is
 * released), a got item returns to its queue (its head for FIFO, its top
 * for LIFO, its place for priority) or to the next waiting getter, a put
 * item is taken out of its queue again, a condition wait passes its
 * notification on (the lock stays held, as for a cancelled wait). Tried
 * once; later calls only report. Returns the op's status afterwards:
 * WA_ECANCELLED if the outcome was withdrawn (or the op was cancelled),
 * 0 if it stands and belongs to the caller (nothing to give back - event,
 * barrier, join - or it could not be: a put item already taken by a
 * getter), the op's error code if it failed; WA_ESTATE if still pending,
 * WA_EINVAL if op is NULL. Safe on any future (no rollback: its status). */
WA_API int wa_op_rollback(wa_future_t *op);

/* ---- Lock (asyncio.Lock) ---- */

/* A FIFO mutex for tasks. Not owned by a task: any code may release it. */
typedef struct wa_lock wa_lock_t;

/* Create an unlocked lock. WA_EINVAL if out is NULL, WA_ENOMEM. */
WA_API int wa_lock_new(wa_lock_t **out);

/* Destroy l: its waiters end with WA_ESHUTDOWN (condition waits
 * re-acquiring it too). Whether it was locked does not matter.
 * WA_EINVAL if l is NULL (a destroyed l is undefined: see above). */
WA_API int wa_lock_destroy(wa_lock_t *l);

/* Coroutine form of asyncio's `await lock.acquire()`: returns 0 with the
 * lock held, WA_ECANCELLED (not held), WA_ESHUTDOWN (destroyed meanwhile),
 * WA_ENOMEM, WA_ENOTASK, WA_EINVAL. A newcomer never takes the lock while
 * others wait (Python 3.13 fairness). */
WA_API int wa_lock_acquire(wa_lock_t *l);

/* Op form: *op completes (result NULL) once the lock is held for its
 * awaiter - at once if it is free. Cancelling it while pending withdraws
 * the request; once done, wa_op_rollback releases the lock to the next
 * waiter. WA_EINVAL, WA_ESHUTDOWN, WA_ENOMEM (nothing created). */
WA_API int wa_lock_acquire_start(wa_lock_t *l, wa_future_t **op);

/* Release the lock and wake the first waiter, which takes it when it runs
 * (meanwhile the lock reads unlocked, as in Python, but no newcomer can
 * take it). WA_ESTATE if it is not locked (Python's RuntimeError),
 * WA_EINVAL if l is NULL. */
WA_API int wa_lock_release(wa_lock_t *l);

/* True if the lock is held. False for NULL. */
WA_API bool wa_lock_locked(const wa_lock_t *l);

/* ---- Event (asyncio.Event) ---- */

typedef struct wa_event wa_event_t;

/* Create an event (not set). WA_EINVAL, WA_ENOMEM. */
WA_API int wa_event_new(wa_event_t **out);

/* Destroy e: waiters end with WA_ESHUTDOWN. WA_EINVAL if NULL. */
WA_API int wa_event_destroy(wa_event_t *e);

/* Coroutine form: return 0 once the event is set (at once if it is).
 * WA_ECANCELLED, WA_ESHUTDOWN, WA_ENOMEM, WA_ENOTASK, WA_EINVAL. One small
 * allocation per waiting task (its op). */
WA_API int wa_event_wait(wa_event_t *e);

/* Op form: *op completes (result NULL) when the event is set. Nothing is
 * consumed, so there is nothing to roll back. */
WA_API int wa_event_wait_start(wa_event_t *e, wa_future_t **op);

/* Set the event: every waiter is woken, in the order they started waiting;
 * they return 0 even if the event is cleared before they resume.
 * WA_EINVAL if NULL. */
WA_API int wa_event_set(wa_event_t *e);

/* Reset the event to not set. WA_EINVAL if NULL. */
WA_API int wa_event_clear(wa_event_t *e);

/* True if set. False for NULL. */
WA_API bool wa_event_is_set(const wa_event_t *e);

/* ---- Condition (asyncio.Condition) ---- */

typedef struct wa_cond wa_cond_t;

/* Create a condition over a shared lock, or over a new lock of its own if
 * lock is NULL. A shared lock stays the caller's to destroy (the condition
 * keeps its memory alive; once it is destroyed the condition's waits end
 * with WA_ESHUTDOWN). WA_EINVAL (out NULL), WA_ENOMEM. */
WA_API int wa_cond_new(wa_cond_t **out, wa_lock_t *lock);

/* Destroy c (and its own lock, not a shared one): waiters end with
 * WA_ESHUTDOWN without re-acquiring the lock. WA_EINVAL if NULL. */
WA_API int wa_cond_destroy(wa_cond_t *c);

/* The condition's lock (borrowed), NULL for NULL. */
WA_API wa_lock_t *wa_cond_lock(const wa_cond_t *c);

/* The lock operations, on the condition's lock (see wa_lock_*); once a
 * shared lock is destroyed they return WA_ESHUTDOWN. */
WA_API int wa_cond_acquire(wa_cond_t *c);
WA_API int wa_cond_acquire_start(wa_cond_t *c, wa_future_t **op);
WA_API int wa_cond_release(wa_cond_t *c);
WA_API bool wa_cond_locked(const wa_cond_t *c);

/* Coroutine form of `await cond.wait()`; the lock must be held (WA_ESTATE
 * otherwise). Releases it, waits to be notified, re-acquires it, returns 0.
 * If cancelled, the lock is still re-acquired before WA_ECANCELLED is
 * returned, and a notification the wait may have consumed is passed to
 * another waiter (Python 3.13). WA_ESHUTDOWN: condition or lock destroyed
 * meanwhile (then the lock is NOT held). Also WA_ENOMEM, WA_ENOTASK,
 * WA_EINVAL. */
WA_API int wa_cond_wait(wa_cond_t *c);

/* Op form of wait: the lock is released at once; *op completes (result
 * NULL) with the lock held again. wa_cancel(op) returns 1 but the op ends
 * (cancelled) only once the lock is re-acquired. */
WA_API int wa_cond_wait_start(wa_cond_t *c, wa_future_t **op);

/* `await cond.wait_for(pred)`: while pred(arg) is false, wait. pred is
 * called with the lock held, from the loop (it must not suspend nor use
 * this condition or lock); the first check happens before the lock is
 * checked, as in Python. Returns 0 once pred(arg) is true (lock held);
 * errors as wa_cond_wait; WA_EINVAL if pred is NULL. */
WA_API int wa_cond_wait_for(wa_cond_t *c, bool (*pred)(void *arg), void *arg);

/* Op form of wait_for: *op completes once pred(arg) is true with the lock
 * held (at once, lock untouched, if it already is). */
WA_API int wa_cond_wait_for_start(wa_cond_t *c, bool (*pred)(void *arg), void *arg,
                                  wa_future_t **op);

/* Wake up to n waiters (FIFO). The lock must be held (WA_ESTATE). Returns
 * how many were woken, WA_ESHUTDOWN (shared lock destroyed) or WA_EINVAL. */
WA_API int wa_cond_notify(wa_cond_t *c, size_t n);

/* Wake every waiter. As wa_cond_notify. */
WA_API int wa_cond_notify_all(wa_cond_t *c);

/* ---- Semaphore, BoundedSemaphore (asyncio) ---- */

typedef struct wa_sem wa_sem_t;

/* Create a semaphore with value >= 0 (WA_EINVAL otherwise), WA_ENOMEM. */
WA_API int wa_sem_new(wa_sem_t **out, int value);

/* A BoundedSemaphore: releasing it above its initial value is WA_EVALUE. */
WA_API int wa_bounded_sem_new(wa_sem_t **out, int value);

/* Destroy s: waiters end with WA_ESHUTDOWN. WA_EINVAL if NULL. */
WA_API int wa_sem_destroy(wa_sem_t *s);

/* Coroutine form of `await sem.acquire()`: 0 once a slot is taken.
 * Newcomers never overtake waiters (FIFO). WA_ECANCELLED (no slot taken),
 * WA_ESHUTDOWN, WA_ENOMEM, WA_ENOTASK, WA_EINVAL. */
WA_API int wa_sem_acquire(wa_sem_t *s);

/* Op form: *op completes (result NULL) owning a slot. Cancel withdraws;
 * once done, wa_op_rollback gives the slot back (to the next waiter). */
WA_API int wa_sem_acquire_start(wa_sem_t *s, wa_future_t **op);

/* Release a slot: the first waiter not yet woken is woken, and the slot
 * is taken for it (it returns when it runs). WA_EVALUE for a
 * bounded semaphore already at its initial value (or a value at INT_MAX),
 * WA_EINVAL for NULL. */
WA_API int wa_sem_release(wa_sem_t *s);

/* True if acquire would wait (value 0 or waiters queued). False for NULL. */
WA_API bool wa_sem_locked(const wa_sem_t *s);

/* The counter (slots free now), or WA_EINVAL for NULL. */
WA_API int wa_sem_value(const wa_sem_t *s);

/* ---- Barrier (asyncio.Barrier) ---- */

typedef struct wa_barrier wa_barrier_t;

/* Create a barrier for parties >= 1 tasks (WA_EINVAL otherwise). */
WA_API int wa_barrier_new(wa_barrier_t **out, unsigned parties);

/* Destroy b: waiters end with WA_ESHUTDOWN. WA_EINVAL if NULL. */
WA_API int wa_barrier_destroy(wa_barrier_t *b);

/* Coroutine form of `await barrier.wait()`: wait until `parties` tasks
 * have arrived; *index (may be NULL) gets this task's arrival index
 * 0..parties-1. Arrivals while the barrier drains (released tasks not all
 * resumed yet) or resets wait for the next cycle. WA_EBROKEN if the barrier
 * is or gets broken (abort) or is reset while waiting; WA_ECANCELLED (this
 * task leaves the barrier, which is not broken); WA_ESHUTDOWN; WA_ENOMEM;
 * WA_ENOTASK; WA_EINVAL. */
WA_API int wa_barrier_wait(wa_barrier_t *b, unsigned *index);

/* Op form: *op completes with the arrival index as its result
 * ((void *)(uintptr_t)index) or fails with WA_EBROKEN. */
WA_API int wa_barrier_wait_start(wa_barrier_t *b, wa_future_t **op);

/* Return the barrier to its empty state; waiting tasks end with WA_EBROKEN
 * (asyncio's reset()). Never blocks. WA_EINVAL if NULL. */
WA_API int wa_barrier_reset(wa_barrier_t *b);

/* Put the barrier in the broken state: current and future waits end with
 * WA_EBROKEN until wa_barrier_reset. Never blocks. WA_EINVAL if NULL. */
WA_API int wa_barrier_abort(wa_barrier_t *b);

/* Number of tasks required to pass (0 for NULL). */
WA_API unsigned wa_barrier_parties(const wa_barrier_t *b);

/* Number of tasks waiting while it fills (0 while draining, or NULL). */
WA_API unsigned wa_barrier_n_waiting(const wa_barrier_t *b);

/* True if broken. False for NULL. */
WA_API bool wa_barrier_broken(const wa_barrier_t *b);


/* ------------------------------------------------------------------------ */
/* Queues: Queue, PriorityQueue, LifoQueue                                   */
/* ------------------------------------------------------------------------ */


/*
 * asyncio.Queue / PriorityQueue / LifoQueue, Python 3.14 (shutdown: 3.13+).
 * Items are void *; the queue never looks at them (except through the
 * priority comparator) and owns them only while they are in it:
 *  - a successful put passes the item to the queue, a successful get passes
 *    it to the getter; a failed or cancelled put leaves it with the caller;
 *  - items the queue drops - shutdown(immediate) and destroy - are passed
 *    to the item_dtor given at creation (if any; else they are forgotten).
 * As in Python, a put while getters wait only wakes the first getter (the
 * item stays in the queue until it runs), and a get that frees a slot only
 * wakes the first waiting putter: a woken waiter retries when it runs, and
 * a newcomer may have taken the item or the slot by then.
 */

typedef struct wa_queue wa_queue_t;

enum {
    WA_QUEUE_FIFO = 0,      /* asyncio.Queue                               */
    WA_QUEUE_LIFO = 1,      /* asyncio.LifoQueue                           */
    WA_QUEUE_PRIORITY = 2,  /* asyncio.PriorityQueue: lowest first         */
};

/* Priority comparator: <0, 0, >0 like strcmp. Called from queue operations
 * (it must not use the queue; nor may an item_dtor). */
typedef int (*wa_cmp_fn)(const void *a, const void *b, void *ctx);

/* Queue options. Zero-initialise; NULL means an unbounded FIFO queue. */
typedef struct wa_queue_opts {
    int kind;               /* WA_QUEUE_FIFO, _LIFO or _PRIORITY           */
    size_t maxsize;         /* 0: unbounded                                */
    wa_free_fn item_dtor;   /* called on items the queue drops (may be NULL) */
    wa_cmp_fn cmp;          /* PRIORITY only, optional: orders items first;
                               then the numeric priority, then insertion
                               order (ties stay FIFO)                     */
    void *cmp_ctx;          /* passed to cmp                               */
} wa_queue_opts_t;

/* Create a queue. WA_EINVAL (bad kind, cmp on a non-priority queue),
 * WA_ENOMEM. */
WA_API int wa_queue_new(wa_queue_t **out, const wa_queue_opts_t *opts);

/* Destroy q: items still in it go to item_dtor; pending getters, putters
 * and joiners end with WA_ESHUTDOWN (putters keep their items).
 * WA_EINVAL if q is NULL. */
WA_API int wa_queue_destroy(wa_queue_t *q);

/* Coroutine form of `await q.put(item)`: waits while the queue is full.
 * 0 (the queue owns item now), WA_ESHUTDOWN (shut down before or while
 * waiting; item not put), WA_ECANCELLED (not put), WA_ENOMEM, WA_ENOTASK,
 * WA_EINVAL. On a priority queue the priority is 0. */
WA_API int wa_queue_put(wa_queue_t *q, void *item);

/* q.put_nowait(item): 0, WA_EFULL, WA_ESHUTDOWN, WA_ENOMEM, WA_EINVAL. */
WA_API int wa_queue_put_nowait(wa_queue_t *q, void *item);

/* Op form of put: *op completes (result NULL) once item is in the queue
 * (at once if there is room). Cancel while pending: not put. Once done,
 * wa_op_rollback takes the item out again unless a getter already has it
 * (then it returns 0: the put stands). WA_ESHUTDOWN, WA_ENOMEM, WA_EINVAL
 * are returned directly (nothing created, item not put). */
WA_API int wa_queue_put_start(wa_queue_t *q, void *item, wa_future_t **op);

/* The put forms with a numeric priority (lower first; not NaN), priority
 * queues only (WA_EINVAL otherwise). */
WA_API int wa_queue_put_prio(wa_queue_t *q, void *item, double prio);
WA_API int wa_queue_put_prio_nowait(wa_queue_t *q, void *item, double prio);
WA_API int wa_queue_put_prio_start(wa_queue_t *q, void *item, double prio, wa_future_t **op);

/* Coroutine form of `await q.get()`: *item gets the next item (FIFO,
 * LIFO or lowest priority), waiting while the queue is empty. WA_ESHUTDOWN
 * once the queue is shut down and empty; WA_ECANCELLED (nothing taken);
 * WA_ENOMEM, WA_ENOTASK, WA_EINVAL (item NULL). No allocation when an item
 * is there. */
WA_API int wa_queue_get(wa_queue_t *q, void **item);

/* q.get_nowait(): 0, WA_EEMPTY, WA_ESHUTDOWN (shut down and empty),
 * WA_EINVAL. */
WA_API int wa_queue_get_nowait(wa_queue_t *q, void **item);

/* Op form of get: *op completes with the item as its result
 * (wa_future_result; the op does not free it: it is the awaiter's), or
 * fails with WA_ESHUTDOWN. Cancel while pending: nothing taken. Once done,
 * wa_op_rollback puts the item back (to the next waiting getter, else at
 * the head / top / its priority place; over a full queue's maxsize if need
 * be; dropped as by shutdown(immediate) if the queue was shut down
 * immediately or destroyed). WA_ESHUTDOWN (empty and shut down) and
 * WA_ENOMEM / WA_EINVAL are returned directly. */
WA_API int wa_queue_get_start(wa_queue_t *q, wa_future_t **op);

/* q.task_done(): one item put earlier is processed. WA_EVALUE if called
 * more times than items were put; WA_EINVAL. When no unfinished item is
 * left, every joiner is woken. */
WA_API int wa_queue_task_done(wa_queue_t *q);

/* Coroutine form of `await q.join()`: wait until every item put has been
 * task_done'd (0 at once if none is unfinished). WA_ECANCELLED,
 * WA_ESHUTDOWN (destroyed), WA_ENOMEM, WA_ENOTASK, WA_EINVAL. */
WA_API int wa_queue_join(wa_queue_t *q);

/* Op form of join (result NULL; nothing to roll back). */
WA_API int wa_queue_join_start(wa_queue_t *q, wa_future_t **op);

/* q.shutdown(immediate): later puts fail with WA_ESHUTDOWN, gets too once
 * the queue is empty; waiting putters and getters end with WA_ESHUTDOWN.
 * immediate: the items still queued are dropped (item_dtor) and each
 * counts as task_done'd (joiners wake if nothing is left unfinished).
 * Idempotent. WA_EINVAL if NULL. */
WA_API int wa_queue_shutdown(wa_queue_t *q, bool immediate);

/* Number of items in the queue (0 for NULL). */
WA_API size_t wa_queue_qsize(const wa_queue_t *q);

/* maxsize given at creation (0: unbounded, or NULL). */
WA_API size_t wa_queue_maxsize(const wa_queue_t *q);

/* True if empty (or NULL). */
WA_API bool wa_queue_empty(const wa_queue_t *q);

/* True if bounded and holding maxsize items (false for NULL). */
WA_API bool wa_queue_full(const wa_queue_t *q);

/* Items put and not yet task_done'd (Python's _unfinished_tasks). */
WA_API size_t wa_queue_unfinished(const wa_queue_t *q);

/* True once shutdown was called. */
WA_API bool wa_queue_is_shutdown(const wa_queue_t *q);

#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_SYNC_H */
