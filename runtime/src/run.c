/* wa_run / wa_run_start: asyncio.run() for C, and for JS (the bindings'
 * run() starts its main task with wa__run_start_task).
 *
 * Main runs as a task. When it is done, every task still alive is cancelled
 * and awaited (again, a few rounds, in case cleanups start new tasks);
 * leftovers that end in failure are reported; then the completion is
 * delivered. The run always ends:
 *  - a run that can never finish (the web host sees nothing left that could
 *    wake it: Node's beforeExit) is a deadlock: every task is cancelled; if
 *    the host sees it idle again with the run unfinished, the run gives up;
 *  - leftovers that do not end within the cleanup time limit after being
 *    cancelled (tasks that swallow cancellation) make it give up too.
 * Giving up ends the run with an error naming the tasks still alive (they
 * stay in the loop; a new run may start). */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WA_CLEANUP_ROUNDS 8

static wa_run_state_t *R(void) { return &wa__loop.run; }

/* Forget the cleanup in progress (its gather and timer). */
static void cleanup_drop(void);

/* how: 0 main and its cleanup ended; WA_RUN_DEADLOCK, WA_RUN_GAVE_UP. */
static void run_finish(int status, char *msg, int how) {
    wa_run_state_t *r = R();
    wa_run_done_fn done = r->done;
    void *user = r->user;
    bool hooked = r->host_hooked;
    cleanup_drop();
    free(r->message);
    wa_release(r->main);
    memset(r, 0, sizeof *r); /* a new run may start from the callback */
    r->ended = how;
    if (hooked) wa_host_run_ended();
    if (done) done(status, msg, user);
    free(msg);
}

static void run_end(void) {
    wa_run_state_t *r = R();
    if (r->deadlock) {
        run_finish(WA_EDEADLOCK, wa__strdup("deadlock: main was waiting for something that can never happen"),
                   WA_RUN_DEADLOCK);
        return;
    }
    char *msg = r->message;
    r->message = NULL;
    run_finish(r->status, msg, 0);
}

/* "N task(s) ...: 'a', 'b', ..." naming the tasks still alive. */
static char *stuck_message(const char *why) {
    size_t n = wa_all_tasks(NULL, 0);
    wa_task_t **all = n ? malloc(n * sizeof *all) : NULL;
    if (all) n = wa_all_tasks(all, n);
    else n = 0;
    size_t cap = strlen(why) + 64;
    for (size_t i = 0; i < n; i++) cap += strlen(wa_task_name(all[i])) + 4;
    char *s = malloc(cap);
    if (s) {
        size_t k = (size_t)snprintf(s, cap, "%s: %zu task%s did not end after being cancelled", why, n, n == 1 ? "" : "s");
        for (size_t i = 0; i < n && k < cap; i++)
            k += (size_t)snprintf(s + k, cap - k, "%s'%s'", i ? ", " : ": ", wa_task_name(all[i]));
    }
    free(all);
    return s;
}

static void give_up(int status, const char *why) {
    run_finish(status, stuck_message(why), WA_RUN_GAVE_UP);
}

static void cleanup_round(void);
static void main_done(wa_future_t *f, void *arg);

static void cleanup_done(wa_future_t *g, void *arg) {
    (void)g;
    (void)arg;
    wa_run_state_t *r = R();
    for (size_t i = 0; i < r->nleft; i++) {
        wa_future_t *t = r->left[i];
        if (t->state == FUT_ERROR && !(t->flags & FFLAG_VIEW_REPORTS)) wa__report_unretrieved(t);
    }
    free(r->left);
    r->left = NULL;
    r->nleft = 0;
    wa_future_t *cg = r->cleanup;
    r->cleanup = NULL;
    wa_release(cg);
    cleanup_round();
}

static void cleanup_drop(void) {
    wa_run_state_t *r = R();
    if (r->cleanup) {
        wa_future_remove_done_callback(r->cleanup, cleanup_done, NULL);
        wa_release(r->cleanup);
        r->cleanup = NULL;
    }
    free(r->left);
    r->left = NULL;
    r->nleft = 0;
    if (r->main && r->phase == 1) wa_future_remove_done_callback(r->main, main_done, NULL);
    if (r->has_timer) wa_handle_cancel(r->timer);
    r->has_timer = false;
}

static void cleanup_timeout(void *arg) {
    (void)arg;
    wa_run_state_t *r = R();
    r->has_timer = false;
    char why[96];
    snprintf(why, sizeof why, "run() gave up: %g ms after main ended", r->cleanup_ms);
    give_up(WA_ETIMEDOUT, why);
}

