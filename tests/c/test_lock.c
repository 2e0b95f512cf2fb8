/* asyncio.Lock semantics (Python 3.13/3.14): FIFO, no barging (a released
 * lock reads unlocked until the woken waiter resumes and takes it),
 * cancellation withdraws, the woken-then-cancelled race wakes the next. */
#include "harness.h"

#include <stdint.h>

static wa_lock_t *L1;

static int locker(void *arg) {
    const char *name = arg;
    int rc = wa_lock_acquire(L1);
    wa_log("%s:%d", name, rc);
    if (rc) return rc;
    rc = wa_sleep(0);
    wa_lock_release(L1);
    return rc;
}

TEST(lock_acquire_release_basics) {
    wa_lock_t *l;
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK(!wa_lock_locked(l));
    CHECK_EQ(wa_lock_acquire(l), 0);
    CHECK(wa_lock_locked(l));
    CHECK_EQ(wa_lock_release(l), 0);
    CHECK(!wa_lock_locked(l));
    CHECK_EQ(wa_lock_release(l), WA_ESTATE); /* RuntimeError('Lock is not acquired.') */
    CHECK_EQ(wa_lock_destroy(l), 0);
    return 0;
}

TEST(lock_waiters_get_it_in_fifo_order) {
    CHECK_EQ(wa_lock_new(&L1), 0);
    CHECK_EQ(wa_lock_acquire(L1), 0);
    wa_task_t *t[3];
    CHECK_EQ(wa_spawn(&t[0], locker, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&t[1], locker, "b", NULL), 0);
    CHECK_EQ(wa_spawn(&t[2], locker, "c", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    wa_log("release");
    CHECK_EQ(wa_lock_release(L1), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_STR(wa_log_text(), "release a:0 b:0 c:0");
    CHECK(!wa_lock_locked(L1));
    CHECK_EQ(wa_lock_destroy(L1), 0);
    return 0;
}

TEST(lock_newcomer_never_overtakes_a_woken_waiter) {
    CHECK_EQ(wa_lock_new(&L1), 0);
    CHECK_EQ(wa_lock_acquire(L1), 0);
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, locker, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_lock_release(L1), 0); /* a is woken, but has not run yet */
    CHECK(!wa_lock_locked(L1));        /* Python: unlocked until a takes it */
    wa_future_t *op;
    CHECK_EQ(wa_lock_acquire_start(L1, &op), 0);
    CHECK(!wa_future_done(op)); /* the newcomer queues behind a */
    CHECK_EQ(wa_await(op), 0);
    wa_log("main");
    CHECK_EQ(wa_await(a), 0);
    CHECK_STR(wa_log_text(), "a:0 main");
    CHECK(wa_lock_locked(L1));
    CHECK_EQ(wa_lock_release(L1), 0);
    wa_release(op);
    wa_release(a);
    CHECK_EQ(wa_lock_destroy(L1), 0);
    return 0;
}

TEST(lock_cancelled_pending_waiter_is_withdrawn) {
    CHECK_EQ(wa_lock_new(&L1), 0);
    CHECK_EQ(wa_lock_acquire(L1), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, locker, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, locker, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_lock_release(L1), 0);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "a:-1 b:0");
    CHECK(!wa_lock_locked(L1));
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_lock_destroy(L1), 0);
    return 0;
}

TEST(lock_race_woken_then_cancelled_hands_lock_to_next_waiter) {
    CHECK_EQ(wa_lock_new(&L1), 0);
    CHECK_EQ(wa_lock_acquire(L1), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, locker, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, locker, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_lock_release(L1), 0); /* a's op completes: a owns the lock */
    CHECK_EQ(wa_cancel(a, "late"), 1); /* before a could run */
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_await(b), 0); /* b was not stranded behind a lost lock */
    CHECK_STR(wa_log_text(), "a:-1 b:0");
    CHECK(!wa_lock_locked(L1));
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_lock_destroy(L1), 0);
    return 0;
}

TEST(lock_race_without_other_waiters_unlocks) {
    CHECK_EQ(wa_lock_new(&L1), 0);
    CHECK_EQ(wa_lock_acquire(L1), 0);
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, locker, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_lock_release(L1), 0);
    CHECK(!wa_lock_locked(L1)); /* a is woken; it takes the lock when it runs */
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK(!wa_lock_locked(L1));
    wa_release(a);
    CHECK_EQ(wa_lock_destroy(L1), 0);
    return 0;
}

