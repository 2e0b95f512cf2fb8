/* Executor: run C functions in a pool of workers (run_in_executor /
 * to_thread). The pool itself is the JS bindings' WorkerPool (workers are
 * a host thing); this file gives C its futures and the job side:
 *  - submitting side: futures whose cancellation reaches the job, and the
 *    suspending / non-suspending submit calls;
 *  - worker side: a job runs as a coroutine on the worker's own loop, so
 *    wa_job_cancelled() can yield to the worker's event loop (where the
 *    cancellation message arrives) between chunks of work. */
#include "internal.h"
#include "executor_host.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct wa_pool {
    int32_t id;
};

struct wa_job_out {
    uint8_t *data;
    size_t len;
    char *message;
};

/* ---- submitting side -------------------------------------------------------- */

static int exec_cancel(wa_future_t *f, const char *msg) {
    if (f->state != FUT_PENDING) return 0;
    wa_host_exec_cancel(f); /* withdraws or cancels the job */
    return wa__future_cancel_plain(f, msg);
}

static void exec_settled(wa_future_t *f, void *arg) {
    (void)f;
    (void)arg;
    wa__host_pending_add(-1);
}

/* A job's result future: cancelling it cancels the job. Exported for the
 * JS bindings, which make one per job awaited from JS. */
WA_EXPORT wa_future_t *wa__exec_future_new(void) {
    wa_future_t *f = NULL;
    if (wa_future_new(&f) != 0) return NULL;
    f->cancel_hook = exec_cancel;
    if (wa_future_add_done_callback(f, exec_settled, NULL) != 0) {
        wa_release(f);
        return NULL;
    }
    wa__host_pending_add(1); /* a host operation in flight until it settles */
    return f;
}

static int submit(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len,
                  wa_future_t **accepted, wa_future_t **result) {
    if (!fn || !result || (!in && len) || len > UINT32_MAX) return WA_EINVAL;
    if (pool && pool->id <= 0) return WA_ESHUTDOWN;
    wa_future_t *res = wa__exec_future_new(), *acc = NULL;
    if (!res) return WA_ENOMEM;
    if (accepted && wa_future_new(&acc) != 0) {
        wa_release(res);
        return WA_ENOMEM;
    }
    int rc = wa_host_exec_submit(pool ? pool->id : 0, fn, in, len, res, acc);
    if (rc) {
        /* never submitted: complete it quietly so the pending count drops */
        wa__future_cancel_plain(res, NULL);
        wa_release(res);
        wa_release(acc);
        return rc;
    }
    *result = res;
    if (accepted) *accepted = acc;
    return 0;
}

int wa_run_in_executor_start(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len,
                             wa_future_t **out) {
    return submit(pool, fn, in, len, NULL, out);
}

int wa_exec_submit_start(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len,
                         wa_future_t **accepted, wa_future_t **result) {
    if (!accepted) return WA_EINVAL;
    return submit(pool, fn, in, len, accepted, result);
}

static bool in_coroutine(void) {
    wa_task_impl_t *t = wa__loop.current;
    return t && t->fut.kind == KIND_CORO;
}

int wa_run_in_executor(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len,
                       wa_future_t **out) {
    if (!in_coroutine()) return WA_ENOTASK;
    wa_future_t *f;
    int rc = submit(pool, fn, in, len, NULL, &f);
    if (rc) return rc;
    rc = wa_await(f);
    if (!wa_future_done(f)) wa_cancel(f, NULL); /* cannot happen: await cancels it */
    if (out) *out = f;
    else wa_release(f);
    return rc;
}

int wa_to_thread(wa_job_fn fn, const void *in, size_t len, wa_future_t **out) {
    return wa_run_in_executor(NULL, fn, in, len, out);
}

int wa_exec_submit(wa_pool_t *pool, wa_job_fn fn, const void *in, size_t len, wa_future_t **out) {
    if (!in_coroutine()) return WA_ENOTASK;
    if (!out) return WA_EINVAL;
    wa_future_t *acc, *res;
    int rc = submit(pool, fn, in, len, &acc, &res);
    if (rc) return rc;
    rc = wa_await(acc);
    wa_release(acc);
    if (rc == WA_ECANCELLED && !wa_future_done(res)) {
        /* the submitting task was cancelled while waiting for room */
        wa_cancel(res, NULL);
        wa_release(res);
        return WA_ECANCELLED;
    }
    /* accepted, or the job already ended (failed, shut down): either way
     * its future tells the outcome */
    *out = res;
    return 0;
}

/* ---- pools ------------------------------------------------------------------ */

