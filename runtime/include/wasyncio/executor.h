/*
 * wasyncio/executor.h — run_in_executor / to_thread on Web Workers.
 *
 * Part of the C API; include "wasyncio.h", which includes this file.
 */
#ifndef WASYNCIO_EXECUTOR_H
#define WASYNCIO_EXECUTOR_H

#include "../wasyncio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Executor: run_in_executor / to_thread on Web Workers                      */
/* ------------------------------------------------------------------------ */


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

#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_EXECUTOR_H */
