/* wait_for (3.12+ semantics: a timeout scope around the await) and its
 * future form. */
#include "harness.h"

typedef struct {
    double ms;          /* how long the body sleeps                     */
    int swallow;        /* catches the cancellation this many times     */
    double cleanup_ms;  /* after a cancellation, "clean up" this long   */
    const char *value;  /* returned on success / after swallowing       */
} inner_t;

static int inner_body(void *arg) {
    inner_t *in = arg;
    wa_log("start");
    int rc;
    for (;;) {
        rc = wa_sleep(in->ms);
        if (rc != WA_ECANCELLED) break;
        wa_log("cancelled");
        if (in->cleanup_ms > 0) {
            wa_task_t *me = wa_current_task();
            wa_task_uncancel(me); /* to be able to await the cleanup */
            wa_sleep(in->cleanup_ms);
            wa_cancel(me, NULL);  /* and propagate again */
            wa_log("cleaned");
            return WA_ECANCELLED;
        }
        if (in->swallow-- <= 0) return rc;
        wa_task_uncancel(wa_current_task());
        wa_log("swallowed");
    }
    wa_log("finished");
    return wa_return((void *)in->value, NULL);
}

TEST(wait_for_in_time_returns_the_result) {
    inner_t in = {2, 0, 0, "v"};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, inner_body, &in, NULL), 0);
    CHECK_EQ(wa_wait_for(t, 1000), 0);
    CHECK_STR(wa_future_result(t), "v");
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    wa_release(t);
    return 0;
}

TEST(wait_for_timeout_cancels_the_inner_and_waits_for_it) {
    inner_t in = {10000, 0, 10, "v"};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, inner_body, &in, NULL), 0);
    double t0 = wa_time();
    CHECK_EQ(wa_wait_for(t, 5), WA_ETIMEDOUT);
    double dt = wa_time() - t0;
    CHECK(wa_future_cancelled(t)); /* done: wait_for waited for the cleanup */
    CHECK(dt >= 14 && dt < 5000);
    CHECK_STR(wa_log_text(), "start cancelled cleaned");
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    wa_release(t);
    return 0;
}

TEST(wait_for_inner_ignoring_cancellation_once_returns_its_value) {
    inner_t in = {10, 1, 0, "late"}; /* sleeps 10, swallows, sleeps 10 more */
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, inner_body, &in, NULL), 0);
    double t0 = wa_time();
    CHECK_EQ(wa_wait_for(t, 3), 0);
    CHECK(wa_time() - t0 >= 12);
    CHECK_STR(wa_future_result(t), "late");
    CHECK_STR(wa_log_text(), "start cancelled swallowed finished");
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    wa_release(t);
    return 0;
}

static void set_value(void *arg) { wa_future_set_result(arg, (void *)"together", NULL); }

static void spin_8ms(void *arg) {
    (void)arg;
    double t0 = wa_time();
    while (wa_time() - t0 < 8) {
    }
}

TEST(wait_for_result_arriving_with_the_timeout_is_not_lost) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    /* f's setter and wait_for's deadline expire in the same loop turn (a
     * callback blocks the loop past both), the setter first: this task's
     * wake-up is queued behind the deadline, which cancels the task. The
     * result must still come back. */
    CHECK_EQ(wa_call_later(3, set_value, f, NULL), 0);
    CHECK_EQ(wa_call_later(1, spin_8ms, NULL, NULL), 0);
    CHECK_EQ(wa_wait_for(f, 3), 0);
    CHECK_STR(wa_future_result(f), "together");
    CHECK(!wa_future_cancelled(f));
    CHECK_EQ(wa_task_cancelling(wa_current_task()), 0);
    CHECK_EQ(wa_sleep(0), 0); /* no cancellation left behind */
    wa_release(f);
    return 0;
}

TEST(wait_for_zero_on_a_done_future_does_not_suspend) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_future_set_error(f, WA_ENETWORK, "down"), 0);
    wa_stats_t a, b;
    wa_get_stats(&a);
    CHECK_EQ(wa_wait_for(f, 0), WA_ENETWORK);
    CHECK_EQ(wa_wait_for(f, -5), WA_ENETWORK);
    wa_get_stats(&b);
    CHECK_EQ(b.switches, a.switches); /* never suspended */
    wa_release(f);
    return 0;
}

