/* Timeout scopes: asyncio.timeout / timeout_at semantics (3.13 Timeout),
 * nesting, reschedule, expired(), outer cancellations, effective deadlines,
 * step tasks. */
#include "harness.h"
#include "bridge_api.h" /* the calls the JS bindings use */

static int sleeper_in_scope(void *arg) {
    double ms = *(double *)arg;
    wa_timeout_t s;
    int rc = wa_timeout_enter(&s, ms);
    if (rc) return rc;
    rc = wa_sleep(10000);
    wa_log("inner:%d", rc);
    rc = wa_timeout_exit(&s, rc);
    wa_log("exit:%d", rc);
    return rc;
}

TEST(timeout_expiry_becomes_etimedout) {
    wa_timeout_t s;
    double t0 = wa_time();
    CHECK_EQ(wa_timeout_enter(&s, 5), 0);
    CHECK(!wa_timeout_expired(&s));
    int rc = wa_sleep(10000);
    CHECK_EQ(rc, WA_ECANCELLED);
    CHECK(wa_timeout_expired(&s));
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 1);
    CHECK_EQ(wa_timeout_exit(&s, rc), WA_ETIMEDOUT);
    double dt = wa_time() - t0;
    CHECK(dt >= 4.5 && dt < 5000);
    CHECK(wa_timeout_expired(&s)); /* stays true after exit */
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0); /* uncancelled */
    CHECK_EQ(wa_sleep(1), 0); /* nothing left pending */
    return 0;
}

TEST(timeout_not_reached_passes_status_through) {
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 1000), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_timeout_exit(&s, 0), 0);
    CHECK(!wa_timeout_expired(&s));
    /* another status passes untouched too */
    CHECK_EQ(wa_timeout_enter(&s, 1000), 0);
    CHECK_EQ(wa_timeout_exit(&s, WA_EFAILED), WA_EFAILED);
    CHECK_EQ(wa_timeout_exit(&s, 0), WA_ESTATE); /* exited twice */
    return 0;
}

TEST(timeout_zero_fires_before_the_task_resumes) {
    /* asyncio: a deadline already passed is call_soon'ed, so even sleep(0)
     * is interrupted. */
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 0), 0);
    int rc = wa_sleep(0);
    CHECK_EQ(rc, WA_ECANCELLED);
    CHECK_EQ(wa_timeout_exit(&s, rc), WA_ETIMEDOUT);
    /* timeout_at a time in the past: the same */
    CHECK_EQ(wa_timeout_enter_at(&s, wa_time() - 100), 0);
    rc = wa_sleep(0);
    CHECK_EQ(wa_timeout_exit(&s, rc), WA_ETIMEDOUT);
    return 0;
}

TEST(timeout_infinite_never_fires_and_arms_nothing) {
    wa_stats_t a, b;
    wa_get_stats(&a);
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, WA_NO_TIMEOUT), 0);
    wa_get_stats(&b);
    CHECK_EQ(b.handles, a.handles); /* no timer */
    CHECK(isinf(wa_timeout_when(&s)));
    CHECK_EQ(wa_sleep(2), 0);
    CHECK_EQ(wa_timeout_exit(&s, 0), 0);
    CHECK(!wa_timeout_expired(&s));
    return 0;
}

TEST(timeout_reschedule_later) {
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 3), 0);
    double when = wa_time() + 500;
    CHECK_EQ(wa_timeout_reschedule(&s, when), 0);
    CHECK(wa_timeout_when(&s) == when);
    CHECK_EQ(wa_sleep(10), 0); /* the old 3 ms deadline is gone */
    CHECK_EQ(wa_timeout_exit(&s, 0), 0);
    CHECK(!wa_timeout_expired(&s));
    return 0;
}

TEST(timeout_reschedule_earlier) {
    wa_timeout_t s;
    double t0 = wa_time();
    CHECK_EQ(wa_timeout_enter(&s, 10000), 0);
    CHECK_EQ(wa_timeout_reschedule(&s, wa_time() + 5), 0);
    int rc = wa_sleep(10000);
    CHECK_EQ(wa_timeout_exit(&s, rc), WA_ETIMEDOUT);
    CHECK(wa_time() - t0 < 5000);
    return 0;
}

