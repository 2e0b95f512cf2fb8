/*
 * wasyncio.h — asyncio for WebAssembly, in C.
 *
 * The one header to include. A single-threaded event loop with stackful
 * coroutine tasks (and stackless step tasks), futures and combinators, which
 * runs on the host's own event loop: a browser tab or Web Worker, Node, or
 * natively (for tests) on a blocking poll loop.
 *
 * This file is the core, to read first: conventions, status codes, the
 * loop, futures, tasks (coroutines and step tasks), sleep, and the
 * combinators (gather, wait, wait_for, as_completed, shield, timeout scopes,
 * TaskGroup). It includes one header per further area, in wasyncio/:
 *   sync.h      Lock, Event, Condition, Semaphore, Barrier; Queue,
 *               PriorityQueue, LifoQueue
 *   fetch.h     HTTP requests through the host's fetch()
 *   executor.h  run_in_executor / to_thread on Web Workers
 *   js.h        values crossing to JS, wa_js_call, WA_EXPORT_CORO/_JOB
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
    WA_ENOENT = -19,      /* no such file or directory (fs.h)                 */
    WA_EEXIST = -20,      /* the file or directory exists already (fs.h)      */
    WA_EIO = -21,         /* an I/O failure the host reported (the message)   */
    WA_ETOOBIG = -22,     /* a size limit was passed (fetch max_body)         */
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
    unsigned flags;     /* WA_TASK_EAGER, or 0                             */
} wa_task_opts_t;

/* wa_task_opts_t.flags: start the task eagerly (asyncio's eager_start=True
 * and eager_task_factory, Python 3.12+). Its first step runs inside
 * wa_spawn / wa_spawn_step, as the current task (wa_current_task() is the
 * new task, and again the caller's once the call returns), up to its first
 * suspension; a body that ends without suspending comes back done and is
 * never scheduled. Works from anywhere: outside tasks, from a step task, and
 * from a coroutine task (the new coroutine runs on its own stack and the
 * creator goes on when it first suspends). */
#define WA_TASK_EAGER 1u

/* The smallest coroutine stack (C frames plus saved coroutine state). */
#define WA_STACK_MIN 2048u

/* ------------------------------------------------------------------------ */
/* The loop                                                                  */
/* ------------------------------------------------------------------------ */

/* Monotonic time in milliseconds (performance.now() on web hosts), or the
 * virtual time on a virtual clock (wa_loop_set_clock). */
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

/* Make a pending timer (wa_call_later / wa_call_at) weak, or strong again.
 * A weak timer still fires while the loop runs, but is no work to wait
 * for: it keeps no host process alive (Node: its host timer is unref'd
 * while only weak timers are pending) and a run whose main waits only on
 * weak timers is a deadlock (like Node's timer.unref()). For housekeeping
 * such as retiring idle workers. 0, or WA_EINVAL if h is not a pending
 * timer. */
WA_API int wa_handle_set_weak(wa_handle_t h, bool weak);

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
 * time to the earliest timer (0 on a virtual clock with no host operation
 * in flight), or -1 if there is none. */
WA_API double wa_loop_next_wakeup(void);

/* Clocks of the loop (wa_loop_set_clock). */
enum { WA_CLOCK_HOST = 0, WA_CLOCK_VIRTUAL = 1 };

/* Choose the loop's clock, for tests (asyncio's test loops, Trio's MockClock
 * with autojump):
 *  - WA_CLOCK_HOST (the default): wa_time() is the host's monotonic clock.
 *  - WA_CLOCK_VIRTUAL: wa_time() starts at 0 and moves only when nothing is
 *    ready to run: then it jumps straight to the earliest timer's deadline,
 *    without waiting. An hour of sleeps and timeouts runs in milliseconds,
 *    and the order of events depends only on the program (equal deadlines
 *    fire in the order they were set). While a host operation the loop
 *    knows of is in flight (a wa_fetch, an executor job), time does not
 *    jump: it follows the host clock until the operation settles, so I/O and
 *    the timeouts around it behave as on a real clock. Anything else the
 *    loop cannot see (a JS task awaiting a foreign promise, a host timer)
 *    does not hold the clock back.
 * Switch only while no timer is pending (WA_ESTATE otherwise); WA_EINVAL
 * for an unknown clock. Switching resets virtual time to 0. */
WA_API int wa_loop_set_clock(int clock);

/* The clock in use: WA_CLOCK_HOST or WA_CLOCK_VIRTUAL. */
WA_API int wa_loop_clock(void);

/* Run main(arg) as a task to completion, like asyncio.run(): when main is
 * done, every other task still alive is cancelled and awaited, and the
 * status of main is returned (0, its error code, or WA_ECANCELLED).
 * Native hosts block until then. On web hosts (Emscripten) the call starts
 * main and returns 0 at once; the loop goes on by host wake-ups, and the
 * final status is reported to the host: Module.onRunDone(status, message)
 * if set, else the Node process exit code / console.
 * A run always ends: when nothing could ever wake it (native: the loop has
 * nothing to wait for; Node: the process is about to exit), every task is
 * cancelled and the run ends with WA_EDEADLOCK; leftovers that still do not
 * end (after a deadlock's cancellation, or 5 s after main ended) end it
 * with WA_EDEADLOCK / WA_ETIMEDOUT and a message naming them (they stay in
 * the loop; a new run may start).
 * WA_EINVAL if main is NULL; WA_ESTATE if a run is already in progress. */
