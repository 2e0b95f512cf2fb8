/* Core behaviour the primitives rely on: a cancellation requested while a
 * task runs is delivered at its next await by cancelling what it awaits
 * (asyncio Task.__step), not left until that happens to complete. */
#include "harness.h"

static int self_cancel_then_await(void *arg) {
    wa_future_t *f = arg;
    wa_cancel(wa_current_task(), "self");
    int rc = wa_await(f);
    wa_log("await:%d:%d", rc, wa_future_cancelled(f));
    return rc;
}

TEST(pending_cancel_cancels_the_next_awaited_future_at_once) {
    wa_future_t *f;
    wa_task_t *t;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_spawn(&t, self_cancel_then_await, f, NULL), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "await:-1:1");
    CHECK_STR(wa_future_message(f), "self");
    CHECK_EQ(wa_task_cancelling(t), 1);
    wa_release(f);
    wa_release(t);
    return 0;
}

static int self_cancel_then_sleep(void *arg) {
    (void)arg;
    wa_cancel(wa_current_task(), NULL);
    double t0 = wa_time();
    int rc = wa_sleep(5000);
    wa_log("sleep:%d:%d", rc, wa_time() - t0 < 5000);
    return rc;
}

TEST(pending_cancel_ends_the_next_sleep_at_once) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, self_cancel_then_sleep, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "sleep:-1:1");
    wa_release(t);
    return 0;
}
