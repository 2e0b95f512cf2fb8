/* Futures: states, results with destructors, done callbacks (scheduled
 * through the loop, in registration order), removal. */
#include "harness.h"

#include <stdlib.h>

static void done_log(wa_future_t *f, void *arg) {
    wa_log("%s:%d", (const char *)arg, wa_future_status(f));
}

TEST(done_callbacks_run_through_the_loop_in_order) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_future_add_done_callback(f, done_log, "one"), 0);
    CHECK_EQ(wa_future_add_done_callback(f, done_log, "two"), 0);
    CHECK_EQ(wa_future_add_done_callback(f, done_log, "three"), 0);
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), 0);
    CHECK_STR(wa_log_text(), ""); /* never synchronously */
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_STR(wa_log_text(), "one:0 two:0 three:0");
    /* added after completion: scheduled at once */
    CHECK_EQ(wa_future_add_done_callback(f, done_log, "four"), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_STR(wa_log_text(), "one:0 two:0 three:0 four:0");
    wa_release(f);
    return 0;
}

TEST(remove_done_callback) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_future_add_done_callback(f, done_log, "a"), 0);
    CHECK_EQ(wa_future_add_done_callback(f, done_log, "b"), 0);
    CHECK_EQ(wa_future_add_done_callback(f, done_log, "a"), 0);
    CHECK_EQ(wa_future_add_done_callback(f, done_log, "c"), 0);
    CHECK_EQ(wa_future_remove_done_callback(f, done_log, "a"), 2);
    CHECK_EQ(wa_future_remove_done_callback(f, done_log, "zzz"), 0);
    CHECK_EQ(wa_future_set_error(f, WA_EFAILED, "e"), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_STR(wa_log_text(), "b:-14 c:-14");
    wa_release(f);
    return 0;
}

static void free_count(void *p) { ++*(int *)p; }

TEST(result_destructor_runs_once_on_last_release) {
    static int freed;
    freed = 0;
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_future_set_result(f, &freed, free_count), 0);
    wa_ref(f);
    wa_release(f);
    CHECK_EQ(freed, 0);
    wa_release(f);
    CHECK_EQ(freed, 1);
    return 0;
}

TEST(future_error_and_states) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK(!wa_future_done(f));
    CHECK_EQ(wa_future_status(f), WA_ESTATE);
    CHECK_EQ(wa_future_set_error(f, WA_ENETWORK, "net down"), 0);
    CHECK(wa_future_done(f));
    CHECK(!wa_future_cancelled(f));
    CHECK_EQ(wa_future_status(f), WA_ENETWORK);
    CHECK_STR(wa_future_message(f), "net down");
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), WA_ESTATE);
    CHECK_EQ(wa_future_set_error(f, WA_EFAILED, NULL), WA_ESTATE);
    CHECK_EQ(wa_await(f), WA_ENETWORK); /* done: no suspension */
    wa_release(f);
    return 0;
}

static void set_later(void *arg) { wa_future_set_result(arg, (void *)"v", NULL); }

TEST(await_a_future_set_from_a_callback) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_call_later(2, set_later, f, NULL), 0);
    CHECK_EQ(wa_await(f), 0);
    CHECK_STR(wa_future_result(f), "v");
    wa_release(f);
    return 0;
}

static int waiter(void *arg) { return wa_await((wa_future_t *)arg); }

TEST(many_waiters_on_one_future_all_wake_in_order) {
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    wa_task_t *t[50];
    for (int i = 0; i < 50; i++) CHECK_EQ(wa_spawn(&t[i], waiter, f, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_future_set_result(f, NULL, NULL), 0);
    for (int i = 0; i < 50; i++) CHECK_EQ(wa_await(t[i]), 0);
    for (int i = 0; i < 50; i++) wa_release(t[i]);
    wa_release(f);
    return 0;
}

TEST(sleep_start_completes_and_cancels_cleanly) {
    wa_future_t *a, *b;
    double t0 = wa_time();
    CHECK_EQ(wa_sleep_start(5, &a), 0);
    CHECK_EQ(wa_sleep_start(10000, &b), 0);
    CHECK_EQ(wa_sleep_start(-1, &b), WA_EINVAL);
    CHECK_EQ(wa_sleep_start(NAN, &b), WA_EINVAL);
    CHECK_EQ(wa_await(a), 0);
    CHECK(wa_time() - t0 >= 5);
    CHECK_EQ(wa_cancel(b, "nope"), 1);
    CHECK(wa_future_cancelled(b));
    CHECK_EQ(wa_cancel(b, NULL), 0);
    wa_release(a);
    wa_release(b); /* the harness checks the timer is gone too */
    /* sleep(0) goes through the ready queue: done next iteration, cancellable */
    wa_future_t *z, *y;
    CHECK_EQ(wa_sleep_start(0, &z), 0);
    CHECK_EQ(wa_sleep_start(0, &y), 0);
    CHECK_EQ(wa_cancel(y, NULL), 1);
    CHECK(!wa_future_done(z));
    CHECK_EQ(wa_await(z), 0);
    CHECK(wa_future_cancelled(y));
    wa_release(z);
    wa_release(y);
    return 0;
}

TEST(values_round_trip_and_tag_results) {
    wa_value_t *s = wa_value_string("héllo");
    CHECK(s && s->type == WA_VALUE_STRING && s->len == 6 && !strcmp(s->u.string, "héllo"));
    wa_value_free(s);
    unsigned char raw[3] = {1, 2, 3};
    wa_value_t *b = wa_value_bytes(raw, 3);
    CHECK(b && b->type == WA_VALUE_BYTES && b->len == 3 && b->u.bytes[2] == 3);
    wa_value_free(b);
    wa_value_t *e = wa_value_bytes(NULL, 0);
    CHECK(e && e->len == 0);
    wa_value_free(e);
    CHECK(wa_value_bytes(NULL, 3) == NULL);
    CHECK(wa_value_string(NULL) == NULL);
    wa_value_free(NULL);
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK(wa_future_value(f) == NULL);
    CHECK_EQ(wa_future_set_value(f, wa_value_number(2.5)), 0);
    CHECK(wa_future_value(f)->type == WA_VALUE_NUMBER && wa_future_value(f)->u.number == 2.5);
    wa_release(f);
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_future_set_result(f, (void *)"raw", NULL), 0);
    CHECK(wa_future_value(f) == NULL); /* untagged results are not values */
    wa_release(f);
    return 0;
}
