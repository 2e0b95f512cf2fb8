/* The executor pool's scheduler (runtime/src/pool_sched.c) against a fake
 * host that logs what it is told: FIFO order, backpressure, cancellation
 * with its grace period, idle retirement, crashes, start-up backoff and
 * shutdown. Timers run on the virtual clock. */
#include "harness.h"
#include "pool_sched.h"

#include <math.h>

typedef struct fake {
    int fail_spawns; /* the next n spawn() calls fail */
    uint32_t fail_post_job;
    int drained;
} fake_t;

static int h_spawn(void *ctx, uint32_t w) {
    fake_t *f = ctx;
    wa_log("spawn%u", w);
    if (f->fail_spawns > 0) {
        f->fail_spawns--;
        return -1;
    }
    return 0;
}
static int h_post(void *ctx, uint32_t w, uint32_t j) {
    fake_t *f = ctx;
    wa_log("post%u:%u", w, j);
    return j == f->fail_post_job ? -1 : 0;
}
static void h_cancel_running(void *ctx, uint32_t w, uint32_t j) {
    (void)ctx;
    wa_log("tell%u:%u", w, j);
}
static void h_terminate(void *ctx, uint32_t w) {
    (void)ctx;
    wa_log("term%u", w);
}
static void h_ref(void *ctx, uint32_t w, bool ref) {
    (void)ctx;
    (void)w;
    (void)ref;
}
static void h_accepted(void *ctx, uint32_t j) {
    (void)ctx;
    wa_log("acc%u", j);
}
static void h_settle(void *ctx, uint32_t j, int why) {
    (void)ctx;
    static const char *const names[] = {"?", "cancelled", "shutdown", "crashed", "noworker"};
    wa_log("%s%u", names[why >= 1 && why <= 4 ? why : 0], j);
}
static void h_drained(void *ctx) {
    ((fake_t *)ctx)->drained++;
    wa_log("drained");
}

static wa_psched_t *sched(fake_t *f, uint32_t min, uint32_t max, double idle, uint32_t max_queue,
                          double grace) {
    wa_psched_opts_t o = {.min_workers = min, .max_workers = max, .idle_ms = idle,
                          .max_queue = max_queue, .grace_ms = grace};
    wa_psched_host_t h = {f, h_spawn, h_post, h_cancel_running, h_terminate, h_ref, h_accepted,
                          h_settle, h_drained};
    wa_log_clear();
    return wa__psched_new(&o, &h);
}

static wa_pjob_t *submit(wa_psched_t *s, uint32_t id) {
    int rc = -1;
    wa_pjob_t *j = wa__psched_submit(s, id, &rc);
    return rc == 0 ? j : NULL;
}

TEST(pool_sched_runs_jobs_in_submission_order_on_free_workers) {
    fake_t f = {0};
    wa_psched_t *s = sched(&f, 0, 2, INFINITY, UINT32_MAX, 1000);
    CHECK(s);
    CHECK(submit(s, 1) && submit(s, 2) && submit(s, 3));
    CHECK_STR(wa_log_text(), "acc1 spawn1 acc2 spawn2 acc3");
    wa_log_clear();
    wa__psched_worker_ready(s, 2);
    wa__psched_worker_ready(s, 1);
    CHECK_STR(wa_log_text(), "post2:1 post1:2");
    wa_psched_stats_t st;
    wa__psched_stats(s, &st);
    CHECK_EQ(st.workers, 2);
    CHECK_EQ(st.busy, 2);
    CHECK_EQ(st.queued, 1);
    CHECK_EQ(st.running, 2);
    wa_log_clear();
    CHECK(wa__psched_worker_result(s, 1, 2, WA_PSCHED_OK));
    CHECK(!wa__psched_worker_result(s, 1, 2, WA_PSCHED_OK)); /* not twice */
    CHECK(!wa__psched_worker_result(s, 9, 1, WA_PSCHED_OK)); /* unknown worker */
    CHECK_STR(wa_log_text(), "post1:3");
    CHECK(wa__psched_worker_result(s, 2, 1, WA_PSCHED_FAILED));
    CHECK(wa__psched_worker_result(s, 1, 3, WA_PSCHED_OK));
    wa__psched_stats(s, &st);
    CHECK_EQ(st.completed, 2);
    CHECK_EQ(st.failed, 1);
    CHECK_EQ(st.idle, 2);
    CHECK_EQ(st.started, 2);
    wa__psched_free(s);
    return 0;
}

