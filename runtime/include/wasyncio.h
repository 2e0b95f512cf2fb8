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

/* Schedule fn(arg) at loop time when_ms (a wa_time() value; not NaN). */
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
 * until there is work). Returns WA_EDEADLOCK if the loop has no ready
 * callbacks, no timers and nothing in flight (it could never wake). */
WA_API int wa_loop_wait(double timeout_ms);

/* Handler for failures nobody retrieved (a failed task released without its
 * error being read). Default: print to stderr / console.error.
 * Cancellations are never reported. fn NULL restores the default. */
typedef void (*wa_exception_handler_fn)(wa_future_t *fut, int code,
                                        const char *message, void *arg);
WA_API void wa_set_exception_handler(wa_exception_handler_fn fn, void *arg);

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
} wa_stats_t;
WA_API void wa_get_stats(wa_stats_t *out);

/* Free pooled memory held by the loop (stack pool, queues). Call when the
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
 * WA_EINVAL if f is NULL or a task (a task's result comes from its body). */
WA_API int wa_future_set_result(wa_future_t *f, void *value, wa_free_fn dtor);

/* Mark f failed with code (nonzero, not WA_ECANCELLED) and a message
 * (copied, may be NULL). WA_ESTATE if done; WA_EINVAL on bad arguments. */
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


/* ------------------------------------------------------------------------ */
/* Synchronization primitives: Lock, Event, Condition, Semaphore,           */
/* BoundedSemaphore, Barrier (sync.c)                                        */
/* ------------------------------------------------------------------------ */

/* (section: sync) */


/* ------------------------------------------------------------------------ */
/* Queues: Queue, PriorityQueue, LifoQueue (queue.c)                         */
/* ------------------------------------------------------------------------ */

/* (section: queue) */


/* ------------------------------------------------------------------------ */
/* fetch on the host's event loop (fetch.c)                                  */
/* ------------------------------------------------------------------------ */

/* (section: fetch) */


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
    } u;
} wa_value_t;

/* Constructors: a new value, or NULL when out of memory (or s NULL). */
WA_API wa_value_t *wa_value_null(void);
WA_API wa_value_t *wa_value_bool(bool b);
WA_API wa_value_t *wa_value_number(double d);
WA_API wa_value_t *wa_value_string(const char *s);
WA_API wa_value_t *wa_value_string_n(const char *s, size_t len);
WA_API wa_value_t *wa_value_bytes(const void *data, size_t len);
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