static void cleanup_round(void) {
    wa_run_state_t *r = R();
    size_t n = wa_all_tasks(NULL, 0);
    if (n == 0 || r->rounds++ >= WA_CLEANUP_ROUNDS) {
        run_end();
        return;
    }
    wa_task_t **left = malloc(n * sizeof *left);
    wa_future_t *g = NULL;
    if (!left) {
        run_end();
        return;
    }
    wa_all_tasks(left, n);
    for (size_t i = 0; i < n; i++) wa_cancel(left[i], NULL);
    if (wa_gather(&g, left, n, WA_RETURN_EXCEPTIONS) != 0 ||
        wa_future_add_done_callback(g, cleanup_done, NULL) != 0) {
        wa_release(g);
        free(left);
        run_end();
        return;
    }
    r->cleanup = g;
    r->left = left; /* borrowed: the gather holds the references */
    r->nleft = n;
}

static void main_done(wa_future_t *f, void *arg) {
    (void)arg;
    wa_run_state_t *r = R();
    r->status = wa_future_status(f);
    r->message = wa__strdup(f->message);
    r->phase = 2;
    if (isfinite(r->cleanup_ms) &&
        wa_call_later(r->cleanup_ms, cleanup_timeout, NULL, &r->timer) == 0)
        r->has_timer = true;
    cleanup_round();
}

int wa__run_start_task(wa_task_t *main, double cleanup_ms, bool host_hooked,
                       wa_run_done_fn done, void *user) {
    wa_run_state_t *r = R();
    if (!wa_is_task(main) || !(cleanup_ms >= 0)) return WA_EINVAL;
    if (r->phase) return WA_ESTATE;
    if (wa_future_done(main)) return WA_ESTATE;
    int rc = wa_future_add_done_callback(main, main_done, NULL);
    if (rc) return rc;
    memset(r, 0, sizeof *r);
    r->main = wa_ref(main);
    r->done = done;
    r->user = user;
    r->cleanup_ms = cleanup_ms;
    r->host_hooked = host_hooked;
    r->phase = 1;
    if (host_hooked) wa_host_run_started();
    return 0;
}

static int run_start(wa_coro_fn main, void *arg, const wa_task_opts_t *opts,
                     bool host_hooked, wa_run_done_fn done, void *user) {
    if (!main) return WA_EINVAL;
    if (R()->phase) return WA_ESTATE;
    wa_task_t *t;
    int rc = wa_spawn(&t, main, arg, opts);
    if (rc) return rc;
    rc = wa__run_start_task(t, WA_RUN_CLEANUP_MS, host_hooked, done, user);
    if (rc) wa_cancel(t, NULL);
    wa_release(t);
    return rc;
}

int wa_run_start(wa_coro_fn main, void *arg, const wa_task_opts_t *opts,
                 wa_run_done_fn done, void *user) {
    return run_start(main, arg, opts, false, done, user);
}

bool wa__run_active(void) { return R()->phase != 0; }

/* Nothing can ever wake the run (the host saw the loop idle with the run
 * unfinished): the first time, cancel every live task and return how many
 * were cancelled; the next time (still unfinished: tasks that ignore
 * cancellation), give up. Returns 0 when there is nothing (more) to do. */
WA_EXPORT int wa__run_deadlock(void) {
    wa_run_state_t *r = R();
    if (!r->phase) return 0;
    if (r->deadlock) {
        give_up(WA_EDEADLOCK, "deadlock: run() gave up");
        return 0;
    }
    r->deadlock = true;
    size_t n = wa_all_tasks(NULL, 0);
    wa_task_t **all = n ? malloc(n * sizeof *all) : NULL;
    if (!all) {
        give_up(WA_EDEADLOCK, "deadlock: run() gave up");
        return 0;
    }
    n = wa_all_tasks(all, n);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        if (wa_cancel(all[i], "wasyncio: deadlock") == 1) k++;
    free(all);
    return k;
}

static void host_done(int status, const char *message, void *user) {
    (void)user;
    wa_host_run_done(status, message);
}

typedef struct {
    bool finished;
    int status;
} sync_done_t;

static void sync_done(int status, const char *message, void *user) {
    (void)message;
    sync_done_t *s = user;
    s->finished = true;
    s->status = status;
}

int wa_run(wa_coro_fn main, void *arg) {
    wa_loop_t *L = &wa__loop;
    if (!main) return WA_EINVAL;
    if (!wa_host_blocks()) return run_start(main, arg, NULL, true, host_done, NULL);
    if (L->current || L->in_run_once) return WA_ESTATE;
    sync_done_t s = {false, 0};
    int rc = run_start(main, arg, NULL, false, sync_done, &s);
    if (rc) return rc;
    while (!s.finished) {
        wa_run_once(L->budget_ms);
        if (s.finished) break;
        /* nothing can wake the loop: cancel everything, then give up */
        if (wa_loop_wait(-1) == WA_EDEADLOCK && wa__run_deadlock() == 0 && !s.finished)
            wa__run_deadlock();
    }
    return s.status;
}
