/* asyncio's exact interleavings (Python 3.13/3.14), each from a minimal
 * program whose trace under CPython is quoted in the test's comment. */
#include "harness.h"

#include <stdint.h>

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

/* B: a put with a getter waiting only wakes it; the item stays in the
 * queue until the getter runs, and a newcomer may take it.
 *   consumer blocked in q.get(); q.put_nowait(1); q.qsize(); q.get_nowait();
 *   q.put_nowait(2)     -> qsize 1, get_nowait 1, consumer got 2 */
static wa_queue_t *OQ;

static int consumer(void *arg) {
    (void)arg;
    void *it;
    int rc = wa_queue_get(OQ, &it);
    if (rc) return rc;
    wa_log("consumer-got-%d", (int)(intptr_t)it);
    return 0;
}

typedef struct {
    wa_future_t *op;
} step_getter_t;

static int step_consumer(void *p, int status) {
    step_getter_t *s = p;
    if (!s->op) {
        int rc = wa_queue_get_start(OQ, &s->op);
        if (rc) return rc;
        wa_step_await(s->op);
        return WA_PENDING;
    }
    if (status == 0) wa_log("step-consumer-got-%d", (int)(intptr_t)wa_future_result(s->op));
    wa_release(s->op);
    return status;
}

static int queue_b_pair(wa_task_t *c) {
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_put_nowait(OQ, (void *)1), 0);
    wa_log("qsize-%zu", wa_queue_qsize(OQ));
    void *it = NULL;
    CHECK_EQ(wa_queue_get_nowait(OQ, &it), 0);
    wa_log("get_nowait-%d", (int)(intptr_t)it);
    CHECK_EQ(wa_queue_put_nowait(OQ, (void *)2), 0);
    CHECK_EQ(wa_await(c), 0);
    return 0;
}

TEST(order_queue_put_wakes_a_getter_without_handing_the_item_over) {
    wa_queue_opts_t o = {0};
    CHECK_EQ(wa_queue_new(&OQ, &o), 0);
    wa_task_t *c;
    CHECK_EQ(wa_spawn(&c, consumer, NULL, NULL), 0);
    CHECK_EQ(queue_b_pair(c), 0);
    CHECK_STR(wa_log_text(), "qsize-1 get_nowait-1 consumer-got-2");
    wa_release(c);
    /* the same with a step task awaiting the op form */
    wa_log_clear();
    step_getter_t s = {0};
    CHECK_EQ(wa_spawn_step(&c, step_consumer, &s, NULL), 0);
    CHECK_EQ(queue_b_pair(c), 0);
    CHECK_STR(wa_log_text(), "qsize-1 get_nowait-1 step-consumer-got-2");
    wa_release(c);
    CHECK_EQ(wa_queue_destroy(OQ), 0);
    return 0;
}

/* B, putter side: with maxsize=1, a get() only wakes the blocked putter;
 * the free slot is a newcomer's until the putter runs.
 *   q = Queue(1); q.put('x'); putter blocked in q.put('p'); await q.get()
 *   q.put_nowait('n') succeeds; the putter waits again, puts after a get */
static int blocked_putter(void *arg) {
    (void)arg;
    int rc = wa_queue_put(OQ, (void *)'p');
    if (rc == 0) wa_log("putter-put");
    return rc;
}

