/* The executor pool's scheduler: which job runs on which worker, the job
 * FIFO with backpressure, worker start-up and retirement, the cancel grace
 * period. Workers themselves (threads, Web Workers, messages) are the
 * host's: the scheduler tells the host what to do through wa_psched_host_t
 * and learns what happened through the wa__psched_worker_* calls. Times
 * are loop timers (wa_call_later), so the scheduler runs on a loop.
 *
 * Jobs: a job is WAITING (for room in the queue), QUEUED (for a worker),
 * RUNNING (sent to a worker) or DONE. A job's outcome (its value or error)
 * stays with the host: the scheduler only says when a job ends without one
 * (wa_psched_host_t.settle) and counts outcomes.
 *
 * Not installed: bindings-only. Status: tested natively and in wasm against
 * a fake host (tests/c/test_pool_sched.c), not yet wired: the JS WorkerPool
 * (bindings/pool.js) still schedules its own jobs; it becomes this
 * scheduler's host next (this needs loop timers that do not keep Node
 * alive, for idle pools). */
#ifndef WASYNCIO_POOL_SCHED_H
#define WASYNCIO_POOL_SCHED_H

#include "wasyncio.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wa_psched wa_psched_t;
typedef struct wa_pjob wa_pjob_t;

/* Why the scheduler ended a job without an outcome from a worker. */
enum {
    WA_PSCHED_CANCELLED = 1,   /* wa__psched_cancel */
    WA_PSCHED_SHUTDOWN = 2,    /* shut down with cancel_pending */
    WA_PSCHED_CRASHED = 3,     /* its worker ended while running it */
    WA_PSCHED_NO_WORKER = 4,   /* no worker could start (START_TRIES tries) */
};

/* An outcome a worker reported (wa__psched_worker_result). */
enum { WA_PSCHED_OK = 0, WA_PSCHED_FAILED = 1, WA_PSCHED_WAS_CANCELLED = 2 };

/* What the host does for the scheduler. ctx is the host's; worker and job
 * ids are the scheduler's (workers) and the host's (jobs). The calls are
 * synchronous and must not call back into the scheduler (the JS host
 * settles promises and C futures, whose callbacks run later). */
typedef struct wa_psched_host {
    void *ctx;
    /* Start worker `worker`; nonzero if it could not even be created (then
     * the scheduler counts a failed start). Its 'ready' or its exit comes
     * later (wa__psched_worker_ready / _exited). */
    int (*spawn)(void *ctx, uint32_t worker);
    /* Send job `job` to `worker`; nonzero if it could not be sent (the
     * host has then ended the job with its own error: counted as failed). */
    int (*post)(void *ctx, uint32_t worker, uint32_t job);
    /* Tell `worker` that its running job `job` was cancelled. */
    void (*cancel_running)(void *ctx, uint32_t worker, uint32_t job);
    /* End `worker` (its exit comes later through wa__psched_worker_exited). */
    void (*terminate)(void *ctx, uint32_t worker);
    /* Whether `worker` keeps the host process alive (Node's ref/unref). */
    void (*ref)(void *ctx, uint32_t worker, bool ref);
    /* Job `job` entered the queue (a submit() awaiting room may go on). */
    void (*accepted)(void *ctx, uint32_t job);
    /* The scheduler ended job `job` (WA_PSCHED_CANCELLED ...). */
    void (*settle)(void *ctx, uint32_t job, int why);
    /* Shut down, every job done and every worker gone. */
    void (*drained)(void *ctx);
} wa_psched_host_t;

typedef struct wa_psched_opts {
    uint32_t min_workers;
    uint32_t max_workers;  /* >= 1 and >= min_workers */
    double idle_ms;        /* an idle worker above min lives this long; INFINITY: forever */
    uint32_t max_queue;    /* jobs queued for a worker; UINT32_MAX: no bound */
    double grace_ms;       /* a cancelled running job's time to stop */
} wa_psched_opts_t;

/* Counts, as WorkerPool.stats() shows them. */
typedef struct wa_psched_stats {
    uint32_t workers, idle, busy, starting, queued, waiting, running;
    uint32_t completed, failed, cancelled, crashed, started, stray_errors;
} wa_psched_stats_t;

/* A scheduler on the current loop; starts min_workers at once. NULL if
 * out of memory. WA_EINVAL-worthy options are the caller's to check (the
 * bindings check them with argument-naming errors). */
wa_psched_t *wa__psched_new(const wa_psched_opts_t *opts, const wa_psched_host_t *host);
/* Free it (its timers too) without telling the host anything. */
void wa__psched_free(wa_psched_t *s);

/* Submit job `job` (the host's id). Returns its record, valid until the
 * host is told it ended (settle) or reports its outcome; NULL with *rc set
 * (WA_ESHUTDOWN after shutdown, WA_ENOMEM). */
wa_pjob_t *wa__psched_submit(wa_psched_t *s, uint32_t job, int *rc);
/* Cancel a job: withdrawn if not running; if running, the worker is told
 * and is terminated after grace_ms unless the job ends first. The host is
 * told settle(WA_PSCHED_CANCELLED) at once. */
void wa__psched_cancel(wa_psched_t *s, wa_pjob_t *j);
/* 0 waiting, 1 queued, 2 running, 3 done. */
int wa__psched_job_state(const wa_pjob_t *j);
/* No new jobs; with cancel_pending, jobs not yet running are cancelled
 * (settle WA_PSCHED_SHUTDOWN); drained() once nothing is left. */
void wa__psched_shutdown(wa_psched_t *s, bool cancel_pending);
void wa__psched_stats(const wa_psched_t *s, wa_psched_stats_t *out);

/* Events from the host about worker `worker` (unknown or ended workers are
 * ignored). */
void wa__psched_worker_ready(wa_psched_t *s, uint32_t worker);
/* Job `job` ended on `worker` with outcome (WA_PSCHED_OK ...). Returns true
 * if the host is to settle it with that outcome (false: it was cancelled
 * before, or is unknown). */
bool wa__psched_worker_result(wa_psched_t *s, uint32_t worker, uint32_t job, int outcome);
/* Crashed (fatal error, closed itself, uncaught error): terminate it. */
void wa__psched_worker_crashed(wa_psched_t *s, uint32_t worker);
/* A job's leftover failed in it: it takes no new job. */
void wa__psched_worker_stray(wa_psched_t *s, uint32_t worker);
/* It asked to be replaced once its job is done: terminate it; a job it
 * holds that never started runs again elsewhere. */
void wa__psched_worker_recycle(wa_psched_t *s, uint32_t worker);
/* It ended. A running job it had fails (settle WA_PSCHED_CRASHED) unless
 * the scheduler ended it on purpose; before it was ready, this counts as a
 * failed start. Returns true if it was not ended on purpose (a crash). */
bool wa__psched_worker_exited(wa_psched_t *s, uint32_t worker);

#endif
