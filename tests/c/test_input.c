/* Bad input returns error codes and changes nothing. */
#include "harness.h"

static void nop(void *arg) { (void)arg; }
static int nop_task(void *arg) { (void)arg; return 0; }

TEST(null_functions_are_rejected) {
    wa_task_t *t = (wa_task_t *)1;
    wa_stats_t before, after;
    wa_get_stats(&before);
    CHECK_EQ(wa_spawn(&t, NULL, NULL, NULL), WA_EINVAL);
    CHECK(t == (wa_task_t *)1); /* out untouched */
    CHECK_EQ(wa_spawn_step(&t, NULL, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_call_soon(NULL, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_call_later(1, NULL, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_call_at(1, NULL, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_run(NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_run_start(NULL, NULL, NULL, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_gather(NULL, NULL, 0, 0), WA_EINVAL);
    wa_future_t *g = NULL;
    wa_future_t *arr[2] = {NULL, NULL};
    CHECK_EQ(wa_gather(&g, arr, 2, 0), WA_EINVAL);
    CHECK_EQ(wa_gather(&g, NULL, 2, 0), WA_EINVAL);
    CHECK_EQ(wa_gather(&g, NULL, 0, 0x80), WA_EINVAL);
    CHECK_EQ(wa_future_new(NULL), WA_EINVAL);
    CHECK_EQ(wa_future_add_done_callback(NULL, NULL, NULL), WA_EINVAL);
    wa_get_stats(&after);
    CHECK_EQ(after.futures, before.futures);
    CHECK_EQ(after.handles, before.handles);
    CHECK_EQ(after.tasks, before.tasks);
    return 0;
}

TEST(negative_or_nan_delays_are_rejected) {
    wa_stats_t before, after;
    wa_get_stats(&before);
    CHECK_EQ(wa_call_later(-1, nop, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_call_later(NAN, nop, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_call_at(NAN, nop, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_sleep(-5), WA_EINVAL);
    CHECK_EQ(wa_sleep(NAN), WA_EINVAL);
    CHECK_EQ(wa_loop_set_budget(0), WA_EINVAL);
    CHECK_EQ(wa_loop_set_budget(-1), WA_EINVAL);
    CHECK_EQ(wa_loop_set_budget(NAN), WA_EINVAL);
    CHECK_EQ(wa_loop_set_budget(INFINITY), WA_EINVAL);
    wa_get_stats(&after);
    CHECK_EQ(after.handles, before.handles);
    return 0;
}

static int results[6];
static void outside_task(void *arg) {
    (void)arg;
    wa_future_t *f;
    wa_future_new(&f);
    results[0] = wa_await(f);
    results[1] = wa_sleep(1);
    results[2] = wa_step_await(f);
    results[3] = wa_step_sleep(1);
    results[4] = wa_return(NULL, NULL);
    results[5] = wa_run_once(1); /* re-entrant */
    wa_release(f);
}

TEST(suspending_outside_a_task_returns_enotask) {
    CHECK_EQ(wa_call_soon(outside_task, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(results[0], WA_ENOTASK);
    CHECK_EQ(results[1], WA_ENOTASK);
    CHECK_EQ(results[2], WA_ENOTASK);
    CHECK_EQ(results[3], WA_ENOTASK);
    CHECK_EQ(results[4], WA_ENOTASK);
    CHECK_EQ(results[5], WA_ESTATE);
    /* step calls from a coroutine task are refused too */
    CHECK_EQ(wa_step_sleep(1), WA_ENOTASK);
    CHECK_EQ(wa_run_once(1), WA_ESTATE);
    return 0;
}

TEST(awaiting_itself_or_null_is_rejected) {
    CHECK_EQ(wa_await(wa_current_task()), WA_EINVAL);
    CHECK_EQ(wa_await(NULL), WA_EINVAL);
    CHECK_EQ(wa_cancel(NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_future_status(NULL), WA_EINVAL);
    CHECK(wa_future_result(NULL) == NULL);
    CHECK(!wa_future_done(NULL));
    return 0;
}

TEST(task_only_calls_on_plain_futures_are_rejected) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_task_uncancel(f), WA_EINVAL);
    CHECK_EQ(wa_task_cancelling(f), WA_EINVAL);
    CHECK_EQ(wa_task_set_name(f, "x"), WA_EINVAL);
    CHECK(wa_task_name(f) == NULL);
    CHECK(!wa_is_task(f));
    CHECK(!wa_future_done(f));
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, nop_task, NULL, NULL), 0);
    CHECK_EQ(wa_future_set_result(t, NULL, NULL), WA_EINVAL); /* tasks set their own */
    CHECK_EQ(wa_future_set_error(t, WA_EFAILED, NULL), WA_EINVAL);
    CHECK_EQ(wa_future_set_error(f, 0, NULL), WA_EINVAL);
    CHECK_EQ(wa_future_set_error(f, WA_ECANCELLED, NULL), WA_EINVAL);
    CHECK(!wa_future_done(f));
    CHECK_EQ(wa_task_set_name(t, NULL), WA_EINVAL);
    CHECK_EQ(wa_await(t), 0);
    wa_release(t);
    wa_release(f);
    return 0;
}

TEST(nested_run_is_refused) {
    CHECK_EQ(wa_run(nop_task, NULL), WA_ESTATE);
    CHECK_EQ(wa_run_start(nop_task, NULL, NULL, NULL, NULL), WA_ESTATE);
    return 0;
}

TEST(huge_stack_request_is_rejected) {
    wa_task_t *t = NULL;
    wa_task_opts_t o = {.stack_size = (size_t)1 << 31};
    CHECK_EQ(wa_spawn(&t, nop_task, NULL, &o), WA_EINVAL);
    CHECK(t == NULL);
    return 0;
}

TEST(strerror_covers_every_code) {
    for (int c = WA_EABORTED; c <= 0; c++) {
        const char *s = wa_strerror(c);
        CHECK(s != NULL);
        CHECK(strcmp(s, "unknown error") != 0);
    }
    CHECK_STR(wa_strerror(-9999), "unknown error");
    return 0;
}
