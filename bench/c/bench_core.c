/* Core scheduler benchmarks for C coroutine tasks and stackless step tasks
 * (DESIGN.md workloads):
 *   W1 spawn-gather: n tasks, each awaits sleep(0) once and returns its
 *      index; gather; check the sum            -> tasks/s
 *   W2 switch: t tasks x k sleep(0); check t*k   -> switches/s
 * Prints one JSON object per line. Same source natively and as wasm.
 *   W4 timers: n tasks sleep ms from an LCG (seed 42, ms = x % 101); total
 *      seconds (ideal ~0.1) and the p50/p99 lateness (measured - requested)
 *   bench_core [w1 N] [w2 T K] [w4 N] [--stack BYTES] [--runs R] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasyncio.h"

#ifdef __EMSCRIPTEN__
#define KIND "wasyncio-c-coro-wasm"
#define STEP_KIND "wasyncio-c-step-wasm"
#else
#define KIND "wasyncio-c-coro-native"
#define STEP_KIND "wasyncio-c-step-native"
#endif

static size_t stack_size = 4096;
static int runs = 5;

static int w1_child(void *arg) {
    int rc = wa_sleep(0);
    if (rc) return rc;
    return wa_return(arg, NULL);
}

static double w1(long n) {
    wa_task_t **t = malloc((size_t)n * sizeof *t);
    if (!t) return -1;
    wa_task_opts_t o = {.stack_size = stack_size};
    double t0 = wa_time();
    for (long i = 0; i < n; i++)
        if (wa_spawn(&t[i], w1_child, (void *)(intptr_t)i, &o)) { fprintf(stderr, "spawn failed\n"); exit(1); }
    wa_future_t *g;
    if (wa_gather(&g, t, (size_t)n, 0) || wa_await(g)) { fprintf(stderr, "gather failed\n"); exit(1); }
    long long sum = 0;
    for (long i = 0; i < n; i++) sum += (intptr_t)wa_future_result(t[i]);
    double dt = wa_time() - t0;
    if (sum != (long long)n * (n - 1) / 2) { fprintf(stderr, "W1 wrong sum\n"); exit(1); }
    wa_release(g);
    for (long i = 0; i < n; i++) wa_release(t[i]);
    free(t);
    return dt;
}

static long w2_count;
static long w2_k;

static int w2_child(void *arg) {
    (void)arg;
    for (long i = 0; i < w2_k; i++) {
        int rc = wa_sleep(0);
        if (rc) return rc;
        w2_count++;
    }
    return 0;
}

static double w2(long t, long k) {
    wa_task_t **ts = malloc((size_t)t * sizeof *ts);
    wa_task_opts_t o = {.stack_size = stack_size};
    w2_count = 0;
    w2_k = k;
    double t0 = wa_time();
    for (long i = 0; i < t; i++)
        if (wa_spawn(&ts[i], w2_child, NULL, &o)) exit(1);
    wa_future_t *g;
    if (wa_gather(&g, ts, (size_t)t, 0) || wa_await(g)) exit(1);
    double dt = wa_time() - t0;
    if (w2_count != t * k) { fprintf(stderr, "W2 wrong count\n"); exit(1); }
    wa_release(g);
    for (long i = 0; i < t; i++) wa_release(ts[i]);
    free(ts);
    return dt;
}

/* ---- the same workloads with stackless step tasks ---- */

typedef struct {
    intptr_t index;
    long left;   /* W2: sleeps still to do */
} step_state_t;

static int w1_step(void *p, int status) {
    step_state_t *s = p;
    if (status) return status;
    if (s->left) {
        s->left = 0;
        wa_step_sleep(0);
        return WA_PENDING;
    }
    return wa_return((void *)s->index, NULL);
}

static double w1s(long n) {
    wa_task_t **t = malloc((size_t)n * sizeof *t);
    step_state_t *st = malloc((size_t)n * sizeof *st);
    double t0 = wa_time();
    for (long i = 0; i < n; i++) {
        st[i].index = i;
        st[i].left = 1;
        if (wa_spawn_step(&t[i], w1_step, &st[i], NULL)) exit(1);
    }
    wa_future_t *g;
    if (wa_gather(&g, t, (size_t)n, 0) || wa_await(g)) exit(1);
    long long sum = 0;
    for (long i = 0; i < n; i++) sum += (intptr_t)wa_future_result(t[i]);
    double dt = wa_time() - t0;
    if (sum != (long long)n * (n - 1) / 2) { fprintf(stderr, "W1 step: wrong sum\n"); exit(1); }
    wa_release(g);
    for (long i = 0; i < n; i++) wa_release(t[i]);
    free(t);
    free(st);
    return dt;
}

static int w2_step(void *p, int status) {
    step_state_t *s = p;
    if (status) return status;
    if (s->index) w2_count++; /* index: 0 before the first sleep */
    s->index = 1;
    if (s->left-- > 0) {
        wa_step_sleep(0);
        return WA_PENDING;
    }
    return 0;
}

static double w2s(long t, long k) {
    wa_task_t **ts = malloc((size_t)t * sizeof *ts);
    step_state_t *st = malloc((size_t)t * sizeof *st);
    w2_count = 0;
    double t0 = wa_time();
    for (long i = 0; i < t; i++) {
        st[i].index = 0;
        st[i].left = k;
        if (wa_spawn_step(&ts[i], w2_step, &st[i], NULL)) exit(1);
    }
    wa_future_t *g;
    if (wa_gather(&g, ts, (size_t)t, 0) || wa_await(g)) exit(1);
    double dt = wa_time() - t0;
    if (w2_count != t * k) { fprintf(stderr, "W2 step: wrong count %ld\n", w2_count); exit(1); }
    wa_release(g);
    for (long i = 0; i < t; i++) wa_release(ts[i]);
    free(ts);
    free(st);
    return dt;
}

