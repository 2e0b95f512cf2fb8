/* Executor: argument checks and the job-side helpers. The pools themselves
 * are JS WorkerPools: without a JS runtime (these tests, native or wasm)
 * every call that needs one answers WA_EHOST; the full behaviour is tested
 * from JS (tests/js/executor.test.mjs, tests/e2e/executor.test.mjs). */
#include "harness.h"

static int job_echo(const uint8_t *in, size_t len, wa_job_out_t *out) {
    return wa_job_set_output(out, in, len);
}

TEST(executor_bad_arguments_are_einval) {
    wa_pool_t *pool = NULL;
    wa_future_t *f = NULL, *acc = NULL;
    CHECK_EQ(wa_pool_new(NULL, NULL), WA_EINVAL);
    wa_pool_opts_t o = {.min_workers = 3, .max_workers = 2};
    CHECK_EQ(wa_pool_new(&pool, &o), WA_EINVAL);
    wa_pool_opts_t o2 = {.idle_timeout_ms = -1};
    CHECK_EQ(wa_pool_new(&pool, &o2), WA_EINVAL);
    wa_pool_opts_t o3 = {.cancel_grace_ms = NAN};
    CHECK_EQ(wa_pool_new(&pool, &o3), WA_EINVAL);
    wa_pool_opts_t o4 = {.stack_size = 100};
    CHECK_EQ(wa_pool_new(&pool, &o4), WA_EINVAL);
    CHECK(pool == NULL);
    CHECK_EQ(wa_run_in_executor_start(NULL, NULL, "x", 1, &f), WA_EINVAL);
    CHECK_EQ(wa_run_in_executor_start(NULL, job_echo, NULL, 1, &f), WA_EINVAL);
    CHECK_EQ(wa_run_in_executor_start(NULL, job_echo, "x", 1, NULL), WA_EINVAL);
    CHECK_EQ(wa_exec_submit_start(NULL, job_echo, "x", 1, NULL, &f), WA_EINVAL);
    CHECK_EQ(wa_exec_submit(NULL, job_echo, "x", 1, NULL), WA_EINVAL);
    CHECK_EQ(wa_pool_shutdown(NULL, 0x10, NULL), WA_EINVAL);
    CHECK(f == NULL && acc == NULL);
    wa_pool_free(NULL); /* ignored */
    return 0;
}

TEST(executor_without_a_js_runtime_is_ehost) {
    wa_pool_t *pool = NULL;
    wa_future_t *f = NULL, *acc = NULL;
    CHECK_EQ(wa_pool_new(&pool, NULL), WA_EHOST);
    CHECK_EQ(wa_run_in_executor_start(NULL, job_echo, "x", 1, &f), WA_EHOST);
    CHECK_EQ(wa_exec_submit_start(NULL, job_echo, "", 0, &acc, &f), WA_EHOST);
    CHECK_EQ(wa_run_in_executor(NULL, job_echo, "x", 1, &f), WA_EHOST);
    CHECK_EQ(wa_to_thread(job_echo, "x", 1, NULL), WA_EHOST);
    CHECK_EQ(wa_exec_submit(NULL, job_echo, "x", 1, &f), WA_EHOST);
    CHECK(f == NULL && acc == NULL);
    /* the futures made and dropped on the way must not leak (checked by
     * the harness after the test) */
    CHECK_EQ(wa_sleep(0), 0);
    return 0;
}

static void from_callback(void *arg) {
    int *rc = arg;
    rc[0] = wa_run_in_executor(NULL, job_echo, "x", 1, NULL);
    rc[1] = wa_exec_submit(NULL, job_echo, "x", 1, NULL);
}

TEST(executor_suspending_calls_need_a_coroutine) {
    int rc[2] = {0, 0};
    CHECK_EQ(wa_call_soon(from_callback, rc, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(rc[0], WA_ENOTASK);
    CHECK_EQ(rc[1], WA_ENOTASK);
    return 0;
}

TEST(executor_job_helpers_outside_a_job) {
    CHECK(!wa_job_cancelled());
    CHECK(wa_job_output(NULL, 4) == NULL);
    CHECK_EQ(wa_job_set_output(NULL, "x", 1), WA_EINVAL);
    CHECK_EQ(wa_job_fail(NULL, WA_EVALUE, "x %d", 1), WA_EVALUE);
    return 0;
}
