/* asyncio's exact interleavings (Python 3.13/3.14), each from a minimal
 * program whose trace under CPython is quoted in the test's comment. */
#include "harness.h"

static int log_other(void *arg) {
    wa_log("%s", (const char *)arg);
    return 0;
}

/* A: awaiting a done task or future does not suspend (Future.__await__).
 *   t = create_task(quick()); await sleep(0); create_task(other())
 *   v = await t; print('main got', v)      -> main got 1, other ran */
typedef struct {
    int stage;
    wa_task_t *quick, *other;
} a_state_t;

static int quick(void *arg) {
    (void)arg;
    return wa_return((void *)1, NULL);
}

static int a_step(void *p, int status) {
    a_state_t *s = p;
    switch (s->stage++) {
    case 0:
        if (wa_spawn(&s->quick, quick, NULL, NULL)) return WA_EFAILED;
        wa_step_sleep(0);
        return WA_PENDING;
    case 1:
        if (wa_spawn(&s->other, log_other, "other-ran", NULL)) return WA_EFAILED;
        wa_step_await(s->quick);
        return WA_PENDING;
    case 2:
        wa_log("main-got-%d:%d", (int)(intptr_t)wa_future_result(s->quick), status);
        return 0;
    }
    return WA_ESTATE;
}

TEST(order_step_task_awaiting_a_done_task_goes_on_at_once) {
    a_state_t s = {0};
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, a_step, &s, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_EQ(wa_await(s.other), 0);
    CHECK_STR(wa_log_text(), "main-got-1:0 other-ran");
    wa_release(t);
    wa_release(s.quick);
    wa_release(s.other);
    return 0;
}

static int a_coro(void *arg) {
    a_state_t *s = arg;
    CHECK_EQ(wa_spawn(&s->quick, quick, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_spawn(&s->other, log_other, "other-ran", NULL), 0);
    CHECK_EQ(wa_await(s->quick), 0);
    wa_log("main-got-%d", (int)(intptr_t)wa_future_result(s->quick));
    return 0;
}

TEST(order_coroutine_awaiting_a_done_task_goes_on_at_once) {
    a_state_t s = {0};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, a_coro, &s, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_EQ(wa_await(s.other), 0);
    CHECK_STR(wa_log_text(), "main-got-1 other-ran");
    wa_release(t);
    wa_release(s.quick);
    wa_release(s.other);
    return 0;
}

/* A, with a cancellation requested while the task runs: asyncio delivers it
 * at the next real suspension, not at the await of a done future.
 *   current_task().cancel(); await done_fut; print('went on'); await sleep(0)
 *   -> went on, then CancelledError at the sleep */
typedef struct {
    int stage;
    wa_future_t *done;
} a2_state_t;

static int a2_step(void *p, int status) {
    a2_state_t *s = p;
    switch (s->stage++) {
    case 0:
        wa_cancel(wa_current_task(), "self");
        wa_step_await(s->done);
        return WA_PENDING;
    case 1:
        wa_log("went-on:%d", status);
        wa_step_sleep(0);
        return WA_PENDING;
    case 2:
        wa_log("sleep:%d", status);
        return status;
    }
    return WA_ESTATE;
}

TEST(order_cancel_is_delivered_at_the_next_real_suspension) {
    a2_state_t s = {0};
    CHECK_EQ(wa_future_new(&s.done), 0);
    CHECK_EQ(wa_future_set_result(s.done, NULL, NULL), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, a2_step, &s, NULL), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "went-on:0 sleep:-1");
    CHECK_STR(wa_future_message(t), "self");
    wa_release(t);
    wa_release(s.done);
    return 0;
}