/* Op form, driven like the JS bindings would: rollback by hand. */
TEST(lock_op_form_and_manual_rollback) {
    wa_lock_t *l;
    CHECK_EQ(wa_lock_new(&l), 0);
    wa_future_t *op1, *op2;
    CHECK_EQ(wa_lock_acquire_start(l, &op1), 0);
    CHECK(wa_future_done(op1)); /* free: done at once */
    CHECK_EQ(wa_future_set_result(op1, NULL, NULL), WA_EINVAL); /* owned by the lock */
    CHECK_EQ(wa_lock_acquire_start(l, &op2), 0);
    CHECK(!wa_future_done(op2));
    CHECK_EQ(wa_op_rollback(op2), WA_ESTATE); /* pending: nothing to give back */
    CHECK_EQ(wa_future_set_error(op2, WA_EFAILED, "x"), WA_EINVAL);
    /* op1's awaiter "was cancelled before it took the lock": release it,
     * which wakes op2; op2 takes the lock one loop step later */
    CHECK_EQ(wa_op_rollback(op1), WA_ECANCELLED);
    CHECK(wa_future_cancelled(op1));
    CHECK(!wa_lock_locked(l));
    CHECK(!wa_future_done(op2));
    CHECK_EQ(wa_op_rollback(op1), WA_ECANCELLED); /* once only */
    CHECK_EQ(wa_await(op2), 0);
    CHECK(wa_lock_locked(l));
    CHECK_EQ(wa_lock_release(l), 0);
    CHECK(!wa_lock_locked(l));
    wa_release(op1);
    wa_release(op2);
    CHECK_EQ(wa_lock_destroy(l), 0);
    return 0;
}

TEST(lock_released_pending_op_is_withdrawn) {
    wa_lock_t *l;
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK_EQ(wa_lock_acquire(l), 0);
    wa_future_t *op;
    CHECK_EQ(wa_lock_acquire_start(l, &op), 0);
    wa_release(op); /* abandoned while pending */
    CHECK_EQ(wa_lock_release(l), 0);
    CHECK(!wa_lock_locked(l)); /* nobody was handed the lock */
    CHECK_EQ(wa_lock_destroy(l), 0);
    return 0;
}

/* A step task taking the lock through the op form. */
typedef struct {
    wa_lock_t *l;
    wa_future_t *op;
    const char *name;
} step_locker_t;

static int step_locker(void *st, int status) {
    step_locker_t *s = st;
    if (!s->op) {
        int rc = wa_lock_acquire_start(s->l, &s->op);
        if (rc) return rc;
        wa_step_await(s->op);
        return WA_PENDING;
    }
    wa_log("%s:%d", s->name, status);
    if (status == WA_ECANCELLED) wa_log("rb:%d", wa_op_rollback(s->op));
    wa_release(s->op);
    s->op = NULL;
    if (status == 0) wa_lock_release(s->l);
    return status;
}

TEST(lock_step_tasks_fifo_and_race) {
    wa_lock_t *l;
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK_EQ(wa_lock_acquire(l), 0);
    step_locker_t s[3] = {{l, NULL, "s0"}, {l, NULL, "s1"}, {l, NULL, "s2"}};
    wa_task_t *t[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_spawn_step(&t[i], step_locker, &s[i], NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_lock_release(l), 0); /* s0 owns it, has not run */
    CHECK_EQ(wa_cancel(t[0], NULL), 1);
    CHECK_EQ(wa_await(t[0]), WA_ECANCELLED);
    CHECK_EQ(wa_await(t[1]), 0);
    CHECK_EQ(wa_await(t[2]), 0);
    /* the scheduler rolled s0 back already; its own call only reports */
    CHECK_STR(wa_log_text(), "s0:-1 rb:-1 s1:0 s2:0");
    CHECK(!wa_lock_locked(l));
    for (int i = 0; i < 3; i++) wa_release(t[i]);
    CHECK_EQ(wa_lock_destroy(l), 0);
    return 0;
}

TEST(lock_destroy_wakes_waiters_with_eshutdown) {
    CHECK_EQ(wa_lock_new(&L1), 0);
    CHECK_EQ(wa_lock_acquire(L1), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, locker, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, locker, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_lock_destroy(L1), 0);
    CHECK_EQ(wa_await(a), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(b), WA_ESHUTDOWN);
    CHECK_STR(wa_log_text(), "a:-7 b:-7");
    wa_release(a);
    wa_release(b);
    return 0;
}

static void lock_outside_task(void *arg) {
    wa_lock_t *l = arg;
    CHECK_LATER(wa_lock_acquire(l) == WA_ENOTASK);
    CHECK_LATER(wa_lock_locked(l) == false);
}

TEST(lock_bad_input_and_outside_task) {
    wa_lock_t *l;
    wa_future_t *op;
    CHECK_EQ(wa_lock_new(NULL), WA_EINVAL);
    CHECK_EQ(wa_lock_acquire(NULL), WA_EINVAL);
    CHECK_EQ(wa_lock_acquire_start(NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_lock_release(NULL), WA_EINVAL);
    CHECK_EQ(wa_lock_destroy(NULL), WA_EINVAL);
    CHECK(!wa_lock_locked(NULL));
    CHECK_EQ(wa_op_rollback(NULL), WA_EINVAL);
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK_EQ(wa_lock_acquire_start(l, NULL), WA_EINVAL);
    CHECK(!wa_lock_locked(l));
    CHECK_EQ(wa_call_soon(lock_outside_task, l, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_NO_LATER_FAILURE();
    CHECK_EQ(wa_lock_destroy(l), 0);
    return 0;
}
