/* asyncio.Condition semantics (Python 3.13): FIFO notify, wait_for, the
 * lock re-acquired even on cancellation, a consumed notification passed on. */
#include "harness.h"

static wa_cond_t *C1;

static int cond_waiter(void *arg) {
    const char *name = arg;
    int rc = wa_cond_acquire(C1);
    if (rc) return rc;
    rc = wa_cond_wait(C1);
    wa_log("%s:%d:%s", name, rc, wa_cond_locked(C1) ? "L" : "-");
    if (wa_cond_locked(C1)) wa_cond_release(C1);
    return rc;
}

TEST(cond_wait_and_notify) {
    CHECK_EQ(wa_cond_new(&C1, NULL), 0);
    CHECK(wa_cond_lock(C1) != NULL);
    wa_task_t *w;
    CHECK_EQ(wa_spawn(&w, cond_waiter, "w", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(!wa_cond_locked(C1)); /* released by the wait */
    CHECK_EQ(wa_cond_acquire(C1), 0);
    CHECK_EQ(wa_cond_notify(C1, 1), 1);
    CHECK_EQ(wa_cond_notify(C1, 1), 0); /* nobody left */
    wa_log("notified");
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(!wa_future_done(w)); /* it needs the lock back first */
    CHECK_EQ(wa_cond_release(C1), 0);
    CHECK_EQ(wa_await(w), 0);
    CHECK_STR(wa_log_text(), "notified w:0:L");
    CHECK(!wa_cond_locked(C1));
    wa_release(w);
    CHECK_EQ(wa_cond_destroy(C1), 0);
    return 0;
}

TEST(cond_notify_n_then_all_in_fifo_order) {
    CHECK_EQ(wa_cond_new(&C1, NULL), 0);
    static const char *names[5] = {"a", "b", "c", "d", "e"};
    wa_task_t *t[5];
    for (int i = 0; i < 5; i++) CHECK_EQ(wa_spawn(&t[i], cond_waiter, (void *)names[i], NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cond_acquire(C1), 0);
    CHECK_EQ(wa_cond_notify(C1, 2), 2);
    CHECK_EQ(wa_cond_release(C1), 0);
    CHECK_EQ(wa_await(t[0]), 0);
    CHECK_EQ(wa_await(t[1]), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_STR(wa_log_text(), "a:0:L b:0:L");
    CHECK_EQ(wa_cond_acquire(C1), 0);
    CHECK_EQ(wa_cond_notify(C1, 0), 0);
    CHECK_EQ(wa_cond_notify_all(C1), 3);
    CHECK_EQ(wa_cond_release(C1), 0);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_STR(wa_log_text(), "a:0:L b:0:L c:0:L d:0:L e:0:L");
    CHECK_EQ(wa_cond_destroy(C1), 0);
    return 0;
}

TEST(cond_wait_or_notify_without_the_lock_is_estate) {
    wa_cond_t *c;
    wa_future_t *op;
    CHECK_EQ(wa_cond_new(&c, NULL), 0);
    CHECK_EQ(wa_cond_wait(c), WA_ESTATE);
    CHECK_EQ(wa_cond_wait_start(c, &op), WA_ESTATE);
    CHECK_EQ(wa_cond_notify(c, 1), WA_ESTATE);
    CHECK_EQ(wa_cond_notify_all(c), WA_ESTATE);
    CHECK_EQ(wa_cond_destroy(c), 0);
    return 0;
}

static int counter;
static int pred_calls;

static bool counter_reached(void *arg) {
    pred_calls++;
    return counter >= *(int *)arg;
}

static int waits_for_three(void *arg) {
    (void)arg;
    static int three = 3;
    int rc = wa_cond_acquire(C1);
    if (rc) return rc;
    rc = wa_cond_wait_for(C1, counter_reached, &three);
    wa_log("wf:%d:%d:%s", rc, counter, wa_cond_locked(C1) ? "L" : "-");
    if (wa_cond_locked(C1)) wa_cond_release(C1);
    return rc;
}

TEST(cond_wait_for_rechecks_the_predicate_on_each_notify) {
    CHECK_EQ(wa_cond_new(&C1, NULL), 0);
    counter = 0;
    pred_calls = 0;
    wa_task_t *w;
    CHECK_EQ(wa_spawn(&w, waits_for_three, NULL, NULL), 0);
    for (int i = 1; i <= 4; i++) {
        CHECK_EQ(wa_sleep(1), 0);
        CHECK_EQ(wa_cond_acquire(C1), 0);
        counter = i;
        wa_cond_notify_all(C1);
        CHECK_EQ(wa_cond_release(C1), 0);
    }
    CHECK_EQ(wa_await(w), 0);
    CHECK_STR(wa_log_text(), "wf:0:3:L");
    CHECK_EQ(pred_calls, 4); /* initial check + after counter 1, 2, 3 */
    /* already true: returns at once, keeping the lock */
    static int two = 2;
    CHECK_EQ(wa_cond_acquire(C1), 0);
    wa_stats_t before, after;
    wa_get_stats(&before);
    CHECK_EQ(wa_cond_wait_for(C1, counter_reached, &two), 0);
    wa_get_stats(&after);
    CHECK_EQ(after.futures, before.futures);
    CHECK(wa_cond_locked(C1));
    wa_future_t *op;
    CHECK_EQ(wa_cond_wait_for_start(C1, counter_reached, &two, &op), 0);
    CHECK(wa_future_done(op));
    CHECK(wa_cond_locked(C1));
    CHECK_EQ(wa_cond_release(C1), 0);
    /* Python checks the predicate before the lock */
    CHECK_EQ(wa_cond_wait_for(C1, counter_reached, &two), 0);
    wa_release(op);
    wa_release(w);
    CHECK_EQ(wa_cond_destroy(C1), 0);
    return 0;
}

TEST(cond_cancelled_wait_reacquires_the_lock_before_returning) {
    CHECK_EQ(wa_cond_new(&C1, NULL), 0);
    wa_task_t *w;
    CHECK_EQ(wa_spawn(&w, cond_waiter, "w", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cond_acquire(C1), 0); /* main holds the lock */
    CHECK_EQ(wa_cancel(w, "stop"), 1);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK(!wa_future_done(w)); /* still waiting for the lock */
    CHECK_EQ(wa_cond_release(C1), 0);
    CHECK_EQ(wa_await(w), WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "w:-1:L"); /* returned holding the lock */
    CHECK_STR(wa_future_message(w), "stop");
    CHECK(!wa_cond_locked(C1));
    wa_release(w);
    CHECK_EQ(wa_cond_destroy(C1), 0);
    return 0;
}

TEST(cond_notified_then_cancelled_passes_notification_on) {
    CHECK_EQ(wa_cond_new(&C1, NULL), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, cond_waiter, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, cond_waiter, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cond_acquire(C1), 0);
    CHECK_EQ(wa_cond_notify(C1, 1), 1); /* a */
    CHECK_EQ(wa_cancel(a, NULL), 1);    /* before a re-acquired the lock */
    CHECK_EQ(wa_cond_release(C1), 0);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_await(b), 0); /* got the notification a could not use */
    CHECK_STR(wa_log_text(), "a:-1:L b:0:L");
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_cond_destroy(C1), 0);
    return 0;
}

/* Python 3.13/3.14: a notified waiter re-acquires the lock when it
 * resumes; cancelled before that, it still re-acquires it, then passes the
 * notification on and ends cancelled holding the lock. */
TEST(cond_race_notified_then_cancelled_keeps_lock_passes_notification) {
    CHECK_EQ(wa_cond_new(&C1, NULL), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, cond_waiter, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, cond_waiter, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cond_acquire(C1), 0);
    CHECK_EQ(wa_cond_notify(C1, 1), 1);
    CHECK_EQ(wa_cond_release(C1), 0);
    CHECK(!wa_cond_locked(C1)); /* a re-acquires it when it resumes */
    CHECK(!wa_future_done(a));
    CHECK_EQ(wa_cancel(a, NULL), 1); /* before a resumed */
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "a:-1:L b:0:L");
    CHECK(!wa_cond_locked(C1));
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_cond_destroy(C1), 0);
    return 0;
}

/* Step task: wait_for through the op form. */
typedef struct {
    wa_cond_t *c;
    wa_future_t *op;
    int phase;
    int target;
} step_cw_t;

static int step_cond(void *st, int status) {
    step_cw_t *s = st;
    switch (s->phase) {
    case 0:
        s->phase = 1;
        if (wa_cond_acquire_start(s->c, &s->op)) return WA_EFAILED;
        wa_step_await(s->op);
        return WA_PENDING;
    case 1:
        wa_release(s->op);
        s->op = NULL;
        if (status) return status;
        s->phase = 2;
        if (wa_cond_wait_for_start(s->c, counter_reached, &s->target, &s->op)) return WA_EFAILED;
        wa_step_await(s->op);
        return WA_PENDING;
    default:
        wa_release(s->op);
        s->op = NULL;
        wa_log("step:%d:%d:%s", status, counter, wa_cond_locked(s->c) ? "L" : "-");
        if (wa_cond_locked(s->c)) wa_cond_release(s->c);
        return status;
    }
}

TEST(cond_step_task_wait_for_op) {
    wa_cond_t *c;
    CHECK_EQ(wa_cond_new(&c, NULL), 0);
    counter = 0;
    step_cw_t s = {c, NULL, 0, 2};
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, step_cond, &s, NULL), 0);
    for (int i = 1; i <= 2; i++) {
        CHECK_EQ(wa_sleep(1), 0);
        CHECK_EQ(wa_cond_acquire(c), 0);
        counter = i;
        CHECK_EQ(wa_cond_notify(c, 1), 1);
        CHECK_EQ(wa_cond_release(c), 0);
    }
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_log_text(), "step:0:2:L");
    wa_release(t);
    CHECK_EQ(wa_cond_destroy(c), 0);
    return 0;
}