TEST(wait_for_zero_on_a_pending_task_never_starts_it) {
    inner_t in = {1, 0, 0, "v"};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, inner_body, &in, NULL), 0);
    CHECK_EQ(wa_wait_for(t, 0), WA_ETIMEDOUT);
    CHECK(wa_future_cancelled(t));
    CHECK_STR(wa_log_text(), ""); /* cancelled before its first step */
    wa_release(t);
    return 0;
}

TEST(wait_for_zero_returns_a_value_the_inner_produces_when_cancelled) {
    inner_t in = {5, 1, 0, "kept"};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, inner_body, &in, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0); /* let it start sleeping */
    CHECK_EQ(wa_wait_for(t, 0), 0);
    CHECK_STR(wa_future_result(t), "kept");
    wa_release(t);
    return 0;
}

static int calls_wait_for(void *arg) {
    int rc = wa_wait_for(arg, 1000);
    wa_log("wait_for:%d", rc);
    return rc;
}

TEST(wait_for_cancelled_from_outside_cancels_inner_and_propagates) {
    inner_t in = {10000, 0, 0, "v"};
    wa_task_t *t, *w;
    CHECK_EQ(wa_spawn(&t, inner_body, &in, NULL), 0);
    CHECK_EQ(wa_spawn(&w, calls_wait_for, t, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_cancel(w, "stop"), 1);
    CHECK_EQ(wa_await(w), WA_ECANCELLED); /* not WA_ETIMEDOUT, not swallowed */
    CHECK(wa_future_cancelled(t));
    CHECK_STR(wa_log_text(), "start cancelled wait_for:-1");
    CHECK_STR(wa_future_message(t), "stop");
    wa_release(t);
    wa_release(w);
    return 0;
}

TEST(wait_for_a_plain_future_cancels_it_on_timeout) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_wait_for(f, 3), WA_ETIMEDOUT);
    CHECK(wa_future_cancelled(f));
    wa_release(f);
    return 0;
}

static int fails_soon(void *arg) {
    (void)arg;
    wa_sleep(1);
    return wa_fail(WA_EFAILED, "boom");
}

TEST(wait_for_passes_the_inner_failure_through) {
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, fails_soon, NULL, NULL), 0);
    CHECK_EQ(wa_wait_for(t, 1000), WA_EFAILED);
    CHECK_STR(wa_future_message(t), "boom");
    wa_release(t);
    CHECK_EQ(wa_wait_for(NULL, 5), WA_EINVAL);
    CHECK_EQ(wa_wait_for(wa_current_task(), 5), WA_EINVAL);
    return 0;
}

TEST(wait_for_start_future_form) {
    /* in time */
    inner_t a = {2, 0, 0, "a"};
    wa_task_t *t;
    wa_future_t *w;
    CHECK_EQ(wa_spawn(&t, inner_body, &a, NULL), 0);
    CHECK_EQ(wa_wait_for_start(&w, t, 1000), 0);
    CHECK_EQ(wa_await(w), 0);
    CHECK_STR(wa_future_result(w), "a");
    wa_release(w);
    wa_release(t);
    /* timeout: WA_ETIMEDOUT once the inner is done */
    inner_t b = {10000, 0, 5, "b"};
    CHECK_EQ(wa_spawn(&t, inner_body, &b, NULL), 0);
    CHECK_EQ(wa_wait_for_start(&w, t, 3), 0);
    CHECK_EQ(wa_await(w), WA_ETIMEDOUT);
    CHECK(wa_future_cancelled(t));
    wa_release(w);
    wa_release(t);
    /* the inner swallows the timeout's cancellation */
    inner_t c = {8, 1, 0, "c"};
    CHECK_EQ(wa_spawn(&t, inner_body, &c, NULL), 0);
    CHECK_EQ(wa_wait_for_start(&w, t, 3), 0);
    CHECK_EQ(wa_await(w), 0);
    CHECK_STR(wa_future_result(w), "c");
    wa_release(w);
    wa_release(t);
    /* cancelling the outer cancels the inner; the outer ends cancelled */
    inner_t d = {10000, 0, 0, "d"};
    CHECK_EQ(wa_spawn(&t, inner_body, &d, NULL), 0);
    CHECK_EQ(wa_wait_for_start(&w, t, 1000), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_cancel(w, "x"), 1);
    CHECK(!wa_future_done(w)); /* like a task: done when the inner is */
    CHECK_EQ(wa_await(w), WA_ECANCELLED);
    CHECK(wa_future_cancelled(t));
    wa_release(w);
    wa_release(t);
    /* timeout 0 on a done future: done at once */
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_future_set_result(f, (void *)"e", NULL), 0);
    CHECK_EQ(wa_wait_for_start(&w, f, 0), 0);
    CHECK(wa_future_done(w));
    CHECK_STR(wa_future_result(w), "e");
    wa_release(w);
    CHECK_EQ(wa_wait_for_start(&w, f, NAN), WA_EINVAL);
    wa_release(f);
    return 0;
}

