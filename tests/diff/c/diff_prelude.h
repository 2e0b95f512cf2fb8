/* The fixed part of the differential test's C programs (emit_c.mjs writes
 * the bodies): logging in the oracle's format, error formatting, task
 * spawning, and a driver that runs each program on the virtual clock until
 * it is quiescent (nothing ready, no timer), like the oracle's loop.
 *
 * Output, per program: "=== <seed>", the trace lines, "stuck: <names>",
 * "=== end <status>" (ok, or hang if it never became quiescent). */
#include "wasyncio.h"
#include "wasyncio/sync.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Boom(message): an application error (positive codes are the caller's). */
#define BOOM 1
#define MAX_TASKS 2048
#define MAX_OWN 64

static int D_recording;   /* trace lines are printed only while recording */
static int D_count;       /* task names: t1, t2 ... (as the oracle's nm()) */
static char D_names[MAX_TASKS][12];
static wa_queue_t *Q;
static wa_lock_t *LK;
static wa_event_t *EV;
static int Q_prio;        /* a PriorityQueue: the item is its priority */

__attribute__((format(printf, 2, 3))) static void L(const char *me, const char *fmt, ...) {
    if (!D_recording) return;
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", me);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

static const char *B(int v) { return v ? "True" : "False"; }

static long long NOW(void) { return llround(wa_time()); }

/* The error being handled in a body: its code and message (copied). */
typedef struct {
    int code;
    char msg[256]; /* for WA_EGROUP: the oracle's EG[...] text */
} err_t;

static void ERR(err_t *e, int code, const char *msg) {
    e->code = code;
    snprintf(e->msg, sizeof e->msg, "%s", msg ? msg : "");
}

/* The oracle's fmt(e, msg_ok); the C subset never cancels with a message. */
static const char *FMT(const err_t *e, int msg_ok, char *buf, size_t cap) {
    switch (e->code) {
    case WA_ECANCELLED: return msg_ok ? "Cancelled()" : "Cancelled";
    case WA_ETIMEDOUT: return "Timeout";
    case WA_EEMPTY: return "QueueEmpty";
    case WA_EFULL: return "QueueFull";
    case WA_ESHUTDOWN: return "QueueShutDown";
    case WA_EVALUE: return "ValueError";
    case BOOM: snprintf(buf, cap, "Boom(%s)", e->msg); return buf;
    case WA_EGROUP: return e->msg;
    default: snprintf(buf, cap, "E%d", e->code); return buf;
    }
}

/* A TaskGroup's failure as the oracle's fmt of its ExceptionGroup:
 * EG[<each error>] in the group's order (children's, then the body's). A
 * child that failed with a group carries that text as its message. */
static inline void EGERR(err_t *e, const wa_taskgroup_t *tg) {
    char text[sizeof e->msg] = "EG[", one[sizeof e->msg];
    for (size_t i = 0; i < wa_taskgroup_error_count(tg); i++) {
        err_t x;
        const char *msg = NULL;
        int code = 0;
        wa_taskgroup_error(tg, i, &code, &msg, NULL);
        ERR(&x, code, msg);
        if (i) strncat(text, ",", sizeof text - strlen(text) - 1);
        strncat(text, FMT(&x, 0, one, sizeof one), sizeof text - strlen(text) - 1);
    }
    strncat(text, "]", sizeof text - strlen(text) - 1);
    ERR(e, WA_EGROUP, text);
}

/* A done child's value as the oracle's fmtv: a task returns its name. */
static const char *VAL(wa_future_t *f, char *buf, size_t cap) {
    int rc = wa_future_status(f);
    if (rc == 0) return wa_future_result(f);
    err_t e;
    ERR(&e, rc, wa_future_message(f));
    return FMT(&e, 0, buf, cap);
}

/* The tasks a body spawned (released when it ends). */
typedef struct {
    wa_task_t *t[MAX_OWN];
    int n;
} own_t;

static wa_task_t *spawn_with(own_t *own, wa_coro_fn fn, unsigned flags) {
    if (D_count + 1 >= MAX_TASKS || own->n >= MAX_OWN) {
        fprintf(stderr, "diff_prelude: too many tasks\n");
        exit(3);
    }
    char *name = D_names[++D_count];
    snprintf(name, sizeof D_names[0], "t%d", D_count);
    wa_task_opts_t o = {.name = name, .flags = flags};
    wa_task_t *t;
    if (wa_spawn(&t, fn, name, &o) != 0) {
        fprintf(stderr, "diff_prelude: wa_spawn failed\n");
        exit(3);
    }
    own->t[own->n++] = t;
    return t;
}

/* The oracle's spawn(body) and spawn(body, True) (eager_start). */
static inline wa_task_t *SPAWN(own_t *own, wa_coro_fn fn) { return spawn_with(own, fn, 0); }
static inline wa_task_t *SPAWN_EAGER(own_t *own, wa_coro_fn fn) { return spawn_with(own, fn, WA_TASK_EAGER); }

/* tg.create_task(body(name), name=name), as the oracle's tgspawn. */
static inline wa_task_t *TGSPAWN(own_t *own, wa_taskgroup_t *tg, wa_coro_fn fn) {
    if (D_count + 1 >= MAX_TASKS || own->n >= MAX_OWN) {
        fprintf(stderr, "diff_prelude: too many tasks\n");
        exit(3);
    }
    char *name = D_names[++D_count];
    snprintf(name, sizeof D_names[0], "t%d", D_count);
    wa_task_opts_t o = {.name = name};
    wa_task_t *t;
    if (wa_taskgroup_spawn(tg, &t, fn, name, &o) != 0) {
        fprintf(stderr, "diff_prelude: wa_taskgroup_spawn failed\n");
        exit(3);
    }
    own->t[own->n++] = t;
    return t;
}

static void RELEASE(own_t *own) {
    for (int i = 0; i < own->n; i++) wa_release(own->t[i]);
    own->n = 0;
}

/* The oracle's live(*xs): drop NULLs and repeats, keep the order. */
static size_t LIVE(wa_future_t **out, int n, ...) {
    va_list ap;
    va_start(ap, n);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        wa_future_t *f = va_arg(ap, wa_future_t *);
        if (!f) continue;
        size_t j = 0;
        while (j < k && out[j] != f) j++;
        if (j == k) out[k++] = f;
    }
    va_end(ap);
    return k;
}

