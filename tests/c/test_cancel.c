/* Cancellation, following asyncio's Task.cancel / cancelling / uncancel. */
#include "harness.h"

static int body_logs(void *arg) {
    wa_log("body-ran");
    (void)arg;
    return 0;
}

TEST(cancel_before_start_body_never_runs) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, body_logs, NULL, NULL), 0);
    CHECK_EQ(wa_cancel(t, "early"), 1);
    CHECK_EQ(wa_task_cancelling(t), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(wa_future_cancelled(t));
    CHECK_STR(wa_future_message(t), "early");
    CHECK_STR(wa_log_text(), "");
    wa_release(t);
    return 0;
}

static int sleeps_long(void *arg) {
    (void)arg;
    int rc = wa_sleep(10000);
    wa_log("sleep-returned:%d", rc);
    return rc;
}

TEST(cancel_while_sleeping_delivers_at_the_await) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, sleeps_long, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    double t0 = wa_time();
    CHECK_EQ(wa_cancel(t, "stop it"), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(wa_time() - t0 < 5000); /* did not wait for the 10 s timer */
    CHECK_STR(wa_log_text(), "sleep-returned:-1");
    CHECK_STR(wa_future_message(t), "stop it");
    wa_release(t);
    return 0;
}

static int awaits_future(void *arg) {
    int rc = wa_await((wa_future_t *)arg);
    wa_log("await-returned:%d", rc);
    return rc;
}

TEST(cancel_while_awaiting_cancels_the_awaited_future) {
    wa_future_t *f;
    wa_task_t *t;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_spawn(&t, awaits_future, f, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t, "bye"), 1);
    CHECK(wa_future_cancelled(f)); /* asyncio: the waiter future is cancelled */
    CHECK_STR(wa_future_message(f), "bye");
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "await-returned:-1");
    wa_release(f);
    wa_release(t);
    return 0;
}

TEST(cancel_after_done_returns_0_and_changes_nothing) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, body_logs, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_EQ(wa_cancel(t, "late"), 0);
    CHECK_EQ(wa_cancel(t, "late again"), 0);
    CHECK(!wa_future_cancelled(t));
    CHECK_EQ(wa_future_status(t), 0);
    CHECK_EQ(wa_task_cancelling(t), 0);
    CHECK(wa_future_message(t) == NULL);
    wa_release(t);
    return 0;
}

/* Python 3.14: the first cancel() cancels what the task awaits, with its
 * message; the second only marks the task: the first message wins. */
TEST(double_cancel_counts_twice_and_keeps_the_first_message) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, sleeps_long, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t, "first"), 1);
    CHECK_EQ(wa_cancel(t, "second"), 1);
    CHECK_EQ(wa_task_cancelling(t), 2);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_future_message(t), "first");
    wa_release(t);
    return 0;
}

TEST(future_cancel_twice_second_returns_0) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_cancel(f, "x"), 1);
    CHECK_EQ(wa_cancel(f, "y"), 0);
    CHECK_STR(wa_future_message(f), "x");
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), WA_ESTATE);
    CHECK_EQ(wa_future_status(f), WA_ECANCELLED);
    wa_release(f);
    return 0;
}

/* Catches the cancellation, uncancels, and goes on (like a timeout scope). */
static int swallows_once(void *arg) {
    (void)arg;
    int rc = wa_sleep(10000);
    if (rc == WA_ECANCELLED) {
        wa_task_t *me = wa_current_task();
        wa_log("caught:%d", wa_task_cancelling(me));
        wa_log("uncancel:%d", wa_task_uncancel(me));
        rc = wa_sleep(1);
        wa_log("after:%d", rc);
        return wa_return((void *)"survived", NULL);
    }
    return rc;
}

TEST(uncancel_lets_a_task_continue_after_catching) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, swallows_once, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_future_result(t), "survived");
    CHECK_STR(wa_log_text(), "caught:1 uncancel:0 after:0");
    CHECK_EQ(wa_task_uncancel(t), 0); /* never below zero */
    wa_release(t);
    return 0;
}

