/* C job functions and coroutines for the executor tests and benchmark
 * (tests/js/executor*.test.mjs, tests/e2e/executor.test.mjs,
 * bench/executor.mjs). Built by build.sh as build/wasm/executor_jobs.mjs
 * (no main): every worker of a pool instantiates this same module. */
#include "wasyncio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- jobs (run in workers) --------------------------------------------------- */

/* Output = input. */
static int echo(const uint8_t *in, size_t len, wa_job_out_t *out) {
    return wa_job_set_output(out, in, len);
}
WA_EXPORT_JOB(echo)

/* Output = 4-byte little-endian FNV-1a hash of the input (a tiny job). */
static uint32_t fnv1a(const uint8_t *p, size_t n, uint32_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}
static int hash(const uint8_t *in, size_t len, wa_job_out_t *out) {
    uint32_t h = fnv1a(in, len, 2166136261u);
    uint8_t *o = wa_job_output(out, 4);
    if (!o) return WA_ENOMEM;
    for (int i = 0; i < 4; i++) o[i] = (uint8_t)(h >> (8 * i));
    return 0;
}
WA_EXPORT_JOB(hash)

/* CPU-bound: input = u32 rounds (LE) + data; hashes the data `rounds`
 * times; output = 4-byte hash. */
static int crunch(const uint8_t *in, size_t len, wa_job_out_t *out) {
    if (len < 4) return wa_job_fail(out, WA_EINVAL, "crunch: need 4 bytes of rounds, got %zu", len);
    uint32_t rounds = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    uint32_t h = 2166136261u;
    for (uint32_t r = 0; r < rounds; r++) h = fnv1a(in + 4, len - 4, h ^ r);
    uint8_t *o = wa_job_output(out, 4);
    if (!o) return WA_ENOMEM;
    for (int i = 0; i < 4; i++) o[i] = (uint8_t)(h >> (8 * i));
    return 0;
}
WA_EXPORT_JOB(crunch)

/* Fails with an application code and a message naming the input size. */
static int fail(const uint8_t *in, size_t len, wa_job_out_t *out) {
    (void)in;
    return wa_job_fail(out, WA_EVALUE, "fail: refusing %zu bytes", len);
}
WA_EXPORT_JOB(fail)

/* Calls exit(3), as a C program ending itself would. */
static int quit(const uint8_t *in, size_t len, wa_job_out_t *out) {
    (void)in, (void)out;
    if (len < 1000000) exit(3);
    return 0;
}
WA_EXPORT_JOB(quit)

/* Allocates 1 MiB blocks until malloc fails (or 8 GiB), frees them, and
 * fails with WA_ENOMEM naming how many MiB it got: a pool's memoryLimitMb
 * makes that small. */
static int gobble(const uint8_t *in, size_t len, wa_job_out_t *out) {
    (void)in, (void)len;
    void *head = NULL;
    size_t mib = 0;
    for (; mib < 8192; mib++) {
        void **b = malloc((size_t)1 << 20);
        if (!b) break;
        memset(b, 1, (size_t)1 << 20);
        *b = head;
        head = b;
    }
    while (head) {
        void *next = *(void **)head;
        free(head);
        head = next;
    }
    return wa_job_fail(out, WA_ENOMEM, "gobble: malloc failed after %zu MiB", mib);
}
WA_EXPORT_JOB(gobble)

/* A wasm trap (unreachable). */
static int trap(const uint8_t *in, size_t len, wa_job_out_t *out) {
    (void)out;
    if (len < 1000000 || in) __builtin_trap();
    return 0;
}
WA_EXPORT_JOB(trap)

