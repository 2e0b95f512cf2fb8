/*
 * wasyncio.h — asyncio for WebAssembly, in C.
 *
 * One header for the whole C API. A single-threaded event loop with stackful
 * coroutine tasks (and stackless step tasks), futures and combinators, which
 * runs on the host's own event loop: a browser tab or Web Worker, Node, or
 * natively (for tests) on a blocking poll loop.
 *
 * Conventions
 *  - Every call that can fail returns an int status: 0 (WA_OK) or a negative
 *    WA_E... code; wa_strerror() describes a code. Bad arguments never crash
 *    and never change state: they return WA_EINVAL (or the code documented).
 *  - Times are milliseconds (double), like setTimeout and performance.now().
 *  - Suspending calls (wa_await, wa_sleep, ...) may only be made from inside a
 *    coroutine task; elsewhere they return WA_ENOTASK.
 *  - Ownership: a function that hands out a wa_future_t* (or wa_task_t*)
 *    through an `out` parameter gives the caller one reference, to be dropped
 *    with wa_release(). Pointers *returned* by accessors are borrowed and stay
 *    valid while the caller holds its reference.
 *  - Not thread-safe: all calls come from the loop's thread.
 */
#ifndef WASYNCIO_H
#define WASYNCIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every public function is exported from wasm builds, so the JS bindings
 * (and your own JS) can call it. */
#ifdef __EMSCRIPTEN__
#define WA_API __attribute__((used))
#else
#define WA_API
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

enum {
    WA_OK = 0,
    WA_ECANCELLED = -1,   /* the task or the awaited future was cancelled     */
    WA_ETIMEDOUT = -2,    /* a deadline passed (asyncio.TimeoutError)         */
    WA_EINVAL = -3,       /* bad argument: nothing was changed                */
    WA_ENOMEM = -4,       /* out of memory: nothing was changed               */
    WA_ESTATE = -5,       /* invalid state (asyncio.InvalidStateError)        */
    WA_ENOTASK = -6,      /* suspending call made outside a coroutine task    */
    WA_ESHUTDOWN = -7,    /* the object (queue, pool, runtime) is shut down   */
    WA_EEMPTY = -8,       /* queue empty (asyncio.QueueEmpty)                 */
    WA_EFULL = -9,        /* queue full (asyncio.QueueFull)                   */
    WA_EBROKEN = -10,     /* barrier broken (asyncio.BrokenBarrierError)      */
    WA_EVALUE = -11,      /* value error: released too often, task_done ...   */
    WA_ENETWORK = -12,    /* network failure (fetch rejected)                 */
    WA_EHOST = -13,       /* the host (JS) raised an error                    */
    WA_EFAILED = -14,     /* generic failure of a task                        */
    WA_EDEADLOCK = -15,   /* main waits but nothing can ever wake it          */
    WA_EGROUP = -16,      /* several failures, reported together (TaskGroup) */
    WA_ESTACK = -17,      /* a coroutine's C stack is too small               */
    WA_EABORTED = -18,    /* the operation was aborted (worker terminated ...)*/
};

/* Returned by a step function (see wa_spawn_step) that arranged to be resumed. */
#define WA_PENDING 0x7fffffff

/* Describe a status code. Never NULL; positive codes are "application error". */
WA_API const char *wa_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Types                                                                     */
/* ------------------------------------------------------------------------ */

/* A future: pending, then done with a result, an error, or cancelled. */
typedef struct wa_future wa_future_t;
/* A task is a future driven by the scheduler; every future call accepts one. */
typedef wa_future_t wa_task_t;
/* A cancellable scheduled callback; 0 is never a valid handle. Stale handles
 * are harmless: cancelling one returns 0. */
typedef uint64_t wa_handle_t;

typedef void (*wa_callback_fn)(void *arg);
typedef void (*wa_free_fn)(void *ptr);
typedef void (*wa_done_fn)(wa_future_t *fut, void *arg);
/* A coroutine task body: returns 0 (success, result set by wa_return) or an
 * error code (set a message with wa_fail). Returning WA_ECANCELLED ends the
 * task as cancelled, like a CancelledError propagating out of a coroutine. */
typedef int (*wa_coro_fn)(void *arg);
/* A stackless step: called first with status 0, then with the outcome of each
 * wait it arranged (wa_step_await / wa_step_sleep). Returns WA_PENDING while
 * waiting, otherwise its final status (as wa_coro_fn). */
typedef int (*wa_step_fn)(void *state, int status);

/* Options for creating a task. Zero-initialise; NULL means all defaults. */
typedef struct wa_task_opts {
    const char *name;   /* copied; default "Task-<n>"                      */
    size_t stack_size;  /* bytes of C stack; 0 = default (see below).
                           Rounded up to a size class (min WA_STACK_MIN). */
    wa_free_fn arg_free;/* if set, called with arg (or state) once the task
                           is done, whether or not its body ever ran      */
} wa_task_opts_t;

/* The smallest coroutine stack (C frames plus saved coroutine state). */
#define WA_STACK_MIN 2048u

/* ------------------------------------------------------------------------ */
/* The loop                                                                  */
/* ------------------------------------------------------------------------ */

/* Monotonic time in milliseconds (performance.now() on web hosts). */
WA_API double wa_time(void);

/* Schedule fn(arg) on the next loop iteration. Ready callbacks run in FIFO
 * order. *out (optional) receives a handle for wa_handle_cancel.
 * WA_EINVAL if fn is NULL. */
WA_API int wa_call_soon(wa_callback_fn fn, void *arg, wa_handle_t *out);

/* Schedule fn(arg) after delay_ms (>= 0, not NaN; +inf never fires). Timers
 * fire in deadline order; equal deadlines fire in scheduling order. */
WA_API int wa_call_later(double delay_ms, wa_callback_fn fn, void *arg, wa_handle_t *out);

/* Schedule fn(arg) at loop time when_ms (a wa_time() value; not NaN). A
 * deadline already past (even a negative one) runs in the next turn, after
 * the callbacks ready now; INFINITY never runs. Deadlines any distance
 * away are kept: hosts whose timers are shorter (JS: 2^31-1 ms) re-arm. */
WA_API int wa_call_at(double when_ms, wa_callback_fn fn, void *arg, wa_handle_t *out);

/* Cancel a callback that has not run yet. Returns 1 if it was cancelled,
 * 0 if it already ran, was cancelled before, or the handle is unknown. */
WA_API int wa_handle_cancel(wa_handle_t h);

/* Run one host turn: move expired timers to the ready queue and run ready
 * callbacks and task steps, batch after batch, until nothing is ready or
 * budget_ms has passed (budget_ms <= 0: one batch only). Returns the number
 * of callbacks run, WA_ESTATE if called re-entrantly or from a task.
 * Hosts call this for you; embedders driving the loop themselves may too. */
WA_API int wa_run_once(double budget_ms);

/* Time budget of one host turn (default 5 ms): past it, the loop yields to
 * the host (so a page keeps rendering) and asks to be woken at once.
 * WA_EINVAL unless 0 < ms < inf. */
WA_API int wa_loop_set_budget(double budget_ms);

/* Milliseconds until the loop next has work: 0 if callbacks are ready, the
 * time to the earliest timer, or -1 if there is none. */
WA_API double wa_loop_next_wakeup(void);

/* Run main(arg) as a task to completion, like asyncio.run(): when main is
 * done, every other task still alive is cancelled and awaited, and the
 * status of main is returned (0, its error code, or WA_ECANCELLED).
 * Native hosts block until then. On web hosts (Emscripten) the call starts
 * main and returns 0 at once; the loop goes on by host wake-ups, and the
 * final status is reported to the host: Module.onRunDone(status, message)
 * if set, else the Node process exit code / console.
 * WA_EINVAL if main is NULL; WA_ESTATE if a run is already in progress. */