TEST(pool_sched_a_full_queue_holds_submissions_back_in_order) {
    fake_t f = {0};
    wa_psched_t *s = sched(&f, 0, 1, INFINITY, 1, 1000);
    wa_pjob_t *j1 = submit(s, 1), *j2 = submit(s, 2), *j3 = submit(s, 3), *j4 = submit(s, 4);
    CHECK(j1 && j2 && j3 && j4);
    CHECK_STR(wa_log_text(), "acc1 spawn1");
    CHECK_EQ(wa__psched_job_state(j2), 0);
    wa_log_clear();
    wa__psched_worker_ready(s, 1);
    CHECK_STR(wa_log_text(), "post1:1 acc2");
    wa_psched_stats_t st;
    wa__psched_stats(s, &st);
    CHECK_EQ(st.queued, 1);
    CHECK_EQ(st.waiting, 2);
    wa_log_clear();
    wa__psched_cancel(s, j3); /* waiting: withdrawn */
    wa__psched_cancel(s, j2); /* queued: withdrawn, j4 takes its place */
    CHECK_STR(wa_log_text(), "cancelled3 cancelled2 acc4");
    wa_log_clear();
    CHECK(wa__psched_worker_result(s, 1, 1, WA_PSCHED_OK));
    CHECK_STR(wa_log_text(), "post1:4");
    wa__psched_stats(s, &st);
    CHECK_EQ(st.cancelled, 2);
    CHECK_EQ(st.queued + st.waiting, 0);
    wa__psched_free(s);
    return 0;
}

TEST_VIRTUAL(pool_sched_a_cancelled_running_job_gets_its_grace_then_its_worker_ends) {
    fake_t f = {0};
    wa_psched_t *s = sched(&f, 0, 1, INFINITY, UINT32_MAX, 50);
    wa_pjob_t *j1 = submit(s, 1), *j2 = submit(s, 2);
    wa__psched_worker_ready(s, 1);
    wa_log_clear();
    wa__psched_cancel(s, j1);
    CHECK_STR(wa_log_text(), "tell1:1 cancelled1");
    CHECK_EQ(wa__psched_job_state(j2), 1);
    CHECK_EQ(wa_sleep(40), 0);
    CHECK_STR(wa_log_text(), "tell1:1 cancelled1");
    CHECK_EQ(wa_sleep(20), 0);
    CHECK_STR(wa_log_text(), "tell1:1 cancelled1 term1");
    wa_log_clear();
    CHECK(!wa__psched_worker_result(s, 1, 1, WA_PSCHED_WAS_CANCELLED)); /* already settled */
    CHECK(!wa__psched_worker_exited(s, 1));                               /* not a crash */
    CHECK_STR(wa_log_text(), "spawn2");
    wa_log_clear();
    wa__psched_worker_ready(s, 2);
    CHECK_STR(wa_log_text(), "post2:2");
    /* a job that stops within its grace keeps its worker */
    wa_log_clear();
    wa__psched_cancel(s, j2);
    CHECK(!wa__psched_worker_result(s, 2, 2, WA_PSCHED_WAS_CANCELLED));
    CHECK_EQ(wa_sleep(100), 0);
    CHECK_STR(wa_log_text(), "tell2:2 cancelled2");
    wa_psched_stats_t st;
    wa__psched_stats(s, &st);
    CHECK_EQ(st.cancelled, 2);
    CHECK_EQ(st.crashed, 0);
    CHECK_EQ(st.workers, 1);
    wa__psched_free(s);
    return 0;
}

TEST_VIRTUAL(pool_sched_idle_workers_above_min_retire) {
    fake_t f = {0};
    wa_psched_t *s = sched(&f, 1, 2, 1000, UINT32_MAX, 1000);
    CHECK_STR(wa_log_text(), "spawn1");
    submit(s, 1);
    submit(s, 2);
    wa__psched_worker_ready(s, 1);
    wa__psched_worker_ready(s, 2);
    CHECK(wa__psched_worker_result(s, 1, 1, WA_PSCHED_OK));
    CHECK_EQ(wa_sleep(500), 0);
    CHECK(wa__psched_worker_result(s, 2, 2, WA_PSCHED_OK));
    wa_log_clear();
    CHECK_EQ(wa_sleep(400), 0);
    CHECK_STR(wa_log_text(), "");
    CHECK_EQ(wa_sleep(200), 0);
    CHECK_STR(wa_log_text(), "term1");
    CHECK(!wa__psched_worker_exited(s, 1)); /* min keeps the other one */
    CHECK_EQ(wa_sleep(5000), 0);
    CHECK_STR(wa_log_text(), "term1");
    wa_psched_stats_t st;
    wa__psched_stats(s, &st);
    CHECK_EQ(st.workers, 1);
    CHECK_EQ(st.crashed, 0);
    wa__psched_free(s);
    return 0;
}

TEST(pool_sched_a_crash_fails_only_the_running_job) {
    fake_t f = {0};
    wa_psched_t *s = sched(&f, 0, 1, INFINITY, UINT32_MAX, 1000);
    submit(s, 1);
    submit(s, 2);
    wa__psched_worker_ready(s, 1);
    wa_log_clear();
    wa__psched_worker_crashed(s, 1);
    CHECK_STR(wa_log_text(), "term1");
    CHECK(wa__psched_worker_exited(s, 1));
    CHECK(!wa__psched_worker_exited(s, 1)); /* gone */
    CHECK_STR(wa_log_text(), "term1 crashed1 spawn2");
    wa_log_clear();
    wa__psched_worker_ready(s, 2);
    CHECK_STR(wa_log_text(), "post2:2");
    wa_psched_stats_t st;
    wa__psched_stats(s, &st);
    CHECK_EQ(st.crashed, 1);
    CHECK_EQ(st.failed, 1);
    wa__psched_free(s);
    return 0;
}