TEST(timeout_reschedule_never_and_after_expiry) {
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 3), 0);
    CHECK_EQ(wa_timeout_reschedule(&s, WA_NO_TIMEOUT), 0);
    CHECK(isinf(wa_timeout_when(&s)));
    CHECK_EQ(wa_sleep(10), 0);
    CHECK_EQ(wa_timeout_reschedule(&s, NAN), WA_EINVAL);
    /* rescheduling into the past expires at once */
    CHECK_EQ(wa_timeout_reschedule(&s, wa_time() - 1), 0);
    int rc = wa_sleep(10000);
    CHECK_EQ(rc, WA_ECANCELLED);
    CHECK(wa_timeout_expired(&s));
    /* asyncio: "Cannot change state of expiring Timeout" */
    CHECK_EQ(wa_timeout_reschedule(&s, wa_time() + 100), WA_ESTATE);
    CHECK_EQ(wa_timeout_exit(&s, rc), WA_ETIMEDOUT);
    CHECK_EQ(wa_timeout_reschedule(&s, wa_time() + 100), WA_ESTATE);
    return 0;
}

static void enter_from_callback(void *arg) {
    wa_timeout_t s;
    *(int *)arg = wa_timeout_enter(&s, 5);
}

TEST(timeout_bad_arguments_change_nothing) {
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(NULL, 5), WA_EINVAL);
    CHECK_EQ(wa_timeout_enter(&s, NAN), WA_EINVAL);
    CHECK_EQ(wa_timeout_enter_at(&s, NAN), WA_EINVAL);
    CHECK_EQ(wa_timeout_exit(NULL, 0), WA_EINVAL);
    CHECK_EQ(wa_timeout_enter(&s, 1000), 0);
    CHECK_EQ(wa_timeout_enter(&s, 1000), WA_ESTATE); /* already entered */
    CHECK_EQ(wa_timeout_free(&s), WA_ESTATE);
    CHECK_EQ(wa_timeout_exit(&s, 0), 0);
    int rc = 1;
    CHECK_EQ(wa_call_soon(enter_from_callback, &rc, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(rc, WA_ENOTASK);
    /* heap scopes for bindings */
    wa_timeout_t *h;
    CHECK_EQ(wa_timeout_new(&h), 0);
    CHECK_EQ(wa_timeout_enter(h, 1000), 0);
    CHECK_EQ(wa_timeout_free(h), WA_ESTATE);
    CHECK_EQ(wa_timeout_exit(h, 0), 0);
    CHECK_EQ(wa_timeout_free(h), 0);
    return 0;
}

TEST(outer_cancellation_passes_through_a_timeout_scope) {
    double ms = 1000;
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, sleeper_in_scope, &ms, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_cancel(t, "outer"), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED); /* not converted */
    CHECK_STR(wa_log_text(), "inner:-1 exit:-1");
    CHECK_STR(wa_future_message(t), "outer");
    wa_release(t);
    return 0;
}

static void cancel_task_cb(void *arg) { wa_cancel(arg, "outer"); }

TEST(outer_cancellation_together_with_expiry_stays_a_cancellation) {
    /* The scope expires and an outside cancel lands in the same turn:
     * cancelling() is 2, uncancel() leaves 1 > 0: not ours alone. */
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 3), 0);
    CHECK_EQ(wa_call_later(3, cancel_task_cb, wa_current_task(), NULL), 0);
    double t0 = wa_time();
    while (wa_time() - t0 < 8) {
    } /* block the loop past both deadlines */
    int rc = wa_sleep(10000);
    CHECK_EQ(rc, WA_ECANCELLED);
    CHECK(wa_timeout_expired(&s));
    CHECK_EQ(wa_timeout_exit(&s, rc), WA_ECANCELLED);
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 1);
    CHECK_EQ(wa_task_uncancel(wa_current_task()), 0); /* we handle it */
    return 0;
}

