/* wait: FIRST_COMPLETED / FIRST_EXCEPTION / ALL_COMPLETED, timeouts that
 * cancel nothing, duplicates, cancellation of the waiter, the future form. */
#include "harness.h"

typedef struct {
    double ms;
    int fail;
    const char *name;
} job_t;

static int job(void *arg) {
    job_t *j = arg;
    int rc = wa_sleep(j->ms);
    if (rc) return rc;
    wa_log("%s", j->name);
    if (j->fail) return wa_fail(WA_EFAILED, "%s failed", j->name);
    return 0;
}

static int spawn_jobs(wa_task_t **t, job_t *jobs, int n) {
    for (int i = 0; i < n; i++) {
        int rc = wa_spawn(&t[i], job, &jobs[i], NULL);
        if (rc) return rc;
    }
    return 0;
}

static void cancel_release(wa_task_t **t, int n) {
    for (int i = 0; i < n; i++) {
        wa_cancel(t[i], NULL);
        wa_release(t[i]);
    }
}

static int in_set(wa_future_t **set, size_t n, wa_future_t *f) {
    for (size_t i = 0; i < n; i++)
        if (set[i] == f) return 1;
    return 0;
}

TEST(wait_first_completed_returns_after_the_first) {
    job_t jobs[3] = {{10000, 0, "a"}, {2, 0, "b"}, {10000, 0, "c"}};
    wa_task_t *t[3];
    CHECK_EQ(spawn_jobs(t, jobs, 3), 0);
    wa_future_t *done[3], *pending[3];
    size_t nd = 99, np = 99;
    CHECK_EQ(wa_wait(t, 3, WA_NO_TIMEOUT, WA_FIRST_COMPLETED, done, &nd, pending, &np), 0);
    CHECK_EQ(nd, 1);
    CHECK_EQ(np, 2);
    CHECK(done[0] == t[1]);
    CHECK(pending[0] == t[0] && pending[1] == t[2]); /* argument order */
    CHECK(!wa_future_done(t[0]));
    cancel_release(t, 3);
    return 0;
}

TEST(wait_first_exception_ignores_cancelled_and_stops_at_a_failure) {
    job_t jobs[4] = {{10000, 0, "long"}, {1, 0, "ok"}, {10000, 0, "cancelled"}, {8, 1, "bad"}};
    wa_task_t *t[4];
    CHECK_EQ(spawn_jobs(t, jobs, 4), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t[2], NULL), 1); /* a cancellation is not an exception */
    wa_future_t *done[4], *pending[4];
    size_t nd, np;
    CHECK_EQ(wa_wait(t, 4, WA_NO_TIMEOUT, WA_FIRST_EXCEPTION, done, &nd, pending, &np), 0);
    CHECK_EQ(nd, 3);
    CHECK_EQ(np, 1);
    CHECK(in_set(done, nd, t[1]) && in_set(done, nd, t[2]) && in_set(done, nd, t[3]));
    CHECK(pending[0] == t[0]);
    CHECK_STR(wa_log_text(), "ok bad");
    cancel_release(t, 4);
    return 0;
}

TEST(wait_first_exception_without_failures_waits_for_all) {
    job_t jobs[2] = {{1, 0, "a"}, {5, 0, "b"}};
    wa_task_t *t[2];
    CHECK_EQ(spawn_jobs(t, jobs, 2), 0);
    size_t nd, np;
    CHECK_EQ(wa_wait(t, 2, WA_NO_TIMEOUT, WA_FIRST_EXCEPTION, NULL, &nd, NULL, &np), 0);
    CHECK_EQ(nd, 2);
    CHECK_EQ(np, 0);
    cancel_release(t, 2);
    return 0;
}

TEST(wait_all_completed_includes_failures) {
    job_t jobs[3] = {{3, 1, "x"}, {1, 0, "y"}, {6, 0, "z"}};
    wa_task_t *t[3];
    CHECK_EQ(spawn_jobs(t, jobs, 3), 0);
    wa_future_t *done[3];
    size_t nd, np;
    CHECK_EQ(wa_wait(t, 3, WA_NO_TIMEOUT, WA_ALL_COMPLETED, done, &nd, NULL, &np), 0);
    CHECK_EQ(nd, 3);
    CHECK_EQ(np, 0);
    CHECK_STR(wa_log_text(), "y x z");
    CHECK_EQ(wa_future_status(t[0]), WA_EFAILED); /* read it: not reported */
    cancel_release(t, 3);
    return 0;
}

TEST(wait_timeout_returns_sets_and_cancels_nothing) {
    job_t jobs[2] = {{1, 0, "fast"}, {10000, 0, "slow"}};
    wa_task_t *t[2];
    CHECK_EQ(spawn_jobs(t, jobs, 2), 0);
    wa_future_t *done[2], *pending[2];
    size_t nd, np;
    CHECK_EQ(wa_await(t[0]), 0); /* fast is done before the wait (no race with its timer) */
    double t0 = wa_time();
    CHECK_EQ(wa_wait(t, 2, 8, WA_ALL_COMPLETED, done, &nd, pending, &np), 0);
    CHECK(wa_time() - t0 >= 7.5 && wa_time() - t0 < 5000);
    CHECK_EQ(nd, 1);
    CHECK_EQ(np, 1);
    CHECK(done[0] == t[0] && pending[0] == t[1]);
    CHECK(!wa_future_done(t[1])); /* a timeout cancels nothing */
    CHECK_EQ(wa_task_cancelling(t[1]), 0);
    /* FIRST_COMPLETED with a timeout that comes first */
    CHECK_EQ(wa_wait(&t[1], 1, 2, WA_FIRST_COMPLETED, done, &nd, pending, &np), 0);
    CHECK_EQ(nd, 0);
    CHECK_EQ(np, 1);
    cancel_release(t, 2);
    return 0;
}

