/* The virtual clock (wa_loop_set_clock): time jumps to the next timer when
 * nothing is ready, so an hour of timers runs at once and in a fixed order. */
#include "harness.h"

static int sleeper(void *arg) {
    double ms = *(double *)arg;
    int rc = wa_sleep(ms);
    wa_log("%s@%.0f", rc ? "cancelled" : "woke", wa_time());
    return rc;
}

TEST_VIRTUAL(virtual_clock_runs_an_hour_of_timers_at_once_in_order) {
    CHECK_EQ(wa_loop_clock(), WA_CLOCK_VIRTUAL);
    CHECK(wa_time() == 0);
    double ms[3] = {3600e3, 1800e3, 60e3};
    wa_task_t *t[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_spawn(&t[i], sleeper, &ms[i], NULL), 0);
    /* a wait_for that times out after half an hour of virtual time */
    wa_future_t *never;
    CHECK_EQ(wa_future_new(&never), 0);
    CHECK_EQ(wa_wait_for(never, 1800e3 + 1), WA_ETIMEDOUT);
    CHECK(wa_time() == 1800e3 + 1);
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_await(t[i]), 0);
    CHECK(wa_time() == 3600e3);
    CHECK_STR(wa_log_text(), "woke@60000 woke@1800000 woke@3600000");
    for (int i = 0; i < 3; i++) wa_release(t[i]);
    wa_release(never);
    return 0;
}

TEST_VIRTUAL(virtual_clock_does_not_jump_while_callbacks_are_ready) {
    double ms = 10;
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, sleeper, &ms, NULL), 0);
    /* 1000 turns of sleep(0): the timer never fires meanwhile */
    for (int i = 0; i < 1000; i++) CHECK_EQ(wa_sleep(0), 0);
    CHECK(wa_time() == 0);
    CHECK_STR(wa_log_text(), "");
    CHECK_EQ(wa_await(t), 0);
    CHECK(wa_time() == 10);
    CHECK_STR(wa_log_text(), "woke@10");
    wa_release(t);
    return 0;
}

TEST_VIRTUAL(virtual_clock_equal_deadlines_fire_in_the_order_set) {
    double ms[4] = {5, 5, 5, 5};
    wa_task_t *t[4];
    for (int i = 0; i < 4; i++) CHECK_EQ(wa_spawn(&t[i], sleeper, &ms[i], NULL), 0);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_STR(wa_log_text(), "woke@5 woke@5 woke@5 woke@5");
    return 0;
}

static void nop(void *arg) { (void)arg; }

TEST(virtual_clock_switch_needs_no_pending_timer) {
    CHECK_EQ(wa_loop_set_clock(7), WA_EINVAL);
    wa_handle_t h;
    /* (the harness's watchdog timer is pending too) */
    CHECK_EQ(wa_call_later(50, nop, NULL, &h), 0);
    CHECK_EQ(wa_loop_set_clock(WA_CLOCK_VIRTUAL), WA_ESTATE);
    CHECK_EQ(wa_loop_clock(), WA_CLOCK_HOST);
    CHECK_EQ(wa_handle_cancel(h), 1);
    CHECK_EQ(wa_loop_set_clock(WA_CLOCK_HOST), 0); /* no change */
    CHECK_EQ(wa_loop_clock(), WA_CLOCK_HOST);
    return 0;
}

static int step_cancelling_sleeper(void *arg, int status) {
    int *stage = arg;
    if ((*stage)++ == 0) {
        wa_step_sleep(1000);
        return WA_PENDING;
    }
    wa_log("step:%d@%.0f", status, wa_time());
    return status;
}

TEST_VIRTUAL(virtual_clock_cancelled_timers_are_not_jumped_to) {
    int stage = 0;
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, step_cancelling_sleeper, &stage, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_sleep(7), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(wa_time() == 7);
    CHECK_STR(wa_log_text(), "step:-1@0");
    wa_release(t);
    return 0;
}