TEST(nested_timeouts_outer_fires_first) {
    wa_timeout_t outer, inner;
    CHECK_EQ(wa_timeout_enter(&outer, 5), 0);
    CHECK_EQ(wa_timeout_enter(&inner, 10000), 0);
    int rc = wa_sleep(10000);
    CHECK_EQ(rc, WA_ECANCELLED);
    CHECK(!wa_timeout_expired(&inner));
    CHECK(wa_timeout_expired(&outer));
    rc = wa_timeout_exit(&inner, rc);
    CHECK_EQ(rc, WA_ECANCELLED); /* not the inner's: passes through */
    rc = wa_timeout_exit(&outer, rc);
    CHECK_EQ(rc, WA_ETIMEDOUT);
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    return 0;
}

TEST(nested_timeouts_inner_fires_first) {
    wa_timeout_t outer, inner;
    CHECK_EQ(wa_timeout_enter(&outer, 10000), 0);
    CHECK_EQ(wa_timeout_enter(&inner, 5), 0);
    int rc = wa_sleep(10000);
    rc = wa_timeout_exit(&inner, rc);
    CHECK_EQ(rc, WA_ETIMEDOUT);
    CHECK(!wa_timeout_expired(&outer));
    /* the outer block goes on normally */
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_timeout_exit(&outer, 0), 0);
    return 0;
}

TEST(nested_timeouts_both_fire_outer_wins) {
    wa_timeout_t outer, inner;
    CHECK_EQ(wa_timeout_enter(&outer, 3), 0);
    CHECK_EQ(wa_timeout_enter(&inner, 4), 0);
    double t0 = wa_time();
    while (wa_time() - t0 < 8) {
    } /* both expire before the task runs again */
    int rc = wa_sleep(10000);
    CHECK_EQ(rc, WA_ECANCELLED);
    CHECK(wa_timeout_expired(&inner) && wa_timeout_expired(&outer));
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 2);
    rc = wa_timeout_exit(&inner, rc);
    CHECK_EQ(rc, WA_ECANCELLED); /* the outer's cancellation is still pending */
    rc = wa_timeout_exit(&outer, rc);
    CHECK_EQ(rc, WA_ETIMEDOUT);
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    CHECK_EQ(wa_sleep(0), 0);
    return 0;
}

static int swallow_in_scope(void *arg) {
    int *mode = arg;
    wa_timeout_t s;
    int rc = wa_timeout_enter(&s, 3);
    if (rc) return rc;
    rc = wa_sleep(10000);
    wa_log("caught:%d", rc);
    /* mode 0: swallow and finish; mode 1: turn it into another error */
    rc = *mode == 0 ? 0 : WA_EFAILED;
    rc = wa_timeout_exit(&s, rc);
    wa_log("exit:%d expired:%d", rc, wa_timeout_expired(&s));
    return rc == WA_EFAILED ? wa_fail(rc, "other") : rc;
}

TEST(timeout_body_that_swallows_or_fails_keeps_its_status) {
    int mode = 0;
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, swallow_in_scope, &mode, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_log_text(), "caught:-1 exit:0 expired:1");
    wa_release(t);
    wa_log_clear();
    mode = 1;
    CHECK_EQ(wa_spawn(&t, swallow_in_scope, &mode, NULL), 0);
    CHECK_EQ(wa_await(t), WA_EFAILED);
    CHECK_STR(wa_log_text(), "caught:-1 exit:-14 expired:1");
    wa_release(t);
    return 0;
}

TEST(timeout_entered_with_a_pending_cancel_count) {
    /* The count on entry is the baseline: a task already cancelled once
     * (and still handling it) gets its own timeout right. */
    wa_task_t *me = wa_current_task();
    CHECK_EQ(wa_cancel(me, NULL), 1);
    CHECK_EQ(wa_sleep(0), WA_ECANCELLED);
    CHECK_EQ(wa_task_cancelling(me), 1);
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 3), 0);
    int rc = wa_sleep(10000);
    CHECK_EQ(wa_timeout_exit(&s, rc), WA_ETIMEDOUT);
    CHECK_EQ(wa_task_cancelling(me), 1);
    CHECK_EQ(wa_task_uncancel(me), 0);
    return 0;
}

