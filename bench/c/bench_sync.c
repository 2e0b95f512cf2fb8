/* Synchronization benchmarks for C coroutine tasks (DESIGN.md workloads):
 *   W3 queue: 1 producer, 4 consumers, Queue(maxsize 100), m items,
 *      task_done + join; every item seen exactly once       -> items/s
 *   W5 limited-io: r requests, each sleeps 10 ms holding a Semaphore(50);
 *      check peak concurrency == 50                          -> s, s/0.2
 *   W6 memory: n tasks wait on one Event; (heap with the tasks waiting -
 *      heap before) / n; then set the event, all finish        -> B/task
 *      (coroutine tasks on the smallest stack, then stackless step tasks)
 * Prints one JSON object per line. Same source natively and as wasm.
 *   bench_sync [w3 M] [w5 R] [w6 N] [--stack BYTES] [--w6-stack BYTES] [--runs K]
 * W6 heap: natively mallinfo2().uordblks (bytes in use), on wasm dlmalloc's
 * mallinfo().uordblks plus the sbrk(0) growth. A warm-up of n stackless
 * tasks first grows the loop's ready ring (a one-off cost, not per task). */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "wasyncio.h"
#include "heap_in_use.h"

static size_t stack_size = 4096;
static size_t w6_stack = 2048; /* the smallest stack class */
static int runs = 5;
static long w3_m = 200000, w5_r = 1000, w6_n = 100000;
static int do_w3 = 1, do_w5 = 1, do_w6 = 1;