/* ---- the driver ------------------------------------------------------------ */

typedef struct {
    int seed;
    wa_coro_fn main;
    int queue_kind; /* -1: no queue */
    size_t queue_max;
} prog_t;

static wa_future_t *D_quiescent; /* set by the driver once nothing is left to run */

static int D_root(void *arg) {
    const prog_t *p = arg;
    wa_task_opts_t o = {.name = "main"};
    wa_task_t *m;
    int rc = wa_spawn(&m, p->main, (void *)"main", &o);
    if (rc) return rc;
    rc = wa_await(D_quiescent);
    wa_release(m);
    return rc;
}

static void D_on_done(int status, const char *message, void *user) {
    (void)status;
    (void)message;
    *(int *)user = 1;
}

/* Unretrieved failures are part of the programs (the oracle ignores them). */
static void D_ignore(wa_future_t *fut, int code, const char *message, void *arg) {
    (void)fut;
    (void)code;
    (void)message;
    (void)arg;
}

static int D_cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int D_run(const prog_t *p) {
    D_count = 0;
    if (wa_lock_new(&LK) || wa_event_new(&EV) || wa_future_new(&D_quiescent)) return 3;
    Q = NULL;
    Q_prio = p->queue_kind == WA_QUEUE_PRIORITY;
    if (p->queue_kind >= 0) {
        wa_queue_opts_t qo = {.kind = p->queue_kind, .maxsize = p->queue_max};
        if (wa_queue_new(&Q, &qo)) return 3;
    }
    if (wa_loop_set_clock(WA_CLOCK_VIRTUAL)) return 3;
    wa_set_exception_handler(D_ignore, NULL);
    printf("=== %d\n", p->seed);
    D_recording = 1;
    int done = 0;
    if (wa_run_start(D_root, (void *)p, &(wa_task_opts_t){.name = "(root)"}, D_on_done, &done)) return 3;
    int quiet = 0;
    for (int turn = 0; turn < 1000 && !quiet; turn++) {
        wa_run_once(1000);
        quiet = wa_loop_next_wakeup() < 0;
    }
    D_recording = 0;
    wa_task_t *tasks[MAX_TASKS];
    size_t n = wa_all_tasks(tasks, MAX_TASKS), k = 0;
    const char *names[MAX_TASKS];
    for (size_t i = 0; i < n && i < MAX_TASKS; i++)
        if (strcmp(wa_task_name(tasks[i]), "(root)") != 0) names[k++] = wa_task_name(tasks[i]);
    qsort(names, k, sizeof names[0], D_cmp);
    printf("stuck: ");
    for (size_t i = 0; i < k; i++) printf(i ? ",%s" : "%s", names[i]);
    printf("\n");
    /* end the run: the root returns, the run cancels what is left */
    wa_future_set_result(D_quiescent, NULL, NULL);
    for (int turn = 0; turn < 100000 && !done; turn++) {
        wa_run_once(1000);
        if (!done && wa_loop_next_wakeup() < 0) break;
    }
    /* tasks that swallowed the run's cancellation: cancel them until they
     * end (each swallows a bounded number), so none runs into the next
     * program; then free the objects */
    for (int round = 0; round < 200 && wa_all_tasks(NULL, 0); round++) {
        n = wa_all_tasks(tasks, MAX_TASKS);
        for (size_t i = 0; i < n && i < MAX_TASKS; i++) wa_cancel(tasks[i], NULL);
        for (int turn = 0; turn < 1000 && wa_loop_next_wakeup() >= 0; turn++) wa_run_once(1000);
    }
    int left = (int)wa_all_tasks(NULL, 0);
    printf("=== end %s\n", !quiet ? "hang" : !done || left ? "leftover" : "ok");
    fflush(stdout);
    wa_release(D_quiescent);
    if (Q) wa_queue_destroy(Q);
    wa_event_destroy(EV);
    wa_lock_destroy(LK);
    if (!done || left) return 2;
    return wa_loop_set_clock(WA_CLOCK_HOST) ? 2 : 0;
}