TEST(order_queue_get_wakes_a_putter_without_handing_the_slot_over) {
    wa_queue_opts_t o = {.maxsize = 1};
    CHECK_EQ(wa_queue_new(&OQ, &o), 0);
    CHECK_EQ(wa_queue_put_nowait(OQ, (void *)'x'), 0);
    wa_task_t *p;
    CHECK_EQ(wa_spawn(&p, blocked_putter, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    void *it;
    CHECK_EQ(wa_queue_get(OQ, &it), 0);
    CHECK_EQ((intptr_t)it, 'x');
    CHECK_EQ(wa_queue_put_nowait(OQ, (void *)'n'), 0); /* the newcomer wins */
    CHECK_EQ(wa_sleep(0), 0);                            /* the putter waits again */
    CHECK_STR(wa_log_text(), "");
    CHECK_EQ(wa_queue_get(OQ, &it), 0);
    CHECK_EQ((intptr_t)it, 'n');
    CHECK_EQ(wa_queue_get(OQ, &it), 0);
    CHECK_EQ((intptr_t)it, 'p');
    CHECK_STR(wa_log_text(), "putter-put");
    CHECK_EQ(wa_await(p), 0);
    wa_release(p);
    CHECK_EQ(wa_queue_destroy(OQ), 0);
    return 0;
}

/* C: a notified Condition.wait() resumes in the step after notify() (it
 * re-acquires a free lock as it resumes), before tasks created later.
 *   waiter: async with cv: await cv.wait(); print('woke')
 *   main: async with cv: cv.notify()   then create_task(other())
 *   -> woke, other */
static wa_cond_t *OC;

static int cond_waiter(void *arg) {
    (void)arg;
    int rc = wa_cond_acquire(OC);
    if (rc) return rc;
    rc = wa_cond_wait(OC);
    wa_log("woke:%d", rc);
    wa_cond_release(OC);
    return rc;
}

TEST(order_condition_wait_resumes_in_the_step_after_notify) {
    CHECK_EQ(wa_cond_new(&OC, NULL), 0);
    wa_task_t *w, *o;
    CHECK_EQ(wa_spawn(&w, cond_waiter, NULL, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cond_acquire(OC), 0);
    CHECK_EQ(wa_cond_notify(OC, 1), 1);
    CHECK_EQ(wa_cond_release(OC), 0);
    CHECK_EQ(wa_spawn(&o, log_other, "other", NULL), 0);
    CHECK_EQ(wa_await(w), 0);
    CHECK_EQ(wa_await(o), 0);
    CHECK_STR(wa_log_text(), "woke:0 other");
    wa_release(w);
    wa_release(o);
    CHECK_EQ(wa_cond_destroy(OC), 0);
    return 0;
}

/* The cancellation guarantee, asyncio's way: a woken waiter cancelled
 * before it resumes passes its wake-up on (Lock, Semaphore, Queue). */
static wa_lock_t *OL;

static int lock_taker(void *arg) {
    int rc = wa_lock_acquire(OL);
    wa_log("%s:%d", (const char *)arg, rc);
    if (rc == 0) wa_lock_release(OL);
    return rc;
}

TEST(order_woken_lock_waiter_cancelled_wakes_the_next) {
    CHECK_EQ(wa_lock_new(&OL), 0);
    CHECK_EQ(wa_lock_acquire(OL), 0);
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, lock_taker, "a", NULL), 0);
    CHECK_EQ(wa_spawn(&b, lock_taker, "b", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_lock_release(OL), 0); /* a woken */
    CHECK_EQ(wa_cancel(a, "late"), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "a:-1 b:0");
    CHECK(!wa_lock_locked(OL));
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_lock_destroy(OL), 0);
    return 0;
}

/* Cancel messages (Python 3.14): two cancel() calls while the task waits
 * (on a future or a sleep) deliver the first message - the awaited future
 * was cancelled with it; two before it ever runs (or while it is ready),
 * the last one. */
static int sleeper_ms(void *arg) { return wa_sleep(*(double *)arg); }

static int waiter_on(void *arg) { return wa_await(arg); }

TEST(order_cancel_messages_first_while_waiting_last_while_ready) {
    double ms = 1000;
    wa_task_t *t;
    /* waiting on a sleep */
    CHECK_EQ(wa_spawn(&t, sleeper_ms, &ms, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t, "a"), 1);
    CHECK_EQ(wa_cancel(t, "b"), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_future_message(t), "a");
    wa_release(t);
    /* waiting on a future */
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_spawn(&t, waiter_on, f, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(t, "a"), 1);
    CHECK_EQ(wa_cancel(t, "b"), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_future_message(t), "a");
    CHECK_STR(wa_future_message(f), "a");
    wa_release(t);
    wa_release(f);
    /* never ran */
    CHECK_EQ(wa_spawn(&t, sleeper_ms, &ms, NULL), 0);
    CHECK_EQ(wa_cancel(t, "a"), 1);
    CHECK_EQ(wa_cancel(t, "b"), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_future_message(t), "b");
    wa_release(t);
    return 0;
}

/* F: wait_for resumes one loop step after the awaited future is done (3.12+:
 * `async with timeout(t): return await fut`), in a step task too.
 *   setter: fut.set_result(5); print('set'); await sleep(0); print('setter+1')
 *   main: print(await wait_for(fut, 1))   -> set, got 5, setter+1 */
typedef struct {
    wa_future_t *fut, *wf;
} wf_state_t;

static int fut_setter(void *arg) {
    CHECK_EQ(wa_future_set_result(arg, (void *)5, NULL), 0);
    wa_log("set");
    CHECK_EQ(wa_sleep(0), 0);
    wa_log("setter+1");
    return 0;
}

static int wf_step(void *p, int status) {
    wf_state_t *s = p;
    if (!s->wf) {
        int rc = wa_wait_for_start(&s->wf, s->fut, 1000);
        if (rc) return rc;
        wa_step_await(s->wf);
        return WA_PENDING;
    }
    wa_log("got-%d:%d", (int)(intptr_t)wa_future_result(s->wf), status);
    wa_release(s->wf);
    return status;
}

TEST(order_wait_for_resumes_one_step_after_the_future) {
    wf_state_t s = {0};
    CHECK_EQ(wa_future_new(&s.fut), 0);
    wa_task_t *w, *set;
    CHECK_EQ(wa_spawn_step(&w, wf_step, &s, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_spawn(&set, fut_setter, s.fut, NULL), 0);
    CHECK_EQ(wa_await(w), 0);
    CHECK_EQ(wa_await(set), 0);
    CHECK_STR(wa_log_text(), "set got-5:0 setter+1");
    wa_release(w);
    wa_release(set);
    wa_release(s.fut);
    return 0;
}

/* ... and times out through the task's cancellation, like the coroutine. */
TEST_VIRTUAL(order_wait_for_step_task_times_out) {
    wf_state_t s = {0};
    CHECK_EQ(wa_future_new(&s.fut), 0);
    wa_task_t *w;
    CHECK_EQ(wa_spawn_step(&w, wf_step, &s, NULL), 0);
    CHECK_EQ(wa_await(w), WA_ETIMEDOUT);
    CHECK(wa_time() == 1000);
    CHECK(wa_future_cancelled(s.fut));
    CHECK_EQ(wa_task_cancelling(w), 0);
    CHECK_STR(wa_log_text(), "got-0:-2");
    wa_release(w);
    wa_release(s.fut);
    return 0;
}