/* ---- W4: n tasks sleep pseudo-random 0..100 ms; lateness ---- */

static double *w4_late;

typedef struct { long i; double ms; } w4_arg_t;

static int w4_child(void *p) {
    w4_arg_t *a = p;
    double t0 = wa_time();
    int rc = wa_sleep(a->ms);
    if (rc) return rc;
    w4_late[a->i] = wa_time() - t0 - a->ms;
    return 0;
}

static int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void w4(long n) {
    w4_arg_t *args = malloc((size_t)n * sizeof *args);
    wa_task_t **t = malloc((size_t)n * sizeof *t);
    w4_late = malloc((size_t)n * sizeof *w4_late);
    unsigned long x = 42;
    wa_task_opts_t o = {.stack_size = stack_size};
    double t0 = wa_time();
    for (long i = 0; i < n; i++) {
        x = (1103515245ul * x + 12345ul) % 2147483648ul;
        args[i].i = i;
        args[i].ms = (double)(x % 101);
        int rc = wa_spawn(&t[i], w4_child, &args[i], &o);
        if (rc) { fprintf(stderr, "W4: spawn %ld: %s\n", i, wa_strerror(rc)); exit(1); }
    }
    wa_future_t *g;
    int grc = wa_gather(&g, t, (size_t)n, 0);
    if (!grc) grc = wa_await(g);
    if (grc) { fprintf(stderr, "W4: %s: %s\n", wa_strerror(grc), g && wa_future_message(g) ? wa_future_message(g) : ""); exit(1); }
    double total = (wa_time() - t0) / 1e3;
    qsort(w4_late, (size_t)n, sizeof *w4_late, cmpd);
    printf("{\"workload\":\"W4\",\"kind\":\"%s\",\"n\":%ld,\"value\":%.3f,\"unit\":\"s (ideal ~0.1)\","
           "\"better\":\"lower\",\"p50_late_ms\":%.2f,\"p99_late_ms\":%.2f}\n",
           KIND, n, total, w4_late[n / 2], w4_late[n * 99 / 100]);
    wa_release(g);
    for (long i = 0; i < n; i++) wa_release(t[i]);
    free(t);
    free(args);
    free(w4_late);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static long w1_n = 100000, w2_t = 1000, w2_kk = 1000;
static int do_w1 = 1, do_w2 = 1, do_w4 = 1;
static long w4_n = 20000;

static void report_kind(const char *w, const char *kind, double *ms, int n, double units, const char *unit);
static void report(const char *w, double *ms, int n, double units, const char *unit) {
    report_kind(w, KIND, ms, n, units, unit);
}

static void report_kind(const char *w, const char *kind, double *ms, int n, double units, const char *unit) {
    qsort(ms, (size_t)n, sizeof *ms, cmp);
    double med = ms[n / 2];
    printf("{\"workload\":\"%s\",\"kind\":\"%s\",\"runs\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f,"
           "\"max_ms\":%.3f,\"rate\":%.0f,\"unit\":\"%s\",\"stack\":%zu}\n",
           w, kind, n, med, ms[0], ms[n - 1], units / (med / 1e3), unit, stack_size);
}

static int amain(void *arg) {
    (void)arg;
    double ms[32];
    if (do_w1) {
        w1(w1_n / 10); /* warm-up */
        for (int r = 0; r < runs; r++) ms[r] = w1(w1_n);
        report("W1", ms, runs, (double)w1_n, "tasks/s");
    }
    if (do_w2) {
        w2(w2_t, w2_kk / 10);
        for (int r = 0; r < runs; r++) ms[r] = w2(w2_t, w2_kk);
        report("W2", ms, runs, (double)w2_t * (double)w2_kk, "switches/s");
    }
    if (do_w4) w4(w4_n);
    if (do_w1) {
        w1s(w1_n / 10);
        for (int r = 0; r < runs; r++) ms[r] = w1s(w1_n);
        report_kind("W1", STEP_KIND, ms, runs, (double)w1_n, "tasks/s");
    }
    if (do_w2) {
        w2s(w2_t, w2_kk / 10);
        for (int r = 0; r < runs; r++) ms[r] = w2s(w2_t, w2_kk);
        report_kind("W2", STEP_KIND, ms, runs, (double)w2_t * (double)w2_kk, "switches/s");
    }
    return 0;
}

int main(int argc, char **argv) {
    int only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "w1") && i + 1 < argc) { w1_n = atol(argv[++i]); only |= 1; }
        else if (!strcmp(argv[i], "w2") && i + 2 < argc) { w2_t = atol(argv[++i]); w2_kk = atol(argv[++i]); only |= 2; }
        else if (!strcmp(argv[i], "w4") && i + 1 < argc) { w4_n = atol(argv[++i]); only |= 4; }
        else if (!strcmp(argv[i], "--stack") && i + 1 < argc) stack_size = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    }
    if (runs < 1 || runs > 31) runs = 5;
    if (only) { do_w1 = only & 1; do_w2 = (only & 2) != 0; do_w4 = (only & 4) != 0; }
    return wa_run(amain, NULL) == 0 ? 0 : 1;
}
