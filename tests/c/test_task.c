/* Tasks: results and errors, awaiting tasks, names, current/all tasks,
 * deep stacks, many tasks, stackless step tasks. */
#include "harness.h"

#include <stdlib.h>

static int return_arg(void *arg) { return wa_return(arg, NULL); }

TEST(task_result_and_task_is_a_future) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, return_arg, (void *)"hello", NULL), 0);
    CHECK(wa_is_task(t));
    CHECK(!wa_future_done(t));
    CHECK_EQ(wa_future_status(t), WA_ESTATE);
    CHECK_EQ(wa_await(t), 0);
    CHECK(wa_future_done(t));
    CHECK(!wa_future_cancelled(t));
    CHECK_STR((const char *)wa_future_result(t), "hello");
    CHECK_EQ(wa_future_status(t), 0);
    wa_release(t);
    return 0;
}

static int return_owned(void *arg) {
    (void)arg;
    int *p = malloc(sizeof *p);
    if (!p) return WA_ENOMEM;
    *p = 42;
    return wa_return(p, free); /* freed with the task: ASan checks it */
}

TEST(task_result_destructor_runs_on_release) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, return_owned, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_EQ(*(int *)wa_future_result(t), 42);
    wa_release(t);
    return 0;
}

static int fails(void *arg) {
    int rc = wa_sleep(1);
    if (rc) return rc;
    return wa_fail(WA_EFAILED, "boom %d", (int)(intptr_t)arg);
}

TEST(task_awaiting_a_failed_task_gets_code_and_message) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, fails, (void *)7, NULL), 0);
    CHECK_EQ(wa_await(t), WA_EFAILED);
    CHECK_STR(wa_future_message(t), "boom 7");
    CHECK(wa_future_result(t) == NULL);
    CHECK(!wa_future_cancelled(t));
    wa_release(t);
    return 0;
}

static int app_error(void *arg) {
    (void)arg;
    return 1234; /* positive codes are application errors */
}

TEST(positive_codes_are_application_errors) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, app_error, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), 1234);
    CHECK_STR(wa_strerror(1234), "application error");
    wa_release(t);
    return 0;
}

static int awaits_other(void *arg) {
    wa_task_t *other = arg;
    int rc = wa_await(other);
    if (rc) return rc;
    return wa_return((void *)((intptr_t)wa_future_result(other) + 1), NULL);
}

static int return_five(void *arg) {
    (void)arg;
    int rc = wa_sleep(2);
    if (rc) return rc;
    return wa_return((void *)(intptr_t)5, NULL);
}

TEST(tasks_awaiting_tasks_chain) {
    wa_task_t *a, *b, *c;
    CHECK_EQ(wa_spawn(&a, return_five, NULL, NULL), 0);
    CHECK_EQ(wa_spawn(&b, awaits_other, a, NULL), 0);
    CHECK_EQ(wa_spawn(&c, awaits_other, b, NULL), 0);
    CHECK_EQ(wa_await(c), 0);
    CHECK_EQ((intptr_t)wa_future_result(c), 7);
    wa_release(a);
    wa_release(b);
    wa_release(c);
    return 0;
}

TEST(task_names_default_and_custom) {
    wa_task_t *a, *b;
    wa_task_opts_t o = {.name = "fetcher"};
    CHECK_EQ(wa_spawn(&a, return_arg, NULL, &o), 0);
    CHECK_EQ(wa_spawn(&b, return_arg, NULL, NULL), 0);
    CHECK_STR(wa_task_name(a), "fetcher");
    CHECK(strncmp(wa_task_name(b), "Task-", 5) == 0);
    CHECK_EQ(wa_task_set_name(b, "renamed"), 0);
    CHECK_STR(wa_task_name(b), "renamed");
    CHECK(wa_task_name(NULL) == NULL);
    wa_await(a);
    wa_await(b);
    wa_release(a);
    wa_release(b);
    return 0;
}