WA_API int wa_run(wa_coro_fn main, void *arg);

/* Debug mode (asyncio's): on != 0 reports, through the host (stderr /
 * the JS runtime's onError), every ready callback or task step that holds
 * the loop longer than slow_ms (0: the default, 100 ms), naming the task.
 * WA_EINVAL if slow_ms is negative, NaN or infinite. */
WA_API int wa_set_debug(int on, double slow_ms);

/* Describe every live task and what it waits on, one line each ("task
 * 'worker' awaits task 'fetch'", "... sleeps", "... is ready"), into buf
 * (NUL-terminated, cut to cap). Returns the length of the whole text (as
 * snprintf: call with buf NULL / cap 0 to size it). */
WA_API size_t wa_dump_tasks(char *buf, size_t cap);

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
 * callbacks, no timers but weak ones and nothing in flight (it could never
 * wake). */
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
 * done. If f already is, the step is called again at once, in the same turn
 * (asyncio's `await` of a done future does not suspend); a cancellation
 * requested meanwhile is delivered at the next real suspension, as in
 * asyncio. Return WA_PENDING after it.
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

/* Task-local context (asyncio's contextvars, as one pointer). Every task
 * has a context value; a new task copies it from the task that spawns it
 * (from the loop's value when spawned outside tasks), as asyncio's tasks
 * copy the current contextvars.Context at creation. Keep your context
 * variables in a struct behind it and treat that as immutable: to change a
 * variable, set a new struct, so tasks that copied the old one keep it.
 * Callbacks run with the loop's value. Returns the current task's value
 * (outside tasks, the loop's; NULL until set). */
WA_API void *wa_context_get(void);

/* Set the current task's context value (outside tasks: the loop's, which
 * tasks spawned from outside tasks start with). Returns 0. */
WA_API int wa_context_set(void *value);

/* What the task runs (asyncio Task.get_coro()): a coroutine task gives the
 * function and argument it was spawned with (*fn, *arg; *step NULL), a step
 * task its step function and state (*step, *arg; *fn NULL). Any out pointer
 * may be NULL. Also once the task is done (an arg_free'd argument is then
 * dangling: compare it, do not use it). WA_EINVAL if t is not a task. */
WA_API int wa_task_get_coro(const wa_task_t *t, wa_coro_fn *fn, wa_step_fn *step, void **arg);

/* The task's context value (asyncio Task.get_context()): what
 * wa_context_get() returns inside it, also once it is done. WA_EINVAL if t
 * is not a task or out is NULL. */
WA_API int wa_task_get_context(const wa_task_t *t, void **out);

/* What the task waits on, as text (asyncio Task.get_stack(), as await
 * chains go in asyncio's debug output): the task, then each task it awaits
 * in turn, " -> " between them ("task 'main' awaits task 'worker' -> task
 * 'worker' sleeps"). Into buf, NUL-terminated, cut to cap; returns the
 * length of the whole text (call with buf NULL / cap 0 to size it), or
 * WA_EINVAL if t is not a task or buf is NULL while cap > 0. */
WA_API int wa_task_get_stack(const wa_task_t *t, char *buf, size_t cap);

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
/* scopes, TaskGroup                                                         */
/* ------------------------------------------------------------------------ */

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
 * Cancelling the caller cancels f and returns WA_ECANCELLED (not converted);
 * with timeout_ms <= 0 (f already cancelled) it returns at once, without
 * waiting for f (asyncio's _cancel_and_wait). WA_NO_TIMEOUT: plain wa_await. WA_EINVAL if f is NULL / the current task
 * or timeout_ms is NaN; WA_ENOTASK outside a coroutine task. */
WA_API int wa_wait_for(wa_future_t *f, double timeout_ms);

/* Non-suspending form: *out gets a future with the outcome wa_wait_for would
 * return (result: f's result, borrowed; the future references f). Cancelling
 * it cancels f; it then ends with f's outcome (cancelled, or f's value if f
 * swallowed the cancellation), or at once cancelled if f was already done or
 * timeout_ms <= 0 (then f, already cancelled, is not waited for).
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
    int entry_cancels_;             /* private */
    int ext_cancels_;               /* private */
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

/* ---- TaskGroup ----------------------------------------------------------------
 * asyncio.TaskGroup (3.13+, as in CPython 3.14):
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

/* Start a task in the group (same arguments as wa_spawn). WA_ESTATE if the
 * group is finished (exited with no child left) or shutting down (a failure
 * or a cancellation is being handled). Any task may spawn into the group. */
WA_API int wa_taskgroup_spawn(wa_taskgroup_t *tg, wa_task_t **out, wa_coro_fn fn, void *arg,
                       const wa_task_opts_t *opts);
WA_API int wa_taskgroup_spawn_step(wa_taskgroup_t *tg, wa_task_t **out, wa_step_fn step,
                            void *state, const wa_task_opts_t *opts);

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


#ifdef __cplusplus
}
#endif

#include "wasyncio/sync.h"
#include "wasyncio/fetch.h"
#include "wasyncio/executor.h"
#include "wasyncio/js.h"
#include "wasyncio/agen.h"
#include "wasyncio/fs.h"
#include "wasyncio/session.h"
#include "wasyncio/websocket.h"

#endif /* WASYNCIO_H */