static void die(const char *what, int rc) {
    fprintf(stderr, "bench_sync: %s failed: %d (%s)\n", what, rc, wa_strerror(rc));
    exit(1);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- W3 ------------------------------------------------------------------ */

static wa_queue_t *w3q;
static unsigned char *w3seen;
static long w3_bad;

static int w3_consumer(void *arg) {
    (void)arg;
    for (;;) {
        void *it;
        int rc = wa_queue_get(w3q, &it);
        if (rc) return rc == WA_ECANCELLED ? 0 : rc;
        long i = (long)(intptr_t)it;
        if (i < 0 || w3seen[i]++) w3_bad++;
        wa_queue_task_done(w3q);
    }
}

static uint64_t w3_switches;

static double w3(long m) {
    wa_queue_opts_t o = {.kind = WA_QUEUE_FIFO, .maxsize = 100};
    int rc = wa_queue_new(&w3q, &o);
    if (rc) die("queue_new", rc);
    w3seen = calloc((size_t)m, 1);
    w3_bad = 0;
    wa_task_opts_t to = {.stack_size = stack_size};
    wa_task_t *c[4];
    wa_stats_t s0, s1;
    wa_get_stats(&s0);
    double t0 = wa_time();
    for (int i = 0; i < 4; i++)
        if ((rc = wa_spawn(&c[i], w3_consumer, NULL, &to))) die("spawn", rc);
    for (long i = 0; i < m; i++)
        if ((rc = wa_queue_put(w3q, (void *)(intptr_t)i))) die("put", rc);
    if ((rc = wa_queue_join(w3q))) die("join", rc);
    double dt = wa_time() - t0;
    wa_get_stats(&s1);
    w3_switches = s1.switches - s0.switches;
    for (int i = 0; i < 4; i++) {
        wa_cancel(c[i], NULL);
        if ((rc = wa_await(c[i])) && rc != WA_ECANCELLED) die("consumer", rc);
        wa_release(c[i]);
    }
    for (long i = 0; i < m; i++)
        if (w3seen[i] != 1) w3_bad++;
    if (w3_bad) { fprintf(stderr, "W3: %ld items not seen exactly once\n", w3_bad); exit(1); }
    free(w3seen);
    wa_queue_destroy(w3q);
    return dt;
}

/* ---- W5 ------------------------------------------------------------------ */

static wa_sem_t *w5sem;
static int w5_cur, w5_peak;

static int w5_request(void *arg) {
    (void)arg;
    int rc = wa_sem_acquire(w5sem);
    if (rc) return rc;
    if (++w5_cur > w5_peak) w5_peak = w5_cur;
    rc = wa_sleep(10);
    w5_cur--;
    wa_sem_release(w5sem);
    return rc;
}

static double w5(long r) {
    int rc = wa_sem_new(&w5sem, 50);
    if (rc) die("sem_new", rc);
    w5_cur = w5_peak = 0;
    wa_task_t **t = malloc((size_t)r * sizeof *t);
    wa_task_opts_t to = {.stack_size = stack_size};
    double t0 = wa_time();
    for (long i = 0; i < r; i++)
        if ((rc = wa_spawn(&t[i], w5_request, NULL, &to))) die("spawn", rc);
    wa_future_t *g;
    if ((rc = wa_gather(&g, t, (size_t)r, 0)) || (rc = wa_await(g))) die("gather", rc);
    double dt = wa_time() - t0;
    if (w5_peak != 50) { fprintf(stderr, "W5: peak concurrency %d, expected 50\n", w5_peak); exit(1); }
    wa_release(g);
    for (long i = 0; i < r; i++) wa_release(t[i]);
    free(t);
    wa_sem_destroy(w5sem);
    return dt;
}

/* ---- W6 ------------------------------------------------------------------ */

static wa_event_t *w6ev, *w6done;
static long w6_started, w6_finished, w6_total;

static int w6_task(void *arg) {
    (void)arg;
    w6_started++;
    int rc = wa_event_wait(w6ev);
    if (++w6_finished == w6_total) wa_event_set(w6done);
    return rc;
}


/* The same waiter as a stackless step task on the op form. */
typedef struct {
    wa_future_t *op;
} w6_step_t;

static int w6_step(void *st, int status) {
    w6_step_t *s = st;
    if (!s->op) {
        w6_started++;
        int rc = wa_event_wait_start(w6ev, &s->op);
        if (rc) return rc;
        wa_step_await(s->op);
        return WA_PENDING;
    }
    wa_release(s->op);
    s->op = NULL;
    if (++w6_finished == w6_total) wa_event_set(w6done);
    return status;
}

static w6_step_t *w6_states;

/* Spawn n tasks waiting on w6ev (fire and forget), wait until all wait;
 * optionally measure; then set the event and wait until all finished.
 * stack 0: stackless step tasks (their states preallocated, not counted:
 * the caller owns a step task's state, here 4-8 bytes each). */
static void w6_round(long n, size_t stack, size_t *delta, long long *brk_delta, double *spawn_ms,
                     double *finish_ms) {
    int rc;
    if ((rc = wa_event_new(&w6ev)) || (rc = wa_event_new(&w6done))) die("event_new", rc);
    w6_started = w6_finished = 0;
    w6_total = n;
    wa_task_opts_t to = {.stack_size = stack};
    /* Pooled stacks and task structs count as "in use" for malloc: what the
     * pools give out is memory these tasks take, what they keep is not. */
    wa_stats_t s0, s1;
    wa_get_stats(&s0);
    size_t before = heap_in_use() - s0.pooled_bytes;
    uintptr_t brk0 = (uintptr_t)sbrk(0);
    double t0 = wa_time();
    for (long i = 0; i < n; i++) {
        if (stack == 0) rc = wa_spawn_step(NULL, w6_step, &w6_states[i], NULL);
        else rc = wa_spawn(NULL, w6_task, NULL, &to);
        if (rc) die("spawn", rc);
    }
    while (w6_started < n)
        if ((rc = wa_sleep(0))) die("sleep", rc);
    double t1 = wa_time();
    wa_get_stats(&s1);
    size_t after = heap_in_use() - s1.pooled_bytes;
    uintptr_t brk1 = (uintptr_t)sbrk(0);
    wa_stats_t st;
    wa_get_stats(&st);
    if (st.tasks < (size_t)n) { fprintf(stderr, "W6: only %zu tasks alive\n", st.tasks); exit(1); }
    if ((rc = wa_event_set(w6ev))) die("event_set", rc);
    if ((rc = wa_event_wait(w6done))) die("event_wait", rc);
    double t2 = wa_time();
    if (w6_finished != n) { fprintf(stderr, "W6: %ld of %ld finished\n", w6_finished, n); exit(1); }
    wa_event_destroy(w6ev);
    wa_event_destroy(w6done);
    if (delta) *delta = after - before;
    if (brk_delta) *brk_delta = (long long)brk1 - (long long)brk0; /* may shrink */
    if (spawn_ms) *spawn_ms = t1 - t0;
    if (finish_ms) *finish_ms = t2 - t1;
}

/* Grow the loop's ready ring to n entries once (n stackless tasks queued
 * at the same time), so the measured round does not count that one-off. */
static long w6_warm_done;
static int w6_warm_step(void *st, int status) {
    (void)st;
    (void)status;
    w6_warm_done++;
    return 0;
}

static void w6_warmup(long n) {
    int rc;
    w6_warm_done = 0;
    for (long i = 0; i < n + 16; i++)
        if ((rc = wa_spawn_step(NULL, w6_warm_step, NULL, NULL))) die("spawn_step", rc);
    while (w6_warm_done < n + 16)
        if ((rc = wa_sleep(0))) die("sleep", rc);
}

/* ---- main ---------------------------------------------------------------- */

static const char *kind(void) {
#ifdef __EMSCRIPTEN__
    return "c-coro-wasm";
#else
    return "c-coro-native";
#endif
}

static int amain(void *arg) {
    (void)arg;
    double ms[32];
    if (do_w3) {
        w3(w3_m / 10); /* warm-up */
        for (int r = 0; r < runs; r++) ms[r] = w3(w3_m);
        qsort(ms, (size_t)runs, sizeof *ms, cmp);
        double med = ms[runs / 2];
        printf("{\"workload\":\"W3\",\"kind\":\"%s\",\"m\":%ld,\"runs\":%d,\"median_ms\":%.3f,"
               "\"min_ms\":%.3f,\"max_ms\":%.3f,\"rate\":%.0f,\"unit\":\"items/s\",\"stack\":%zu,"
               "\"switches_per_item\":%.3f}\n",
               kind(), w3_m, runs, med, ms[0], ms[runs - 1], (double)w3_m / (med / 1e3), stack_size,
               (double)w3_switches / (double)w3_m);
        fflush(stdout);
    }
    if (do_w5) {
        int n = runs < 3 ? runs : 3;
        w5(100); /* warm-up */
        for (int r = 0; r < n; r++) ms[r] = w5(w5_r);
        qsort(ms, (size_t)n, sizeof *ms, cmp);
        double med = ms[n / 2];
        double ideal = (double)w5_r / 50.0 * 10.0; /* ms */
        printf("{\"workload\":\"W5\",\"kind\":\"%s\",\"requests\":%ld,\"runs\":%d,\"median_ms\":%.3f,"
               "\"min_ms\":%.3f,\"max_ms\":%.3f,\"seconds\":%.4f,\"ratio\":%.3f,\"peak\":%d,"
               "\"unit\":\"s\"}\n",
               kind(), w5_r, n, med, ms[0], ms[n - 1], med / 1e3, med / ideal, w5_peak);
        fflush(stdout);
    }
    if (do_w6) {
        w6_warmup(w6_n);
        size_t delta;
        long long brk_delta;
        double spawn_ms, finish_ms;
        w6_round(w6_n, w6_stack, &delta, &brk_delta, &spawn_ms, &finish_ms);
        printf("{\"workload\":\"W6\",\"kind\":\"%s\",\"tasks\":\"coro\",\"n\":%ld,\"bytes_per_task\":%.1f,"
               "\"heap_delta\":%zu,\"sbrk_per_task\":%.1f,\"stack\":%zu,\"spawn_ms\":%.1f,"
               "\"finish_ms\":%.1f,\"unit\":\"B/task\"}\n",
               kind(), w6_n, (double)delta / (double)w6_n, delta,
               (double)brk_delta / (double)w6_n, w6_stack, spawn_ms, finish_ms);
        fflush(stdout);
        w6_states = calloc((size_t)w6_n, sizeof *w6_states);
        w6_round(w6_n, 0, &delta, &brk_delta, &spawn_ms, &finish_ms);
        free(w6_states);
        printf("{\"workload\":\"W6\",\"kind\":\"%s\",\"tasks\":\"step\",\"n\":%ld,"
               "\"bytes_per_task\":%.1f,\"heap_delta\":%zu,\"sbrk_per_task\":%.1f,\"stack\":0,"
               "\"spawn_ms\":%.1f,\"finish_ms\":%.1f,\"unit\":\"B/task\"}\n",
               kind(), w6_n, (double)delta / (double)w6_n, delta,
               (double)brk_delta / (double)w6_n, spawn_ms, finish_ms);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv) {
    int only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "w3") && i + 1 < argc) { w3_m = atol(argv[++i]); only |= 1; }
        else if (!strcmp(argv[i], "w5") && i + 1 < argc) { w5_r = atol(argv[++i]); only |= 2; }
        else if (!strcmp(argv[i], "w6") && i + 1 < argc) { w6_n = atol(argv[++i]); only |= 4; }
        else if (!strcmp(argv[i], "--stack") && i + 1 < argc) stack_size = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--w6-stack") && i + 1 < argc) w6_stack = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    }
    if (runs < 1 || runs > 31) runs = 5;
    if (w3_m < 10 || w5_r < 50 || w6_n < 1) { fprintf(stderr, "bench_sync: bad sizes\n"); return 2; }
    if (only) { do_w3 = only & 1; do_w5 = (only & 2) != 0; do_w6 = (only & 4) != 0; }
    return wa_run(amain, NULL) == 0 ? 0 : 1;
}
