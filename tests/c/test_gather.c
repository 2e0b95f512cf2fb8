/* gather: ordered results, return-exceptions mode, failure while others run,
 * cancellation both ways. On the virtual clock: what is tested is the order
 * of timers and wake-ups, and on a loaded machine a stalled process lets a
 * short timer come due in the same turn as the event it must follow (a 5 ms
 * sibling finishing before the gather's failure reaches its awaiter). */
#include "harness.h"

typedef struct { double ms; int fail; const char *name; } job_t;

static int job(void *arg) {
    job_t *j = arg;
    int rc = wa_sleep(j->ms);
    if (rc) {
        wa_log("%s:cancelled", j->name);
        return rc;
    }
    wa_log("%s:done", j->name);
    if (j->fail) return wa_fail(WA_EFAILED, "%s failed", j->name);
    return wa_return((void *)j->name, NULL);
}

static int spawn_jobs(wa_task_t **t, job_t *jobs, int n) {
    for (int i = 0; i < n; i++) {
        int rc = wa_spawn(&t[i], job, &jobs[i], NULL);
        if (rc) return rc;
    }
    return 0;
}

static void release_all(wa_task_t **t, int n) {
    for (int i = 0; i < n; i++) wa_release(t[i]);
}

TEST_VIRTUAL(gather_results_keep_argument_order) {
    job_t jobs[3] = {{30, 0, "a"}, {10, 0, "b"}, {20, 0, "c"}};
    wa_task_t *t[3];
    CHECK_EQ(spawn_jobs(t, jobs, 3), 0);
    wa_future_t *g;
    double t0 = wa_time();
    CHECK_EQ(wa_gather(&g, t, 3, 0), 0);
    CHECK_EQ(wa_await(g), 0);
    double dt = wa_time() - t0;
    CHECK(dt == 30); /* the longest, not the sum: the three ran concurrently */
    CHECK_STR(wa_log_text(), "b:done c:done a:done");
    CHECK_STR(wa_future_result(t[0]), "a");
    CHECK_STR(wa_future_result(t[1]), "b");
    CHECK_STR(wa_future_result(t[2]), "c");
    wa_release(g);
    release_all(t, 3);
    return 0;
}

TEST_VIRTUAL(gather_first_failure_fails_it_while_others_keep_running) {
    job_t jobs[3] = {{5, 1, "bad"}, {500, 0, "slow"}, {1, 0, "fast"}};
    wa_task_t *t[3];
    CHECK_EQ(spawn_jobs(t, jobs, 3), 0);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, 3, 0), 0);
    CHECK_EQ(wa_await(g), WA_EFAILED);
    CHECK_STR(wa_future_message(g), "bad failed");
    CHECK(!wa_future_done(t[1])); /* not cancelled: still running */
    CHECK_EQ(wa_await(t[1]), 0);
    CHECK_STR(wa_log_text(), "fast:done bad:done slow:done");
    wa_release(g);
    release_all(t, 3);
    return 0;
}

TEST_VIRTUAL(gather_return_exceptions_collects_everything) {
    job_t jobs[3] = {{3, 1, "x"}, {1, 0, "y"}, {2, 1, "z"}};
    wa_task_t *t[3];
    CHECK_EQ(spawn_jobs(t, jobs, 3), 0);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, 3, WA_RETURN_EXCEPTIONS), 0);
    CHECK_EQ(wa_await(g), 0);
    CHECK_EQ(wa_future_status(t[0]), WA_EFAILED);
    CHECK_EQ(wa_future_status(t[1]), 0);
    CHECK_EQ(wa_future_status(t[2]), WA_EFAILED);
    CHECK_STR(wa_future_message(t[2]), "z failed");
    CHECK_STR(wa_future_result(t[1]), "y");
    wa_release(g);
    release_all(t, 3);
    return 0;
}

