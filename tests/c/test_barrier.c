/* asyncio.Barrier semantics (Python 3.13 state machine). */
#include "harness.h"

#include <stdint.h>

static wa_barrier_t *B1;

static int arriver(void *arg) {
    unsigned idx = 99;
    int rc = wa_barrier_wait(B1, &idx);
    if (rc) wa_log("%s:%d", (const char *)arg, rc);
    else wa_log("%s:%u", (const char *)arg, idx);
    return rc;
}

static int op_index(wa_future_t *op) { return (int)(uintptr_t)wa_future_result(op); }

TEST(barrier_wait_returns_arrival_indices) {
    CHECK_EQ(wa_barrier_new(&B1, 3), 0);
    CHECK_EQ(wa_barrier_parties(B1), 3);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, arriver, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, arriver, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_barrier_n_waiting(B1), 2);
    CHECK_STR(wa_log_text(), "");
    unsigned idx = 99;
    CHECK_EQ(wa_barrier_wait(B1, &idx), 0); /* the last one passes at once */
    CHECK_EQ(idx, 2);
    CHECK_EQ(wa_barrier_n_waiting(B1), 0); /* draining */
    CHECK_EQ(wa_await(a), 0);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "a:0 b:1");
    CHECK(!wa_barrier_broken(B1));
    wa_release(a);
    wa_release(b);
    /* next cycle, same barrier */
    wa_log_clear();
    CHECK_EQ(wa_spawn(&a, arriver, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, arriver, "b", NULL), 0);
    CHECK_EQ(wa_barrier_wait(B1, NULL), 0);
    CHECK_EQ(wa_await(a), 0);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "b:2 a:1"); /* main arrived first; b released it */
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_barrier_destroy(B1), 0);
    return 0;
}

TEST(barrier_of_one_passes_at_once) {
    wa_barrier_t *b;
    CHECK_EQ(wa_barrier_new(&b, 1), 0);
    unsigned idx = 99;
    wa_stats_t before, after;
    wa_get_stats(&before);
    CHECK_EQ(wa_barrier_wait(b, &idx), 0);
    CHECK_EQ(wa_barrier_wait(b, &idx), 0);
    wa_get_stats(&after);
    CHECK_EQ(idx, 0);
    CHECK_EQ(after.futures, before.futures);
    CHECK_EQ(after.switches, before.switches);
    CHECK_EQ(wa_barrier_destroy(b), 0);
    return 0;
}

TEST(barrier_arrivals_while_draining_wait_for_the_next_cycle) {
    CHECK_EQ(wa_barrier_new(&B1, 2), 0);
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, arriver, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    unsigned idx;
    CHECK_EQ(wa_barrier_wait(B1, &idx), 0); /* releases a; a has not left yet */
    CHECK_EQ(idx, 1);
    wa_future_t *c, *d;
    CHECK_EQ(wa_barrier_wait_start(B1, &c), 0);
    CHECK(!wa_future_done(c));
    CHECK_EQ(wa_barrier_n_waiting(B1), 0); /* blocked at the entrance */
    CHECK_EQ(wa_await(a), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_barrier_n_waiting(B1), 1); /* c entered the new cycle */
    CHECK_EQ(wa_barrier_wait_start(B1, &d), 0);
    CHECK(wa_future_done(d));
    CHECK_EQ(op_index(d), 1);
    CHECK_EQ(wa_await(c), 0);
    CHECK_EQ(op_index(c), 0);
    CHECK_STR(wa_log_text(), "a:0");
    wa_release(c);
    wa_release(d);
    wa_release(a);
    CHECK_EQ(wa_barrier_destroy(B1), 0);
    return 0;
}

