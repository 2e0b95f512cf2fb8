/* wa_run / wa_run_start: asyncio.run() for C.
 *
 * Main runs as a task. When it is done, every task still alive is cancelled
 * and awaited (again, a few rounds, in case cleanups start new tasks);
 * leftovers that end in failure are reported; then the completion is
 * delivered. A run that can never finish (nothing ready, no timers, nothing
 * in flight) is a deadlock: every task is cancelled and the run ends with
 * WA_EDEADLOCK instead of hanging. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define WA_CLEANUP_ROUNDS 8

static wa_run_state_t *R(void) { return &wa__loop.run; }

static void run_finish(void) {
    wa_run_state_t *r = R();
    wa_run_done_fn done = r->done;
    void *user = r->user;
    int status = r->deadlock ? WA_EDEADLOCK : r->status;
    char *msg = r->message;
    if (r->deadlock) {
        free(msg);
        msg = wa__strdup("deadlock: main was waiting for something that can never happen");
    }
    wa_release(r->main);
    memset(r, 0, sizeof *r); /* a new run may start from the callback */
    if (done) done(status, msg, user);
    free(msg);
}

static void cleanup_round(void);

static void cleanup_done(wa_future_t *g, void *arg) {
    (void)arg;
    wa_run_state_t *r = R();
    for (size_t i = 0; i < r->nleft; i++) {
        wa_future_t *t = r->left[i];
        if (t->state == FUT_ERROR) wa__report_unretrieved(t);
    }
    free(r->left);
    r->left = NULL;
    r->nleft = 0;
    r->cleanup = NULL;
    wa_release(g);
    cleanup_round();
}

static void cleanup_round(void) {
    wa_run_state_t *r = R();
    size_t n = wa_all_tasks(NULL, 0);
    if (n == 0 || r->rounds++ >= WA_CLEANUP_ROUNDS) {
        run_finish();
        return;
    }
    wa_task_t **left = malloc(n * sizeof *left);
    wa_future_t *g = NULL;
    if (!left) {
        run_finish();
        return;
    }
    wa_all_tasks(left, n);
    for (size_t i = 0; i < n; i++) wa_cancel(left[i], NULL);
    if (wa_gather(&g, left, n, WA_RETURN_EXCEPTIONS) != 0 ||
        wa_future_add_done_callback(g, cleanup_done, NULL) != 0) {
        wa_release(g);
        free(left);
        run_finish();
        return;
    }
    r->cleanup = g;
    r->left = left; /* borrowed: the gather holds the references */
    r->nleft = n;
}

void wa__run_main_done(wa_future_t *f, void *arg) {
    (void)arg;
    wa_run_state_t *r = R();
    r->status = wa_future_status(f);
    r->message = wa__strdup(f->message);
    r->phase = 2;
    cleanup_round();
}

int wa_run_start(wa_coro_fn main, void *arg, const wa_task_opts_t *opts,
                 wa_run_done_fn done, void *user) {
    wa_run_state_t *r = R();
    if (!main) return WA_EINVAL;
    if (r->phase) return WA_ESTATE;
    wa_task_t *t;
    int rc = wa_spawn(&t, main, arg, opts);
    if (rc) return rc;
    rc = wa_future_add_done_callback(t, wa__run_main_done, NULL);
    if (rc) {
        wa_cancel(t, NULL);
        wa_release(t);
        return rc;
    }
    memset(r, 0, sizeof *r);
    r->main = t;
    r->done = done;
    r->user = user;
    r->phase = 1;
    return 0;
}

/* Cancel every live task because nothing can ever wake the run. Returns
 * how many were cancelled (0: nothing to do). Exported for the JS host,
 * which calls it when Node is about to exit with a run unfinished. */
WA_EXPORT int wa__run_deadlock(void) {
    wa_run_state_t *r = R();
    if (!r->phase) return 0;
    r->deadlock = true;
    size_t n = wa_all_tasks(NULL, 0);
    if (!n) return 0;
    wa_task_t **all = malloc(n * sizeof *all);
    if (!all) return 0;
    wa_all_tasks(all, n);
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
    if (!wa_host_blocks()) {
        int rc = wa_run_start(main, arg, NULL, host_done, NULL);
        if (rc == 0) wa_host_run_started();
        return rc;
    }
    if (L->current || L->in_run_once) return WA_ESTATE;
    sync_done_t s = {false, 0};
    int rc = wa_run_start(main, arg, NULL, sync_done, &s);
    if (rc) return rc;
    int stuck = 0;
    while (!s.finished) {
        wa_run_once(L->budget_ms);
        if (s.finished) break;
        if (wa_loop_wait(-1) == WA_EDEADLOCK) {
            if (++stuck > WA_CLEANUP_ROUNDS || wa__run_deadlock() == 0) {
                /* Tasks ignore cancellation and wait forever: give up on
                 * them (they stay in the loop) rather than hang. */
                wa_run_state_t *r = R();
                if (r->cleanup) {
                    wa_future_remove_done_callback(r->cleanup, cleanup_done, NULL);
                    wa_release(r->cleanup);
                }
                free(r->left);
                wa_release(r->main);
                free(r->message);
                memset(r, 0, sizeof *r);
                return WA_EDEADLOCK;
            }
        }
    }
    return s.status;
}