static bool always_true(void *arg) {
    (void)arg;
    return true;
}

/* A wait_for op done at once (predicate already true) consumed no
 * notification: rolling it back (its waiter cancelled before it resumed)
 * must not wake another waiter, and the outcome (lock held, as before)
 * stands. */
TEST(cond_wait_for_true_at_once_rollback_passes_nothing_on) {
    CHECK_EQ(wa_cond_new(&C1, NULL), 0);
    wa_task_t *w;
    CHECK_EQ(wa_spawn(&w, cond_waiter, "w", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0); /* w waits on the condition */
    CHECK_EQ(wa_cond_acquire(C1), 0);
    wa_future_t *op;
    CHECK_EQ(wa_cond_wait_for_start(C1, always_true, NULL, &op), 0);
    bool done = wa_future_done(op);
    int rb = wa_op_rollback(op);
    wa_release(op);
    bool locked = wa_cond_locked(C1);
    CHECK_EQ(wa_cond_release(C1), 0); /* before any check can return */
    CHECK(done);
    CHECK_EQ(rb, 0); /* nothing to give back: the outcome stands */
    CHECK(locked);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK(!wa_future_done(w)); /* no notification was passed on */
    CHECK_EQ(wa_cond_acquire(C1), 0);
    CHECK_EQ(wa_cond_notify(C1, 1), 1);
    CHECK_EQ(wa_cond_release(C1), 0);
    CHECK_EQ(wa_await(w), 0);
    CHECK_STR(wa_log_text(), "w:0:L");
    wa_release(w);
    CHECK_EQ(wa_cond_destroy(C1), 0);
    return 0;
}

TEST(cond_over_a_shared_lock) {
    wa_lock_t *l;
    wa_cond_t *c1, *c2;
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK_EQ(wa_cond_new(&c1, l), 0);
    CHECK_EQ(wa_cond_new(&c2, l), 0);
    CHECK(wa_cond_lock(c1) == l && wa_cond_lock(c2) == l);
    CHECK_EQ(wa_lock_acquire(l), 0);
    CHECK(wa_cond_locked(c1) && wa_cond_locked(c2));
    wa_future_t *op;
    CHECK_EQ(wa_cond_wait_start(c1, &op), 0);
    CHECK(!wa_lock_locked(l));
    CHECK_EQ(wa_lock_acquire(l), 0);
    CHECK_EQ(wa_cond_notify(c2, 1), 0); /* other condition: nobody */
    CHECK_EQ(wa_cond_notify(c1, 1), 1);
    CHECK_EQ(wa_lock_release(l), 0);
    CHECK_EQ(wa_await(op), 0);
    CHECK(wa_lock_locked(l));
    CHECK_EQ(wa_lock_release(l), 0);
    wa_release(op);
    CHECK_EQ(wa_cond_destroy(c1), 0);
    CHECK_EQ(wa_cond_destroy(c2), 0);
    CHECK_EQ(wa_lock_acquire(l), 0); /* the shared lock lives on */
    CHECK_EQ(wa_lock_release(l), 0);
    CHECK_EQ(wa_lock_destroy(l), 0);
    return 0;
}

TEST(cond_destroy_and_lock_destroy_wake_waiters_with_eshutdown) {
    CHECK_EQ(wa_cond_new(&C1, NULL), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, cond_waiter, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, cond_waiter, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cond_acquire(C1), 0);
    CHECK_EQ(wa_cond_notify(C1, 1), 1); /* a is re-acquiring, b waiting */
    CHECK_EQ(wa_sleep(0), 0);           /* a now queued on the lock */
    wa_cond_t *c = C1;
    C1 = NULL; /* the waiters must not touch it after destroy */
    CHECK_EQ(wa_cond_destroy(c), 0);
    CHECK_EQ(wa_await(a), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(b), WA_ESHUTDOWN);
    CHECK_STR(wa_log_text(), "b:-7:- a:-7:-"); /* waiters, then those re-acquiring */
    wa_release(a);
    wa_release(b);
    /* a shared lock destroyed under waiting condition ops */
    wa_lock_t *l;
    wa_future_t *w1, *w2;
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK_EQ(wa_cond_new(&c, l), 0);
    CHECK_EQ(wa_lock_acquire(l), 0);
    CHECK_EQ(wa_cond_wait_start(c, &w1), 0);
    CHECK_EQ(wa_lock_acquire(l), 0);
    CHECK_EQ(wa_cond_wait_start(c, &w2), 0);
    CHECK_EQ(wa_lock_acquire(l), 0);
    CHECK_EQ(wa_cond_notify(c, 1), 1);
    CHECK_EQ(wa_sleep(0), 0); /* w1 queued on the lock, w2 waiting */
    CHECK_EQ(wa_lock_destroy(l), 0);
    CHECK_EQ(wa_await(w1), WA_ESHUTDOWN);
    CHECK_EQ(wa_cond_notify_all(c), WA_ESHUTDOWN); /* its lock is gone */
    CHECK_EQ(wa_cond_wait(c), WA_ESHUTDOWN);
    CHECK_EQ(wa_cond_acquire(c), WA_ESHUTDOWN);
    CHECK_EQ(wa_cond_release(c), WA_ESHUTDOWN);
    CHECK(!wa_cond_locked(c));
    CHECK_EQ(wa_cond_destroy(c), 0);
    CHECK_EQ(wa_await(w2), WA_ESHUTDOWN);
    wa_release(w1);
    wa_release(w2);
    return 0;
}

TEST(cond_released_pending_op_is_withdrawn_and_bad_input) {
    wa_cond_t *c;
    wa_future_t *op;
    CHECK_EQ(wa_cond_new(&c, NULL), 0);
    CHECK_EQ(wa_cond_acquire(c), 0);
    CHECK_EQ(wa_cond_wait_start(c, &op), 0);
    wa_release(op); /* abandoned */
    CHECK_EQ(wa_cond_acquire(c), 0);
    CHECK_EQ(wa_cond_notify_all(c), 0);
    CHECK_EQ(wa_cond_wait_for(c, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_cond_wait_for_start(c, NULL, NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_cond_wait_start(c, NULL), WA_EINVAL);
    CHECK_EQ(wa_cond_release(c), 0);
    CHECK_EQ(wa_cond_release(c), WA_ESTATE);
    CHECK_EQ(wa_cond_new(NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_cond_wait(NULL), WA_EINVAL);
    CHECK_EQ(wa_cond_wait_start(NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_cond_notify(NULL, 1), WA_EINVAL);
    CHECK_EQ(wa_cond_notify_all(NULL), WA_EINVAL);
    CHECK_EQ(wa_cond_acquire(NULL), WA_EINVAL);
    CHECK_EQ(wa_cond_release(NULL), WA_EINVAL);
    CHECK_EQ(wa_cond_destroy(NULL), WA_EINVAL);
    CHECK(wa_cond_lock(NULL) == NULL);
    CHECK(!wa_cond_locked(NULL));
    CHECK_EQ(wa_cond_destroy(c), 0);
    return 0;
}

/* A wait op notified, then released by its waiter before its re-acquire
 * step ran, is withdrawn: it takes no lock (it would hold it for nobody)
 * and passes the notification on. Found by tests/fuzz/api_fuzz.c. */
TEST(cond_wait_op_released_after_notify_takes_no_lock) {
    wa_cond_t *c;
    wa_future_t *op, *other;
    CHECK_EQ(wa_cond_new(&c, NULL), 0);
    CHECK_EQ(wa_cond_acquire(c), 0);
    CHECK_EQ(wa_cond_wait_start(c, &op), 0); /* releases the lock, waits */
    CHECK_EQ(wa_cond_acquire(c), 0);
    CHECK_EQ(wa_cond_wait_start(c, &other), 0);
    CHECK_EQ(wa_cond_acquire(c), 0);
    CHECK_EQ(wa_cond_notify(c, 1), 1); /* op: re-acquire on the next step */
    CHECK_EQ(wa_cond_release(c), 0);
    wa_release(op); /* dropped before that step */
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_sleep(0), 0);
    /* the notification went on to the other waiter, which holds the lock */
    CHECK(wa_future_done(other));
    CHECK_EQ(wa_future_status(other), 0);
    CHECK(wa_cond_locked(c));
    CHECK_EQ(wa_cond_release(c), 0);
    wa_release(other);
    CHECK(!wa_cond_locked(c)); /* nobody holds it */
    CHECK_EQ(wa_cond_destroy(c), 0);
    return 0;
}