static int cancels_self_then_returns(void *arg) {
    (void)arg;
    wa_cancel(wa_current_task(), "self");
    return 0; /* a pending cancellation wins over the return (asyncio) */
}

TEST(task_that_cancels_itself_and_returns_ends_cancelled) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, cancels_self_then_returns, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_future_message(t), "self");
    wa_release(t);
    return 0;
}

static int cancels_self_then_sleeps(void *arg) {
    (void)arg;
    wa_cancel(wa_current_task(), NULL);
    int rc = wa_sleep(0);
    wa_log("sleep0:%d", rc);
    rc = wa_sleep(0);
    wa_log("again:%d", rc);
    return 0;
}

TEST(self_cancel_is_delivered_at_next_suspension_once) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, cancels_self_then_sleeps, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_log_text(), "sleep0:-1 again:0");
    wa_release(t);
    return 0;
}

TEST(cancel_racing_a_completed_wakeup_still_delivers_cancel) {
    /* f completes, then (before the waiter runs) the waiter is cancelled:
     * asyncio delivers CancelledError even though the result is there. */
    wa_future_t *f;
    wa_task_t *t;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_spawn(&t, awaits_future, f, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_future_set_result(f, (void *)1, NULL), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1); /* f is done: cannot be cancelled */
    CHECK(!wa_future_cancelled(f));
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "await-returned:-1");
    wa_release(f);
    wa_release(t);
    return 0;
}

static int inner_sleeper(void *arg) {
    (void)arg;
    int rc = wa_sleep(10000);
    wa_log("inner:%d", rc);
    return rc;
}

static int outer_awaits_inner(void *arg) {
    int rc = wa_await((wa_task_t *)arg);
    wa_log("outer:%d", rc);
    return rc;
}

TEST(cancelling_a_task_cancels_the_task_it_awaits) {
    wa_task_t *inner, *outer;
    CHECK_EQ(wa_spawn(&inner, inner_sleeper, NULL, NULL), 0);
    CHECK_EQ(wa_spawn(&outer, outer_awaits_inner, inner, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(outer, "chain"), 1);
    CHECK_EQ(wa_await(outer), WA_ECANCELLED);
    CHECK(wa_future_cancelled(inner));
    CHECK_STR(wa_log_text(), "inner:-1 outer:-1");
    CHECK_STR(wa_future_message(inner), "chain");
    wa_release(inner);
    wa_release(outer);
    return 0;
}

static int cancelled_child(void *arg) {
    (void)arg;
    return wa_sleep(10000);
}

static int unretrieved_child(void *arg) {
    (void)arg;
    return wa_fail(WA_EFAILED, "nobody looked");
}

static int reports;
static int report_code;
static void count_reports(wa_future_t *f, int code, const char *msg, void *arg) {
    (void)f;
    (void)arg;
    (void)msg;
    reports++;
    report_code = code;
}

TEST(unretrieved_failure_is_reported_cancellation_is_not) {
    reports = 0;
    wa_set_exception_handler(count_reports, NULL);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, unretrieved_child, NULL, NULL), 0);
    CHECK_EQ(wa_spawn(&b, cancelled_child, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    wa_cancel(b, NULL);
    CHECK_EQ(wa_sleep(1), 0);
    wa_release(a); /* failed, never looked at: reported now */
    wa_release(b); /* cancelled: quiet */
    CHECK_EQ(reports, 1);
    CHECK_EQ(report_code, WA_EFAILED);
    /* a retrieved failure is not reported */
    CHECK_EQ(wa_spawn(&a, unretrieved_child, NULL, NULL), 0);
    CHECK_EQ(wa_await(a), WA_EFAILED);
    wa_release(a);
    CHECK_EQ(reports, 1);
    return 0;
}
