/* Demo 1: sequential vs thread pool vs gather vs Semaphore-limited fetching.
 *
 * The asyncio tutorial's comparison, in C on wasyncio: fetch n URLs that
 * each answer after `delay` ms (the dev server's /delay/{ms}), four ways.
 *
 *   seq     for each URL: start a task and await it before the next one
 *           (asyncio: `for u in urls: await fetch(u)`)   ~ n x delay
 *   pool    each URL is a job on a pool of `workers` Web Workers, where it
 *           blocks its worker until the answer is in: a thread pool
 *           (ThreadPoolExecutor + requests.get)          ~ ceil(n / workers) x delay
 *   gather  n tasks at once, gathered                    ~ delay
 *   limit   n tasks at once, each holding a Semaphore(limit) slot while
 *           it fetches                                   ~ ceil(n / limit) x delay
 *
 * (Browsers open at most 6 HTTP/1.1 connections per host: above 6 requests
 * in flight the browser itself queues them.)
 *
 * The page starts compare("mode=gather&n=6&delay=400&...") with
 * runtime.spawnC and draws every task on a timeline. */
#include "demo.h"

typedef struct run run_t;

typedef struct {
    run_t *run;
    int index;
    char url[256];
    int status;  /* HTTP status, 0 if the request failed */
    double ms;   /* latency */
} req_t;

struct run {
    char mode[16];
    int n;
    req_t *reqs;
    wa_sem_t *sem;     /* mode limit */
    wa_pool_t *pool;   /* mode pool  */
};

/* GET url and read the whole body. 0 and *status, or a WA_E... code. */
static int get(const char *url, int *status) {
    wa_response_t *r;
    int rc = wa_fetch(&r, url, NULL);
    if (rc) return rc;
    *status = wa_response_status(r);
    char *body;
    size_t len;
    rc = wa_response_body(r, &body, &len);
    if (rc == 0) free(body);
    wa_response_free(r);
    return rc;
}

/* ---- the job for the pool: runs in a Web Worker, one at a time per worker -- */

/* Input: the URL. Blocks this worker (its only job) until the response is
 * in, like a thread in requests.get(). Output: the status, 4 bytes LE. */
static int fetch_job(const uint8_t *in, size_t len, wa_job_out_t *out) {
    char url[256];
    if (len >= sizeof url) return wa_job_fail(out, WA_EINVAL, "URL too long");
    memcpy(url, in, len);
    url[len] = 0;
    int status = 0;
    int rc = get(url, &status);
    if (rc) return wa_job_fail(out, rc, "%s", wa_fetch_error());
    uint8_t b[4] = {(uint8_t)status, (uint8_t)(status >> 8), 0, 0};
    return wa_job_set_output(out, b, 4);
}
WA_EXPORT_JOB(fetch_job)

/* Warms a worker up (it instantiates the module on its first job). */
static int warm_job(const uint8_t *in, size_t len, wa_job_out_t *out) {
    (void)in, (void)len, (void)out;
    return wa_sleep(100);
}

/* ---- one request, as a task ---------------------------------------------- */

static int request_task(void *arg) {
    req_t *q = arg;
    run_t *run = q->run;
    int rc;
    if (run->sem && (rc = wa_sem_acquire(run->sem)) != 0) return rc; /* waits for a slot */
    double t0 = wa_time();
    report("{\"ev\":\"req\",\"i\":%d,\"state\":\"start\",\"t\":%.3f}", q->index, t0);
    if (run->pool) {
        /* hand the blocking fetch to a worker and wait for it */
        wa_future_t *f = NULL;
        rc = wa_run_in_executor(run->pool, fetch_job, q->url, strlen(q->url), &f);
        const wa_value_t *v = rc == 0 ? wa_future_value(f) : NULL;
        if (v && v->type == WA_VALUE_BYTES && v->len == 4) q->status = v->u.bytes[0] | v->u.bytes[1] << 8;
        if (rc && rc != WA_ECANCELLED) rc = wa_fail(rc, "%s", f && wa_future_message(f) ? wa_future_message(f) : wa_strerror(rc));
        wa_release(f);
    } else {
        rc = get(q->url, &q->status);
    }
    if (run->sem) wa_sem_release(run->sem);
    q->ms = wa_time() - t0;
    report("{\"ev\":\"req\",\"i\":%d,\"state\":\"%s\",\"status\":%d,\"ms\":%.3f}", q->index,
           rc == 0 ? "done" : rc == WA_ECANCELLED ? "cancelled" : "failed", q->status, q->ms);
    return rc;
}

/* ---- the four ways --------------------------------------------------------- */