static int check_current(void *arg) {
    wa_task_t **slot = arg;
    *slot = wa_current_task();
    return 0;
}

TEST(current_task_and_all_tasks) {
    wa_task_t *me = wa_current_task();
    CHECK(me != NULL);
    wa_task_t *t, *seen = NULL;
    CHECK_EQ(wa_spawn(&t, check_current, &seen, NULL), 0);
    wa_task_t *all[8];
    size_t n = wa_all_tasks(all, 8);
    CHECK_EQ(n, 2);
    CHECK((all[0] == me && all[1] == t) || (all[0] == t && all[1] == me));
    CHECK_EQ(wa_await(t), 0);
    CHECK(seen == t);
    CHECK_EQ(wa_all_tasks(NULL, 0), 1);
    wa_release(t);
    return 0;
}

static void no_task_cb(void *arg) { *(wa_task_t **)arg = wa_current_task(); }

TEST(no_current_task_in_plain_callbacks) {
    wa_task_t *seen = (wa_task_t *)1;
    wa_call_soon(no_task_cb, &seen, NULL);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(seen == NULL);
    return 0;
}

/* Recursion 10 frames deep with live locals across the suspension. */
static int deep(int depth, int *log) {
    volatile int local[4] = {depth, depth * 2, depth * 3, depth * 4};
    if (depth == 0) {
        int rc = wa_sleep(1);
        if (rc) return -1000;
        rc = wa_sleep(0);
        if (rc) return -1000;
        (*log)++;
        return 0;
    }
    int r = deep(depth - 1, log);
    return r + local[0] + local[1] + local[2] + local[3] - 10 * depth;
}

static int deep_task(void *arg) {
    int log = 0;
    int r = deep(10, &log);
    *(int *)arg = r * 100 + log;
    return 0;
}

TEST(await_ten_frames_deep_keeps_every_frame) {
    int out[3] = {-1, -1, -1};
    wa_task_t *t[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_spawn(&t[i], deep_task, &out[i], NULL), 0);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, 3, 0), 0);
    CHECK_EQ(wa_await(g), 0);
    for (int i = 0; i < 3; i++) CHECK_EQ(out[i], 1); /* r == 0, log == 1 */
    wa_release(g);
    for (int i = 0; i < 3; i++) wa_release(t[i]);
    return 0;
}

static int tiny(void *arg) {
    int rc = wa_sleep(1);
    if (rc) return rc;
    return wa_return(arg, NULL);
}

TEST(ten_thousand_tasks_alive_at_once) {
    enum { N = 10000 };
    wa_task_t **t = malloc(N * sizeof *t);
    CHECK(t != NULL);
#ifdef __wasm__
    wa_task_opts_t o = {.stack_size = 4096}; /* 40 MB in all: wasm memory never shrinks */
#else
    wa_task_opts_t o = {.stack_size = 32 * 1024}; /* ASan frames are large */
#endif
    for (intptr_t i = 0; i < N; i++) {
        int rc = wa_spawn(&t[i], tiny, (void *)i, &o);
        if (rc) { free(t); return rc; }
    }
    wa_stats_t st;
    wa_get_stats(&st);
    CHECK(st.tasks >= N);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, N, 0), 0);
    CHECK_EQ(wa_await(g), 0);
    long long sum = 0;
    for (int i = 0; i < N; i++) sum += (intptr_t)wa_future_result(t[i]);
    CHECK_EQ(sum, (long long)N * (N - 1) / 2);
    wa_release(g);
    for (int i = 0; i < N; i++) wa_release(t[i]);
    free(t);
    return 0;
}

static int churn_child(void *arg) {
    (void)arg;
    return wa_sleep(0);
}