TEST(barrier_reset_breaks_waiters_and_stays_usable) {
    CHECK_EQ(wa_barrier_new(&B1, 3), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, arriver, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, arriver, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_barrier_reset(B1), 0);
    /* resetting until both have left: newcomers wait at the entrance */
    wa_future_t *c;
    CHECK_EQ(wa_barrier_wait_start(B1, &c), 0);
    CHECK_EQ(wa_await(a), WA_EBROKEN);
    CHECK_EQ(wa_await(b), WA_EBROKEN);
    CHECK_STR(wa_log_text(), "a:-10 b:-10");
    CHECK(!wa_barrier_broken(B1));
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(!wa_future_done(c));
    CHECK_EQ(wa_barrier_n_waiting(B1), 1); /* c entered the fresh cycle */
    wa_future_t *d;
    CHECK_EQ(wa_barrier_wait_start(B1, &d), 0);
    unsigned idx;
    CHECK_EQ(wa_barrier_wait(B1, &idx), 0);
    CHECK_EQ(idx, 2);
    CHECK_EQ(wa_await(c), 0);
    CHECK_EQ(wa_await(d), 0);
    CHECK_EQ(op_index(c), 0);
    CHECK_EQ(op_index(d), 1);
    /* reset of an empty barrier just refills it */
    CHECK_EQ(wa_barrier_reset(B1), 0);
    CHECK_EQ(wa_barrier_n_waiting(B1), 0);
    wa_release(c);
    wa_release(d);
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_barrier_destroy(B1), 0);
    return 0;
}

TEST(barrier_reset_before_released_tasks_resume_breaks_them) {
    /* Python: a released task that has not run yet sees RESETTING. */
    CHECK_EQ(wa_barrier_new(&B1, 2), 0);
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, arriver, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    unsigned idx;
    CHECK_EQ(wa_barrier_wait(B1, &idx), 0);
    CHECK_EQ(wa_barrier_reset(B1), 0);
    CHECK_EQ(wa_await(a), WA_EBROKEN);
    CHECK_STR(wa_log_text(), "a:-10");
    CHECK_EQ(wa_barrier_n_waiting(B1), 0);
    wa_release(a);
    /* the same with an op, to see the message */
    wa_future_t *op;
    CHECK_EQ(wa_barrier_wait_start(B1, &op), 0);
    CHECK_EQ(wa_barrier_wait(B1, &idx), 0);
    CHECK_EQ(idx, 1);
    CHECK_EQ(wa_barrier_reset(B1), 0);
    CHECK_EQ(wa_await(op), WA_EBROKEN);
    CHECK_STR(wa_future_message(op), "Abort or reset of barrier");
    wa_release(op);
    CHECK_EQ(wa_barrier_destroy(B1), 0);
    return 0;
}

TEST(barrier_abort_breaks_it_until_reset) {
    CHECK_EQ(wa_barrier_new(&B1, 3), 0);
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, arriver, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_barrier_abort(B1), 0);
    CHECK(wa_barrier_broken(B1));
    CHECK_EQ(wa_await(a), WA_EBROKEN);
    CHECK_EQ(wa_barrier_wait(B1, NULL), WA_EBROKEN);
    wa_future_t *op;
    CHECK_EQ(wa_barrier_wait_start(B1, &op), 0);
    CHECK_EQ(wa_future_status(op), WA_EBROKEN);
    CHECK_STR(wa_future_message(op), "Barrier aborted");
    wa_release(op);
    CHECK_EQ(wa_barrier_reset(B1), 0);
    CHECK(!wa_barrier_broken(B1));
    CHECK_EQ(wa_barrier_wait_start(B1, &op), 0);
    CHECK(!wa_future_done(op));
    CHECK_EQ(wa_barrier_n_waiting(B1), 1);
    CHECK_EQ(wa_barrier_abort(B1), 0);
    CHECK_EQ(wa_await(op), WA_EBROKEN);
    wa_release(op);
    wa_release(a);
    CHECK_EQ(wa_barrier_destroy(B1), 0);
    return 0;
}

