/* gather reviewed against asyncio 3.13: children already done when the
 * gather is made (3.12+ takes them at once), cancellation while a child is
 * already done, messages, duplicates. Also the scheduler's delivery of a
 * cancellation requested while the task was running. */
#include "harness.h"

static int sleeper(void *arg) {
    int rc = wa_sleep(*(double *)arg);
    wa_log("sleeper:%d", rc);
    return rc;
}

TEST(gather_over_done_children_is_done_at_once) {
    wa_future_t *f[2], *g;
    CHECK_EQ(wa_future_new(&f[0]), 0);
    CHECK_EQ(wa_future_new(&f[1]), 0);
    CHECK_EQ(wa_future_set_result(f[0], NULL, NULL), 0);
    CHECK_EQ(wa_future_set_result(f[1], NULL, NULL), 0);
    CHECK_EQ(wa_gather(&g, f, 2, 0), 0);
    CHECK(wa_future_done(g)); /* 3.12+: no loop iteration needed */
    CHECK_EQ(wa_future_status(g), 0);
    wa_release(g);
    wa_release(f[0]);
    wa_release(f[1]);
    return 0;
}

TEST(gather_with_an_already_failed_child_fails_at_once_and_cancel_reaches_nobody) {
    double ms = 10000;
    wa_future_t *bad;
    wa_task_t *t;
    CHECK_EQ(wa_future_new(&bad), 0);
    CHECK_EQ(wa_future_set_error(bad, WA_EFAILED, "early"), 0);
    CHECK_EQ(wa_spawn(&t, sleeper, &ms, NULL), 0);
    wa_future_t *kids[2] = {bad, t}, *g;
    CHECK_EQ(wa_gather(&g, kids, 2, 0), 0);
    CHECK(wa_future_done(g));
    CHECK_EQ(wa_future_status(g), WA_EFAILED);
    CHECK_STR(wa_future_message(g), "early");
    CHECK_EQ(wa_cancel(g, NULL), 0); /* already done: the sibling is spared */
    CHECK_EQ(wa_sleep(1), 0);
    CHECK(!wa_future_done(t));
    wa_cancel(t, NULL);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    wa_release(g);
    wa_release(t);
    wa_release(bad);
    return 0;
}

TEST(gather_cancelled_while_a_child_is_already_done) {
    double ms = 10000;
    wa_future_t *done;
    wa_task_t *t;
    CHECK_EQ(wa_future_new(&done), 0);
    CHECK_EQ(wa_future_set_result(done, (void *)"kept", NULL), 0);
    CHECK_EQ(wa_spawn(&t, sleeper, &ms, NULL), 0);
    wa_future_t *kids[2] = {t, done}, *g;
    for (unsigned flags = 0; flags <= WA_RETURN_EXCEPTIONS; flags++) {
        wa_future_t *g2;
        CHECK_EQ(wa_gather(&g2, kids, 2, flags), 0);
        CHECK(!wa_future_done(g2));
        wa_release(g2);
    }
    CHECK_EQ(wa_gather(&g, kids, 2, WA_RETURN_EXCEPTIONS), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(g, "stop"), 1); /* the pending child takes it */
    CHECK(!wa_future_done(g));
    CHECK(wa_future_message(g) == NULL); /* nothing shows before it is done */
    CHECK_EQ(wa_await(g), WA_ECANCELLED); /* cancelled despite return_exceptions */
    CHECK_STR(wa_future_message(g), "stop");
    CHECK(wa_future_cancelled(t));
    CHECK_STR(wa_future_result(done), "kept"); /* the done child is untouched */
    CHECK_STR(wa_log_text(), "sleeper:-1");
    wa_release(g);
    wa_release(t);
    wa_release(done);
    return 0;
}

TEST(gather_cancel_when_every_child_is_done_but_gather_pending_returns_0) {
    wa_future_t *f, *g;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_gather(&g, &f, 1, 0), 0);
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), 0); /* callback queued */
    CHECK(!wa_future_done(g));
    CHECK_EQ(wa_cancel(g, "late"), 0); /* nothing left to cancel */
    CHECK_EQ(wa_await(g), 0);
    wa_release(g);
    wa_release(f);
    return 0;
}

TEST(gather_with_duplicates_waits_once_per_child) {
    double ms = 2;
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, sleeper, &ms, NULL), 0);
    wa_future_t *kids[3] = {t, t, t}, *g;
    CHECK_EQ(wa_gather(&g, kids, 3, 0), 0);
    CHECK_EQ(wa_await(g), 0);
    CHECK_STR(wa_log_text(), "sleeper:0");
    wa_release(g);
    wa_release(t);
    return 0;
}

static int self_cancel_then_long_sleep(void *arg) {
    (void)arg;
    wa_cancel(wa_current_task(), "self");
    double t0 = wa_time();
    int rc = wa_sleep(10000);
    wa_log("sleep:%d fast:%d", rc, wa_time() - t0 < 5000);
    wa_future_t *f;
    if (wa_future_new(&f) == 0) {
        wa_cancel(wa_current_task(), "again");
        rc = wa_await(f); /* asyncio cancels the awaited future at once */
        wa_log("await:%d f_cancelled:%d", rc, wa_future_cancelled(f));
        wa_release(f);
    }
    return 0;
}

TEST(cancel_requested_while_running_hits_the_next_suspension_at_once) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, self_cancel_then_long_sleep, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_log_text(), "sleep:-1 fast:1 await:-1 f_cancelled:1");
    wa_release(t);
    return 0;
}
