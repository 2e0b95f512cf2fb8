/* The loop: call_soon FIFO order, timers in deadline order with ties in
 * scheduling order, handle cancellation, time. */
#include "harness.h"

static void log_cb(void *arg) { wa_log("%s", (const char *)arg); }

TEST(call_soon_runs_in_fifo_order) {
    static const char *names[] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++) CHECK_EQ(wa_call_soon(log_cb, (void *)names[i], NULL), 0);
    CHECK_STR(wa_log_text(), ""); /* nothing runs synchronously */
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_STR(wa_log_text(), "a b c d e");
    return 0;
}

static void nested_cb(void *arg) {
    wa_log("%s", (const char *)arg);
    if (!strcmp(arg, "1")) wa_call_soon(log_cb, "3-nested", NULL);
}

TEST(call_soon_from_callback_runs_after_current_batch) {
    wa_call_soon(nested_cb, "1", NULL);
    wa_call_soon(nested_cb, "2", NULL);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_STR(wa_log_text(), "1 2 3-nested");
    return 0;
}

TEST(timers_fire_in_deadline_order_ties_in_scheduling_order) {
    double now = wa_time();
    CHECK_EQ(wa_call_at(now + 30, log_cb, "t30", NULL), 0);
    CHECK_EQ(wa_call_at(now + 10, log_cb, "t10a", NULL), 0);
    CHECK_EQ(wa_call_at(now + 20, log_cb, "t20", NULL), 0);
    CHECK_EQ(wa_call_at(now + 10, log_cb, "t10b", NULL), 0);
    CHECK_EQ(wa_call_at(now + 10, log_cb, "t10c", NULL), 0);
    CHECK_EQ(wa_call_later(0, log_cb, "t0", NULL), 0);
    CHECK_EQ(wa_sleep(50), 0);
    CHECK_STR(wa_log_text(), "t0 t10a t10b t10c t20 t30");
    return 0;
}

typedef struct { double when; int id; } timer_rec_t;
static timer_rec_t recs[2000];
static int fired[2000], nfired;

static void rec_cb(void *arg) { fired[nfired++] = (int)(intptr_t)arg; }

TEST(many_timers_fire_sorted_and_cancelled_ones_never) {
    unsigned x = 42;
    double base = wa_time() + 5;
    static wa_handle_t h[2000]; /* 16 KB: not on a coroutine stack */
    nfired = 0;
    for (int i = 0; i < 2000; i++) {
        x = 1103515245u * x + 12345u;
        recs[i].when = base + (double)((x >> 16) % 20);
        recs[i].id = i;
        CHECK_EQ(wa_call_at(recs[i].when, rec_cb, (void *)(intptr_t)i, &h[i]), 0);
    }
    int cancelled = 0;
    for (int i = 0; i < 2000; i += 3) {
        CHECK_EQ(wa_handle_cancel(h[i]), 1);
        CHECK_EQ(wa_handle_cancel(h[i]), 0); /* twice: nothing more */
        cancelled++;
    }
    CHECK_EQ(wa_sleep(40), 0);
    CHECK_EQ(nfired, 2000 - cancelled);
    for (int k = 0; k < nfired; k++) CHECK(fired[k] % 3 != 0);
    for (int k = 1; k < nfired; k++) {
        timer_rec_t *p = &recs[fired[k - 1]], *q = &recs[fired[k]];
        CHECK(p->when < q->when || (p->when == q->when && p->id < q->id));
    }
    /* handles of callbacks that ran are stale now */
    CHECK_EQ(wa_handle_cancel(h[1]), 0);
    return 0;
}

TEST(handle_cancel_of_call_soon_and_call_later) {
    wa_handle_t a, b, c;
    CHECK_EQ(wa_call_soon(log_cb, "soon", &a), 0);
    CHECK_EQ(wa_call_later(5, log_cb, "later", &b), 0);
    CHECK_EQ(wa_call_soon(log_cb, "kept", &c), 0);
    CHECK_EQ(wa_handle_cancel(a), 1);
    CHECK_EQ(wa_handle_cancel(b), 1);
    CHECK_EQ(wa_sleep(10), 0);
    CHECK_STR(wa_log_text(), "kept");
    CHECK_EQ(wa_handle_cancel(c), 0); /* already ran */
    CHECK_EQ(wa_handle_cancel(0), 0);
    CHECK_EQ(wa_handle_cancel(~(wa_handle_t)0), 0);
    return 0;
}