TEST(current_deadline_is_the_earliest_enclosing) {
    CHECK(isinf(wa_current_deadline()));
    wa_timeout_t a, b, c;
    CHECK_EQ(wa_timeout_enter(&a, 5000), 0);
    double wa_ = wa_timeout_when(&a);
    CHECK(wa_current_deadline() == wa_);
    CHECK_EQ(wa_timeout_enter(&b, 1000), 0);
    double wb = wa_timeout_when(&b);
    CHECK(wa_current_deadline() == wb);
    CHECK_EQ(wa_timeout_enter(&c, 8000), 0); /* later than b: b still rules */
    CHECK(wa_current_deadline() == wb);
    CHECK(wa_timeout_deadline(&c) == wb);
    CHECK(wa_timeout_deadline(&a) == wa_);
    CHECK(wa_timeout_when(&c) > wb);
    CHECK_EQ(wa_timeout_exit(&c, 0), 0);
    CHECK(isnan(wa_timeout_deadline(&c)));
    CHECK_EQ(wa_timeout_exit(&b, 0), 0);
    CHECK(wa_current_deadline() == wa_);
    CHECK_EQ(wa_timeout_exit(&a, 0), 0);
    CHECK(isinf(wa_current_deadline()));
    return 0;
}

static int deadline_of_spawned(void *arg) {
    *(double *)arg = wa_current_deadline();
    return 0;
}

TEST(plain_spawned_task_does_not_inherit_a_deadline) {
    /* asyncio: a timeout cancels only its own task */
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 1000), 0);
    double d = 0;
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, deadline_of_spawned, &d, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK(isinf(d));
    wa_release(t);
    CHECK_EQ(wa_timeout_exit(&s, 0), 0);
    return 0;
}

typedef struct {
    wa_timeout_t scope;
    int phase;
    int result;
} step_scope_t;

static int step_with_scope(void *state, int status) {
    step_scope_t *s = state;
    switch (s->phase) {
    case 0: {
        int rc = wa_timeout_enter(&s->scope, 4);
        if (rc) return rc;
        s->phase = 1;
        wa_step_sleep(10000);
        return WA_PENDING;
    }
    default:
        s->result = wa_timeout_exit(&s->scope, status);
        return s->result == WA_ETIMEDOUT ? 0 : s->result;
    }
}

TEST(timeout_scope_in_a_step_task) {
    step_scope_t st = {.phase = 0};
    wa_task_t *t;
    double t0 = wa_time();
    CHECK_EQ(wa_spawn_step(&t, step_with_scope, &st, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_EQ(st.result, WA_ETIMEDOUT);
    CHECK(wa_time() - t0 < 5000);
    CHECK_EQ(wa_task_cancelling(t), 0);
    wa_release(t);
    return 0;
}

static int leaves_scope_open(void *arg) {
    wa_timeout_t *s = arg; /* lives in the test's frame */
    return wa_timeout_enter(s, 5);
}

TEST(task_ending_inside_a_scope_has_it_disarmed) {
    wa_timeout_t s;
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, leaves_scope_open, &s, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK(!wa_future_cancelled(t));
    CHECK_EQ(wa_sleep(10), 0); /* the deadline would have passed: nothing */
    CHECK(!wa_timeout_expired(&s));
    CHECK_EQ(wa_timeout_exit(&s, 0), WA_ESTATE);
    wa_release(t);
    return 0;
}

static int exits_a_scope_entered_for_it(void *arg) {
    wa_timeout_t *s = arg;
    int rc = wa_sleep(10000);
    return wa_timeout_exit(s, rc);
}

TEST(timeout_entered_for_another_task) {
    wa_timeout_t s;
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, exits_a_scope_entered_for_it, &s, NULL), 0);
    CHECK_EQ(wa_timeout_enter_in(&s, t, wa_time() + 3), 0);
    CHECK(isinf(wa_current_deadline())); /* not ours */
    CHECK(wa_timeout_deadline(&s) == wa_timeout_when(&s));
    CHECK_EQ(wa_await(t), WA_ETIMEDOUT);
    CHECK_EQ(wa_timeout_enter_in(&s, t, wa_time() + 3), WA_ESTATE); /* done */
    CHECK_EQ(wa_timeout_enter_in(&s, NULL, wa_time() + 3), WA_EINVAL);
    wa_release(t);
    return 0;
}