TEST(task_churn_leaves_nothing_behind) {
    wa_stats_t before, after;
    wa_get_stats(&before);
    wa_task_opts_t o = {.stack_size = 4096};
    for (int round = 0; round < 50; round++) {
        wa_task_t *t[200];
        for (int i = 0; i < 200; i++) CHECK_EQ(wa_spawn(&t[i], churn_child, NULL, &o), 0);
        for (int i = 0; i < 200; i += 2) wa_release(t[i]); /* fire and forget half */
        for (int i = 1; i < 200; i += 2) {
            CHECK_EQ(wa_await(t[i]), 0);
            wa_release(t[i]);
        }
        CHECK_EQ(wa_sleep(0), 0);
        CHECK_EQ(wa_sleep(0), 0);
    }
    wa_get_stats(&after);
    CHECK_EQ(after.futures, before.futures);
    CHECK_EQ(after.tasks, before.tasks);
    CHECK_EQ(after.stacks_in_use, before.stacks_in_use);
    CHECK(after.stacks_pooled > 0); /* stacks were reused, not freed */
    return 0;
}

/* ---- stackless step tasks ---- */

typedef struct {
    int stage;
    wa_future_t *f;
    int got;
} step_state_t;

static int step_fn(void *p, int status) {
    step_state_t *s = p;
    switch (s->stage++) {
    case 0:
        wa_log("step0");
        wa_step_sleep(1);
        return WA_PENDING;
    case 1:
        wa_log("step1:%d", status);
        wa_step_await(s->f);
        return WA_PENDING;
    case 2:
        s->got = (int)(intptr_t)wa_future_result(s->f);
        wa_log("step2:%d", status);
        return wa_return((void *)(intptr_t)(s->got * 2), NULL);
    }
    return WA_ESTATE;
}

TEST(step_task_sleeps_awaits_and_returns) {
    step_state_t st = {0};
    CHECK_EQ(wa_future_new(&st.f), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, step_fn, &st, NULL), 0);
    /* Wait for the step task's 1 ms sleep to end by polling its log, not by
     * sleeping longer: under load it may start its sleep after ours began. */
    for (int i = 0; i < 10000 && strcmp(wa_log_text(), "step0 step1:0"); i++) CHECK_EQ(wa_sleep(1), 0);
    CHECK_STR(wa_log_text(), "step0 step1:0");
    CHECK_EQ(wa_future_set_result(st.f, (void *)(intptr_t)21, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_EQ((intptr_t)wa_future_result(t), 42);
    CHECK_STR(wa_log_text(), "step0 step1:0 step2:0");
    wa_release(st.f);
    wa_release(t);
    return 0;
}

static int step_waits_forever(void *p, int status) {
    wa_future_t *f = p;
    if (status == WA_ECANCELLED) {
        wa_log("step-cancelled");
        return WA_ECANCELLED;
    }
    wa_step_await(f);
    return WA_PENDING;
}

TEST(step_task_cancel_delivers_status) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, step_waits_forever, f, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t, "stop"), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(wa_future_cancelled(f)); /* the awaited future was cancelled too */
    CHECK_STR(wa_log_text(), "step-cancelled");
    CHECK_STR(wa_future_message(t), "stop");
    wa_release(f);
    wa_release(t);
    return 0;
}

static int step_pending_without_wait(void *p, int status) {
    (void)p;
    (void)status;
    return WA_PENDING;
}

TEST(step_returning_pending_without_a_wait_fails_clearly) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, step_pending_without_wait, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), WA_ESTATE);
    CHECK(strstr(wa_future_message(t), "WA_PENDING") != NULL);
    wa_release(t);
    return 0;
}

static int arg_frees;
static void count_free(void *p) {
    (void)p;
    arg_frees++;
}

TEST(arg_free_runs_once_whether_or_not_the_body_ran) {
    arg_frees = 0;
    wa_task_t *a, *b, *c;
    wa_task_opts_t o = {.arg_free = count_free};
    CHECK_EQ(wa_spawn(&a, return_arg, (void *)"x", &o), 0);
    CHECK_EQ(wa_spawn(&b, return_arg, (void *)"y", &o), 0);
    CHECK_EQ(wa_spawn_step(&c, step_pending_without_wait, NULL, &o), 0);
    CHECK_EQ(wa_cancel(b, NULL), 1); /* never runs */
    CHECK_EQ(wa_await(a), 0);
    CHECK_EQ(wa_await(b), WA_ECANCELLED);
    CHECK_EQ(wa_await(c), WA_ESTATE);
    CHECK_EQ(arg_frees, 3);
    wa_release(a);
    wa_release(b);
    wa_release(c);
    CHECK_EQ(arg_frees, 3);
    return 0;
}