int wa_pool_new(wa_pool_t **out, const wa_pool_opts_t *opts) {
    if (!out) return WA_EINVAL;
    wa_pool_opts_t o = {0};
    if (opts) o = *opts;
    if (o.max_workers && o.max_workers < o.min_workers) return WA_EINVAL;
    if (isnan(o.idle_timeout_ms) || o.idle_timeout_ms < 0) return WA_EINVAL;
    if (isnan(o.cancel_grace_ms) || o.cancel_grace_ms < 0 || isinf(o.cancel_grace_ms)) return WA_EINVAL;
    if (o.stack_size && (o.stack_size < 4096 || o.stack_size > ((size_t)1 << 30))) return WA_EINVAL;
    wa_pool_t *p = malloc(sizeof *p);
    if (!p) return WA_ENOMEM;
    int id = wa_host_exec_pool_new(o.min_workers, o.max_workers, o.idle_timeout_ms,
                                   (double)o.max_queue, o.cancel_grace_ms, (double)o.stack_size);
    if (id <= 0) {
        free(p);
        return id < 0 ? id : WA_EHOST;
    }
    p->id = id;
    *out = p;
    return 0;
}

int wa_pool_shutdown(wa_pool_t *pool, unsigned flags, wa_future_t **out) {
    if (flags & ~WA_POOL_CANCEL_PENDING) return WA_EINVAL;
    wa_future_t *f = NULL;
    if (out && wa_future_new(&f) != 0) return WA_ENOMEM;
    int rc = wa_host_exec_pool_shutdown(pool ? (pool->id > 0 ? pool->id : -pool->id) : 0, flags, f);
    if (rc) {
        wa_release(f);
        return rc;
    }
    if (pool && pool->id > 0) pool->id = -pool->id; /* submissions: WA_ESHUTDOWN */
    if (out) *out = f;
    return 0;
}

void wa_pool_free(wa_pool_t *pool) {
    if (!pool) return;
    wa_host_exec_pool_free(pool->id > 0 ? pool->id : -pool->id);
    free(pool);
}

/* ---- worker side -------------------------------------------------------------- */

typedef struct job_run {
    wa_job_fn fn;
    uint8_t *in;
    size_t len;
    uint32_t id;
    wa_job_out_t out;
} job_run_t;

static int job_entry(void *p) {
    job_run_t *j = p;
    int st = j->fn(j->in, j->len, &j->out);
    wa_host_job_done(j->id, st, j->out.data ? j->out.data : (uint8_t *)"", j->out.data ? j->out.len : 0,
                     j->out.message);
    return 0;
}

static void job_free(void *p) {
    job_run_t *j = p;
    free(j->in);
    free(j->out.data);
    free(j->out.message);
    free(j);
}

/* Start job #id: fn(in, len) as a coroutine with `stack` bytes of stack;
 * takes `in` (malloc'ed). Called by the worker (bindings/worker.js), which
 * then runs the loop; the result comes back through wa_host_job_done. */
WA_EXPORT int wa__job_start(uint32_t id, wa_job_fn fn, uint8_t *in, uint32_t len, uint32_t stack) {
    if (!fn) {
        free(in);
        return WA_EINVAL;
    }
    job_run_t *j = calloc(1, sizeof *j);
    if (!j) {
        free(in);
        return WA_ENOMEM;
    }
    j->fn = fn;
    j->in = in;
    j->len = len;
    j->id = id;
    wa_task_opts_t o = {.name = "executor-job", .stack_size = stack, .arg_free = job_free};
    int rc = wa_spawn(NULL, job_entry, j, &o);
    if (rc) job_free(j);
    return rc;
}

bool wa_job_cancelled(void) {
    int st = wa_host_job_poll();
    if (st < 0) return false;
    if ((st & 2) && in_coroutine()) {
        wa_future_t *f;
        if (wa_future_new(&f) == 0) {
            wa_host_job_yield(f);
            int rc = wa_await(f);
            wa_release(f);
            if (rc == WA_ECANCELLED) return true;
        }
        st = wa_host_job_poll();
        if (st < 0) return false;
    }
    return (st & 1) != 0;
}

void *wa_job_output(wa_job_out_t *out, size_t len) {
    if (!out) return NULL;
    uint8_t *d = malloc(len ? len : 1);
    if (!d) return NULL;
    free(out->data);
    out->data = d;
    out->len = len;
    return d;
}

int wa_job_set_output(wa_job_out_t *out, const void *data, size_t len) {
    if (!out || (!data && len)) return WA_EINVAL;
    void *d = wa_job_output(out, len);
    if (!d) return WA_ENOMEM;
    if (len) memcpy(d, data, len);
    return 0;
}

int wa_job_fail(wa_job_out_t *out, int code, const char *fmt, ...) {
    if (!out || !fmt) return code;
    va_list ap;
    va_start(ap, fmt);
    char *m = wa__vformat(fmt, ap);
    va_end(ap);
    free(out->message);
    out->message = m;
    return code;
}
