/* as_completed: completion order, timeouts, duplicates, cancellation that
 * loses nothing, the future form. */
#include "harness.h"

typedef struct {
    double ms;
    const char *name;
} job_t;

static int job(void *arg) {
    job_t *j = arg;
    int rc = wa_sleep(j->ms);
    if (rc) return rc;
    return wa_return((void *)j->name, NULL);
}

static void cancel_release(wa_task_t **t, int n) {
    for (int i = 0; i < n; i++) {
        wa_cancel(t[i], NULL);
        wa_release(t[i]);
    }
}

TEST(as_completed_yields_in_completion_order) {
    job_t jobs[3] = {{240, "slow"}, {40, "fast"}, {140, "mid"}};
    wa_task_t *t[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_spawn(&t[i], job, &jobs[i], NULL), 0);
    wa_as_completed_t *it;
    CHECK_EQ(wa_as_completed_new(&it, t, 3, WA_NO_TIMEOUT), 0);
    CHECK_EQ(wa_as_completed_remaining(it), 3);
    wa_future_t *f;
    int rc;
    while ((rc = wa_as_completed_next(it, &f)) == 0 && f) wa_log("%s", (char *)wa_future_result(f));
    CHECK_EQ(rc, 0);
    CHECK_STR(wa_log_text(), "fast mid slow");
    CHECK_EQ(wa_as_completed_remaining(it), 0);
    CHECK_EQ(wa_as_completed_next(it, &f), 0); /* still the end */
    CHECK(f == NULL);
    wa_as_completed_free(it);
    cancel_release(t, 3);
    return 0;
}

TEST(as_completed_timeout_gives_etimedout_for_each_remaining) {
    job_t jobs[3] = {{10000, "a"}, {1, "b"}, {10000, "c"}};
    wa_task_t *t[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_spawn(&t[i], job, &jobs[i], NULL), 0);
    /* b done before the iterator starts (no race with its timer) ... */
    CHECK_EQ(wa_await(t[1]), 0);
    wa_as_completed_t *it;
    CHECK_EQ(wa_as_completed_new(&it, t, 3, 20), 0);
    wa_future_t *f;
    CHECK_EQ(wa_sleep(25), 0); /* ... then the timeout: both queued */
    CHECK_EQ(wa_as_completed_next(it, &f), 0);
    CHECK(f == t[1]); /* what completed before the timeout comes first */
    CHECK_EQ(wa_as_completed_next(it, &f), WA_ETIMEDOUT);
    CHECK(f == NULL);
    CHECK_EQ(wa_as_completed_next(it, &f), WA_ETIMEDOUT);
    CHECK_EQ(wa_as_completed_next(it, &f), 0);
    CHECK(f == NULL);
    CHECK(!wa_future_done(t[0])); /* the timeout cancels nothing */
    wa_as_completed_free(it);
    cancel_release(t, 3);
    return 0;
}

TEST(as_completed_waiting_next_gets_the_timeout) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    wa_as_completed_t *it;
    CHECK_EQ(wa_as_completed_new(&it, &f, 1, 3), 0);
    wa_future_t *got = f;
    CHECK_EQ(wa_as_completed_next(it, &got), WA_ETIMEDOUT);
    CHECK(got == NULL);
    /* completing f now changes nothing: its callback was withdrawn */
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), 0);
    CHECK_EQ(wa_as_completed_next(it, &got), 0);
    CHECK(got == NULL);
    wa_as_completed_free(it);
    wa_release(f);
    return 0;
}

TEST(as_completed_done_futures_first_and_duplicates_once) {
    wa_future_t *f[3];
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_future_new(&f[i]), 0);
    CHECK_EQ(wa_future_set_result(f[2], NULL, NULL), 0);
    CHECK_EQ(wa_future_set_result(f[1], NULL, NULL), 0);
    wa_future_t *args[5] = {f[0], f[1], f[2], f[1], f[0]};
    wa_as_completed_t *it;
    CHECK_EQ(wa_as_completed_new(&it, args, 5, WA_NO_TIMEOUT), 0);
    CHECK_EQ(wa_as_completed_remaining(it), 3);
    wa_future_t *g;
    CHECK_EQ(wa_as_completed_next(it, &g), 0);
    CHECK(g == f[1]); /* done ones in argument order */
    CHECK_EQ(wa_as_completed_next(it, &g), 0);
    CHECK(g == f[2]);
    CHECK_EQ(wa_future_set_result(f[0], NULL, NULL), 0);
    CHECK_EQ(wa_as_completed_next(it, &g), 0);
    CHECK(g == f[0]);
    CHECK_EQ(wa_as_completed_next(it, &g), 0);
    CHECK(g == NULL);
    wa_as_completed_free(it);
    for (int i = 0; i < 3; i++) wa_release(f[i]);
    /* empty input: the end at once */
    CHECK_EQ(wa_as_completed_new(&it, NULL, 0, 5), 0);
    CHECK_EQ(wa_as_completed_next(it, &g), 0);
    CHECK(g == NULL);
    wa_as_completed_free(it);
    CHECK_EQ(wa_as_completed_new(&it, NULL, 1, 5), WA_EINVAL);
    return 0;
}