static void record_event(int ev, wa_task_t *t, int status, void *arg) {
    (void)arg;
    if (strcmp(wa_task_name(t), "traced") != 0) return;
    static const char *names[] = {"?", "created", "started", "suspended", "resumed", "cancelling", "done"};
    if (ev == WA_TASK_DONE) wa_log("done:%d", status);
    else wa_log("%s", names[ev]);
}

static int traced_body(void *arg) {
    (void)arg;
    int rc = wa_sleep(1);
    if (rc) return rc;
    return wa_sleep(10000);
}

TEST(task_hook_reports_the_life_cycle_in_order) {
    wa_set_task_hook(record_event, NULL);
    wa_task_t *t;
    wa_task_opts_t o = {.name = "traced"};
    CHECK_EQ(wa_spawn(&t, traced_body, NULL, &o), 0);
    CHECK(wa_task_id(t) > wa_task_id(wa_current_task()));
    CHECK_EQ(wa_task_id(NULL), 0);
    /* Poll until the task is in its second (long) sleep; a fixed sleep here
     * raced with the task's own 1 ms sleep under load. */
    for (int i = 0; i < 10000 && strcmp(wa_log_text(), "created started suspended resumed suspended"); i++)
        CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    wa_set_task_hook(NULL, NULL);
    CHECK_STR(wa_log_text(), "created started suspended resumed suspended cancelling resumed done:-1");
    wa_release(t);
    return 0;
}

static int step_done_at_once(void *state, int status) {
    (void)state;
    (void)status;
    return 0;
}

/* asyncio Task.get_coro(): what the task runs, before and after it ran. */
TEST(task_get_coro_gives_what_the_task_runs) {
    static int cookie;
    wa_task_t *c, *s;
    CHECK_EQ(wa_spawn(&c, return_arg, &cookie, NULL), 0);
    CHECK_EQ(wa_spawn_step(&s, step_done_at_once, &cookie, NULL), 0);
    wa_coro_fn fn = NULL;
    wa_step_fn step = step_done_at_once;
    void *arg = NULL;
    CHECK_EQ(wa_task_get_coro(c, &fn, &step, &arg), 0);
    CHECK(fn == return_arg && step == NULL && arg == &cookie);
    CHECK_EQ(wa_await(c), 0);
    CHECK_EQ(wa_await(s), 0);
    fn = return_arg;
    CHECK_EQ(wa_task_get_coro(s, &fn, &step, &arg), 0);
    CHECK(fn == NULL && step == step_done_at_once && arg == &cookie);
    CHECK_EQ(wa_task_get_coro(c, NULL, NULL, &arg), 0); /* done: still known */
    CHECK(arg == &cookie);
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_task_get_coro(f, &fn, &step, &arg), WA_EINVAL);
    CHECK_EQ(wa_task_get_coro(NULL, NULL, NULL, NULL), WA_EINVAL);
    wa_release(f);
    wa_release(c);
    wa_release(s);
    return 0;
}

/* Task-local context: a child copies its spawner's value at creation;
 * setting it later changes neither the child's nor the parent's. */
static int context_child(void *arg) {
    const char **seen = arg;
    seen[0] = wa_context_get();
    wa_sleep(0); /* the parent sets a new value meanwhile */
    seen[1] = wa_context_get();
    wa_context_set((void *)"child's own");
    return 0;
}