static int compare(void *argp) {
    const wa_value_t *arg = argp;
    run_t run = {0};
    char base[128] = "", tag[64] = "demo";
    param_str(arg, "mode", run.mode, sizeof run.mode);
    param_str(arg, "base", base, sizeof base);
    param_str(arg, "tag", tag, sizeof tag);
    run.n = (int)param_num(arg, "n", 6, 1, 100);
    int delay = (int)param_num(arg, "delay", 400, 0, 10000);
    int limit = (int)param_num(arg, "limit", 2, 1, 100);
    int workers = (int)param_num(arg, "workers", 3, 1, 16);
    bool seq = strcmp(run.mode, "seq") == 0;
    if (!seq && strcmp(run.mode, "pool") && strcmp(run.mode, "gather") && strcmp(run.mode, "limit"))
        return wa_fail(WA_EINVAL, "unknown mode '%s'", run.mode);

    run.reqs = calloc((size_t)run.n, sizeof *run.reqs);
    wa_task_t **tasks = calloc((size_t)run.n, sizeof *tasks);
    if (!run.reqs || !tasks) {
        free(run.reqs);
        free(tasks);
        return WA_ENOMEM;
    }
    for (int i = 0; i < run.n; i++) {
        req_t *q = &run.reqs[i];
        q->run = &run;
        q->index = i;
        snprintf(q->url, sizeof q->url, "%s/delay/%d?tag=%s&i=%d", base, delay, tag, i);
    }

    int rc = 0;
    if (!strcmp(run.mode, "limit")) rc = wa_sem_new(&run.sem, limit);
    if (!strcmp(run.mode, "pool")) {
        wa_pool_opts_t po = {.min_workers = (uint32_t)workers, .max_workers = (uint32_t)workers};
        rc = wa_pool_new(&run.pool, &po);
        /* start the workers before the clock starts: one warm-up job each */
        double w0 = wa_time();
        wa_future_t *warm[16] = {0}, *all = NULL;
        for (int i = 0; rc == 0 && i < workers; i++) rc = wa_run_in_executor_start(run.pool, warm_job, NULL, 0, &warm[i]);
        if (rc == 0) rc = wa_gather(&all, warm, (size_t)workers, 0);
        if (rc == 0) rc = wa_await(all);
        wa_release(all);
        for (int i = 0; i < workers; i++) wa_release(warm[i]);
        report("{\"ev\":\"warm\",\"ms\":%.1f}", wa_time() - w0);
    }

    double t0 = wa_time();
    report("{\"ev\":\"begin\",\"mode\":\"%s\",\"n\":%d,\"t\":%.3f,\"task\":%llu}", run.mode, run.n, t0, my_id());
    int spawned = 0;
    for (int i = 0; rc == 0 && i < run.n; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s #%d", run.mode, i + 1);
        wa_task_opts_t o = {.name = name, .stack_size = 32 * 1024};
        rc = wa_spawn(&tasks[i], request_task, &run.reqs[i], &o);
        if (rc) break;
        spawned++;
        /* one after the other (a failed request does not stop the loop) */
        if (seq && (rc = wa_await(tasks[i])) != WA_ECANCELLED) rc = 0;
    }
    if (!seq && rc == 0) {
        /* all at once (gather, limit, pool): wait for every one */
        wa_future_t *all;
        rc = wa_gather(&all, tasks, (size_t)spawned, WA_RETURN_EXCEPTIONS);
        if (rc == 0) {
            rc = wa_await(all);
            wa_release(all);
        }
    }
    double total = wa_time() - t0;
    if (rc) cancel_and_wait(tasks, spawned); /* stopped: no task may outlive run */

    int ok = 0, failed = 0, cancelled = 0;
    for (int i = 0; i < spawned; i++) {
        int st = wa_future_status(tasks[i]);
        if (st == 0) ok++;
        else if (st == WA_ECANCELLED) cancelled++;
        else failed++;
        wa_release(tasks[i]);
    }
    report("{\"ev\":\"end\",\"mode\":\"%s\",\"ms\":%.3f,\"n\":%d,\"ok\":%d,\"failed\":%d,\"cancelled\":%d}",
           run.mode, total, run.n, ok, failed, cancelled);
    if (run.sem) wa_sem_destroy(run.sem);
    if (run.pool) {
        wa_pool_shutdown(run.pool, WA_POOL_CANCEL_PENDING, NULL);
        wa_pool_free(run.pool);
    }
    free(run.reqs);
    free(tasks);
    if (rc) return rc;
    return wa_return_number(total);
}
WA_EXPORT_CORO(compare)