static uint32_t le32(const uint8_t *in, size_t len) {
    return len >= 4 ? (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24 : 0;
}

/* Cooperative: works in chunks, polling wa_job_cancelled() between them,
 * for at most u32 ms (default 10 s); output "cancelled-seen" is never sent:
 * it returns WA_ECANCELLED when it sees the cancellation, else "done". */
static int spin_coop(const uint8_t *in, size_t len, wa_job_out_t *out) {
    double limit = len >= 4 ? le32(in, len) : 10000;
    double t0 = wa_time();
    volatile uint32_t x = 0;
    while (wa_time() - t0 < limit) {
        for (int i = 0; i < 20000; i++) x = x * 31u + (uint32_t)i;
        if (wa_job_cancelled()) return WA_ECANCELLED;
    }
    return wa_job_set_output(out, "done", 4);
}
WA_EXPORT_JOB(spin_coop)

/* Not cooperative: spins for u32 ms (default 30 s) without ever polling. */
static int spin_hard(const uint8_t *in, size_t len, wa_job_out_t *out) {
    double limit = len >= 4 ? le32(in, len) : 30000;
    double t0 = wa_time();
    volatile uint32_t x = 0;
    while (wa_time() - t0 < limit)
        for (int i = 0; i < 20000; i++) x = x * 31u + (uint32_t)i;
    return wa_job_set_output(out, "done", 4);
}
WA_EXPORT_JOB(spin_hard)

/* Sleeps u32 ms on the worker's own loop (a job may suspend). */
static int nap(const uint8_t *in, size_t len, wa_job_out_t *out) {
    int rc = wa_sleep(le32(in, len));
    if (rc) return rc;
    return wa_job_set_output(out, in, len);
}
WA_EXPORT_JOB(nap)

/* ---- coroutines (run on the main thread, started with runtime.spawnC) ------- */

/* Awaits `hash` of its string argument on the default pool; returns the
 * 4 output bytes. */
static int c_hash_in_executor(void *arg) {
    const wa_value_t *v = arg;
    if (!v || v->type != WA_VALUE_STRING) return wa_fail(WA_EINVAL, "want a string");
    wa_future_t *f;
    int rc = wa_to_thread(hash, v->u.string, v->len, &f);
    if (rc) {
        rc = wa_fail(rc, "job failed: %s", wa_future_message(f) ? wa_future_message(f) : wa_strerror(rc));
        wa_release(f);
        return rc;
    }
    const wa_value_t *o = wa_future_value(f);
    rc = o && o->type == WA_VALUE_BYTES ? wa_return_bytes(o->u.bytes, o->len) : wa_fail(WA_EFAILED, "no bytes");
    wa_release(f);
    return rc;
}
WA_EXPORT_CORO(c_hash_in_executor)

/* Returns the status and message of `fail` as "status:message". */
static int c_job_error(void *arg) {
    (void)arg;
    wa_future_t *f;
    int rc = wa_run_in_executor(NULL, fail, "abc", 3, &f);
    char buf[200];
    snprintf(buf, sizeof buf, "%d:%s", rc, wa_future_message(f) ? wa_future_message(f) : "");
    wa_release(f);
    return wa_return_string(buf);
}
WA_EXPORT_CORO(c_job_error)

/* Awaits spin_coop (long) on the default pool: to be cancelled from JS. */
static int c_await_long_job(void *arg) {
    (void)arg;
    uint8_t ms[4] = {0x10, 0x27, 0, 0}; /* 10000 ms */
    return wa_run_in_executor(NULL, spin_coop, ms, 4, NULL);
}
WA_EXPORT_CORO(c_await_long_job)

/* gather: n executor jobs (hash of "job-<i>"), a sleep, and a C task;
 * returns the XOR of the hashes as a number. */
static int little(void *arg) {
    (void)arg;
    int rc = wa_sleep(5);
    if (rc) return rc;
    return wa_return_number(42);
}

static int c_gather_mixed(void *arg) {
    const wa_value_t *v = arg;
    size_t n = v && v->type == WA_VALUE_NUMBER ? (size_t)v->u.number : 8;
    wa_future_t **fs = calloc(n + 2, sizeof *fs);
    if (!fs) return WA_ENOMEM;
    int rc = 0;
    size_t made = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char s[32];
        int k = snprintf(s, sizeof s, "job-%zu", i);
        rc = wa_run_in_executor_start(NULL, hash, s, (size_t)k, &fs[made]);
        if (rc == 0) made++;
    }
    if (rc == 0) rc = wa_sleep_start(3, &fs[made]);
    if (rc == 0) made++;
    if (rc == 0) rc = wa_spawn(&fs[made], little, NULL, NULL);
    if (rc == 0) made++;
    wa_future_t *g = NULL;
    if (rc == 0) rc = wa_gather(&g, fs, made, 0);
    if (rc == 0) rc = wa_await(g);
    double x = 0;
    if (rc == 0) {
        uint32_t acc = 0;
        for (size_t i = 0; i < n; i++) {
            const wa_value_t *o = wa_future_value(fs[i]);
            if (!o || o->type != WA_VALUE_BYTES || o->len != 4) { rc = wa_fail(WA_EFAILED, "job %zu: no output", i); break; }
            acc ^= (uint32_t)o->u.bytes[0] | (uint32_t)o->u.bytes[1] << 8 | (uint32_t)o->u.bytes[2] << 16 | (uint32_t)o->u.bytes[3] << 24;
        }
        const wa_value_t *t = wa_future_value(fs[n + 1]);
        if (rc == 0 && (!t || t->type != WA_VALUE_NUMBER || t->u.number != 42)) rc = wa_fail(WA_EFAILED, "task result");
        x = acc;
    }
    wa_release(g);
    for (size_t i = 0; i < made; i++) wa_release(fs[i]);
    free(fs);
    if (rc) return rc;
    return wa_return_number(x);
}
WA_EXPORT_CORO(c_gather_mixed)