/* The future form over an operation (a lock acquire): a cancellation that
 * comes after the op completed must hand its outcome back (the lock goes to
 * nobody otherwise), as the scheduler does for a task awaiting the op. */
static int awaits_wait_for_of_a_lock(void *arg) {
    wa_lock_t *l = arg;
    wa_future_t *op, *w;
    int rc = wa_lock_acquire_start(l, &op);
    if (rc) return rc;
    rc = wa_wait_for_start(&w, op, 1000);
    wa_release(op);
    if (rc) return rc;
    rc = wa_await(w);
    wa_log("await:%d", rc);
    wa_release(w);
    if (rc == 0) wa_lock_release(l);
    return rc;
}

TEST(wait_for_start_of_an_op_gives_it_back_when_the_awaiter_is_cancelled) {
    wa_lock_t *l;
    CHECK_EQ(wa_lock_new(&l), 0);
    /* 1: the waiter is cancelled after the wait_for future completed (its
     * wake-up is queued): the scheduler rolls the outer back, and the
     * outer rolls the lock acquire back */
    CHECK_EQ(wa_lock_acquire(l), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, awaits_wait_for_of_a_lock, l, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_lock_release(l), 0); /* handed to t's op ...            */
    CHECK_EQ(wa_sleep(0), 0);        /* ... the outer completes ...      */
    CHECK_EQ(wa_cancel(t, NULL), 1); /* ... t is cancelled before it runs */
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    wa_release(t);
    CHECK(!wa_lock_locked(l)); /* given back, not lost */
    /* 2: the cancellation reaches the outer while the op is done but its
     * completion has not reached the outer yet */
    CHECK_EQ(wa_lock_acquire(l), 0);
    CHECK_EQ(wa_spawn(&t, awaits_wait_for_of_a_lock, l, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_lock_release(l), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    wa_release(t);
    CHECK(!wa_lock_locked(l));
    CHECK_STR(wa_log_text(), "await:-1 await:-1");
    CHECK_EQ(wa_lock_destroy(l), 0);
    return 0;
}

/* wait_for(t, 0) on a task that is already running: t is cancelled and
 * awaited through a separate waiter (asyncio's _cancel_and_wait), so
 * cancelling the caller ends its wait at once while t still cleans up.
 * (Differential test seed 6386: the future form waited for t.) */
static int calls_wait_for_zero(void *arg) {
    int rc = wa_wait_for(arg, 0);
    wa_log("wait_for:%d@%g", rc, wa_time());
    return rc;
}

static int awaits_wait_for_start_zero(void *arg) {
    wa_future_t *w;
    int rc = wa_wait_for_start(&w, arg, 0);
    if (rc) return rc;
    rc = wa_await(w);
    wa_log("wait_for_start:%d@%g", rc, wa_time());
    wa_release(w);
    return rc;
}

TEST_VIRTUAL(wait_for_zero_cancelled_caller_does_not_wait_for_the_inner) {
    wa_coro_fn forms[2] = {calls_wait_for_zero, awaits_wait_for_start_zero};
    for (int i = 0; i < 2; i++) {
        inner_t in = {10000, 0, 5, "v"};
        wa_task_t *t, *w;
        CHECK_EQ(wa_spawn(&t, inner_body, &in, NULL), 0);
        CHECK_EQ(wa_sleep(0), 0); /* t sleeps */
        CHECK_EQ(wa_spawn(&w, forms[i], t, NULL), 0);
        CHECK_EQ(wa_sleep(0), 0); /* w has cancelled t and waits */
        CHECK_EQ(wa_cancel(w, NULL), 1);
        CHECK_EQ(wa_await(w), WA_ECANCELLED);
        CHECK(!wa_future_done(t)); /* t still cleans up */
        CHECK_EQ(wa_task_cancelling(t), 0); /* cancelled once (and uncancelled), not twice */
        CHECK_EQ(wa_await(t), WA_ECANCELLED);
        wa_log("@%g", wa_time());
        wa_release(w);
        wa_release(t);
    }
    CHECK_STR(wa_log_text(), "start cancelled wait_for:-1@0 cleaned @5 "
                             "start cancelled wait_for_start:-1@5 cleaned @10");
    return 0;
}