WA_API int wa_run(wa_coro_fn main, void *arg);

/* Called with main's final status (and message, may be NULL). */
typedef void (*wa_run_done_fn)(int status, const char *message, void *user);

/* Like wa_run, but never blocks on any host: starts main and returns 0;
 * done(status, message, user) is called when main and the cleanup of
 * leftover tasks have finished. Drive the loop with wa_run_once /
 * wa_loop_wait (native) or let the web host drive it. */
WA_API int wa_run_start(wa_coro_fn main, void *arg, const wa_task_opts_t *opts,
                 wa_run_done_fn done, void *user);

/* Native hosts: block until the loop has work or timeout_ms passes (<0:
 * until there is work; any single wait ends after 2^31-1 ms at most, so
 * call it in a loop). Returns WA_EDEADLOCK if the loop has no ready
 * callbacks, no timers and nothing in flight (it could never wake). */
WA_API int wa_loop_wait(double timeout_ms);

/* Handler for failures nobody retrieved (a failed task released without its
 * error being read). Default: print to stderr / console.error.
 * Cancellations are never reported. fn NULL restores the default. */
typedef void (*wa_exception_handler_fn)(wa_future_t *fut, int code,
                                        const char *message, void *arg);
WA_API void wa_set_exception_handler(wa_exception_handler_fn fn, void *arg);

/* Task life-cycle events, for timelines and tracing (see wa_set_task_hook). */
typedef enum wa_task_event {
    WA_TASK_CREATED = 1,    /* spawned, queued to start                      */
    WA_TASK_STARTED = 2,    /* its body runs for the first time              */
    WA_TASK_SUSPENDED = 3,  /* it waits (a future, a timer, or sleep(0))     */
    WA_TASK_RESUMED = 4,    /* it runs again                                 */
    WA_TASK_CANCELLING = 5, /* a cancellation was requested                  */
    WA_TASK_DONE = 6,       /* finished; status: 0, error code, WA_ECANCELLED */
} wa_task_event_t;

/* Called for every task event with the task (borrowed; valid during the
 * call) and, for WA_TASK_DONE, its status. Keep it short: it runs inside the
 * scheduler. NULL turns tracing off (the default; then it costs nothing). */
typedef void (*wa_task_hook_fn)(int event, wa_task_t *t, int status, void *arg);
WA_API void wa_set_task_hook(wa_task_hook_fn fn, void *arg);

/* A task's number: unique, increasing from 1 in creation order (0 if t is
 * not a task). Names may repeat; numbers never do. */
WA_API uint64_t wa_task_id(const wa_task_t *t);

/* Live object counts, for leak checks and monitoring. */
typedef struct wa_stats {
    size_t futures;          /* futures + tasks not yet freed           */
    size_t tasks;            /* tasks not yet done                      */
    size_t handles;          /* scheduled callbacks/timers not yet run  */
    size_t ready;            /* entries in the ready queue              */
    size_t stacks_in_use;    /* coroutine stacks held by live tasks     */
    size_t stacks_pooled;    /* stacks kept for reuse                   */
    size_t stack_bytes;      /* bytes of all stacks (in use + pooled)   */
    uint64_t switches;       /* coroutine resumes since start           */
    size_t pooled_bytes;     /* bytes kept for reuse (pooled stacks and
                                task structs), counted by malloc as in use */
} wa_stats_t;
WA_API void wa_get_stats(wa_stats_t *out);

/* Free pooled memory held by the loop (stacks, task structs; the ready
 * queue and timer heap when empty). Call when the
 * loop is idle, e.g. before exit in leak-checked programs. */
WA_API void wa_loop_trim(void);

/* ------------------------------------------------------------------------ */
/* Futures                                                                   */
/* ------------------------------------------------------------------------ */

/* Create a pending future; *out receives one reference. */
WA_API int wa_future_new(wa_future_t **out);

/* Take another reference (returns f). NULL is ignored. */
WA_API wa_future_t *wa_ref(wa_future_t *f);

/* Drop a reference; the last one frees the future and calls the result's
 * destructor. A failure nobody retrieved is reported then. NULL is ignored. */
WA_API void wa_release(wa_future_t *f);

/* Mark f done with a result. The future owns value from now on and calls
 * dtor(value) (if not NULL) when freed. WA_ESTATE if already done;
 * WA_EINVAL if f is NULL, a task (a task's result comes from its body) or
 * an operation future (see wa_op_rollback: its primitive sets it). */
WA_API int wa_future_set_result(wa_future_t *f, void *value, wa_free_fn dtor);

/* Mark f failed with code (nonzero, not WA_ECANCELLED) and a message
 * (copied, may be NULL). WA_ESTATE if done; WA_EINVAL on bad arguments
 * (as wa_future_set_result). */
WA_API int wa_future_set_error(wa_future_t *f, int code, const char *message);

/* Cancel f (message copied, may be NULL). Returns 1 if the cancellation was
 * requested, 0 if f was already done (nothing changes), WA_EINVAL if f is
 * NULL. For a task this is asyncio's Task.cancel(): the task receives
 * WA_ECANCELLED at its current await and its cancelling() count grows. */
WA_API int wa_cancel(wa_future_t *f, const char *message);

/* State queries. NULL gives false. */
WA_API bool wa_future_done(const wa_future_t *f);
WA_API bool wa_future_cancelled(const wa_future_t *f);

/* Outcome of a done future: 0, its error code, or WA_ECANCELLED. WA_ESTATE if
 * still pending, WA_EINVAL if NULL. Marks the error as retrieved. */
WA_API int wa_future_status(wa_future_t *f);

/* Result of a successful future, else NULL. Borrowed. */
WA_API void *wa_future_result(const wa_future_t *f);

/* Error or cancellation message, else NULL. Borrowed. */
WA_API const char *wa_future_message(const wa_future_t *f);

/* Call fn(f, arg) through the loop once f is done (at once scheduled if it
 * already is). Callbacks run in registration order. */
WA_API int wa_future_add_done_callback(wa_future_t *f, wa_done_fn fn, void *arg);

/* Remove every registration of (fn, arg); returns how many were removed. */
WA_API int wa_future_remove_done_callback(wa_future_t *f, wa_done_fn fn, void *arg);

/* ------------------------------------------------------------------------ */
/* Tasks                                                                     */
/* ------------------------------------------------------------------------ */

/* Start fn(arg) as a stackful coroutine task, scheduled to run soon.
 * *out (may be NULL: fire and forget) receives a reference to the task.
 * The loop keeps the task alive until it is done. */
WA_API int wa_spawn(wa_task_t **out, wa_coro_fn fn, void *arg, const wa_task_opts_t *opts);

/* Start a stackless step task: step(state, 0) runs soon; each time it
 * returns WA_PENDING after a wa_step_await/wa_step_sleep it is called again
 * with that wait's status. No stack of its own: tens of bytes per task.
 * state stays owned by the caller (free it when the task is done). */
WA_API int wa_spawn_step(wa_task_t **out, wa_step_fn step, void *state, const wa_task_opts_t *opts);

/* Suspend the current task until f is done. Returns wa_future_status(f), or
 * WA_ECANCELLED if the task was cancelled meanwhile (asyncio semantics: a
 * cancelled task also cancels the future it awaits). Does not suspend if f
 * is already done. WA_ENOTASK outside a coroutine task; WA_EINVAL if f is
 * NULL or the current task itself. */