TEST(stale_handle_does_not_cancel_a_reused_slot) {
    wa_handle_t a, b;
    CHECK_EQ(wa_call_soon(log_cb, "a", &a), 0);
    CHECK_EQ(wa_handle_cancel(a), 1);
    CHECK_EQ(wa_sleep(0), 0); /* slot of a is freed and may be reused */
    CHECK_EQ(wa_call_soon(log_cb, "b", &b), 0);
    CHECK_EQ(wa_handle_cancel(a), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_STR(wa_log_text(), "b");
    return 0;
}

TEST(weak_timers_fire_but_are_no_work_to_wait_for) {
    wa_handle_t weak, strong, soon;
    /* the harness's watchdog is weak meanwhile, so timers are ours alone */
    wa_handle_t dog = wa_test_watchdog();
    if (dog) CHECK_EQ(wa_handle_set_weak(dog, true), 0);
    CHECK_EQ(wa_call_later(2, log_cb, "weak", &weak), 0);
    CHECK_EQ(wa_handle_set_weak(weak, true), 0);
    CHECK_EQ(wa_handle_set_weak(weak, true), 0); /* twice: the same */
    /* only a weak timer: nothing can wake the loop */
    CHECK_EQ(wa_loop_wait(0), WA_EDEADLOCK);
    CHECK_EQ(wa_call_later(1000, log_cb, "strong", &strong), 0);
    CHECK_EQ(wa_loop_wait(0), 0);
    CHECK_EQ(wa_handle_cancel(strong), 1);
    CHECK_EQ(wa_loop_wait(0), WA_EDEADLOCK);
    CHECK_EQ(wa_handle_set_weak(weak, false), 0); /* strong again */
    CHECK_EQ(wa_loop_wait(0), 0);
    CHECK_EQ(wa_handle_set_weak(weak, true), 0);
    /* it still fires while the loop runs */
    CHECK_EQ(wa_sleep(10), 0);
    CHECK_STR(wa_log_text(), "weak");
    /* ran, cancelled, call_soon or unknown handles: not a pending timer */
    CHECK_EQ(wa_handle_set_weak(weak, true), WA_EINVAL);
    CHECK_EQ(wa_call_soon(log_cb, "soon", &soon), 0);
    CHECK_EQ(wa_handle_set_weak(soon, true), WA_EINVAL);
    CHECK_EQ(wa_handle_set_weak(0, true), WA_EINVAL);
    CHECK_EQ(wa_handle_set_weak(~(wa_handle_t)0, true), WA_EINVAL);
    /* a cancelled weak timer is forgotten: a strong one alone is work */
    CHECK_EQ(wa_call_later(1000, log_cb, "weak2", &weak), 0);
    CHECK_EQ(wa_handle_set_weak(weak, true), 0);
    CHECK_EQ(wa_handle_cancel(weak), 1);
    CHECK_EQ(wa_handle_set_weak(weak, true), WA_EINVAL);
    CHECK_EQ(wa_call_later(1000, log_cb, "strong2", &strong), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_loop_wait(0), 0);
    CHECK_EQ(wa_handle_cancel(strong), 1);
    CHECK_STR(wa_log_text(), "weak soon");
    if (dog) CHECK_EQ(wa_handle_set_weak(dog, false), 0);
    return 0;
}

TEST(call_at_in_the_past_runs_next_iteration) {
    CHECK_EQ(wa_call_at(wa_time() - 1000, log_cb, "past", NULL), 0);
    CHECK_EQ(wa_call_soon(log_cb, "soon", NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_STR(wa_log_text(), "soon past");
    return 0;
}

TEST(call_at_negative_and_far_deadlines) {
    /* host clocks may start near 0 (browsers): a negative deadline is just
     * one in the past; far ones are kept and never fire early */
    wa_handle_t far, farther, never;
    CHECK_EQ(wa_call_at(wa_time() + 40.0 * 86400e3, log_cb, "40-days", &far), 0);
    CHECK_EQ(wa_call_at(1e300, log_cb, "1e300", &farther), 0);
    CHECK_EQ(wa_call_at(INFINITY, log_cb, "never", &never), 0);
    CHECK_EQ(wa_call_at(-1e6, log_cb, "negative", NULL), 0);
    CHECK_EQ(wa_call_at(-INFINITY, log_cb, "minus-infinity", NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_STR(wa_log_text(), "minus-infinity negative");
    CHECK_EQ(wa_handle_cancel(far), 1);
    CHECK_EQ(wa_handle_cancel(farther), 1);
    CHECK_EQ(wa_handle_cancel(never), 1);
    return 0;
}

TEST(time_is_monotonic_and_sleep_waits_at_least) {
    double t0 = wa_time();
    CHECK_EQ(wa_sleep(20), 0);
    double t1 = wa_time();
    CHECK(t1 - t0 >= 20);
    CHECK(wa_loop_next_wakeup() >= -1);
    return 0;
}

static int sleeper(void *arg) {
    for (int i = 0; i < 3; i++) {
        wa_log("%s%d", (const char *)arg, i);
        int rc = wa_sleep(0);
        if (rc) return rc;
    }
    return 0;
}

TEST(sleep_zero_is_fair_round_robin) {
    wa_task_t *t[3];
    static const char *names[] = {"A", "B", "C"};
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_spawn(&t[i], sleeper, (void *)names[i], NULL), 0);
    wa_future_t *g;
    CHECK_EQ(wa_gather(&g, t, 3, 0), 0);
    CHECK_EQ(wa_await(g), 0);
    CHECK_STR(wa_log_text(), "A0 B0 C0 A1 B1 C1 A2 B2 C2");
    wa_release(g);
    for (int i = 0; i < 3; i++) wa_release(t[i]);
    return 0;
}

static int spinner(void *arg) {
    int *count = arg;
    for (;;) {
        ++*count;
        int rc = wa_sleep(0);
        if (rc) return rc;
    }
}

static void mark_cb(void *arg) { *(int *)arg = 1; }

TEST(busy_tasks_do_not_starve_timers) {
    /* Two tasks yield forever; a 5 ms timer must still fire on time-ish. */
    static int a, b, fired;
    a = b = fired = 0;
    wa_task_t *t1, *t2;
    CHECK_EQ(wa_spawn(&t1, spinner, &a, NULL), 0);
    CHECK_EQ(wa_spawn(&t2, spinner, &b, NULL), 0);
    CHECK_EQ(wa_call_later(5, mark_cb, &fired, NULL), 0);
    double t0 = wa_time();
    while (!fired && wa_time() - t0 < 2000) CHECK_EQ(wa_sleep(0), 0);
    CHECK(fired);
    CHECK(a > 10 && b > 10);
    CHECK(a - b <= 1 && b - a <= 1); /* strict alternation */
    wa_cancel(t1, NULL);
    wa_cancel(t2, NULL);
    CHECK_EQ(wa_await(t1), WA_ECANCELLED);
    CHECK_EQ(wa_await(t2), WA_ECANCELLED);
    wa_release(t1);
    wa_release(t2);
    return 0;
}
