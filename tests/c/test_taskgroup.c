/* TaskGroup, following asyncio 3.13's taskgroups.py: waiting, failure
 * handling (cancel siblings and the body, uncancel at exit), error lists,
 * outside cancellation, closed groups, deadlines, step-task owners. */
#include "harness.h"
#include "bridge_api.h" /* the calls the JS bindings use */

typedef struct {
    double ms;
    int fail;           /* fail with this code after ms (0: succeed) */
    const char *name;
    double cleanup;     /* when cancelled, take this long to finish      */
} kid_t;

static int kid(void *arg) {
    kid_t *k = arg;
    int rc = wa_sleep(k->ms);
    if (rc) {
        if (k->cleanup > 0) {
            wa_task_uncancel(wa_current_task());
            wa_sleep(k->cleanup);
        }
        wa_log("%s:cancelled", k->name);
        return WA_ECANCELLED;
    }
    wa_log("%s:done", k->name);
    if (k->fail) return wa_fail(k->fail, "%s failed", k->name);
    return wa_return((void *)k->name, NULL);
}

TEST(taskgroup_waits_for_every_child) {
    kid_t a = {6, 0, "a", 0}, b = {2, 0, "b", 0};
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    wa_task_t *ta;
    CHECK_EQ(wa_taskgroup_spawn(tg, &ta, kid, &a, NULL), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &b, NULL), 0);
    CHECK_EQ(wa_taskgroup_size(tg), 2);
    CHECK_EQ(wa_taskgroup_exit(tg, 0), 0);
    CHECK(wa_future_done(ta));
    CHECK_EQ(wa_taskgroup_size(tg), 0);
    CHECK_EQ(wa_taskgroup_error_count(tg), 0);
    CHECK_STR(wa_log_text(), "b:done a:done");
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    wa_release(ta);
    return 0;
}

TEST(taskgroup_child_failure_cancels_siblings_and_the_body) {
    kid_t bad = {2, WA_ENETWORK, "bad", 0}, slow = {10000, 0, "slow", 0};
    wa_taskgroup_t *tg;
    wa_task_t *me = wa_current_task();
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &bad, NULL), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &slow, NULL), 0);
    int rc = wa_sleep(10000); /* the body, interrupted */
    wa_log("body:%d", rc);
    CHECK_EQ(rc, WA_ECANCELLED);
    CHECK_EQ(wa_task_cancelling(me), 1);
    rc = wa_taskgroup_exit(tg, rc);
    CHECK_EQ(rc, WA_EGROUP);
    CHECK_EQ(wa_task_cancelling(me), 0); /* the group's own cancel withdrawn */
    CHECK_STR(wa_log_text(), "bad:done slow:cancelled body:-1");
    CHECK_EQ(wa_taskgroup_error_count(tg), 1);
    int code;
    const char *msg;
    wa_task_t *who;
    CHECK_EQ(wa_taskgroup_error(tg, 0, &code, &msg, &who), 0);
    CHECK_EQ(code, WA_ENETWORK);
    CHECK_STR(msg, "bad failed");
    CHECK(who != me && wa_is_task(who));
    CHECK_EQ(wa_taskgroup_error(tg, 1, &code, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    CHECK_EQ(wa_sleep(1), 0); /* the body goes on normally afterwards */
    return 0;
}

static int owner_of_failing_group(void *arg) {
    (void)arg;
    kid_t k = {1, WA_EFAILED, "k", 0};
    wa_taskgroup_t *tg;
    int rc = wa_taskgroup_enter(&tg);
    if (rc) return rc;
    wa_taskgroup_spawn(tg, NULL, kid, &k, NULL);
    rc = wa_taskgroup_exit(tg, wa_sleep(10000));
    wa_taskgroup_free(tg);
    return rc;
}

TEST(taskgroup_failure_message_and_status_of_the_owner) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, owner_of_failing_group, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), WA_EGROUP); /* even for a single failure */
    CHECK_STR(wa_future_message(t), "unhandled errors in a TaskGroup (1 sub-exception)");
    wa_release(t);
    return 0;
}