typedef struct {
    wa_as_completed_t *it;
    wa_future_t *got;
    int rc;
} consumer_t;

static int consume_one(void *arg) {
    consumer_t *c = arg;
    c->rc = wa_as_completed_next(c->it, &c->got);
    return c->rc;
}

static void set_null(void *arg) { wa_future_set_result(arg, NULL, NULL); }
static void cancel_cb(void *arg) { wa_cancel(arg, NULL); }

TEST(as_completed_cancelled_next_loses_nothing) {
    wa_future_t *f[2];
    for (int i = 0; i < 2; i++) CHECK_EQ(wa_future_new(&f[i]), 0);
    wa_as_completed_t *it;
    CHECK_EQ(wa_as_completed_new(&it, f, 2, WA_NO_TIMEOUT), 0);
    /* 1: cancelled while waiting */
    consumer_t c = {it, NULL, 1};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, consume_one, &c, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    wa_release(t);
    CHECK_EQ(wa_as_completed_remaining(it), 2);
    /* 2: served, but cancelled before it could run: the item goes back */
    CHECK_EQ(wa_spawn(&t, consume_one, &c, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_call_soon(set_null, f[1], NULL), 0);  /* f[1] done ...           */
    CHECK_EQ(wa_call_soon(cancel_cb, t, NULL), 0);    /* ... consumer cancelled  */
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    wa_release(t);
    CHECK_EQ(wa_as_completed_remaining(it), 2);
    wa_future_t *g;
    CHECK_EQ(wa_as_completed_next(it, &g), 0);
    CHECK(g == f[1]);
    CHECK_EQ(wa_future_set_result(f[0], NULL, NULL), 0);
    CHECK_EQ(wa_as_completed_next(it, &g), 0);
    CHECK(g == f[0]);
    CHECK_EQ(wa_as_completed_next(it, &g), 0);
    CHECK(g == NULL);
    wa_as_completed_free(it);
    for (int i = 0; i < 2; i++) wa_release(f[i]);
    return 0;
}

TEST(as_completed_next_start_serves_waiters_in_order) {
    wa_future_t *f[2];
    for (int i = 0; i < 2; i++) CHECK_EQ(wa_future_new(&f[i]), 0);
    wa_as_completed_t *it;
    CHECK_EQ(wa_as_completed_new(&it, f, 2, WA_NO_TIMEOUT), 0);
    wa_future_t *n1, *n2, *n3, *n4;
    CHECK_EQ(wa_as_completed_next_start(it, &n1), 0);
    CHECK_EQ(wa_as_completed_next_start(it, &n2), 0);
    CHECK_EQ(wa_as_completed_next_start(it, &n3), 0); /* only 2 items: the end */
    CHECK(wa_future_done(n3) && wa_future_result(n3) == NULL);
    CHECK_EQ(wa_cancel(n1, NULL), 1); /* gives up its place */
    CHECK_EQ(wa_as_completed_next_start(it, &n4), 0);
    CHECK(!wa_future_done(n4));
    CHECK_EQ(wa_future_set_result(f[0], NULL, NULL), 0);
    CHECK_EQ(wa_await(n2), 0);
    CHECK(wa_future_result(n2) == f[0]);
    CHECK(!wa_future_done(n4));
    CHECK_EQ(wa_future_set_result(f[1], NULL, NULL), 0);
    CHECK_EQ(wa_await(n4), 0);
    CHECK(wa_future_result(n4) == f[1]);
    wa_release(n1);
    wa_release(n2);
    wa_release(n3);
    wa_release(n4);
    wa_as_completed_free(it);
    for (int i = 0; i < 2; i++) wa_release(f[i]);
    return 0;
}

TEST(as_completed_free_fails_pending_nexts) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    wa_as_completed_t *it;
    CHECK_EQ(wa_as_completed_new(&it, &f, 1, 1000), 0);
    wa_future_t *n;
    CHECK_EQ(wa_as_completed_next_start(it, &n), 0);
    wa_as_completed_free(it); /* also cancels the 1 s timer */
    CHECK_EQ(wa_await(n), WA_ESHUTDOWN);
    wa_release(n);
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), 0); /* no callback left */
    CHECK_EQ(wa_sleep(0), 0);
    wa_release(f);
    return 0;
}