/* Backpressure from C: a pool with 1 worker and max_queue 2; submit 6
 * `nap` jobs with wa_exec_submit and record, after each submit returns,
 * how many jobs had completed by then (as a string "c0,c1,..."). */
static int c_backpressure(void *arg) {
    (void)arg;
    wa_pool_opts_t o = {.min_workers = 0, .max_workers = 1, .max_queue = 2};
    wa_pool_t *pool;
    int rc = wa_pool_new(&pool, &o);
    if (rc) return wa_fail(rc, "wa_pool_new: %s", wa_strerror(rc));
    wa_future_t *fs[6] = {0};
    char buf[64] = "";
    size_t used = 0;
    uint8_t ms[4] = {30, 0, 0, 0};
    for (int i = 0; i < 6 && rc == 0; i++) {
        rc = wa_exec_submit(pool, nap, ms, 4, &fs[i]);
        int done = 0;
        for (int k = 0; k <= i; k++) done += wa_future_done(fs[k]);
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%d", i ? "," : "", done);
    }
    wa_future_t *g = NULL;
    if (rc == 0) rc = wa_gather(&g, fs, 6, 0);
    if (rc == 0) rc = wa_await(g);
    wa_release(g);
    for (int i = 0; i < 6; i++) wa_release(fs[i]);
    wa_future_t *sd = NULL;
    int rc2 = wa_pool_shutdown(pool, 0, &sd);
    if (rc2 == 0) rc2 = wa_await(sd);
    wa_release(sd);
    /* after shutdown, submissions fail */
    wa_future_t *late = NULL;
    int rc3 = wa_run_in_executor_start(pool, echo, "x", 1, &late);
    wa_pool_free(pool);
    if (rc) return wa_fail(rc, "jobs: %s", wa_strerror(rc));
    if (rc2) return wa_fail(rc2, "shutdown: %s", wa_strerror(rc2));
    if (rc3 != WA_ESHUTDOWN) return wa_fail(WA_EFAILED, "submit after shutdown gave %d", rc3);
    return wa_return_string(buf);
}
WA_EXPORT_CORO(c_backpressure)

/* A step task (no stack) awaiting an executor job through the op-future
 * form; returns the echo of its argument's bytes. */
typedef struct {
    wa_future_t *f;
    wa_value_t *in;
} step_state_t;

static void step_free(void *p) {
    step_state_t *s = p;
    wa_release(s->f);
    wa_value_free(s->in);
    free(s);
}

static int echo_step(void *state, int status) {
    step_state_t *s = state;
    if (!s->f) {
        int rc = wa_run_in_executor_start(NULL, echo, s->in->u.bytes, s->in->len, &s->f);
        if (rc) return rc;
        wa_step_await(s->f);
        return WA_PENDING;
    }
    if (status) return status;
    const wa_value_t *o = wa_future_value(s->f);
    return wa_return_bytes(o->u.bytes, o->len);
}

static int c_step_echo(void *arg) {
    const wa_value_t *v = arg;
    if (!v || v->type != WA_VALUE_BYTES) return wa_fail(WA_EINVAL, "want bytes");
    step_state_t *s = calloc(1, sizeof *s);
    if (!s) return WA_ENOMEM;
    s->in = wa_value_bytes(v->u.bytes, v->len);
    wa_task_opts_t o = {.arg_free = step_free};
    wa_task_t *t;
    int rc = wa_spawn_step(&t, echo_step, s, &o);
    if (rc) { step_free(s); return rc; }
    rc = wa_await(t);
    if (rc == 0) {
        const wa_value_t *r = wa_future_value(t);
        rc = wa_return_bytes(r->u.bytes, r->len);
    }
    wa_release(t);
    return rc;
}
WA_EXPORT_CORO(c_step_echo)