WA_API int wa_await(wa_future_t *f);

/* Suspend the current task for ms (0: yield to other ready tasks once).
 * Returns 0 or WA_ECANCELLED. WA_EINVAL if ms is negative or NaN. */
WA_API int wa_sleep(double ms);

/* Non-suspending sleep: *out gets a future that completes (result NULL)
 * after ms; cancelling it cancels the timer. For callers that are not
 * coroutines (step tasks, the JS bindings). WA_EINVAL if ms < 0 or NaN. */
WA_API int wa_sleep_start(double ms, wa_future_t **out);

/* From a step function: resume this step task with f's status once f is
 * done (immediately scheduled if it already is). Return WA_PENDING after it.
 * WA_ENOTASK outside a step task; WA_ESTATE if a wait is already set. */
WA_API int wa_step_await(wa_future_t *f);

/* From a step function: resume after ms (0: next iteration). */
WA_API int wa_step_sleep(double ms);

/* Set the current task's result (owned by the task; dtor may be NULL).
 * Returns 0, so a body can end with `return wa_return(p, free);`. */
WA_API int wa_return(void *value, wa_free_fn dtor);

/* Set the current task's error message (printf format) and return code, so a
 * body can end with `return wa_fail(WA_EFAILED, "bad %d", x);`. */