TEST(barrier_cancelled_waiter_leaves_without_breaking_it) {
    CHECK_EQ(wa_barrier_new(&B1, 3), 0);
    wa_task_t *a, *b, *c;
    CHECK_EQ(wa_spawn(&a, arriver, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, arriver, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_barrier_n_waiting(B1), 1);
    CHECK(!wa_barrier_broken(B1));
    CHECK_EQ(wa_spawn(&c, arriver, "c", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    unsigned idx;
    CHECK_EQ(wa_barrier_wait(B1, &idx), 0);
    CHECK_EQ(wa_await(b), 0);
    CHECK_EQ(wa_await(c), 0);
    /* indices as Python computes them (self._count at arrival) */
    CHECK_STR(wa_log_text(), "a:-1 b:1 c:1");
    CHECK_EQ(idx, 2);
    wa_release(a);
    wa_release(b);
    wa_release(c);
    CHECK_EQ(wa_barrier_destroy(B1), 0);
    return 0;
}

TEST(barrier_race_released_then_cancelled_keeps_it_consistent) {
    CHECK_EQ(wa_barrier_new(&B1, 2), 0);
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, arriver, "a", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_barrier_wait(B1, NULL), 0); /* releases a */
    CHECK_EQ(wa_cancel(a, NULL), 1);        /* before it resumed */
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_barrier_n_waiting(B1), 0);
    /* the barrier is back to filling: a full new cycle passes */
    wa_future_t *op;
    CHECK_EQ(wa_barrier_wait_start(B1, &op), 0);
    CHECK(!wa_future_done(op));
    CHECK_EQ(wa_barrier_wait(B1, NULL), 0);
    CHECK_EQ(wa_await(op), 0);
    wa_release(op);
    wa_release(a);
    CHECK_EQ(wa_barrier_destroy(B1), 0);
    return 0;
}

typedef struct {
    wa_barrier_t *b;
    wa_future_t *op;
    int id;
} step_arr_t;

static int step_arriver(void *st, int status) {
    step_arr_t *s = st;
    if (!s->op) {
        int rc = wa_barrier_wait_start(s->b, &s->op);
        if (rc) return rc;
        wa_step_await(s->op);
        return WA_PENDING;
    }
    wa_log("s%d:%d:%d", s->id, status, op_index(s->op));
    wa_release(s->op);
    s->op = NULL;
    return status;
}

TEST(barrier_step_tasks_and_destroy) {
    wa_barrier_t *b;
    CHECK_EQ(wa_barrier_new(&b, 3), 0);
    step_arr_t s[3] = {{b, NULL, 0}, {b, NULL, 1}, {b, NULL, 2}};
    wa_task_t *t[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_spawn_step(&t[i], step_arriver, &s[i], NULL), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_STR(wa_log_text(), "s2:0:2 s0:0:0 s1:0:1"); /* the releaser first */
    wa_future_t *op1, *op2;
    CHECK_EQ(wa_barrier_wait_start(b, &op1), 0);
    CHECK_EQ(wa_barrier_wait_start(b, &op2), 0);
    CHECK_EQ(wa_barrier_destroy(b), 0);
    CHECK_EQ(wa_await(op1), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(op2), WA_ESHUTDOWN);
    wa_release(op1);
    wa_release(op2);
    return 0;
}

TEST(barrier_bad_input) {
    wa_barrier_t *b;
    wa_future_t *op;
    CHECK_EQ(wa_barrier_new(&b, 0), WA_EINVAL);
    CHECK_EQ(wa_barrier_new(NULL, 2), WA_EINVAL);
    CHECK_EQ(wa_barrier_wait(NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_barrier_wait_start(NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_barrier_reset(NULL), WA_EINVAL);
    CHECK_EQ(wa_barrier_abort(NULL), WA_EINVAL);
    CHECK_EQ(wa_barrier_destroy(NULL), WA_EINVAL);
    CHECK_EQ(wa_barrier_parties(NULL), 0);
    CHECK_EQ(wa_barrier_n_waiting(NULL), 0);
    CHECK(!wa_barrier_broken(NULL));
    CHECK_EQ(wa_barrier_new(&b, 2), 0);
    CHECK_EQ(wa_barrier_wait_start(b, NULL), WA_EINVAL);
    /* a released pending op leaves the barrier */
    CHECK_EQ(wa_barrier_wait_start(b, &op), 0);
    CHECK_EQ(wa_barrier_n_waiting(b), 1);
    wa_release(op);
    CHECK_EQ(wa_barrier_n_waiting(b), 0);
    CHECK_EQ(wa_barrier_destroy(b), 0);
    return 0;
}