TEST(task_context_is_copied_at_spawn) {
    const char *seen[2] = {NULL, NULL};
    void *saved = wa_context_get();
    CHECK_EQ(wa_context_set((void *)"parent"), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, context_child, seen, NULL), 0);
    CHECK_EQ(wa_context_set((void *)"parent, later"), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(seen[0], "parent"); /* what it was at the spawn */
    CHECK_STR(seen[1], "parent");
    CHECK_STR(wa_context_get(), "parent, later"); /* the child's set stayed its own */
    wa_release(t);
    wa_context_set(saved);
    return 0;
}

/* asyncio Task.get_context(): the value the task runs with, as copied at
 * its spawn and as it set it; still there once it is done. */
TEST(task_get_context_gives_the_tasks_value) {
    const char *seen[2] = {NULL, NULL};
    void *saved = wa_context_get();
    CHECK_EQ(wa_context_set((void *)"parent"), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, context_child, seen, NULL), 0);
    CHECK_EQ(wa_context_set((void *)"parent, later"), 0);
    void *ctx = NULL;
    CHECK_EQ(wa_task_get_context(t, &ctx), 0);
    CHECK_STR(ctx, "parent");
    CHECK_EQ(wa_await(t), 0);
    CHECK_EQ(wa_task_get_context(t, &ctx), 0);
    CHECK_STR(ctx, "child's own");
    CHECK_EQ(wa_task_get_context(wa_current_task(), &ctx), 0);
    CHECK_STR(ctx, "parent, later");
    CHECK_EQ(wa_task_get_context(t, NULL), WA_EINVAL);
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_task_get_context(f, &ctx), WA_EINVAL);
    CHECK_EQ(wa_task_get_context(NULL, &ctx), WA_EINVAL);
    wa_release(f);
    wa_release(t);
    wa_context_set(saved);
    return 0;
}

static int await_arg(void *arg) {
    return wa_await(arg);
}

/* wa_task_get_stack (asyncio Task.get_stack()): the await chain from the
 * task down, each task with what it waits on; snprintf-like sizing. */
TEST(task_get_stack_follows_the_await_chain) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    wa_task_t *inner, *outer;
    CHECK_EQ(wa_spawn(&inner, await_arg, f, NULL), 0);
    CHECK_EQ(wa_spawn(&outer, await_arg, inner, NULL), 0);
    CHECK_EQ(wa_task_set_name(inner, "inner"), 0);
    CHECK_EQ(wa_task_set_name(outer, "outer"), 0);
    char buf[128];
    CHECK(wa_task_get_stack(outer, buf, sizeof buf) > 0);
    CHECK_STR(buf, "task 'outer' is ready");
    CHECK_EQ(wa_sleep(0), 0); /* both run up to their awaits */
    const char *chain = "task 'outer' awaits task 'inner' -> task 'inner' awaits a future";
    CHECK_EQ(wa_task_get_stack(outer, buf, sizeof buf), (int)strlen(chain));
    CHECK_STR(buf, chain);
    CHECK_EQ(wa_task_get_stack(outer, NULL, 0), (int)strlen(chain)); /* sizing */
    CHECK_EQ(wa_task_get_stack(outer, buf, 8), (int)strlen(chain));  /* cut */
    CHECK_STR(buf, "task 'o");
    CHECK_EQ(wa_task_get_stack(wa_current_task(), buf, sizeof buf), (int)strlen(buf));
    CHECK(strstr(buf, "' is running") != NULL);
    CHECK_EQ(wa_task_get_stack(outer, NULL, 4), WA_EINVAL);
    CHECK_EQ(wa_task_get_stack(f, buf, sizeof buf), WA_EINVAL);
    CHECK_EQ(wa_task_get_stack(NULL, buf, sizeof buf), WA_EINVAL);
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), 0);
    CHECK_EQ(wa_await(outer), 0);
    CHECK_EQ(wa_task_get_stack(outer, buf, sizeof buf), (int)strlen("task 'outer' is done"));
    CHECK_STR(buf, "task 'outer' is done");
    wa_release(f);
    wa_release(inner);
    wa_release(outer);
    return 0;
}