TEST(taskgroup_two_failures_are_both_reported) {
    kid_t x = {0, WA_EFAILED, "x", 0}, y = {0, WA_EVALUE, "y", 0}, z = {10000, 0, "z", 0};
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    wa_task_t *tx, *ty;
    CHECK_EQ(wa_taskgroup_spawn(tg, &tx, kid, &x, NULL), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, &ty, kid, &y, NULL), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &z, NULL), 0);
    /* both fail in the same turn, before the cancellation reaches them */
    CHECK_EQ(wa_taskgroup_exit(tg, 0), WA_EGROUP);
    CHECK_EQ(wa_taskgroup_error_count(tg), 2);
    int c0, c1;
    wa_task_t *w0, *w1;
    CHECK_EQ(wa_taskgroup_error(tg, 0, &c0, NULL, &w0), 0);
    CHECK_EQ(wa_taskgroup_error(tg, 1, &c1, NULL, &w1), 0);
    CHECK(c0 == WA_EFAILED && w0 == tx);
    CHECK(c1 == WA_EVALUE && w1 == ty);
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    wa_release(tx);
    wa_release(ty);
    return 0;
}

TEST(taskgroup_cancelled_child_is_not_an_error) {
    kid_t a = {10000, 0, "a", 0}, b = {20, 0, "b", 0};
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    wa_task_t *ta;
    CHECK_EQ(wa_taskgroup_spawn(tg, &ta, kid, &a, NULL), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &b, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0); /* both started */
    CHECK_EQ(wa_cancel(ta, NULL), 1);
    CHECK_EQ(wa_sleep(0), 0); /* the body is not cancelled */
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_taskgroup_exit(tg, 0), 0);
    CHECK_EQ(wa_taskgroup_error_count(tg), 0);
    CHECK_STR(wa_log_text(), "a:cancelled b:done");
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    wa_release(ta);
    return 0;
}

TEST(taskgroup_spawn_after_close_or_while_aborting_is_estate) {
    kid_t bad = {1, WA_EFAILED, "bad", 0}, k = {1, 0, "k", 0};
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &bad, NULL), 0);
    CHECK_EQ(wa_sleep(10000), WA_ECANCELLED); /* by the failure */
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &k, NULL), WA_ESTATE); /* shutting down */
    CHECK_EQ(wa_taskgroup_exit(tg, WA_ECANCELLED), WA_EGROUP);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &k, NULL), WA_ESTATE); /* finished */
    CHECK_EQ(wa_taskgroup_exit(tg, 0), WA_ESTATE);                    /* exited twice */
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    /* a clean group is closed after exit too */
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_exit(tg, 0), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &k, NULL), WA_ESTATE);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, NULL, &k, NULL), WA_EINVAL);
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    CHECK_EQ(wa_taskgroup_spawn(NULL, NULL, kid, &k, NULL), WA_EINVAL);
    return 0;
}

static int spawner(void *arg) {
    wa_taskgroup_t *tg = arg;
    static kid_t late = {3, 0, "late", 0};
    int rc = wa_sleep(2);
    if (rc) return rc;
    wa_log("spawning");
    return wa_taskgroup_spawn(tg, NULL, kid, &late, NULL);
}

TEST(taskgroup_child_may_spawn_while_the_group_exits) {
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, spawner, tg, NULL), 0);
    CHECK_EQ(wa_taskgroup_exit(tg, 0), 0); /* waits for the late one too */
    CHECK_STR(wa_log_text(), "spawning late:done");
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    return 0;
}

typedef struct {
    int exit_rc;
    int after_rc;
} owner_t;

static int group_owner(void *arg) {
    owner_t *o = arg;
    kid_t a = {10000, 0, "a", 0}, b = {10000, 0, "b", 0};
    wa_taskgroup_t *tg;
    int rc = wa_taskgroup_enter(&tg);
    if (rc) return rc;
    wa_taskgroup_spawn(tg, NULL, kid, &a, NULL);
    wa_taskgroup_spawn(tg, NULL, kid, &b, NULL);
    rc = wa_sleep(10000);
    wa_log("body:%d", rc);
    o->exit_rc = wa_taskgroup_exit(tg, rc);
    wa_taskgroup_free(tg);
    return o->exit_rc;
}

TEST(taskgroup_outside_cancel_of_the_owner_propagates) {
    owner_t o = {1, 1};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, group_owner, &o, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_cancel(t, "outside"), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_EQ(o.exit_rc, WA_ECANCELLED); /* not swallowed */
    CHECK_STR(wa_log_text(), "body:-1 a:cancelled b:cancelled");
    CHECK_EQ(wa_task_cancelling(t), 1);
    wa_release(t);
    return 0;
}