TEST_VIRTUAL(pool_sched_workers_that_cannot_start_back_off_then_fail_the_waiting_jobs) {
    fake_t f = {0};
    wa_psched_t *s = sched(&f, 0, 1, INFINITY, UINT32_MAX, 1000);
    submit(s, 1);
    CHECK(wa__psched_worker_exited(s, 1)); /* ended before 'ready' */
    CHECK_STR(wa_log_text(), "acc1 spawn1");
    CHECK_EQ(wa_sleep(90), 0);
    CHECK_STR(wa_log_text(), "acc1 spawn1");
    CHECK_EQ(wa_sleep(20), 0);
    CHECK_STR(wa_log_text(), "acc1 spawn1 spawn2");
    CHECK(wa__psched_worker_exited(s, 2));
    CHECK_EQ(wa_sleep(150), 0);
    CHECK_STR(wa_log_text(), "acc1 spawn1 spawn2");
    CHECK_EQ(wa_sleep(60), 0);
    CHECK_STR(wa_log_text(), "acc1 spawn1 spawn2 spawn3");
    CHECK(wa__psched_worker_exited(s, 3));
    CHECK_STR(wa_log_text(), "acc1 spawn1 spawn2 spawn3 noworker1");
    /* a new submission tries again; a spawn that fails at once counts too */
    wa_log_clear();
    f.fail_spawns = 1;
    submit(s, 2);
    CHECK_STR(wa_log_text(), "acc2 spawn4");
    CHECK_EQ(wa_sleep(110), 0);
    CHECK_STR(wa_log_text(), "acc2 spawn4 spawn5");
    wa__psched_worker_ready(s, 5);
    CHECK_STR(wa_log_text(), "acc2 spawn4 spawn5 post5:2");
    wa__psched_free(s);
    return 0;
}

TEST(pool_sched_shutdown_cancels_pending_jobs_and_drains) {
    fake_t f = {0};
    wa_psched_t *s = sched(&f, 1, 1, INFINITY, UINT32_MAX, 1000);
    submit(s, 1);
    submit(s, 2);
    wa__psched_worker_ready(s, 1);
    wa_log_clear();
    wa__psched_shutdown(s, true);
    CHECK_STR(wa_log_text(), "shutdown2");
    int rc = 0;
    CHECK(wa__psched_submit(s, 3, &rc) == NULL);
    CHECK_EQ(rc, WA_ESHUTDOWN);
    CHECK(wa__psched_worker_result(s, 1, 1, WA_PSCHED_OK)); /* the running job finishes */
    CHECK_STR(wa_log_text(), "shutdown2 term1");
    CHECK_EQ(f.drained, 0);
    CHECK(!wa__psched_worker_exited(s, 1));
    CHECK_EQ(f.drained, 1);
    wa__psched_shutdown(s, false); /* again: nothing new */
    CHECK_EQ(f.drained, 1);
    wa__psched_free(s);
    return 0;
}

TEST(pool_sched_a_job_that_cannot_be_sent_fails_alone) {
    fake_t f = {.fail_post_job = 1};
    wa_psched_t *s = sched(&f, 0, 1, INFINITY, UINT32_MAX, 1000);
    submit(s, 1);
    submit(s, 2);
    wa__psched_worker_ready(s, 1);
    CHECK_STR(wa_log_text(), "acc1 spawn1 acc2 post1:1 post1:2");
    wa_psched_stats_t st;
    wa__psched_stats(s, &st);
    CHECK_EQ(st.failed, 1);
    CHECK_EQ(st.running, 1);
    wa__psched_free(s);
    return 0;
}

TEST(pool_sched_a_worker_with_a_stray_error_takes_no_new_job_and_is_replaced) {
    fake_t f = {0};
    wa_psched_t *s = sched(&f, 0, 1, INFINITY, UINT32_MAX, 1000);
    submit(s, 1);
    submit(s, 2);
    wa__psched_worker_ready(s, 1);
    wa__psched_worker_stray(s, 1);
    CHECK(wa__psched_worker_result(s, 1, 1, WA_PSCHED_OK));
    CHECK_STR(wa_log_text(), "acc1 spawn1 acc2 post1:1");
    wa__psched_worker_recycle(s, 1);
    CHECK(!wa__psched_worker_exited(s, 1));
    CHECK_STR(wa_log_text(), "acc1 spawn1 acc2 post1:1 term1 spawn2");
    wa_psched_stats_t st;
    wa__psched_stats(s, &st);
    CHECK_EQ(st.stray_errors, 1);
    CHECK_EQ(st.crashed, 0);
    wa__psched_free(s);
    return 0;
}