TEST_VIRTUAL(gather_return_exceptions_includes_cancelled_children) {
    job_t jobs[2] = {{1000, 0, "p"}, {1, 0, "q"}};
    wa_task_t *t[2];
    CHECK_EQ(spawn_jobs(t, jobs, 2), 0);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, 2, WA_RETURN_EXCEPTIONS), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t[0], NULL), 1); /* a child, not the gather */
    CHECK_EQ(wa_await(g), 0);
    CHECK(wa_future_cancelled(t[0]));
    CHECK(!wa_future_cancelled(g));
    wa_release(g);
    release_all(t, 2);
    return 0;
}

TEST_VIRTUAL(gather_child_cancelled_without_return_exceptions_cancels_gather) {
    job_t jobs[2] = {{1000, 0, "p"}, {5, 0, "q"}};
    wa_task_t *t[2];
    CHECK_EQ(spawn_jobs(t, jobs, 2), 0);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, 2, 0), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t[0], "child"), 1);
    CHECK_EQ(wa_await(g), WA_ECANCELLED);
    CHECK(!wa_future_done(t[1])); /* the sibling keeps running */
    CHECK_EQ(wa_await(t[1]), 0);
    wa_release(g);
    release_all(t, 2);
    return 0;
}

TEST_VIRTUAL(cancelling_the_gather_cancels_all_children) {
    job_t jobs[3] = {{1000, 0, "a"}, {1000, 0, "b"}, {0, 0, "c"}};
    wa_task_t *t[3];
    CHECK_EQ(spawn_jobs(t, jobs, 3), 0);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, 3, 0), 0);
    CHECK_EQ(wa_await(t[2]), 0); /* c is done */
    CHECK_EQ(wa_cancel(g, "all"), 1);
    CHECK(!wa_future_done(g)); /* done only once the children are */
    CHECK_EQ(wa_await(g), WA_ECANCELLED);
    CHECK(wa_future_cancelled(t[0]) && wa_future_cancelled(t[1]));
    CHECK(!wa_future_cancelled(t[2]));
    CHECK_STR(wa_future_message(t[0]), "all");
    CHECK_STR(wa_log_text(), "c:done a:cancelled b:cancelled");
    wa_release(g);
    release_all(t, 3);
    return 0;
}

static int awaits_gather(void *arg) { return wa_await((wa_future_t *)arg); }

TEST_VIRTUAL(cancelling_the_task_awaiting_a_gather_cancels_children) {
    job_t jobs[2] = {{1000, 0, "a"}, {1000, 0, "b"}};
    wa_task_t *t[2], *w;
    CHECK_EQ(spawn_jobs(t, jobs, 2), 0);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, 2, 0), 0);
    CHECK_EQ(wa_spawn(&w, awaits_gather, g, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(w, NULL), 1);
    CHECK_EQ(wa_await(w), WA_ECANCELLED);
    CHECK(wa_future_cancelled(t[0]) && wa_future_cancelled(t[1]));
    wa_release(w);
    wa_release(g);
    release_all(t, 2);
    return 0;
}

TEST_VIRTUAL(gather_of_nothing_is_done_at_once) {
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, NULL, 0, 0), 0);
    CHECK(wa_future_done(g));
    CHECK_EQ(wa_await(g), 0);
    wa_release(g);
    return 0;
}

TEST_VIRTUAL(gather_of_plain_futures_and_a_done_one) {
    wa_future_t *f[2], *g;
    CHECK_EQ(wa_future_new(&f[0]), 0);
    CHECK_EQ(wa_future_new(&f[1]), 0);
    CHECK_EQ(wa_future_set_result(f[1], (void *)"early", NULL), 0);
    CHECK_EQ(wa_gather(&g, f, 2, 0), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(!wa_future_done(g));
    CHECK_EQ(wa_future_set_result(f[0], (void *)"late", NULL), 0);
    CHECK_EQ(wa_await(g), 0);
    CHECK_STR(wa_future_result(f[0]), "late");
    wa_release(g);
    wa_release(f[0]);
    wa_release(f[1]);
    return 0;
}