static int exits_at_once(void *arg) {
    owner_t *o = arg;
    kid_t a = {10000, 0, "a", 0};
    wa_taskgroup_t *tg;
    int rc = wa_taskgroup_enter(&tg);
    if (rc) return rc;
    wa_taskgroup_spawn(tg, NULL, kid, &a, NULL);
    o->exit_rc = wa_taskgroup_exit(tg, 0); /* cancelled while waiting here */
    wa_log("exit:%d", o->exit_rc);
    wa_taskgroup_free(tg);
    return o->exit_rc;
}

TEST(taskgroup_outside_cancel_during_exit_cancels_children_and_propagates) {
    owner_t o = {1, 1};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, exits_at_once, &o, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "a:cancelled exit:-1");
    wa_release(t);
    return 0;
}

TEST(taskgroup_body_failure_cancels_children_and_is_reported) {
    kid_t a = {10000, 0, "a", 0};
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &a, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    int body = wa_fail(WA_EVALUE, "body broke"); /* the body's own failure */
    CHECK_EQ(wa_taskgroup_exit(tg, body), WA_EGROUP);
    CHECK_STR(wa_log_text(), "a:cancelled");
    CHECK_EQ(wa_taskgroup_error_count(tg), 1);
    int code;
    const char *msg;
    wa_task_t *who;
    CHECK_EQ(wa_taskgroup_error(tg, 0, &code, &msg, &who), 0);
    CHECK_EQ(code, WA_EVALUE);
    CHECK_STR(msg, "body broke");
    CHECK(who == wa_current_task());
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    return 0;
}

static int failing_group_owner_cancelled_too(void *arg) {
    owner_t *o = arg;
    kid_t bad = {2, WA_EFAILED, "bad", 0}, other = {10000, 0, "other", 60};
    wa_taskgroup_t *tg;
    int rc = wa_taskgroup_enter(&tg);
    if (rc) return rc;
    wa_taskgroup_spawn(tg, NULL, kid, &bad, NULL);
    wa_taskgroup_spawn(tg, NULL, kid, &other, NULL);
    rc = wa_sleep(10000);
    o->exit_rc = wa_taskgroup_exit(tg, rc);
    wa_taskgroup_free(tg);
    /* the outside cancellation is still pending: the next wait gets it */
    double t0 = wa_time();
    o->after_rc = wa_sleep(10000);
    wa_log("after:%d fast:%d", o->after_rc, wa_time() - t0 < 5000);
    return o->after_rc;
}

static void cancel_cb(void *arg) { wa_cancel(arg, "outside"); }

TEST(taskgroup_errors_win_over_outside_cancel_which_stays_pending) {
    owner_t o = {1, 1};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, failing_group_owner_cancelled_too, &o, NULL), 0);
    /* the failure (at 2 ms) cancels the owner; an outside cancel follows
     * while the group still waits for "other" to clean up (60 ms) */
    for (int i = 0; i < 500 && wa_task_cancelling(t) < 1; i++) CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_task_cancelling(t), 1);
    CHECK_EQ(wa_call_soon(cancel_cb, t, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_task_cancelling(t), 2);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_EQ(o.exit_rc, WA_EGROUP);
    CHECK_EQ(o.after_rc, WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "bad:done other:cancelled after:-1 fast:1");
    wa_release(t);
    return 0;
}

TEST(taskgroup_child_failing_during_exit_cancels_the_others) {
    kid_t bad = {3, WA_EFAILED, "bad", 0}, slow = {10000, 0, "slow", 0};
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &bad, NULL), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &slow, NULL), 0);
    double t0 = wa_time();
    CHECK_EQ(wa_taskgroup_exit(tg, 0), WA_EGROUP);
    CHECK(wa_time() - t0 < 5000);
    CHECK_STR(wa_log_text(), "bad:done slow:cancelled");
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    CHECK_EQ(wa_sleep(0), 0);
    return 0;
}

static int report_deadline(void *arg) {
    *(double *)arg = wa_current_deadline();
    return 0;
}