WA_API int wa_fail(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The running task (borrowed), or NULL outside tasks. */
WA_API wa_task_t *wa_current_task(void);

/* Fill out[0..cap) with live (not done) tasks, borrowed; returns how many
 * there are in all (may exceed cap). */
WA_API size_t wa_all_tasks(wa_task_t **out, size_t cap);

/* True if f is a task. */
WA_API bool wa_is_task(const wa_future_t *f);

/* The task's name (borrowed), NULL if f is not a task. */
WA_API const char *wa_task_name(const wa_task_t *t);

/* Rename a task (copied). WA_EINVAL if t is not a task or name NULL. */
WA_API int wa_task_set_name(wa_task_t *t, const char *name);

/* Number of pending cancellation requests (asyncio Task.cancelling()). */
WA_API int wa_task_cancelling(const wa_task_t *t);

/* Decrement the cancellation count and return the new value (asyncio
 * Task.uncancel()); a count that reaches 0 also withdraws a cancellation
 * not yet delivered. WA_EINVAL if t is not a task. */
WA_API int wa_task_uncancel(wa_task_t *t);

/* ------------------------------------------------------------------------ */
/* Combinators                                                               */
/* ------------------------------------------------------------------------ */

/* gather flag: failures become results instead of failing the gather. */
#define WA_RETURN_EXCEPTIONS 1u

/* asyncio.gather over futs[0..n) (tasks or futures; references are taken).
 * *out gets a future that is done when all are: success (result NULL: read
 * each child's result, in order) or, without WA_RETURN_EXCEPTIONS, the first
 * failure as soon as it happens, while the other children keep running.
 * Cancelling the gather cancels every child; it then ends cancelled.
 * With n == 0 the gather is already done. */
WA_API int wa_gather(wa_future_t **out, wa_future_t *const *futs, size_t n, unsigned flags);

/* ------------------------------------------------------------------------ */
/* Structured concurrency: wait, wait_for, as_completed, shield, timeout    */
/* scopes, TaskGroup (combinators.c, timeout.c, taskgroup.c)                */
/* ------------------------------------------------------------------------ */

/* (section: combinators) */

/* Times for the calls below are milliseconds. A relative timeout <= 0 has
 * already expired (asyncio); WA_NO_TIMEOUT (+inf) means none; NaN is
 * WA_EINVAL. Absolute deadlines are wa_time() values. */
#if defined(__GNUC__)
#define WA_NO_TIMEOUT (__builtin_inf())
#else
#define WA_NO_TIMEOUT (1e308 * 10.0)
#endif

/* ---- wait ------------------------------------------------------------------
 * asyncio.wait(fs, timeout=, return_when=). */
enum {
    WA_ALL_COMPLETED = 0,   /* when every future is done                     */
    WA_FIRST_COMPLETED = 1, /* when any future is done                       */
    WA_FIRST_EXCEPTION = 2, /* when any fails (not: is cancelled), else all  */
};

/* Wait until the return_when condition holds or timeout_ms passes, then
 * partition futs[0..n) into done and pending (a future listed twice counts
 * and appears once; order of first appearance). Nothing is cancelled, not
 * even on timeout (asyncio). done / pending (each may be NULL) must have room
 * for n entries; the pointers written are borrowed from futs. *ndone /
 * *npending (may be NULL) receive the counts. Suspends at least once, like
 * asyncio, even if everything is already done. Returns 0 (also on timeout),
 * WA_ECANCELLED if the calling task was cancelled (its callbacks on futs are
 * withdrawn; outputs untouched), WA_EINVAL if n == 0, futs or an entry is
 * NULL, return_when is unknown or timeout_ms is NaN, WA_ENOTASK outside a
 * coroutine task. */
WA_API int wa_wait(wa_future_t *const *futs, size_t n, double timeout_ms, int return_when,
            wa_future_t **done, size_t *ndone, wa_future_t **pending, size_t *npending);

/* Non-suspending form of wa_wait (step tasks, JS): *out gets a future that
 * completes with status 0 (result NULL) when the condition holds or the
 * timeout passes; read the sets with wa_wait_sets. Cancelling it withdraws
 * its callbacks and timer and cancels none of futs. It references futs until
 * it is freed. Same argument checks as wa_wait. */
WA_API int wa_wait_start(wa_future_t **out, wa_future_t *const *futs, size_t n,
                  double timeout_ms, int return_when);

/* Partition the futures of a wa_wait_start future as wa_wait does, by their
 * state now (call it when the wait future is done). WA_EINVAL if w is not a
 * wait future. */
WA_API int wa_wait_sets(wa_future_t *w, wa_future_t **done, size_t *ndone,
                 wa_future_t **pending, size_t *npending);

/* ---- wait_for ----------------------------------------------------------------
 * asyncio.wait_for (3.12+: a timeout scope around `await f`). */

/* Await f for at most timeout_ms. On time: f's status (result: read f).
 * When the deadline passes, f is cancelled (a task: Task.cancel) and waited
 * for until it is done; then WA_ETIMEDOUT if it ended cancelled, or its own
 * outcome if it swallowed the cancellation (its value, status 0) or failed.
 * A result that completes in the same loop turn as the deadline is returned,
 * never dropped for a timeout. timeout_ms <= 0: f's status at once if f is
 * done (no suspension), else f is cancelled and awaited as above.
 * Cancelling the caller cancels f and returns WA_ECANCELLED (not converted).
 * WA_NO_TIMEOUT: plain wa_await. WA_EINVAL if f is NULL / the current task
 * or timeout_ms is NaN; WA_ENOTASK outside a coroutine task. */
WA_API int wa_wait_for(wa_future_t *f, double timeout_ms);

/* Non-suspending form: *out gets a future with the outcome wa_wait_for would
 * return (result: f's result, borrowed; the future references f). Cancelling
 * it cancels f; it then ends with f's outcome (cancelled, or f's value if f
 * swallowed the cancellation), or at once cancelled if f was already done.
 * If f is an operation (wa_lock_acquire_start ...), its outcome is never
 * lost: it is rolled back (wa_op_rollback) when the cancellation wins, and
 * when the task awaiting *out is cancelled after *out completed (the
 * scheduler rolls *out back, which then reads as cancelled). */
WA_API int wa_wait_for_start(wa_future_t **out, wa_future_t *f, double timeout_ms);

/* ---- as_completed --------------------------------------------------------------
 * asyncio.as_completed as an iterator. */
typedef struct wa_as_completed wa_as_completed_t;

/* Start iterating futs[0..n) (duplicates count once; n may be 0) in the
 * order they complete, with an optional timeout (WA_NO_TIMEOUT: none).
 * Futures already done come first, in argument order. *out must be freed
 * with wa_as_completed_free. WA_EINVAL on NULL arguments / NaN timeout. */
WA_API int wa_as_completed_new(wa_as_completed_t **out, wa_future_t *const *futs, size_t n,
                        double timeout_ms);

/* Suspend until the next future is done and set *out to it (borrowed: valid
 * until wa_as_completed_free). Returns 0 with *out NULL when every future
 * has been yielded. After the timeout, returns WA_ETIMEDOUT once for each
 * future not done by then (those done before are still yielded first).
 * WA_ECANCELLED if the caller was cancelled: nothing is consumed, the next
 * call yields the same future. WA_ENOTASK outside a coroutine task;
 * WA_ESHUTDOWN if the iterator was freed while waiting. */
WA_API int wa_as_completed_next(wa_as_completed_t *it, wa_future_t **out);

/* Non-suspending form of next: *out gets a future whose result (borrowed)
 * is the next done future, NULL at the end, or which fails with
 * WA_ETIMEDOUT. Several may be pending at once; they are served in call
 * order. Cancelling one gives up its place; if it was already served but
 * the awaiting task is cancelled before it runs, the future goes back to the
 * iterator (rollback). Pending ones fail with WA_ESHUTDOWN when the iterator
 * is freed. */
WA_API int wa_as_completed_next_start(wa_as_completed_t *it, wa_future_t **out);

/* How many more nexts will yield a future or WA_ETIMEDOUT. */
WA_API size_t wa_as_completed_remaining(const wa_as_completed_t *it);

/* Withdraw every callback and the timer, fail pending nexts with
 * WA_ESHUTDOWN, release the futures and free the iterator. NULL ignored. */
WA_API void wa_as_completed_free(wa_as_completed_t *it);

/* ---- shield --------------------------------------------------------------------
 * asyncio.shield. */

/* *out gets an outer future mirroring inner: cancelling it (or the task
 * awaiting it) cancels only the outer; inner keeps running, and its outcome
 * is copied to the outer if that is still pending (inner cancelled: outer
 * cancelled; result: borrowed from inner, which the outer references). If
 * inner is already done, *out is inner itself (one more reference). */
WA_API int wa_shield(wa_future_t **out, wa_future_t *inner);

/* `await shield(inner)` in a coroutine: inner's status, or WA_ECANCELLED if
 * the caller was cancelled (inner goes on). Result: read inner. */
WA_API int wa_shield_await(wa_future_t *inner);

/* ---- timeout scopes --------------------------------------------------------------
 * asyncio.timeout / timeout_at, as enter/exit calls around a block:
 *
 *     wa_timeout_t scope;
 *     int rc = wa_timeout_enter(&scope, 50);
 *     if (rc) return rc;
 *     rc = do_work();                      // returns WA_ECANCELLED at the deadline
 *     rc = wa_timeout_exit(&scope, rc);    // ... which becomes WA_ETIMEDOUT
 *
 * When the deadline passes, the task that entered the scope is cancelled
 * (Task.cancel). The exit converts WA_ECANCELLED into WA_ETIMEDOUT only if
 * that cancellation is the scope's own: cancelling()/uncancel() counting as
 * asyncio.Timeout does, so an outer cancellation (or an enclosing scope that
 * also expired) passes through as WA_ECANCELLED. Other statuses pass through.
 * Scopes nest; exit them innermost first. The scope lives where the caller
 * keeps it (a coroutine's stack, a step task's state): it must stay in place
 * from enter to exit. A task that ends with a scope still entered has it
 * disarmed. Step tasks can use scopes too: enter and exit from inside the
 * step function, keep the scope in the step state, and pass the status the
 * step was resumed with to exit. Fields are private. */
typedef struct wa_scope_link {
    struct wa_scope_link *outer_;   /* private */
    wa_task_t *task_;               /* private */
    int kind_;                      /* private */
} wa_scope_link_t;

typedef struct wa_timeout {
    wa_scope_link_t link_;          /* private */
    double when_;                   /* private */
    wa_handle_t handle_;            /* private */
    int state_;                     /* private */
    int cancelling_;                /* private */
} wa_timeout_t;

/* Enter a scope that expires delay_ms from now (<= 0: at once, before the
 * task next resumes; WA_NO_TIMEOUT: never, until rescheduled). WA_ENOTASK
 * outside a task; WA_ESTATE if s is entered; WA_EINVAL if s is NULL or the
 * delay NaN. */
WA_API int wa_timeout_enter(wa_timeout_t *s, double delay_ms);

/* Enter a scope that expires at loop time when_ms (WA_NO_TIMEOUT: never). */
WA_API int wa_timeout_enter_at(wa_timeout_t *s, double when_ms);

/* Like wa_timeout_enter_at for a given task instead of the running one (the
 * JS bindings: an async-function task runs outside the scheduler's steps).
 * WA_EINVAL if task is not a task, WA_ESTATE if it is done. */
WA_API int wa_timeout_enter_in(wa_timeout_t *s, wa_task_t *task, double when_ms);

/* Leave the scope: cancels its timer and returns status converted as
 * described above. WA_ESTATE if s is not entered, WA_EINVAL if NULL. */
WA_API int wa_timeout_exit(wa_timeout_t *s, int status);

/* Move the deadline to loop time when_ms (WA_NO_TIMEOUT: never; a past time
 * expires at once). WA_ESTATE unless entered and not yet expired. */
WA_API int wa_timeout_reschedule(wa_timeout_t *s, double when_ms);

/* True if the deadline passed while the scope was entered (it may since
 * have been exited). */
WA_API bool wa_timeout_expired(const wa_timeout_t *s);

/* The scope's own deadline (loop time), WA_NO_TIMEOUT if none. */
WA_API double wa_timeout_when(const wa_timeout_t *s);

/* Effective deadline of the code inside s: the earliest deadline of s and
 * every scope enclosing it, including, for a task of a task group, the
 * scopes enclosing the group in its owner (and so on up). WA_NO_TIMEOUT if
 * none; NaN if s is not entered. */
WA_API double wa_timeout_deadline(const wa_timeout_t *s);

/* Effective deadline of the running task (see wa_timeout_deadline), or
 * WA_NO_TIMEOUT if it has none or no task is running. Beyond asyncio (Trio's
 * current_effective_deadline): lets code budget its own waits. */
WA_API double wa_current_deadline(void);

/* Allocate / free a zeroed scope, for callers that cannot place one
 * themselves (JS bindings). Freeing an entered scope returns WA_ESTATE and
 * changes nothing. */
WA_API int wa_timeout_new(wa_timeout_t **out);
WA_API int wa_timeout_free(wa_timeout_t *s);

/* ---- TaskGroup ----------------------------------------------------------------
 * asyncio.TaskGroup (3.13):
 *
 *     wa_taskgroup_t *tg;
 *     int rc = wa_taskgroup_enter(&tg);
 *     if (rc) return rc;
 *     wa_taskgroup_spawn(tg, NULL, child, arg, NULL);
 *     rc = body_work();                    // WA_ECANCELLED if a child failed
 *     rc = wa_taskgroup_exit(tg, rc);      // waits for every child
 *     if (rc == WA_EGROUP) { ... wa_taskgroup_error(tg, i, ...) ... }
 *     wa_taskgroup_free(tg);
 *
 * The first child failure cancels the other children and the body (the task
 * that entered the group; its cancellation is withdrawn again at exit with
 * uncancel, as in asyncio). A child that ends cancelled is not a failure.
 * The exit status: 0; WA_EGROUP if any child failed or the body's status
 * (passed to exit) was a failure -- always WA_EGROUP, even for one failure,
 * as asyncio always raises an ExceptionGroup: iterate the errors; or
 * WA_ECANCELLED if the body was cancelled from outside (never swallowed),
 * unless there are errors, which take priority (the outside cancellation
 * then stays pending and hits the next suspension). */
typedef struct wa_taskgroup wa_taskgroup_t;

/* Create a group owned by the running task (coroutine, step or JS task).
 * WA_ENOTASK outside a task. */
WA_API int wa_taskgroup_enter(wa_taskgroup_t **out);

/* Create a group owned by the given (not done) task, for callers outside
 * the scheduler's steps (the JS bindings' async-function tasks). */
WA_API int wa_taskgroup_enter_in(wa_taskgroup_t **out, wa_task_t *owner);

/* Start a task in the group (same arguments as wa_spawn). WA_ESTATE if the
 * group is finished (exited with no child left) or shutting down (a failure
 * or a cancellation is being handled). Any task may spawn into the group. */
WA_API int wa_taskgroup_spawn(wa_taskgroup_t *tg, wa_task_t **out, wa_coro_fn fn, void *arg,
                       const wa_task_opts_t *opts);
WA_API int wa_taskgroup_spawn_step(wa_taskgroup_t *tg, wa_task_t **out, wa_step_fn step,
                            void *state, const wa_task_opts_t *opts);

/* Adopt a task created elsewhere (e.g. by the JS bindings), not yet in a
 * group; the group takes a reference. Same states as spawn; WA_EINVAL if t
 * is not a task or already belongs to a group. */
WA_API int wa_taskgroup_add(wa_taskgroup_t *tg, wa_task_t *t);

/* Exit (coroutine owner): body_status is the body's outcome (0, an error
 * code, or WA_ECANCELLED). A failure or cancellation of the body cancels
 * the children. Waits for every child, then returns the group's status
 * (see above) and, for WA_EGROUP, sets the task's failure message to
 * "unhandled errors in a TaskGroup (N sub-exceptions)". WA_ESTATE if
 * already exited or not called by the owner; WA_ENOTASK if the owner is not
 * a coroutine (use the two calls below). */
WA_API int wa_taskgroup_exit(wa_taskgroup_t *tg, int body_status);

/* Exit in two steps, for step tasks and the JS bindings: start exiting and
 * get a future that is done when every child is; await it (cancelling the
 * awaiting owner is routed into the group, which cancels the children and
 * keeps waiting, as asyncio's __aexit__ does); then call _finish with the
 * await's status to get the group's status. Both are called from the owner
 * (or from outside any task, for an owner driven from JS); _finish sets the
 * owner's failure message only when called from the owner. WA_ESTATE if
 * _finish comes before the future is done. */
WA_API int wa_taskgroup_exit_start(wa_taskgroup_t *tg, int body_status, wa_future_t **out);
WA_API int wa_taskgroup_exit_finish(wa_taskgroup_t *tg, int wait_status);

/* Errors collected (children's in completion order, then the body's: its
 * code is the body_status given to exit, its message the owner's latest
 * wa_fail message, its task the owner). */
WA_API size_t wa_taskgroup_error_count(const wa_taskgroup_t *tg);

/* Error i: its code, message (borrowed, may be NULL) and the task that
 * failed (borrowed; the owner for the body's failure). Any out pointer may
 * be NULL. WA_EINVAL if i is out of range. */
WA_API int wa_taskgroup_error(const wa_taskgroup_t *tg, size_t i, int *code,
                       const char **message, wa_task_t **task);

/* Number of children not yet done. */
WA_API size_t wa_taskgroup_size(const wa_taskgroup_t *tg);

/* Effective deadline of the group: that of the scopes enclosing it in its
 * owner (and up the owner's own groups). Children of the group inherit it
 * in wa_current_deadline. WA_NO_TIMEOUT if none. */
WA_API double wa_taskgroup_deadline(const wa_taskgroup_t *tg);

/* Free a group after its exit. WA_ESTATE (nothing changes) if it was entered
 * and not exited. NULL is ignored (returns 0). */
WA_API int wa_taskgroup_free(wa_taskgroup_t *tg);


/* ------------------------------------------------------------------------ */
/* Synchronization primitives: Lock, Event, Condition, Semaphore,           */
/* BoundedSemaphore, Barrier (sync.c)                                        */
/* ------------------------------------------------------------------------ */

/* (section: sync) */

/*
 * Model shared by every primitive and queue below
 *
 *  - Semantics follow Python 3.13's asyncio: same names, waiters woken in
 *    FIFO order, same error cases (RuntimeError -> WA_ESTATE, ValueError ->
 *    WA_EVALUE, QueueEmpty/QueueFull/QueueShutDown/BrokenBarrierError ->
 *    WA_EEMPTY/WA_EFULL/WA_ESHUTDOWN/WA_EBROKEN).
 *  - Objects: wa_X_new(&x, ...) creates, wa_X_destroy(x) destroys. The
 *    handle must not be used after destroy. Destroying an object with
 *    waiters never leaves them hanging: every pending operation ends at once
 *    with WA_ESHUTDOWN (items the object holds are dropped, see queues).
 *  - Every blocking operation has two forms:
 *      wa_X_op(x, ...)            coroutine form: suspends the calling
 *                                 coroutine task (WA_ENOTASK elsewhere);
 *                                 does not allocate unless it must wait.
 *      wa_X_op_start(x, ..., &op) gives an operation future ("op"; one
 *                                 reference, wa_release it), done at once
 *                                 or later, for step tasks
 *                                 (wa_step_await), JS bindings, callbacks.
 *    An op completes *owning* its outcome (the lock, a semaphore slot, a
 *    queue item as its result ...): once done, the outcome is the awaiter's.
 *    wa_future_set_result/set_error refuse ops (WA_EINVAL).
 *  - Cancellation never loses anything. wa_cancel(op) on a pending op
 *    withdraws it atomically (it ends cancelled; a condition wait first
 *    re-acquires its lock, as asyncio does). Releasing a pending op without
 *    cancelling it withdraws it too. If the op was already done when its
 *    waiter got cancelled (the waiter had been woken but had not resumed),
 *    the outcome is handed back with wa_op_rollback(op): the coroutine forms
 *    and the scheduler (for tasks awaiting an op) do this themselves; step
 *    tasks and JS bindings that get WA_ECANCELLED must call it.
 *  - Releasing a *done* op does not give its outcome back: take it (or roll
 *    it back) first.
 *  - Coroutine forms in that race: they return WA_ECANCELLED with the
 *    outcome given back; in the rare case it cannot be (a put item a getter
 *    already took), they return success and the cancellation is delivered
 *    at the task's next suspension point instead.
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
 * WA_EINVAL if l is NULL or already destroyed. */
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

/* Release the lock; the first waiter gets it at once (hand-off: the lock
 * stays locked for it, where Python 3.13 shows it unlocked until that
 * waiter runs; either way no newcomer can take it). WA_ESTATE if it is not
 * locked (Python's RuntimeError), WA_EINVAL if l is NULL. */
WA_API int wa_lock_release(wa_lock_t *l);

/* True if the lock is held (or handed to a waiter). False for NULL. */
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

/* Release a slot: the first waiter gets it at once. WA_EVALUE for a
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
/* Queues: Queue, PriorityQueue, LifoQueue (queue.c)                         */
/* ------------------------------------------------------------------------ */

/* (section: queue) */

/*
 * asyncio.Queue / PriorityQueue / LifoQueue, Python 3.13 (with shutdown).
 * Items are void *; the queue never looks at them (except through the
 * priority comparator) and owns them only while they are in it:
 *  - a successful put passes the item to the queue, a successful get passes
 *    it to the getter; a failed or cancelled put leaves it with the caller;
 *  - items the queue drops - shutdown(immediate) and destroy - are passed
 *    to the item_dtor given at creation (if any; else they are forgotten).
 * Hand-off: a put while getters wait gives the item to the first getter
 * directly, a get that frees a slot admits the first waiting putter's item;
 * so get ops complete with their item and nobody can overtake a woken
 * waiter (Python's woken waiters retry instead, and can lose the race).
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


/* ------------------------------------------------------------------------ */
/* fetch on the host's event loop (fetch.c)                                  */
/* ------------------------------------------------------------------------ */

/* (section: fetch) */

/* HTTP requests through the host's fetch() (browser window or worker, Node
 * 18+), driven by the loop: a request runs while tasks keep running, and
 * awaiting it suspends only the calling task.
 *
 * Model (as fetch): a request resolves to a response as soon as its status
 * and headers are in; HTTP error statuses (404, 500 ...) are responses, not
 * errors. Failures are status codes:
 *   WA_ENETWORK   the host could not complete the request (connection
 *                 refused or reset, also in the middle of a body; redirect
 *                 refused under WA_REDIRECT_ERROR; CORS ...), with a message
 *   WA_ETIMEDOUT  the request's own timeout (wa_fetch_opts_t.timeout_ms)
 *   WA_ECANCELLED the waiting task, or the operation future, was cancelled
 *   WA_EHOST      no fetch on this host: native builds (tests, benches)
 *                 have none, every fetch call returns WA_EHOST there
 * Cancelling or timing out aborts the host request (AbortController) and
 * cancels its body reader: the connection is closed, nothing stays in
 * flight. A response whose pending read was cancelled, or which failed or
 * timed out, stays failed: later reads return that status again.
 *
 * Every waiting call comes in two forms:
 *  - coroutine form (wa_fetch, wa_response_read, wa_response_body): call it
 *    from a coroutine task; it suspends that task (WA_ENOTASK elsewhere).
 *    On failure the message is kept for wa_fetch_error() and is also set as
 *    the task's failure message (as wa_fail does), so `return rc;` from the
 *    task body reports it.
 *  - operation-future form (..._start / ..._finish): never suspends. _start
 *    hands out a future (one reference: wa_release it) that is done when the
 *    operation is; await it (wa_await, wa_step_await, a JS task ...), then
 *    _finish takes the outcome. Cancelling the future cancels the operation
 *    as above; releasing the last reference of a pending one does too. If
 *    the waiting task is cancelled just after the operation completed, the
 *    outcome is not handed out: a response is aborted and freed at once, a
 *    read leaves its response failed with WA_ECANCELLED (its bytes were
 *    consumed), a body buffer is freed; _finish then returns WA_ECANCELLED.
 *
 * Ownership: request data (URL, method, headers, body) is copied when the
 * request starts. A response belongs to whoever took it (wa_fetch,
 * wa_fetch_finish) until wa_response_free. Body buffers handed out
 * (wa_response_body*) are malloc'd for the caller: free() them. Read
 * buffers (wa_response_read*) belong to the caller and must stay valid
 * until the read completes, fails or is cancelled (the host writes into
 * them only while the read is pending). Strings returned by accessors are
 * borrowed from the response and live as long as it does.
 *
 * One operation at a time per response: starting a read while another read
 * of the same response is pending returns WA_ESTATE. */

/* A response (status, headers, the body as a stream). */
typedef struct wa_response wa_response_t;

/* A request header: name and value (both NUL-terminated, copied). */
typedef struct wa_header {
    const char *name;
    const char *value;
} wa_header_t;

/* Redirect modes (fetch's `redirect`). */
enum {
    WA_REDIRECT_FOLLOW = 0, /* follow up to the host's limit (20)            */
    WA_REDIRECT_ERROR = 1,  /* a redirect fails the request: WA_ENETWORK     */
    WA_REDIRECT_MANUAL = 2, /* do not follow: browsers give an opaque
                               response (status 0, type "opaqueredirect", no
                               headers); Node gives the 3xx response itself */
};

/* Request options. Zero-initialise; NULL means all defaults (GET, no
 * headers, no body, follow redirects, no timeout). */
typedef struct wa_fetch_opts {
    const char *method;          /* NULL: "GET". An HTTP token; CONNECT, TRACE
                                    and TRACK are refused (WA_EINVAL)        */
    const wa_header_t *headers;  /* nheaders entries (may be NULL if 0)     */
    size_t nheaders;
    const void *body;            /* body_len bytes (NULL if 0); not allowed
                                    with GET or HEAD                         */
    size_t body_len;
    int redirect;                /* WA_REDIRECT_*                            */
    double timeout_ms;           /* > 0: the whole exchange (response and
                                    body) must be done within this time,
                                    else WA_ETIMEDOUT and the request is
                                    aborted; 0 or +inf: none                 */
} wa_fetch_opts_t;

/* Start a request to url (absolute; in browsers also relative to the page
 * or worker) and suspend until its response (status and headers) is in.
 * *out receives the response (free it with wa_response_free).
 * Returns 0, WA_ENETWORK, WA_ETIMEDOUT, WA_ECANCELLED, WA_EHOST;
 * WA_EINVAL if out or url is NULL, or the URL, method, a header, the body
 * or an option is invalid (nothing is sent); WA_ENOTASK outside a
 * coroutine task; WA_ENOMEM. */
WA_API int wa_fetch(wa_response_t **out, const char *url, const wa_fetch_opts_t *opts);

/* Operation form of wa_fetch: start the request, *op receives a future
 * done when the response is in (or the request failed). Argument errors as
 * wa_fetch (nothing started, *op untouched). */
WA_API int wa_fetch_start(wa_future_t **op, const char *url, const wa_fetch_opts_t *opts);

/* Take the outcome of a done wa_fetch_start future: returns its status
 * (0: *out receives the response, now the caller's), WA_ESTATE if it is
 * still pending or the response was already taken, WA_EINVAL if op is not
 * a wa_fetch_start future or out is NULL. Still wa_release(op) after. */
WA_API int wa_fetch_finish(wa_future_t *op, wa_response_t **out);

/* Message of the latest failure of a coroutine-form fetch call (wa_fetch,
 * wa_response_read, wa_response_body) in this loop, borrowed; "" if none.
 * Read it right after the failed call returns, before suspending again. */
WA_API const char *wa_fetch_error(void);

/* HTTP status (e.g. 200, 404); 0 for an opaque response. 0 if r is NULL. */
WA_API int wa_response_status(const wa_response_t *r);

/* Status text ("OK"; may be ""), the final URL after redirects, and the
 * response type ("basic", "cors", "opaqueredirect" ...). Borrowed; NULL
 * only if r is NULL. */
WA_API const char *wa_response_status_text(const wa_response_t *r);
WA_API const char *wa_response_url(const wa_response_t *r);
WA_API const char *wa_response_type(const wa_response_t *r);

/* True if the response came through at least one redirect. */
WA_API bool wa_response_redirected(const wa_response_t *r);

/* Value of a response header, by name (case-insensitive), borrowed; NULL
 * if absent or an argument is NULL. Headers come as the host gives them
 * (names in lower case, repeated headers combined with ", ", except
 * set-cookie, where the first is returned: iterate to see all). */
WA_API const char *wa_response_header(const wa_response_t *r, const char *name);

/* Number of response headers (0 if r is NULL). */
WA_API size_t wa_response_header_count(const wa_response_t *r);

/* Header i (0 <= i < count): *name and *value (borrowed). WA_EINVAL if r,
 * name or value is NULL or i is out of range. */
WA_API int wa_response_header_at(const wa_response_t *r, size_t i, const char **name,
                          const char **value);

/* Read the next bytes of the body as they arrive, at most cap, into buf;
 * suspends until at least one byte (or the end) is there. *nread receives
 * the count: 0 means the end of the body. Returns 0, or WA_ENETWORK (e.g.
 * the connection was reset mid-body), WA_ETIMEDOUT, WA_ECANCELLED;
 * WA_EINVAL if r, buf or nread is NULL or cap is 0; WA_ESTATE if another
 * operation on r is pending; WA_ENOTASK outside a coroutine task. */
WA_API int wa_response_read(wa_response_t *r, void *buf, size_t cap, size_t *nread);

/* Operation form of wa_response_read (buf must stay valid until the
 * future is done). Argument errors as wa_response_read. */
WA_API int wa_response_read_start(wa_future_t **op, wa_response_t *r, void *buf, size_t cap);

/* Outcome of a done wa_response_read_start future: its status (0: *nread
 * receives the count, 0 = end of body). WA_ESTATE if pending; WA_EINVAL if
 * op is not such a future or nread is NULL. */
WA_API int wa_response_read_finish(wa_future_t *op, size_t *nread);

/* Read the rest of the body (all of it if nothing was read yet). *data
 * receives a malloc'd buffer of *len bytes plus a terminating NUL (so text
 * can be used as a C string); free() it. Errors as wa_response_read
 * (WA_EINVAL if r, data or len is NULL). */
WA_API int wa_response_body(wa_response_t *r, char **data, size_t *len);

/* Operation form of wa_response_body. */
WA_API int wa_response_body_start(wa_future_t **op, wa_response_t *r);

/* Take the outcome of a done wa_response_body_start future: its status
 * (0: *data and *len receive the body, now the caller's: free() it).
 * WA_ESTATE if pending or already taken; WA_EINVAL if op is not such a
 * future or data/len is NULL. */
WA_API int wa_response_body_finish(wa_future_t *op, char **data, size_t *len);

/* Free a response. If its body was not read to the end, the host request
 * is aborted (the connection closes) and a pending read on it ends with
 * WA_ECANCELLED. NULL is ignored. */
WA_API void wa_response_free(wa_response_t *r);

/* Live fetch objects, for leak checks and monitoring. */
typedef struct wa_fetch_stats {
    size_t responses;     /* requests and responses not yet freed          */
    size_t pending;       /* operations waiting on the host                */
    size_t host_handles;  /* host-side requests/readers still held (JS)    */
    uint64_t started;     /* requests started since the program began      */
} wa_fetch_stats_t;
WA_API void wa_fetch_get_stats(wa_fetch_stats_t *out);


/* ------------------------------------------------------------------------ */
/* Executor: run_in_executor / to_thread on Web Workers (executor.c)         */
/* ------------------------------------------------------------------------ */

/* (section: executor) */

/* Run C functions on other threads: a pool of Web Workers (browsers) or
 * worker_threads (Node). Each worker instantiates the same compiled wasm
 * module with its own memory, so a job is "function #N of this module on
 * these bytes"; the input is copied out of this instance and moved (not
 * copied) to the worker, the output moved back and copied into a value.
 * No SharedArrayBuffer or cross-origin isolation is needed.
 *
 * The pools are the JS bindings' WorkerPool: these calls need the module
 * to have a JS Runtime attached (Runtime.create / new Runtime(Module) with
 * the bindings' index.js or executor.js loaded); otherwise, and on native
 * hosts, they return WA_EHOST. A job's function must be in the module's
 * function table (any function whose address is taken is).
 *
 * Results settle ordinary futures, so C and JS tasks can await, gather and
 * cancel executor jobs with everything else. Cancelling a job's future
 * removes a queued job (the worker never sees it) or tells a running job
 * (wa_job_cancelled() turns true); if the job has not stopped after the
 * pool's grace period, its worker is terminated and replaced. The future
 * is cancelled at once either way. A job whose worker crashes (wasm trap,
 * worker terminated ...) fails with WA_EABORTED; the pool replaces the
 * worker and no other job is lost. */

/* What a job function writes its output (or error message) to. */
typedef struct wa_job_out wa_job_out_t;

/* A job: runs in a worker on the input bytes (valid during the call).
 * Returns 0 with its output set by wa_job_output / wa_job_set_output (none:
 * empty output), or an error code (negative WA_E... or positive application
 * code; message with wa_job_fail), or WA_ECANCELLED after seeing
 * wa_job_cancelled(). It runs as a coroutine on the worker's own loop with
 * the pool's job stack size (default 256 KiB). */
typedef int (*wa_job_fn)(const uint8_t *in, size_t len, wa_job_out_t *out);

/* A pool. NULL in the calls below means the default pool (min 0 workers,
 * max = number of cores), made on first use. */
typedef struct wa_pool wa_pool_t;

/* Pool options. Zero-initialise; NULL means all defaults. */
typedef struct wa_pool_opts {
    uint32_t min_workers;    /* kept even when idle (default 0)                 */
    uint32_t max_workers;    /* 0: number of cores (at least min_workers)       */
    double idle_timeout_ms;  /* idle workers above min exit after; 0: 10000,    */
                             /* INFINITY: never                                 */
    uint32_t max_queue;      /* jobs that may wait for a worker; 0: unbounded.  */
                             /* Further submissions wait for room (backpressure)*/
    double cancel_grace_ms;  /* a cancelled running job's worker is terminated  */
                             /* after this; 0: 1000                             */
    size_t stack_size;       /* C stack of a job in a worker; 0: 256 KiB        */
} wa_pool_opts_t;

/* Flag of wa_pool_shutdown: cancel the jobs that are not running yet. */
#define WA_POOL_CANCEL_PENDING 1u

/* Create a pool; *out receives it (free with wa_pool_free). Workers start
 * on demand (min_workers at once). WA_EINVAL on bad options (max < min,
 * negative or NaN times, stack_size < 4096 or > 1 GiB); WA_EHOST without a
 * JS runtime. */
WA_API int wa_pool_new(wa_pool_t **out, const wa_pool_opts_t *opts);

/* Shut a pool down (NULL: the default pool; the next use of the default
 * makes a new one): it takes no new jobs (submissions return WA_ESHUTDOWN);
 * with WA_POOL_CANCEL_PENDING the jobs not yet running are cancelled; the
 * others finish, then the workers exit. *out (optional) receives a future
 * done when every job has settled and every worker has exited. */
WA_API int wa_pool_shutdown(wa_pool_t *pool, unsigned flags, wa_future_t **out);

/* Free a pool handle, shutting the pool down first if needed (without
 * cancelling: its jobs still finish). NULL is ignored. */
WA_API void wa_pool_free(wa_pool_t *pool);

/* Non-suspending: submit fn on in[0..len) (copied) to pool; *out receives a
 * future that completes with the output as a WA_VALUE_BYTES value
 * (wa_future_value) or fails with the job's code and message. A full queue
 * does not refuse the job: it waits for room, then for a worker.
 * For step tasks and callbacks. WA_EINVAL if fn or out is NULL or in is
 * NULL with len > 0; WA_ESHUTDOWN if the pool is shut down. */
WA_API int wa_run_in_executor_start(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len,
                                    wa_future_t **out);

/* asyncio's loop.run_in_executor: submit and suspend until the job is done.
 * Returns its status (0, its error code, WA_ECANCELLED, WA_EABORTED if its
 * worker crashed). *out (optional) receives the done future: read the
 * output with wa_future_value, an error message with wa_future_message.
 * Cancelling the calling task cancels the job. WA_ENOTASK outside a
 * coroutine task (nothing is submitted then). */
WA_API int wa_run_in_executor(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len,
                              wa_future_t **out);

/* asyncio.to_thread's analogue: wa_run_in_executor on the default pool. */
WA_API int wa_to_thread(wa_job_fn fn, const void *in, size_t len, wa_future_t **out);

/* Backpressure: submit, and suspend only while the pool's queue is full.
 * *out receives the job's future (as wa_run_in_executor_start) once the job
 * is in the queue. A producer looping on this runs at the pool's pace.
 * Cancelled while waiting: the job is withdrawn, returns WA_ECANCELLED.
 * WA_ENOTASK outside a coroutine task. */
WA_API int wa_exec_submit(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len,
                          wa_future_t **out);

/* Non-suspending form of wa_exec_submit for step tasks: *accepted completes
 * (result NULL) when the job enters the queue, or fails/is cancelled with
 * the job if that happens first; *result is the job's future. Cancelling
 * *accepted does not cancel the job: cancel *result. */
WA_API int wa_exec_submit_start(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len,
                                wa_future_t **accepted, wa_future_t **result);

/* In a job: true once the job has been cancelled. Call it between chunks of
 * work: every couple of milliseconds it briefly yields to the worker's event
 * loop, which is how the cancellation message gets in (the worker's wasm
 * instance is single-threaded too). False outside a job. */
WA_API bool wa_job_cancelled(void);

/* In a job: a buffer of len bytes for the output, to fill before returning
 * (replaces any earlier output). NULL when out of memory or out is NULL. */
WA_API void *wa_job_output(wa_job_out_t *out, size_t len);

/* In a job: set the output to a copy of data[0..len). */
WA_API int wa_job_set_output(wa_job_out_t *out, const void *data, size_t len);

/* In a job: set the error message (printf format) and return code, so a
 * job can end with `return wa_job_fail(out, WA_EVALUE, "bad byte %d", i);`. */
WA_API int wa_job_fail(wa_job_out_t *out, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Make job `fn` callable from JS by name: runtime.runInExecutor(pool, "fn",
 * bytes). (JS may also pass the function's table index.) */
#ifdef __EMSCRIPTEN__
#define WA_EXPORT_JOB(fn)                                                     \
    __attribute__((used)) wa_job_fn wa_job__##fn(void) { return fn; }
#else
#define WA_EXPORT_JOB(fn)
#endif


/* ------------------------------------------------------------------------ */
/* JS interop (used by the JS bindings and by C code that awaits JS)         */
/* ------------------------------------------------------------------------ */

/* (section: js) */

/* A value that crosses the C/JS boundary: task arguments and results, queue
 * items shared by C and JS, results of JS functions called from C. The JS
 * bindings turn JS values into these and back:
 *   undefined <-> NULL pointer      null <-> WA_VALUE_NULL
 *   boolean <-> WA_VALUE_BOOL        number <-> WA_VALUE_NUMBER (double)
 *   string <-> WA_VALUE_STRING (UTF-8, NUL-terminated, len without the NUL)
 *   Uint8Array / ArrayBuffer / other typed arrays -> WA_VALUE_BYTES -> Uint8Array
 *   Task / Future / promise -> WA_VALUE_FUTURE (a future C can wa_await) -> Task / Future
 *   any other JS value <-> WA_VALUE_JS (an opaque handle to the JS object)
 * A value is one allocation owned by whoever holds it; free with
 * wa_value_free. A future whose result is a value (wa_future_set_value,
 * wa_return_value ...) owns it. */
typedef enum wa_value_type {
    WA_VALUE_NULL = 1,
    WA_VALUE_BOOL = 2,
    WA_VALUE_NUMBER = 3,
    WA_VALUE_STRING = 4,
    WA_VALUE_BYTES = 5,
    WA_VALUE_JS = 6,
    WA_VALUE_FUTURE = 7,
} wa_value_type_t;

typedef struct wa_value {
    int32_t type;       /* wa_value_type_t */
    uint32_t len;       /* STRING / BYTES: length in bytes */
    union {
        double number;
        int32_t boolean;
        char *string;   /* points into the same allocation */
        uint8_t *bytes; /* points into the same allocation */
        uint32_t handle;/* WA_VALUE_JS: the bindings' handle */
        wa_future_t *future; /* WA_VALUE_FUTURE: a reference owned by the value */
    } u;
} wa_value_t;

/* Constructors: a new value, or NULL when out of memory (or s NULL). */
WA_API wa_value_t *wa_value_null(void);
WA_API wa_value_t *wa_value_bool(bool b);
WA_API wa_value_t *wa_value_number(double d);
WA_API wa_value_t *wa_value_string(const char *s);
WA_API wa_value_t *wa_value_string_n(const char *s, size_t len);
WA_API wa_value_t *wa_value_bytes(const void *data, size_t len);
/* A value holding a reference to f (taken here), e.g. to hand a C task to JS. */
WA_API wa_value_t *wa_value_future(wa_future_t *f);
/* The future held by a WA_VALUE_FUTURE value (borrowed), else NULL. */
WA_API wa_future_t *wa_value_get_future(const wa_value_t *v);
/* Free a value (NULL is ignored). A WA_VALUE_JS handle is released on the
 * JS side. Suitable as a wa_free_fn. */
WA_API void wa_value_free(void *value);
/* The result of a successful future if it is a value (set with
 * wa_future_set_value / wa_return_value / by JS), else NULL. Borrowed. */
WA_API const wa_value_t *wa_future_value(const wa_future_t *f);
/* Complete f with a value it takes ownership of (NULL means undefined). */
WA_API int wa_future_set_value(wa_future_t *f, wa_value_t *value);
/* Set the current task's result to a value it takes ownership of. */
WA_API int wa_return_value(wa_value_t *value);
/* Shorthands: copy a number / string / bytes into the task's result. */
WA_API int wa_return_number(double d);
WA_API int wa_return_string(const char *s);
WA_API int wa_return_bytes(const void *data, size_t len);

/* Call the JS function registered as `name` (runtime.register(name, fn) in
 * the bindings) with arg (borrowed; NULL = undefined). *out receives a
 * future that completes with its (awaited) result as a value, or fails with
 * WA_EHOST and the JS error's message. WA_EINVAL if no such function is
 * registered; WA_EHOST when no JS runtime is attached (native hosts). */
WA_API int wa_js_call(const char *name, const wa_value_t *arg, wa_future_t **out);

/* Make coroutine `fn` startable from JS: runtime.spawnC("fn", arg). The
 * coroutine receives a `const wa_value_t *` (NULL for undefined) that stays
 * valid until it returns. */
#ifdef __EMSCRIPTEN__
#define WA_EXPORT_CORO(fn)                                                    \
    __attribute__((used)) wa_coro_fn wa_coro__##fn(void) { return fn; }
#else
#define WA_EXPORT_CORO(fn)
#endif


#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_H */