TEST(wait_with_duplicates_counts_each_future_once) {
    job_t jobs[2] = {{1, 0, "a"}, {10000, 0, "b"}};
    wa_task_t *t[2];
    CHECK_EQ(spawn_jobs(t, jobs, 2), 0);
    wa_future_t *args[4] = {t[0], t[1], t[0], t[1]};
    wa_future_t *done[4], *pending[4];
    size_t nd, np;
    CHECK_EQ(wa_await(t[0]), 0); /* done before the wait (no race with its timer) */
    CHECK_EQ(wa_wait(args, 4, 10, WA_ALL_COMPLETED, done, &nd, pending, &np), 0);
    CHECK_EQ(nd, 1);
    CHECK_EQ(np, 1);
    /* all the same future: ALL_COMPLETED is satisfied by it alone */
    wa_future_t *same[3] = {t[0], t[0], t[0]};
    CHECK_EQ(wa_wait(same, 3, WA_NO_TIMEOUT, WA_ALL_COMPLETED, done, &nd, pending, &np), 0);
    CHECK_EQ(nd, 1);
    CHECK_EQ(np, 0);
    cancel_release(t, 2);
    return 0;
}

TEST(wait_on_done_futures_still_suspends_once) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), 0);
    wa_stats_t a, b;
    wa_get_stats(&a);
    size_t nd;
    CHECK_EQ(wa_wait(&f, 1, WA_NO_TIMEOUT, WA_ALL_COMPLETED, NULL, &nd, NULL, NULL), 0);
    wa_get_stats(&b);
    CHECK_EQ(nd, 1);
    CHECK(b.switches > a.switches);
    wa_release(f);
    return 0;
}

TEST(wait_bad_arguments) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    wa_future_t *w;
    CHECK_EQ(wa_wait(NULL, 0, 1, WA_ALL_COMPLETED, NULL, NULL, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_wait(&f, 0, 1, WA_ALL_COMPLETED, NULL, NULL, NULL, NULL), WA_EINVAL); /* empty */
    CHECK_EQ(wa_wait(&f, 1, 1, 7, NULL, NULL, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_wait(&f, 1, NAN, WA_ALL_COMPLETED, NULL, NULL, NULL, NULL), WA_EINVAL);
    wa_future_t *withnull[2] = {f, NULL};
    CHECK_EQ(wa_wait_start(&w, withnull, 2, 1, WA_ALL_COMPLETED), WA_EINVAL);
    CHECK_EQ(wa_wait_sets(f, NULL, NULL, NULL, NULL), WA_EINVAL); /* not a wait */
    wa_release(f);
    return 0;
}

static int waits_forever(void *arg) {
    size_t np = 0;
    int rc = wa_wait(arg, 1, WA_NO_TIMEOUT, WA_ALL_COMPLETED, NULL, NULL, NULL, &np);
    wa_log("wait:%d np:%zu", rc, np);
    return rc;
}

TEST(wait_cancelled_withdraws_and_leaves_the_futures_alone) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, waits_forever, &f, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(!wa_future_done(f)); /* not cancelled by wait */
    CHECK_STR(wa_log_text(), "wait:-1 np:0");
    /* no callback left on f: completing it runs nothing of the wait (ASan
     * would catch a callback into the freed wait future) */
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    wa_release(t);
    wa_release(f);
    return 0;
}

TEST(wait_start_future_form_and_sets) {
    wa_future_t *f[2], *w;
    CHECK_EQ(wa_future_new(&f[0]), 0);
    CHECK_EQ(wa_future_new(&f[1]), 0);
    CHECK_EQ(wa_wait_start(&w, f, 2, WA_NO_TIMEOUT, WA_FIRST_COMPLETED), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(!wa_future_done(w));
    CHECK_EQ(wa_future_set_result(f[1], NULL, NULL), 0);
    CHECK_EQ(wa_await(w), 0);
    wa_future_t *done[2], *pending[2];
    size_t nd, np;
    CHECK_EQ(wa_wait_sets(w, done, &nd, pending, &np), 0);
    CHECK_EQ(nd, 1);
    CHECK(done[0] == f[1] && pending[0] == f[0]);
    wa_release(w);
    /* cancelling the wait future cancels none of the futures */
    CHECK_EQ(wa_wait_start(&w, f, 2, 5, WA_ALL_COMPLETED), 0);
    CHECK_EQ(wa_cancel(w, NULL), 1);
    CHECK(wa_future_cancelled(w));
    CHECK(!wa_future_done(f[0]));
    wa_release(w);
    wa_release(f[0]);
    wa_release(f[1]);
    return 0;
}