TEST(taskgroup_children_inherit_the_effective_deadline) {
    wa_timeout_t outer;
    CHECK_EQ(wa_timeout_enter(&outer, 5000), 0);
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK(wa_taskgroup_deadline(tg) == wa_timeout_when(&outer));
    /* a scope inside the body after the group does not bound the group */
    wa_timeout_t inner;
    CHECK_EQ(wa_timeout_enter(&inner, 1000), 0);
    CHECK(wa_taskgroup_deadline(tg) == wa_timeout_when(&outer));
    CHECK(wa_current_deadline() == wa_timeout_when(&inner));
    double d = 0;
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, report_deadline, &d, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK(d == wa_timeout_when(&outer));
    CHECK_EQ(wa_timeout_exit(&inner, 0), 0);
    CHECK_EQ(wa_taskgroup_exit(tg, 0), 0);
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    CHECK_EQ(wa_timeout_exit(&outer, 0), 0);
    return 0;
}

static int nested_group_child(void *arg) {
    double *d = arg;
    wa_timeout_t s;
    int rc = wa_timeout_enter(&s, 100000);
    if (rc) return rc;
    wa_taskgroup_t *tg;
    rc = wa_taskgroup_enter(&tg);
    if (rc) return rc;
    wa_taskgroup_spawn(tg, NULL, report_deadline, d, NULL);
    rc = wa_taskgroup_exit(tg, 0);
    wa_taskgroup_free(tg);
    return wa_timeout_exit(&s, rc);
}

TEST(taskgroup_deadline_flows_through_nested_groups) {
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 3000), 0);
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    double d = 0;
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, nested_group_child, &d, NULL), 0);
    CHECK_EQ(wa_taskgroup_exit(tg, 0), 0);
    CHECK(d == wa_timeout_when(&s)); /* grandchild sees the outermost */
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    CHECK_EQ(wa_timeout_exit(&s, 0), 0);
    return 0;
}

TEST(taskgroup_inside_an_expiring_timeout) {
    kid_t a = {10000, 0, "a", 0};
    wa_timeout_t s;
    CHECK_EQ(wa_timeout_enter(&s, 4), 0);
    wa_taskgroup_t *tg;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_spawn(tg, NULL, kid, &a, NULL), 0);
    int rc = wa_sleep(10000);
    rc = wa_taskgroup_exit(tg, rc);
    CHECK_EQ(rc, WA_ECANCELLED); /* the scope's cancellation passes the group */
    CHECK_EQ(wa_timeout_exit(&s, rc), WA_ETIMEDOUT);
    CHECK_STR(wa_log_text(), "a:cancelled");
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    return 0;
}

typedef struct {
    wa_taskgroup_t *tg;
    wa_future_t *exit;
    kid_t k;
    int phase;
    int status;
} step_owner_t;

static int step_group_owner(void *state, int status) {
    step_owner_t *s = state;
    switch (s->phase) {
    case 0: {
        int rc = wa_taskgroup_enter(&s->tg);
        if (rc) return rc;
        wa_taskgroup_spawn(s->tg, NULL, kid, &s->k, NULL);
        rc = wa_taskgroup_exit_start(s->tg, 0, &s->exit);
        if (rc) return rc;
        s->phase = 1;
        wa_step_await(s->exit);
        return WA_PENDING;
    }
    default:
        s->status = wa_taskgroup_exit_finish(s->tg, status);
        wa_release(s->exit);
        wa_taskgroup_free(s->tg);
        return s->status;
    }
}

TEST(taskgroup_owned_by_a_step_task) {
    step_owner_t s = {.k = {2, WA_EFAILED, "k", 0}};
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, step_group_owner, &s, NULL), 0);
    CHECK_EQ(wa_await(t), WA_EGROUP);
    CHECK_EQ(s.status, WA_EGROUP);
    CHECK_EQ(wa_task_cancelling(t), 0);
    CHECK_STR(wa_log_text(), "k:done");
    wa_release(t);
    return 0;
}

