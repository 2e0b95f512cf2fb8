/* Eager tasks (WA_TASK_EAGER: asyncio's eager_start, 3.12+): the first step
 * runs inside the spawn call, as the current task, up to its first
 * suspension. The test bodies are coroutine tasks, so a coroutine spawned
 * eagerly here nests one coroutine resume inside another. */
#include "harness.h"

static const wa_task_opts_t EAGER = {.name = "eager", .flags = WA_TASK_EAGER};

static int sleepy(void *arg) {
    wa_log("%s start cur=%d", (const char *)arg, wa_current_task() != NULL && strcmp(wa_task_name(wa_current_task()), "eager") == 0);
    int rc = wa_sleep(0);
    wa_log("%s again", (const char *)arg);
    return rc;
}

static int quick(void *arg) {
    (void)arg;
    wa_log("quick");
    return wa_return((void *)42, NULL);
}

static int lazy(void *arg) {
    wa_log("%s", (const char *)arg);
    return 0;
}

TEST(eager_coroutine_runs_inside_spawn_until_it_suspends) {
    wa_task_t *me = wa_current_task();
    wa_task_t *a, *b, *c;
    CHECK_EQ(wa_spawn(&a, lazy, "lazy a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, sleepy, "b", &EAGER), 0);
    CHECK(wa_current_task() == me);
    CHECK_EQ(wa_spawn(&c, lazy, "lazy c", NULL), 0);
    wa_log("main");
    CHECK(!wa_future_done(b));
    CHECK_EQ(wa_await(a), 0);
    CHECK_EQ(wa_await(b), 0);
    CHECK_EQ(wa_await(c), 0);
    /* asyncio 3.14 gives this order */
    CHECK_STR(wa_log_text(), "b start cur=1 main lazy a b again lazy c");
    wa_release(a);
    wa_release(b);
    wa_release(c);
    return 0;
}

TEST(eager_task_that_never_suspends_comes_back_done) {
    wa_task_t *t;
    uint64_t before = 0;
    wa_stats_t st;
    wa_get_stats(&st);
    before = st.switches;
    CHECK_EQ(wa_spawn(&t, quick, NULL, &EAGER), 0);
    CHECK(wa_future_done(t));
    CHECK_EQ(wa_future_status(t), 0);
    CHECK(wa_future_result(t) == (void *)42);
    wa_get_stats(&st);
    CHECK(st.switches == before + 1);
    wa_get_stats(&st);
    CHECK_EQ((int)st.ready, 0); /* nothing was queued for it */
    wa_release(t);
    /* fire and forget: freed at once */
    CHECK_EQ(wa_spawn(NULL, quick, NULL, &EAGER), 0);
    CHECK_STR(wa_log_text(), "quick quick");
    return 0;
}

static int step_state;
static int eager_step(void *state, int status) {
    int *n = state;
    wa_log("step %d status %d", (*n)++, status);
    if (*n == 1) {
        wa_step_sleep(0);
        return WA_PENDING;
    }
    return 0;
}

/* A coroutine that spawns an eager coroutine that spawns an eager step task. */
static int nested_inner(void *arg) {
    (void)arg;
    wa_log("inner");
    wa_task_t *s;
    step_state = 0;
    int rc = wa_spawn_step(&s, eager_step, &step_state, &EAGER);
    if (rc) return rc;
    wa_log("inner after step");
    rc = wa_sleep(1);
    if (rc == 0) rc = wa_await(s);
    wa_release(s);
    wa_log("inner end");
    return rc;
}

TEST(eager_starts_nest) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, nested_inner, NULL, &EAGER), 0);
    wa_log("outer");
    CHECK_EQ(wa_await(t), 0);
    wa_release(t);
    CHECK_STR(wa_log_text(), "inner step 0 status 0 inner after step outer step 1 status 0 inner end");
    return 0;
}

static int fails_at_once(void *arg) {
    (void)arg;
    return wa_fail(WA_EFAILED, "eager boom");
}

static int sibling(void *arg) {
    (void)arg;
    int rc = wa_sleep(100);
    wa_log("sibling %s", rc == WA_ECANCELLED ? "cancelled" : "finished");
    return rc;
}

TEST(eager_child_failing_at_once_aborts_its_group) {
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, sibling, NULL, NULL), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, fails_at_once, NULL, &EAGER), 0);
    wa_log("body after spawn");
    int rc = wa_sleep(1000);
    wa_log("body %s", rc == WA_ECANCELLED ? "cancelled" : "slept");
    rc = wa_taskgroup_exit(tg, rc);
    CHECK_EQ(rc, WA_EGROUP);
    wa_taskgroup_free(tg);
    /* the sibling, cancelled before it ever ran, never starts (asyncio) */
    CHECK_STR(wa_log_text(), "body after spawn body cancelled");
    return 0;
}
