/* asyncio.Event semantics. */
#include "harness.h"

static wa_event_t *E1;

static int waiter(void *arg) {
    int rc = wa_event_wait(E1);
    wa_log("%s:%d", (const char *)arg, rc);
    return rc;
}

TEST(event_set_wakes_all_waiters_in_fifo_order) {
    CHECK_EQ(wa_event_new(&E1), 0);
    CHECK(!wa_event_is_set(E1));
    wa_task_t *t[4];
    const char *names[4] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) CHECK_EQ(wa_spawn(&t[i], waiter, (void *)names[i], NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_STR(wa_log_text(), "");
    wa_log("set");
    CHECK_EQ(wa_event_set(E1), 0);
    CHECK(wa_event_is_set(E1));
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_STR(wa_log_text(), "set a:0 b:0 c:0 d:0");
    CHECK_EQ(wa_event_destroy(E1), 0);
    return 0;
}

TEST(event_wait_on_set_event_returns_at_once) {
    CHECK_EQ(wa_event_new(&E1), 0);
    CHECK_EQ(wa_event_set(E1), 0);
    CHECK_EQ(wa_event_set(E1), 0); /* idempotent */
    wa_stats_t before, after;
    wa_get_stats(&before);
    CHECK_EQ(wa_event_wait(E1), 0);
    wa_get_stats(&after);
    CHECK_EQ(after.futures, before.futures); /* no op allocated */
    CHECK_EQ(after.switches, before.switches); /* did not suspend */
    CHECK_EQ(wa_event_clear(E1), 0);
    CHECK(!wa_event_is_set(E1));
    CHECK_EQ(wa_event_destroy(E1), 0);
    return 0;
}

TEST(event_woken_waiter_returns_0_even_if_cleared_before_it_runs) {
    CHECK_EQ(wa_event_new(&E1), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, waiter, "w", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_event_set(E1), 0);
    CHECK_EQ(wa_event_clear(E1), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_log_text(), "w:0");
    /* a new wait blocks again */
    wa_future_t *op;
    CHECK_EQ(wa_event_wait_start(E1, &op), 0);
    CHECK(!wa_future_done(op));
    CHECK_EQ(wa_event_set(E1), 0);
    CHECK(!wa_future_done(op)); /* woken: it returns when it next runs */
    CHECK_EQ(wa_await(op), 0);
    CHECK_EQ(wa_op_rollback(op), 0); /* nothing to give back: stands */
    wa_release(op);
    wa_release(t);
    CHECK_EQ(wa_event_destroy(E1), 0);
    return 0;
}

TEST(event_cancelled_waiter_leaves_others_waiting) {
    CHECK_EQ(wa_event_new(&E1), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, waiter, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, waiter, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(a, "no"), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_STR(wa_future_message(a), "no");
    CHECK(!wa_future_done(b));
    CHECK_EQ(wa_event_set(E1), 0);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "a:-1 b:0");
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_event_destroy(E1), 0);
    return 0;
}

TEST(event_race_set_then_cancelled_delivers_cancel) {
    CHECK_EQ(wa_event_new(&E1), 0);
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, waiter, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_event_set(E1), 0);
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED); /* cancellation wins, nothing lost */
    CHECK_STR(wa_log_text(), "a:-1");
    wa_release(a);
    CHECK_EQ(wa_event_destroy(E1), 0);
    return 0;
}

TEST(event_destroy_wakes_waiters_with_eshutdown) {
    CHECK_EQ(wa_event_new(&E1), 0);
    wa_task_t *a;
    wa_future_t *op;
    CHECK_EQ(wa_spawn(&a, waiter, "a", NULL), 0);
    CHECK_EQ(wa_event_wait_start(E1, &op), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_event_destroy(E1), 0);
    CHECK_EQ(wa_await(a), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(op), WA_ESHUTDOWN);
    CHECK_STR(wa_log_text(), "a:-7");
    wa_release(op);
    wa_release(a);
    return 0;
}

typedef struct {
    wa_event_t *e;
    wa_future_t *op;
    int id;
} step_waiter_t;

static int step_waiter(void *st, int status) {
    step_waiter_t *s = st;
    if (!s->op) {
        int rc = wa_event_wait_start(s->e, &s->op);
        if (rc) return rc;
        wa_step_await(s->op);
        return WA_PENDING;
    }
    wa_log("s%d:%d", s->id, status);
    wa_release(s->op);
    s->op = NULL;
    return status;
}

static void event_outside_task(void *arg) {
    CHECK_LATER(wa_event_wait(arg) == WA_ENOTASK);
}

TEST(event_step_waiters_and_bad_input) {
    wa_event_t *e;
    CHECK_EQ(wa_event_new(&e), 0);
    step_waiter_t s[2] = {{e, NULL, 0}, {e, NULL, 1}};
    wa_task_t *t[2];
    for (int i = 0; i < 2; i++) CHECK_EQ(wa_spawn_step(&t[i], step_waiter, &s[i], NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_event_set(e), 0);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_STR(wa_log_text(), "s0:0 s1:0");
    wa_future_t *op;
    CHECK_EQ(wa_event_new(NULL), WA_EINVAL);
    CHECK_EQ(wa_event_wait(NULL), WA_EINVAL);
    CHECK_EQ(wa_event_wait_start(NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_event_wait_start(e, NULL), WA_EINVAL);
    CHECK_EQ(wa_event_set(NULL), WA_EINVAL);
    CHECK_EQ(wa_event_clear(NULL), WA_EINVAL);
    CHECK_EQ(wa_event_destroy(NULL), WA_EINVAL);
    CHECK(!wa_event_is_set(NULL));
    CHECK_EQ(wa_event_clear(e), 0);
    CHECK_EQ(wa_call_soon(event_outside_task, e, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_NO_LATER_FAILURE();
    CHECK_EQ(wa_event_destroy(e), 0);
    return 0;
}