TEST(taskgroup_add_adopts_an_existing_task_and_free_refuses_early) {
    kid_t a = {2, 0, "a", 0};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, kid, &a, NULL), 0);
    wa_taskgroup_t *tg, *tg2;
    CHECK_EQ(wa_taskgroup_enter(&tg), 0);
    CHECK_EQ(wa_taskgroup_add(tg, t), 0);
    CHECK_EQ(wa_taskgroup_enter(&tg2), 0);
    CHECK_EQ(wa_taskgroup_add(tg2, t), WA_EINVAL); /* already in a group */
    CHECK_EQ(wa_taskgroup_add(tg2, wa_current_task()), WA_EINVAL); /* its owner */
    CHECK_EQ(wa_taskgroup_exit(tg2, 0), 0);
    CHECK_EQ(wa_taskgroup_free(tg2), 0);
    CHECK_EQ(wa_taskgroup_free(tg), WA_ESTATE); /* not exited: nothing changes */
    CHECK_EQ(wa_taskgroup_size(tg), 1);
    CHECK_EQ(wa_taskgroup_exit(tg, 0), 0);
    CHECK(wa_future_done(t));
    CHECK_EQ(wa_taskgroup_free(tg), 0);
    wa_release(t);
    return 0;
}

static void enter_in_callback(void *arg) {
    wa_taskgroup_t *tg = NULL;
    *(int *)arg = wa_taskgroup_enter(&tg);
}

TEST(taskgroup_needs_a_task) {
    int rc = 1;
    CHECK_EQ(wa_call_soon(enter_in_callback, &rc, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(rc, WA_ENOTASK);
    CHECK_EQ(wa_taskgroup_enter(NULL), WA_EINVAL);
    return 0;
}

/* An owner driven from outside the scheduler's steps, as the JS bindings
 * drive an async-function task: every group call comes from callbacks. */
typedef struct {
    wa_taskgroup_t *tg;
    wa_future_t *exit;
    wa_task_t *owner;
    wa_future_t *gate, *done_gate;
    kid_t k;
    int enter_rc, start_rc, finish_rc;
} js_like_t;

static int js_like_owner(void *arg) {
    js_like_t *j = arg;
    int rc = wa_await(j->gate); /* cancelled by the group */
    wa_log("owner:%d", rc);
    rc = wa_await(j->done_gate);
    wa_log("owner-after:%d cancelling:%d", rc, wa_task_cancelling(wa_current_task()));
    return rc;
}

static void js_like_enter(void *arg) {
    js_like_t *j = arg;
    j->enter_rc = wa_taskgroup_enter_in(&j->tg, j->owner);
    if (j->enter_rc == 0) wa_taskgroup_spawn(j->tg, NULL, kid, &j->k, NULL);
}

static void js_like_finish(wa_future_t *f, void *arg) {
    js_like_t *j = arg;
    j->finish_rc = wa_taskgroup_exit_finish(j->tg, wa_future_status(f));
    wa_future_set_result(j->done_gate, NULL, NULL);
}

static void js_like_exit(wa_future_t *f, void *arg) {
    js_like_t *j = arg;
    j->start_rc = wa_taskgroup_exit_start(j->tg, wa_future_status(f), &j->exit);
    if (j->start_rc == 0) wa_future_add_done_callback(j->exit, js_like_finish, j);
}

TEST(taskgroup_driven_from_outside_any_task) {
    js_like_t j = {.k = {2, WA_EFAILED, "k", 0}, .enter_rc = 1, .start_rc = 1, .finish_rc = 1};
    CHECK_EQ(wa_future_new(&j.gate), 0);
    CHECK_EQ(wa_future_new(&j.done_gate), 0);
    CHECK_EQ(wa_spawn(&j.owner, js_like_owner, &j, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_call_soon(js_like_enter, &j, NULL), 0);
    CHECK_EQ(wa_future_add_done_callback(j.gate, js_like_exit, &j), 0);
    CHECK_EQ(wa_await(j.owner), 0);
    CHECK_EQ(j.enter_rc, 0);
    CHECK_EQ(j.start_rc, 0);
    CHECK_EQ(j.finish_rc, WA_EGROUP);
    CHECK_STR(wa_log_text(), "k:done owner:-1 owner-after:0 cancelling:0");
    CHECK_EQ(wa_taskgroup_error_count(j.tg), 1);
    /* from another task than the owner: refused */
    CHECK_EQ(wa_taskgroup_exit_finish(j.tg, 0), WA_ESTATE);
    CHECK_EQ(wa_taskgroup_free(j.tg), 0);
    CHECK_EQ(wa_taskgroup_enter_in(&j.tg, j.owner), WA_ESTATE); /* done task */
    CHECK_EQ(wa_taskgroup_enter_in(&j.tg, j.gate), WA_EINVAL);  /* not a task */
    wa_release(j.exit);
    wa_release(j.gate);
    wa_release(j.done_gate);
    wa_release(j.owner);
    return 0;
}
