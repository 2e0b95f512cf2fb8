/* asyncio.Semaphore / BoundedSemaphore semantics. */
#include "harness.h"

#include <stdint.h>

static wa_sem_t *S1;
static int inside, peak;

static int holder(void *arg) {
    int rc = wa_sem_acquire(S1);
    wa_log("%s:%d", (const char *)arg, rc);
    if (rc) return rc;
    if (++inside > peak) peak = inside;
    rc = wa_sleep(1);
    inside--;
    wa_sem_release(S1);
    return rc;
}

TEST(sem_counts_and_limits_concurrency) {
    CHECK_EQ(wa_sem_new(&S1, 2), 0);
    inside = peak = 0;
    CHECK_EQ(wa_sem_value(S1), 2);
    CHECK(!wa_sem_locked(S1));
    wa_task_t *t[6];
    static const char *names[6] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++) CHECK_EQ(wa_spawn(&t[i], holder, (void *)names[i], NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(wa_sem_locked(S1));
    CHECK_EQ(wa_sem_value(S1), 0);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_EQ(peak, 2);
    CHECK_STR(wa_log_text(), "a:0 b:0 c:0 d:0 e:0 f:0"); /* FIFO */
    CHECK_EQ(wa_sem_value(S1), 2);
    CHECK_EQ(wa_sem_destroy(S1), 0);
    return 0;
}

TEST(sem_newcomer_waits_behind_waiters_fifo) {
    CHECK_EQ(wa_sem_new(&S1, 0), 0);
    inside = peak = 0;
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, holder, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_sem_release(S1), 0); /* handed to a */
    CHECK_EQ(wa_sem_value(S1), 0);
    wa_future_t *op;
    CHECK_EQ(wa_sem_acquire_start(S1, &op), 0);
    CHECK(!wa_future_done(op));
    CHECK_EQ(wa_await(op), 0); /* once a releases */
    wa_log("main");
    CHECK_EQ(wa_await(a), 0);
    CHECK_STR(wa_log_text(), "a:0 main");
    CHECK_EQ(wa_sem_release(S1), 0);
    CHECK_EQ(wa_sem_value(S1), 1);
    wa_release(op);
    wa_release(a);
    CHECK_EQ(wa_sem_destroy(S1), 0);
    return 0;
}

TEST(sem_race_woken_then_cancelled_gives_slot_to_next) {
    CHECK_EQ(wa_sem_new(&S1, 0), 0);
    inside = peak = 0;
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, holder, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, holder, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_sem_release(S1), 0); /* a's op owns the slot */
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "a:-1 b:0");
    CHECK_EQ(wa_sem_value(S1), 1); /* the one slot is back */
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_sem_destroy(S1), 0);
    return 0;
}

TEST(sem_race_without_waiters_restores_the_value) {
    CHECK_EQ(wa_sem_new(&S1, 0), 0);
    inside = peak = 0;
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, holder, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_sem_release(S1), 0);
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_sem_value(S1), 1);
    CHECK(!wa_sem_locked(S1));
    wa_release(a);
    CHECK_EQ(wa_sem_destroy(S1), 0);
    return 0;
}

TEST(sem_cancelled_pending_waiter_is_withdrawn) {
    CHECK_EQ(wa_sem_new(&S1, 0), 0);
    inside = peak = 0;
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, holder, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, holder, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_sem_release(S1), 0);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "a:-1 b:0");
    CHECK_EQ(wa_sem_value(S1), 1);
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_sem_destroy(S1), 0);
    return 0;
}

TEST(bounded_sem_release_too_often_is_evalue) {
    wa_sem_t *s;
    CHECK_EQ(wa_bounded_sem_new(&s, 2), 0);
    CHECK_EQ(wa_sem_release(s), WA_EVALUE);
    CHECK_EQ(wa_sem_value(s), 2);
    CHECK_EQ(wa_sem_acquire(s), 0);
    CHECK_EQ(wa_sem_release(s), 0);
    CHECK_EQ(wa_sem_release(s), WA_EVALUE);
    CHECK_EQ(wa_sem_value(s), 2);
    CHECK_EQ(wa_sem_destroy(s), 0);
    /* a plain semaphore may go above its initial value */
    CHECK_EQ(wa_sem_new(&s, 1), 0);
    CHECK_EQ(wa_sem_release(s), 0);
    CHECK_EQ(wa_sem_value(s), 2);
    CHECK_EQ(wa_sem_destroy(s), 0);
    return 0;
}

TEST(sem_op_form_rollback_and_destroy) {
    wa_sem_t *s;
    CHECK_EQ(wa_sem_new(&s, 1), 0);
    wa_future_t *op1, *op2, *op3;
    CHECK_EQ(wa_sem_acquire_start(s, &op1), 0);
    CHECK(wa_future_done(op1));
    CHECK_EQ(wa_sem_acquire_start(s, &op2), 0);
    CHECK_EQ(wa_sem_acquire_start(s, &op3), 0);
    CHECK(!wa_future_done(op2));
    CHECK_EQ(wa_op_rollback(op1), WA_ECANCELLED); /* slot -> op2 (woken) */
    CHECK_EQ(wa_sem_value(s), 0);
    CHECK(!wa_future_done(op2)); /* it takes the slot when it next runs */
    CHECK_EQ(wa_await(op2), 0);
    CHECK(!wa_future_done(op3));
    CHECK_EQ(wa_sem_value(s), 0);
    CHECK_EQ(wa_sem_destroy(s), 0); /* op3 pending: WA_ESHUTDOWN */
    CHECK_EQ(wa_await(op3), WA_ESHUTDOWN);
    CHECK_EQ(wa_op_rollback(op2), WA_ECANCELLED); /* destroyed: nothing to give back to */
    wa_release(op1);
    wa_release(op2);
    wa_release(op3);
    return 0;
}

static void sem_outside_task(void *arg) {
    CHECK_LATER(wa_sem_acquire(arg) == WA_ENOTASK);
}

TEST(sem_bad_input) {
    wa_sem_t *s;
    wa_future_t *op;
    CHECK_EQ(wa_sem_new(&s, -1), WA_EINVAL);
    CHECK_EQ(wa_bounded_sem_new(&s, -5), WA_EINVAL);
    CHECK_EQ(wa_sem_new(NULL, 1), WA_EINVAL);
    CHECK_EQ(wa_sem_acquire(NULL), WA_EINVAL);
    CHECK_EQ(wa_sem_acquire_start(NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_sem_release(NULL), WA_EINVAL);
    CHECK_EQ(wa_sem_destroy(NULL), WA_EINVAL);
    CHECK_EQ(wa_sem_value(NULL), WA_EINVAL);
    CHECK(!wa_sem_locked(NULL));
    CHECK_EQ(wa_sem_new(&s, 0), 0);
    CHECK_EQ(wa_sem_acquire_start(s, NULL), WA_EINVAL);
    CHECK_EQ(wa_call_soon(sem_outside_task, s, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_NO_LATER_FAILURE();
    CHECK_EQ(wa_sem_value(s), 0);
    CHECK_EQ(wa_sem_destroy(s), 0);
    return 0;
}
