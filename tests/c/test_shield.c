/* shield: cancelling the outer (or its awaiter) leaves the inner running. */
#include "harness.h"

static int worker(void *arg) {
    double ms = *(double *)arg;
    int rc = wa_sleep(ms);
    wa_log("worker:%d", rc);
    if (rc) return rc;
    return wa_return((void *)"work", NULL);
}

TEST(shield_cancel_outer_inner_keeps_running) {
    double ms = 5;
    wa_task_t *t;
    wa_future_t *outer;
    CHECK_EQ(wa_spawn(&t, worker, &ms, NULL), 0);
    CHECK_EQ(wa_shield(&outer, t), 0);
    CHECK(outer != t);
    CHECK_EQ(wa_cancel(outer, "x"), 1);
    CHECK(wa_future_cancelled(outer)); /* at once: a plain future */
    CHECK(!wa_future_done(t));
    CHECK_EQ(wa_task_cancelling(t), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_future_result(t), "work");
    CHECK(wa_future_cancelled(outer));
    CHECK_STR(wa_log_text(), "worker:0");
    wa_release(outer);
    wa_release(t);
    return 0;
}

static int awaits_shielded(void *arg) {
    int rc = wa_shield_await(arg);
    wa_log("awaiter:%d", rc);
    return rc;
}

TEST(shield_cancelling_the_awaiting_task_spares_the_inner) {
    double ms = 30;
    wa_task_t *t, *a;
    CHECK_EQ(wa_spawn(&t, worker, &ms, NULL), 0);
    CHECK_EQ(wa_spawn(&a, awaits_shielded, t, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0); /* both started: a awaits the shield */
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK(!wa_future_done(t));
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_log_text(), "awaiter:-1 worker:0");
    wa_release(a);
    wa_release(t);
    return 0;
}

TEST(shield_propagates_result_error_and_cancellation) {
    wa_future_t *in, *out;
    /* result (borrowed from the inner) */
    CHECK_EQ(wa_future_new(&in), 0);
    CHECK_EQ(wa_shield(&out, in), 0);
    CHECK_EQ(wa_future_set_result(in, (void *)"r", NULL), 0);
    CHECK_EQ(wa_await(out), 0);
    CHECK_STR(wa_future_result(out), "r");
    wa_release(in); /* the outer keeps the inner (and its result) alive */
    CHECK_STR(wa_future_result(out), "r");
    wa_release(out);
    /* error */
    CHECK_EQ(wa_future_new(&in), 0);
    CHECK_EQ(wa_shield(&out, in), 0);
    CHECK_EQ(wa_future_set_error(in, WA_ENETWORK, "down"), 0);
    CHECK_EQ(wa_await(out), WA_ENETWORK);
    CHECK_STR(wa_future_message(out), "down");
    wa_release(out);
    wa_release(in);
    /* the inner cancelled by other means cancels the outer */
    CHECK_EQ(wa_future_new(&in), 0);
    CHECK_EQ(wa_shield(&out, in), 0);
    CHECK_EQ(wa_cancel(in, "direct"), 1);
    CHECK_EQ(wa_await(out), WA_ECANCELLED);
    CHECK(wa_future_cancelled(out));
    wa_release(out);
    wa_release(in);
    return 0;
}

TEST(shield_of_a_done_future_is_the_future_itself) {
    wa_future_t *in, *out;
    CHECK_EQ(wa_future_new(&in), 0);
    CHECK_EQ(wa_future_set_result(in, NULL, NULL), 0);
    CHECK_EQ(wa_shield(&out, in), 0);
    CHECK(out == in);
    wa_release(out);
    wa_release(in);
    CHECK_EQ(wa_shield(&out, NULL), WA_EINVAL);
    CHECK_EQ(wa_shield(NULL, in), WA_EINVAL);
    return 0;
}

static int reports;
static void count_reports(wa_future_t *f, int code, const char *msg, void *arg) {
    (void)f, (void)code, (void)msg, (void)arg;
    reports++;
}

TEST(shield_inner_failure_after_outer_cancel_is_not_lost_silently) {
    /* After the outer was cancelled the inner is on its own: its failure is
     * still reported if nobody reads it (the shield withdrew). */
    reports = 0;
    wa_set_exception_handler(count_reports, NULL);
    wa_future_t *in, *out;
    CHECK_EQ(wa_future_new(&in), 0);
    CHECK_EQ(wa_shield(&out, in), 0);
    CHECK_EQ(wa_cancel(out, NULL), 1);
    CHECK_EQ(wa_future_set_error(in, WA_EFAILED, "later"), 0);
    CHECK_EQ(wa_sleep(0), 0);
    wa_release(out);
    wa_release(in);
    CHECK_EQ(reports, 1);
    return 0;
}
