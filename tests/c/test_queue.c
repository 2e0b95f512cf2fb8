/* asyncio.Queue / LifoQueue / PriorityQueue semantics (Python 3.13), the
 * hand-off of items to waiting getters and slots to waiting putters, and
 * the cancellation races: nothing is ever lost. */
#include "harness.h"

#include <stdint.h>
#include <stdlib.h>

#define I(x) ((void *)(intptr_t)(x))
#define N(p) ((long)(intptr_t)(p))

static wa_queue_t *Q;
static int dtor_count;
static void count_dtor(void *p) {
    (void)p;
    dtor_count++;
}

static wa_queue_t *mkq(int kind, size_t maxsize) {
    wa_queue_opts_t o = {.kind = kind, .maxsize = maxsize, .item_dtor = count_dtor};
    wa_queue_t *q = NULL;
    dtor_count = 0;
    if (wa_queue_new(&q, &o) != 0) return NULL;
    return q;
}

/* get_nowait everything into the log as "q:..." */
static void drain_log(wa_queue_t *q) {
    void *it;
    while (wa_queue_get_nowait(q, &it) == 0) wa_log("q%ld", N(it));
}

static int getter(void *arg) {
    void *it = I(-1);
    int rc = wa_queue_get(Q, &it);
    if (rc) wa_log("%s:%d", (const char *)arg, rc);
    else wa_log("%s=%ld", (const char *)arg, N(it));
    return rc;
}

typedef struct {
    const char *name;
    long item;
} putarg_t;

static int putter(void *arg) {
    putarg_t *p = arg;
    int rc = wa_queue_put(Q, I(p->item));
    wa_log("%s:%d", p->name, rc);
    return rc;
}

/* ---- orders ----------------------------------------------------------- */

TEST(queue_fifo_order_sizes_and_empty) {
    wa_queue_t *q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(q);
    CHECK(wa_queue_empty(q));
    for (int i = 1; i <= 20; i++) CHECK_EQ(wa_queue_put_nowait(q, I(i)), 0);
    CHECK_EQ(wa_queue_qsize(q), 20);
    CHECK(!wa_queue_empty(q));
    CHECK(!wa_queue_full(q)); /* unbounded */
    CHECK_EQ(wa_queue_maxsize(q), 0);
    CHECK_EQ(wa_queue_unfinished(q), 20);
    for (int i = 1; i <= 20; i++) {
        void *it;
        CHECK_EQ(wa_queue_get_nowait(q, &it), 0);
        CHECK_EQ(N(it), i);
        if (i == 10) /* wrap the ring around */
            for (int k = 21; k <= 25; k++) CHECK_EQ(wa_queue_put_nowait(q, I(k)), 0);
    }
    drain_log(q);
    CHECK_STR(wa_log_text(), "q21 q22 q23 q24 q25");
    void *it;
    CHECK_EQ(wa_queue_get_nowait(q, &it), WA_EEMPTY);
    CHECK_EQ(wa_queue_destroy(q), 0);
    CHECK_EQ(dtor_count, 0);
    return 0;
}

TEST(queue_lifo_order) {
    wa_queue_t *q = mkq(WA_QUEUE_LIFO, 0);
    CHECK(q);
    for (int i = 1; i <= 12; i++) CHECK_EQ(wa_queue_put_nowait(q, I(i)), 0);
    void *it;
    CHECK_EQ(wa_queue_get_nowait(q, &it), 0);
    CHECK_EQ(N(it), 12);
    CHECK_EQ(wa_queue_put_nowait(q, I(99)), 0);
    drain_log(q);
    CHECK_STR(wa_log_text(), "q99 q11 q10 q9 q8 q7 q6 q5 q4 q3 q2 q1");
    CHECK_EQ(wa_queue_destroy(q), 0);
    return 0;
}

TEST(queue_priority_numeric_ties_keep_insertion_order) {
    wa_queue_t *q = mkq(WA_QUEUE_PRIORITY, 0);
    CHECK(q);
    static const double pr[] = {3, 1, 2, 1, 3, -1, 2, 1};
    for (int i = 0; i < 8; i++) CHECK_EQ(wa_queue_put_prio_nowait(q, I(i), pr[i]), 0);
    CHECK_EQ(wa_queue_put_nowait(q, I(8)), 0); /* priority 0 */
    drain_log(q);
    CHECK_STR(wa_log_text(), "q5 q8 q1 q3 q7 q2 q6 q0 q4");
    CHECK_EQ(wa_queue_destroy(q), 0);
    return 0;
}

typedef struct {
    int key;
    int id;
} rec_t;

static int by_key_desc(const void *a, const void *b, void *ctx) {
    const rec_t *x = a, *y = b;
    (void)ctx;
    return (y->key > x->key) - (y->key < x->key); /* larger key first */
}

TEST(queue_priority_comparator_ties_keep_insertion_order) {
    wa_queue_opts_t o = {.kind = WA_QUEUE_PRIORITY, .cmp = by_key_desc};
    wa_queue_t *q;
    CHECK_EQ(wa_queue_new(&q, &o), 0);
    static rec_t r[] = {{1, 0}, {5, 1}, {3, 2}, {5, 3}, {1, 4}, {5, 5}, {3, 6}};
    for (int i = 0; i < 7; i++) CHECK_EQ(wa_queue_put_nowait(q, &r[i]), 0);
    void *it;
    while (wa_queue_get_nowait(q, &it) == 0) wa_log("%d", ((rec_t *)it)->id);
    CHECK_STR(wa_log_text(), "1 3 5 2 6 0 4");
    CHECK_EQ(wa_queue_destroy(q), 0);
    return 0;
}

/* ---- bounded, blocking -------------------------------------------------- */

TEST(queue_bounded_full_and_put_nowait_efull) {
    wa_queue_t *q = mkq(WA_QUEUE_FIFO, 2);
    CHECK(q);
    CHECK_EQ(wa_queue_maxsize(q), 2);
    CHECK_EQ(wa_queue_put_nowait(q, I(1)), 0);
    CHECK(!wa_queue_full(q));
    CHECK_EQ(wa_queue_put_nowait(q, I(2)), 0);
    CHECK(wa_queue_full(q));
    CHECK_EQ(wa_queue_put_nowait(q, I(3)), WA_EFULL);
    CHECK_EQ(wa_queue_qsize(q), 2);
    CHECK_EQ(wa_queue_unfinished(q), 2);
    CHECK_EQ(wa_queue_destroy(q), 0);
    CHECK_EQ(dtor_count, 2); /* destroy dropped both */
    return 0;
}

TEST(queue_putters_wait_while_full_and_enter_in_fifo_order) {
    Q = mkq(WA_QUEUE_FIFO, 1);
    CHECK(Q);
    CHECK_EQ(wa_queue_put(Q, I(10)), 0);
    putarg_t pa = {"pa", 11}, pb = {"pb", 12};
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, putter, &pa, NULL), 0);
    CHECK_EQ(wa_spawn(&b, putter, &pb, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_STR(wa_log_text(), "");
    void *it;
    CHECK_EQ(wa_queue_get(Q, &it), 0);
    CHECK_EQ(N(it), 10);
    /* Python: pa is only woken; until it runs the slot is free, and a
     * newcomer's put takes it (pa then waits again, behind pb) */
    CHECK_EQ(wa_queue_qsize(Q), 0);
    CHECK(!wa_queue_full(Q));
    CHECK_EQ(wa_queue_put_nowait(Q, I(99)), 0);
    CHECK_EQ(wa_queue_get(Q, &it), 0);
    CHECK_EQ(N(it), 99);
    CHECK_EQ(wa_queue_get(Q, &it), 0);
    CHECK_EQ(N(it), 11);
    CHECK_EQ(wa_queue_get(Q, &it), 0);
    CHECK_EQ(N(it), 12);
    CHECK_EQ(wa_await(a), 0);
    CHECK_EQ(wa_await(b), 0);
    CHECK_STR(wa_log_text(), "pa:0 pb:0");
    CHECK_EQ(wa_queue_unfinished(Q), 4);
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_getters_wait_while_empty_and_are_served_in_fifo_order) {
    Q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(Q);
    wa_task_t *t[3];
    static const char *names[3] = {"g1", "g2", "g3"};
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_spawn(&t[i], getter, (void *)names[i], NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    for (int i = 1; i <= 3; i++) CHECK_EQ(wa_queue_put_nowait(Q, I(i)), 0);
    /* Python: the getters are only woken; the items stay in the queue, and
     * a newcomer may take one (g3 then finds none and waits again) */
    CHECK_EQ(wa_queue_qsize(Q), 3);
    void *it;
    CHECK_EQ(wa_queue_get_nowait(Q, &it), 0);
    CHECK_EQ(N(it), 1);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(wa_future_done(t[0]) && wa_future_done(t[1]) && !wa_future_done(t[2]));
    CHECK_EQ(wa_queue_put_nowait(Q, I(4)), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_STR(wa_log_text(), "g1=2 g2=3 g3=4");
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_get_with_an_item_does_not_allocate_or_suspend) {
    Q = mkq(WA_QUEUE_FIFO, 4);
    CHECK(Q);
    CHECK_EQ(wa_queue_put(Q, I(1)), 0);
    wa_stats_t before, after;
    wa_get_stats(&before);
    void *it;
    CHECK_EQ(wa_queue_get(Q, &it), 0);
    CHECK_EQ(wa_queue_put(Q, I(2)), 0);
    CHECK_EQ(wa_queue_task_done(Q), 0);
    wa_get_stats(&after);
    CHECK_EQ(after.futures, before.futures);
    CHECK_EQ(after.switches, before.switches);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

/* ---- task_done / join --------------------------------------------------- */

static int joiner(void *arg) {
    int rc = wa_queue_join(Q);
    wa_log("%s:%d", (const char *)arg, rc);
    return rc;
}

TEST(queue_task_done_and_join) {
    Q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(Q);
    CHECK_EQ(wa_queue_join(Q), 0); /* nothing unfinished */
    CHECK_EQ(wa_queue_task_done(Q), WA_EVALUE);
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_queue_put_nowait(Q, I(i)), 0);
    wa_task_t *j1, *j2;
    CHECK_EQ(wa_spawn(&j1, joiner, "j1", NULL), 0);
    CHECK_EQ(wa_spawn(&j2, joiner, "j2", NULL), 0);
    wa_future_t *jop;
    CHECK_EQ(wa_queue_join_start(Q, &jop), 0);
    CHECK(!wa_future_done(jop));
    void *it;
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(wa_queue_get_nowait(Q, &it), 0);
        CHECK_EQ(wa_sleep(0), 0);
        CHECK(!wa_future_done(j1));
        wa_log("done%d", i);
        CHECK_EQ(wa_queue_task_done(Q), 0);
    }
    CHECK(!wa_future_done(jop)); /* woken: done when it next runs */
    CHECK_EQ(wa_await(jop), 0);
    CHECK_EQ(wa_await(j1), 0);
    CHECK_EQ(wa_await(j2), 0);
    CHECK_STR(wa_log_text(), "done0 done1 done2 j1:0 j2:0");
    CHECK_EQ(wa_queue_task_done(Q), WA_EVALUE); /* more than were put */
    CHECK_EQ(wa_queue_unfinished(Q), 0);
    wa_release(jop);
    CHECK_EQ(wa_queue_join_start(Q, &jop), 0);
    CHECK(wa_future_done(jop));
    wa_release(jop);
    wa_release(j1);
    wa_release(j2);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

/* ---- shutdown ----------------------------------------------------------- */

TEST(queue_shutdown_wakes_getters_and_putters) {
    Q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(Q);
    wa_task_t *g1, *g2;
    CHECK_EQ(wa_spawn(&g1, getter, "g1", NULL), 0);
    CHECK_EQ(wa_spawn(&g2, getter, "g2", NULL), 0);
    wa_future_t *gop;
    CHECK_EQ(wa_queue_get_start(Q, &gop), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_shutdown(Q, false), 0);
    CHECK(wa_queue_is_shutdown(Q));
    CHECK_EQ(wa_await(g1), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(g2), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(gop), WA_ESHUTDOWN);
    CHECK_STR(wa_log_text(), "g1:-7 g2:-7");
    wa_release(gop);
    wa_release(g1);
    wa_release(g2);
    CHECK_EQ(wa_queue_destroy(Q), 0);

    /* full queue: putters fail, gets go on until empty */
    wa_log_clear();
    Q = mkq(WA_QUEUE_FIFO, 2);
    CHECK(Q);
    CHECK_EQ(wa_queue_put_nowait(Q, I(1)), 0);
    CHECK_EQ(wa_queue_put_nowait(Q, I(2)), 0);
    putarg_t pa = {"pa", 3};
    wa_task_t *p, *j;
    CHECK_EQ(wa_spawn(&p, putter, &pa, NULL), 0);
    CHECK_EQ(wa_spawn(&j, joiner, "j", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_shutdown(Q, false), 0);
    CHECK_EQ(wa_await(p), WA_ESHUTDOWN); /* its item was not put */
    CHECK_EQ(wa_queue_put_nowait(Q, I(4)), WA_ESHUTDOWN);
    CHECK_EQ(wa_queue_put(Q, I(4)), WA_ESHUTDOWN);
    wa_future_t *pop;
    CHECK_EQ(wa_queue_put_start(Q, I(4), &pop), WA_ESHUTDOWN);
    CHECK_EQ(wa_queue_qsize(Q), 2);
    void *it;
    CHECK_EQ(wa_queue_get(Q, &it), 0);
    CHECK_EQ(N(it), 1);
    CHECK_EQ(wa_queue_get_nowait(Q, &it), 0);
    CHECK_EQ(N(it), 2);
    CHECK_EQ(wa_queue_get_nowait(Q, &it), WA_ESHUTDOWN);
    CHECK_EQ(wa_queue_get(Q, &it), WA_ESHUTDOWN);
    CHECK_EQ(wa_queue_get_start(Q, &pop), WA_ESHUTDOWN);
    /* join still waits for the two items being processed */
    CHECK(!wa_future_done(j));
    CHECK_EQ(wa_queue_task_done(Q), 0);
    CHECK_EQ(wa_queue_task_done(Q), 0);
    CHECK_EQ(wa_await(j), 0);
    CHECK_STR(wa_log_text(), "pa:-7 j:0");
    CHECK_EQ(dtor_count, 0);
    wa_release(p);
    wa_release(j);
    CHECK_EQ(wa_queue_shutdown(Q, false), 0); /* idempotent */
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_shutdown_immediate_drops_items_and_releases_joiners) {
    Q = mkq(WA_QUEUE_FIFO, 3);
    CHECK(Q);
    for (int i = 1; i <= 3; i++) CHECK_EQ(wa_queue_put_nowait(Q, I(i)), 0);
    void *it;
    CHECK_EQ(wa_queue_get_nowait(Q, &it), 0); /* being processed */
    CHECK_EQ(wa_queue_put_nowait(Q, I(4)), 0);
    putarg_t pa = {"pa", 5};
    wa_task_t *p, *j;
    CHECK_EQ(wa_spawn(&p, putter, &pa, NULL), 0);
    CHECK_EQ(wa_spawn(&j, joiner, "j", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_unfinished(Q), 4);
    CHECK_EQ(wa_queue_shutdown(Q, true), 0);
    CHECK_EQ(dtor_count, 3); /* 2, 3, 4 dropped */
    CHECK_EQ(wa_queue_qsize(Q), 0);
    CHECK_EQ(wa_queue_unfinished(Q), 1); /* item 1 still being processed */
    CHECK_EQ(wa_await(p), WA_ESHUTDOWN);
    CHECK_EQ(wa_queue_get_nowait(Q, &it), WA_ESHUTDOWN);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK(!wa_future_done(j));
    CHECK_EQ(wa_queue_task_done(Q), 0);
    CHECK_EQ(wa_await(j), 0);
    CHECK_STR(wa_log_text(), "pa:-7 j:0");
    wa_release(p);
    wa_release(j);
    /* with nothing unfinished left, joiners are released by the shutdown */
    wa_log_clear();
    CHECK_EQ(wa_queue_destroy(Q), 0);
    Q = mkq(WA_QUEUE_LIFO, 0);
    CHECK(Q);
    CHECK_EQ(wa_queue_put_nowait(Q, I(1)), 0);
    CHECK_EQ(wa_spawn(&j, joiner, "j", NULL), 0);
    wa_task_t *g;
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_shutdown(Q, true), 0);
    CHECK_EQ(wa_await(j), 0);
    CHECK_EQ(dtor_count, 1);
    CHECK_EQ(wa_spawn(&g, getter, "g", NULL), 0);
    CHECK_EQ(wa_await(g), WA_ESHUTDOWN);
    CHECK_STR(wa_log_text(), "j:0 g:-7");
    wa_release(g);
    wa_release(j);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_destroy_ends_every_waiter_with_eshutdown) {
    Q = mkq(WA_QUEUE_FIFO, 1);
    CHECK(Q);
    wa_task_t *g;
    CHECK_EQ(wa_spawn(&g, getter, "g", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    wa_queue_t *q = Q;
    CHECK_EQ(wa_queue_destroy(q), 0);
    CHECK_EQ(wa_await(g), WA_ESHUTDOWN);
    wa_release(g);
    Q = mkq(WA_QUEUE_PRIORITY, 1);
    CHECK(Q);
    CHECK_EQ(wa_queue_put_prio_nowait(Q, I(1), 1), 0);
    putarg_t pa = {"p", 2};
    wa_task_t *p, *j;
    CHECK_EQ(wa_spawn(&p, putter, &pa, NULL), 0);
    CHECK_EQ(wa_spawn(&j, joiner, "j", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    CHECK_EQ(wa_await(p), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(j), WA_ESHUTDOWN);
    CHECK_EQ(dtor_count, 1);
    CHECK_STR(wa_log_text(), "g:-7 p:-7 j:-7");
    wa_release(p);
    wa_release(j);
    return 0;
}

/* ---- cancellation ------------------------------------------------------- */

TEST(queue_cancelled_pending_getter_and_putter_are_withdrawn) {
    Q = mkq(WA_QUEUE_FIFO, 1);
    CHECK(Q);
    wa_task_t *g, *p;
    CHECK_EQ(wa_spawn(&g, getter, "g", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(g, NULL), 1);
    CHECK_EQ(wa_await(g), WA_ECANCELLED);
    CHECK_EQ(wa_queue_put_nowait(Q, I(1)), 0);
    CHECK_EQ(wa_queue_qsize(Q), 1); /* not handed to the cancelled getter */
    putarg_t pa = {"p", 2};
    CHECK_EQ(wa_spawn(&p, putter, &pa, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_cancel(p, NULL), 1);
    CHECK_EQ(wa_await(p), WA_ECANCELLED);
    void *it;
    CHECK_EQ(wa_queue_get_nowait(Q, &it), 0);
    CHECK_EQ(N(it), 1);
    CHECK_EQ(wa_queue_qsize(Q), 0); /* the cancelled put did not happen */
    CHECK_EQ(wa_queue_unfinished(Q), 1);
    CHECK_STR(wa_log_text(), "g:-1 p:-1");
    wa_release(g);
    wa_release(p);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_race_get_woken_then_cancelled_leaves_the_items) {
    Q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(Q);
    wa_task_t *g;
    CHECK_EQ(wa_spawn(&g, getter, "g", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_put_nowait(Q, I(1)), 0); /* g is woken */
    CHECK_EQ(wa_queue_put_nowait(Q, I(2)), 0);
    CHECK_EQ(wa_queue_qsize(Q), 2); /* the items stay until g takes one */
    CHECK_EQ(wa_cancel(g, NULL), 1); /* before g resumed */
    CHECK_EQ(wa_await(g), WA_ECANCELLED);
    CHECK_EQ(wa_queue_qsize(Q), 2); /* g took none */
    drain_log(Q);
    CHECK_STR(wa_log_text(), "g:-1 q1 q2");
    CHECK_EQ(wa_queue_unfinished(Q), 2);
    wa_release(g);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    CHECK_EQ(dtor_count, 0);
    return 0;
}

TEST(queue_race_get_item_goes_to_the_next_waiting_getter) {
    Q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(Q);
    wa_task_t *g1, *g2;
    CHECK_EQ(wa_spawn(&g1, getter, "g1", NULL), 0);
    CHECK_EQ(wa_spawn(&g2, getter, "g2", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_put_nowait(Q, I(7)), 0);
    CHECK_EQ(wa_cancel(g1, NULL), 1);
    CHECK_EQ(wa_await(g1), WA_ECANCELLED);
    CHECK_EQ(wa_await(g2), 0);
    CHECK_STR(wa_log_text(), "g1:-1 g2=7");
    CHECK_EQ(wa_queue_qsize(Q), 0);
    wa_release(g1);
    wa_release(g2);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_race_get_lifo_top_and_priority_place) {
    Q = mkq(WA_QUEUE_LIFO, 0);
    CHECK(Q);
    wa_task_t *g;
    CHECK_EQ(wa_spawn(&g, getter, "g", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_put_nowait(Q, I(1)), 0);
    CHECK_EQ(wa_queue_put_nowait(Q, I(2)), 0);
    CHECK_EQ(wa_queue_put_nowait(Q, I(3)), 0);
    CHECK_EQ(wa_cancel(g, NULL), 1);
    CHECK_EQ(wa_await(g), WA_ECANCELLED);
    drain_log(Q); /* g took none */
    CHECK_STR(wa_log_text(), "g:-1 q3 q2 q1");
    wa_release(g);
    CHECK_EQ(wa_queue_destroy(Q), 0);

    wa_log_clear();
    Q = mkq(WA_QUEUE_PRIORITY, 0);
    CHECK(Q);
    CHECK_EQ(wa_spawn(&g, getter, "g", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_put_prio_nowait(Q, I(5), 5), 0); /* wakes g */
    CHECK_EQ(wa_queue_put_prio_nowait(Q, I(9), 9), 0);
    CHECK_EQ(wa_queue_put_prio_nowait(Q, I(1), 1), 0);
    CHECK_EQ(wa_queue_put_prio_nowait(Q, I(55), 5), 0); /* tie: after 5 */
    CHECK_EQ(wa_cancel(g, NULL), 1);
    CHECK_EQ(wa_await(g), WA_ECANCELLED);
    drain_log(Q);
    CHECK_STR(wa_log_text(), "g:-1 q1 q5 q55 q9");
    wa_release(g);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_race_put_woken_then_cancelled_wakes_the_next_putter) {
    Q = mkq(WA_QUEUE_FIFO, 1);
    CHECK(Q);
    CHECK_EQ(wa_queue_put_nowait(Q, I(10)), 0);
    putarg_t pa = {"pa", 11}, pb = {"pb", 12};
    wa_task_t *a, *b;
    CHECK_EQ(wa_spawn(&a, putter, &pa, NULL), 0);
    CHECK_EQ(wa_spawn(&b, putter, &pb, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    void *it;
    CHECK_EQ(wa_queue_get_nowait(Q, &it), 0); /* 10 out, pa woken */
    CHECK_EQ(N(it), 10);
    CHECK_EQ(wa_queue_unfinished(Q), 1);
    CHECK_EQ(wa_cancel(a, NULL), 1); /* before pa resumed */
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    /* pa put nothing; it passed its wake-up on to pb */
    CHECK_EQ(wa_await(b), 0);
    drain_log(Q);
    CHECK_STR(wa_log_text(), "pa:-1 pb:0 q12");
    CHECK_EQ(wa_queue_unfinished(Q), 2); /* 10 and 12 */
    wa_release(a);
    wa_release(b);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_race_put_woken_then_cancelled_puts_nothing) {
    Q = mkq(WA_QUEUE_FIFO, 1);
    CHECK(Q);
    CHECK_EQ(wa_queue_put_nowait(Q, I(10)), 0);
    putarg_t pa = {"pa", 11};
    wa_task_t *a;
    CHECK_EQ(wa_spawn(&a, putter, &pa, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    void *it;
    CHECK_EQ(wa_queue_get_nowait(Q, &it), 0); /* pa woken */
    CHECK_EQ(wa_queue_get_nowait(Q, &it), WA_EEMPTY); /* 11 not in yet */
    CHECK_EQ(wa_cancel(a, NULL), 1);
    CHECK_EQ(wa_await(a), WA_ECANCELLED);
    CHECK_STR(wa_log_text(), "pa:-1");
    CHECK_EQ(wa_queue_qsize(Q), 0);
    CHECK_EQ(wa_queue_unfinished(Q), 1);
    wa_release(a);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_rollback_after_immediate_shutdown_drops_the_item) {
    Q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(Q);
    wa_task_t *g;
    CHECK_EQ(wa_spawn(&g, getter, "g", NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_put_nowait(Q, I(1)), 0); /* to g */
    CHECK_EQ(wa_queue_shutdown(Q, true), 0);
    CHECK_EQ(wa_cancel(g, NULL), 1);
    CHECK_EQ(wa_await(g), WA_ECANCELLED);
    CHECK_EQ(dtor_count, 1); /* dropped as the shutdown would have */
    CHECK_EQ(wa_queue_unfinished(Q), 0);
    wa_release(g);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

/* ---- op forms ----------------------------------------------------------- */

TEST(queue_op_forms_and_manual_rollback) {
    wa_queue_t *q = mkq(WA_QUEUE_FIFO, 2);
    CHECK(q);
    wa_future_t *g, *p1, *p2, *p3;
    CHECK_EQ(wa_queue_get_start(q, &g), 0);
    CHECK(!wa_future_done(g));
    CHECK_EQ(wa_queue_put_start(q, I(1), &p1), 0);
    CHECK(wa_future_done(p1));
    CHECK(!wa_future_done(g)); /* woken: it takes 1 when it next runs */
    CHECK_EQ(wa_queue_qsize(q), 1);
    CHECK_EQ(wa_await(g), 0);
    CHECK_EQ(N(wa_future_result(g)), 1);
    CHECK_EQ(wa_future_set_result(g, NULL, NULL), WA_EINVAL);
    /* g's awaiter was cancelled before taking 1: give it back */
    CHECK_EQ(wa_op_rollback(g), WA_ECANCELLED);
    CHECK(wa_future_result(g) == NULL);
    CHECK_EQ(wa_queue_qsize(q), 1);
    /* p1 rolled back: 1 leaves the queue again */
    CHECK_EQ(wa_op_rollback(p1), WA_ECANCELLED);
    CHECK_EQ(wa_queue_qsize(q), 0);
    CHECK_EQ(wa_queue_unfinished(q), 0);
    wa_release(g);
    wa_release(p1);
    CHECK_EQ(wa_queue_put_start(q, I(2), &p1), 0);
    CHECK_EQ(wa_queue_put_start(q, I(3), &p2), 0);
    CHECK_EQ(wa_queue_put_start(q, I(4), &p3), 0);
    CHECK(!wa_future_done(p3));
    CHECK_EQ(wa_op_rollback(p3), WA_ESTATE);
    CHECK_EQ(wa_queue_get_start(q, &g), 0);
    CHECK(wa_future_done(g));   /* 2 */
    CHECK(!wa_future_done(p3)); /* woken: 4 goes in when it next runs */
    CHECK_EQ(wa_op_rollback(p2), WA_ECANCELLED); /* 3 out again */
    CHECK_EQ(wa_op_rollback(g), WA_ECANCELLED);  /* 2 back at the head */
    CHECK_EQ(wa_op_rollback(g), WA_ECANCELLED);  /* once only */
    CHECK_EQ(wa_await(p3), 0);
    drain_log(q);
    CHECK_STR(wa_log_text(), "q2 q4");
    wa_release(g);
    wa_release(p1);
    wa_release(p2);
    wa_release(p3);
    /* a pending op released unawaited is withdrawn */
    CHECK_EQ(wa_queue_get_start(q, &g), 0);
    wa_release(g);
    CHECK_EQ(wa_queue_put_nowait(q, I(5)), 0);
    CHECK_EQ(wa_queue_qsize(q), 1);
    CHECK_EQ(wa_queue_put_nowait(q, I(6)), 0);
    CHECK_EQ(wa_queue_put_start(q, I(7), &p1), 0);
    wa_release(p1);
    void *it;
    CHECK_EQ(wa_queue_get_nowait(q, &it), 0);
    CHECK_EQ(wa_queue_qsize(q), 1); /* 7 was not admitted */
    CHECK_EQ(wa_queue_destroy(q), 0);
    return 0;
}

/* ---- producer / consumers ----------------------------------------------- */

#define PC_ITEMS 3000
static unsigned char seen[PC_ITEMS];
static int duplicates;

static void see(void *it) {
    long n = N(it);
    if (n < 0 || n >= PC_ITEMS || seen[n]++) duplicates++;
}

static int consumer(void *arg) {
    (void)arg;
    for (;;) {
        void *it;
        int rc = wa_queue_get(Q, &it);
        if (rc) return rc == WA_ESHUTDOWN ? 0 : rc;
        see(it);
        wa_queue_task_done(Q);
        if (N(it) % 7 == 0 && (rc = wa_sleep(0)) != 0) return rc;
    }
}

typedef struct {
    wa_queue_t *q;
    wa_future_t *op;
    int got;
} step_consumer_t;

/* The same consumer as a step task on the op form (how JS drives it). */
static int step_consumer(void *st, int status) {
    step_consumer_t *s = st;
    if (s->op) {
        if (status == 0) {
            see(wa_future_result(s->op));
            s->got++;
            wa_queue_task_done(s->q);
        } else if (status == WA_ECANCELLED && wa_op_rollback(s->op) == 0) {
            /* the outcome stood: we own the item */
            see(wa_future_result(s->op));
            wa_queue_task_done(s->q);
        }
        wa_release(s->op);
        s->op = NULL;
        if (status) return status == WA_ESHUTDOWN ? 0 : status;
    }
    int rc = wa_queue_get_start(s->q, &s->op);
    if (rc) return rc == WA_ESHUTDOWN ? 0 : rc;
    wa_step_await(s->op);
    return WA_PENDING;
}

static int produce(int cancel_some, wa_task_t **cons) {
    for (long i = 0; i < PC_ITEMS; i++) {
        int rc = wa_queue_put(Q, I(i));
        if (rc) return rc;
        if (cancel_some && (i == 500 || i == 1501)) wa_cancel(cons[i == 500 ? 0 : 3], "mid-stream");
        if (cancel_some && i % 97 == 0 && (rc = wa_sleep(0)) != 0) return rc;
    }
    return wa_queue_join(Q);
}

TEST(queue_one_producer_four_consumers_each_item_exactly_once) {
    Q = mkq(WA_QUEUE_FIFO, 10);
    CHECK(Q);
    memset(seen, 0, sizeof seen);
    duplicates = 0;
    wa_task_t *c[4];
    for (int i = 0; i < 4; i++) CHECK_EQ(wa_spawn(&c[i], consumer, NULL, NULL), 0);
    CHECK_EQ(produce(0, c), 0);
    CHECK_EQ(wa_queue_unfinished(Q), 0);
    CHECK_EQ(wa_queue_shutdown(Q, false), 0);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(wa_await(c[i]), 0);
        wa_release(c[i]);
    }
    CHECK_EQ(duplicates, 0);
    for (int i = 0; i < PC_ITEMS; i++) CHECK_EQ(seen[i], 1);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_cancelling_consumers_mid_stream_loses_nothing) {
    Q = mkq(WA_QUEUE_FIFO, 10);
    CHECK(Q);
    memset(seen, 0, sizeof seen);
    duplicates = 0;
    /* two coroutine consumers, two step consumers (op form) */
    step_consumer_t s[2] = {{Q, NULL, 0}, {Q, NULL, 0}};
    wa_task_t *c[4];
    CHECK_EQ(wa_spawn(&c[0], consumer, NULL, NULL), 0);
    CHECK_EQ(wa_spawn_step(&c[1], step_consumer, &s[0], NULL), 0);
    CHECK_EQ(wa_spawn(&c[2], consumer, NULL, NULL), 0);
    CHECK_EQ(wa_spawn_step(&c[3], step_consumer, &s[1], NULL), 0);
    CHECK_EQ(produce(1, c), 0); /* cancels c[0] and c[3] on the way */
    CHECK_EQ(wa_queue_shutdown(Q, false), 0);
    CHECK_EQ(wa_await(c[0]), WA_ECANCELLED);
    CHECK_EQ(wa_await(c[3]), WA_ECANCELLED);
    CHECK_EQ(wa_await(c[1]), 0);
    CHECK_EQ(wa_await(c[2]), 0);
    for (int i = 0; i < 4; i++) wa_release(c[i]);
    CHECK_EQ(duplicates, 0);
    for (int i = 0; i < PC_ITEMS; i++) CHECK_EQ(seen[i], 1);
    CHECK_EQ(wa_queue_unfinished(Q), 0);
    CHECK(s[0].got > 0);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

/* Deterministic version of the step-consumer race: its op has the item,
 * the task is cancelled before it runs; the scheduler rolls back. */
TEST(queue_race_step_getter_cancelled_after_handoff) {
    Q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(Q);
    memset(seen, 0, sizeof seen);
    duplicates = 0;
    step_consumer_t s = {Q, NULL, 0};
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, step_consumer, &s, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_put_nowait(Q, I(42)), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_EQ(s.got, 0);
    CHECK_EQ(seen[42], 0);
    void *it;
    CHECK_EQ(wa_queue_get_nowait(Q, &it), 0);
    CHECK_EQ(N(it), 42);
    wa_release(t);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

/* ---- bad input ---------------------------------------------------------- */

static void queue_outside_task(void *arg) {
    void *it;
    CHECK_LATER(wa_queue_get(arg, &it) == WA_ENOTASK);
    CHECK_LATER(wa_queue_put(arg, NULL) == WA_ENOTASK);
    CHECK_LATER(wa_queue_join(arg) == WA_ENOTASK);
    CHECK_LATER(wa_queue_put_prio(arg, NULL, 1) == WA_ENOTASK);
}

TEST(queue_bad_input) {
    wa_queue_t *q;
    wa_future_t *op;
    void *it;
    wa_queue_opts_t bad = {.kind = 7};
    CHECK_EQ(wa_queue_new(&q, &bad), WA_EINVAL);
    wa_queue_opts_t badcmp = {.kind = WA_QUEUE_FIFO, .cmp = by_key_desc};
    CHECK_EQ(wa_queue_new(&q, &badcmp), WA_EINVAL);
    CHECK_EQ(wa_queue_new(NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_put(NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_put_nowait(NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_put_start(NULL, NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_queue_get(NULL, &it), WA_EINVAL);
    CHECK_EQ(wa_queue_get_nowait(NULL, &it), WA_EINVAL);
    CHECK_EQ(wa_queue_get_start(NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_queue_task_done(NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_join(NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_join_start(NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_queue_shutdown(NULL, true), WA_EINVAL);
    CHECK_EQ(wa_queue_destroy(NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_qsize(NULL), 0);
    CHECK(wa_queue_empty(NULL));
    CHECK(!wa_queue_full(NULL));
    CHECK_EQ(wa_queue_new(&q, NULL), 0);
    CHECK_EQ(wa_queue_get(q, NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_get_nowait(q, NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_get_start(q, NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_put_start(q, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_join_start(q, NULL), WA_EINVAL);
    CHECK_EQ(wa_queue_put_prio_nowait(q, NULL, 1), WA_EINVAL); /* not a priority queue */
    CHECK_EQ(wa_queue_put_prio(q, NULL, 1), WA_EINVAL);
    CHECK_EQ(wa_queue_put_prio_start(q, NULL, 1, &op), WA_EINVAL);
    CHECK_EQ(wa_call_soon(queue_outside_task, q, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_NO_LATER_FAILURE();
    CHECK_EQ(wa_queue_qsize(q), 0);
    CHECK_EQ(wa_queue_unfinished(q), 0);
    CHECK_EQ(wa_queue_destroy(q), 0);
    wa_queue_opts_t pq = {.kind = WA_QUEUE_PRIORITY};
    CHECK_EQ(wa_queue_new(&q, &pq), 0);
    CHECK_EQ(wa_queue_put_prio_nowait(q, NULL, NAN), WA_EINVAL);
    CHECK_EQ(wa_queue_qsize(q), 0);
    CHECK_EQ(wa_queue_destroy(q), 0);
    return 0;
}

TEST(queue_storage_grows_and_shrinks_keeping_order) {
    static const int kinds[3] = {WA_QUEUE_FIFO, WA_QUEUE_LIFO, WA_QUEUE_PRIORITY};
    for (int k = 0; k < 3; k++) {
        wa_queue_t *q = mkq(kinds[k], 0);
        CHECK(q);
        long next_in = 0, next_out = 0;
        /* waves of 5000 in, 4990 out: grows, wraps the ring, shrinks */
        for (int wave = 0; wave < 4; wave++) {
            for (int i = 0; i < 5000; i++, next_in++) {
                if (kinds[k] == WA_QUEUE_PRIORITY)
                    CHECK_EQ(wa_queue_put_prio_nowait(q, I(next_in), (double)next_in), 0);
                else
                    CHECK_EQ(wa_queue_put_nowait(q, I(next_in)), 0);
            }
            for (int i = 0; i < 4990; i++) {
                void *it;
                CHECK_EQ(wa_queue_get_nowait(q, &it), 0);
                if (kinds[k] == WA_QUEUE_LIFO) CHECK_EQ(N(it), next_in - 1 - i);
                else CHECK_EQ(N(it), next_out++);
            }
        }
        CHECK_EQ(wa_queue_qsize(q), 40);
        /* what is left is still in order */
        long prev = -1;
        void *it;
        while (wa_queue_get_nowait(q, &it) == 0) {
            if (kinds[k] == WA_QUEUE_LIFO) CHECK(prev < 0 || N(it) < prev);
            else CHECK(N(it) > prev);
            prev = N(it);
        }
        CHECK_EQ(wa_queue_destroy(q), 0);
    }
    return 0;
}

typedef struct {
    const char *name;
    long item;
    double prio;
} prioarg_t;

static int prio_putter(void *arg) {
    prioarg_t *p = arg;
    int rc = wa_queue_put_prio(Q, I(p->item), p->prio);
    wa_log("%s:%d", p->name, rc);
    return rc;
}

TEST(queue_priority_blocking_puts_enter_fifo_and_order_by_priority) {
    Q = mkq(WA_QUEUE_PRIORITY, 2);
    CHECK(Q);
    CHECK_EQ(wa_queue_put_prio(Q, I(50), 5), 0);
    wa_future_t *op;
    CHECK_EQ(wa_queue_put_prio_start(Q, I(40), 4, &op), 0);
    CHECK(wa_future_done(op));
    wa_release(op);
    CHECK(wa_queue_full(Q));
    prioarg_t a = {"a", 10, 1}, b = {"b", 90, 9};
    wa_task_t *ta, *tb;
    CHECK_EQ(wa_spawn(&ta, prio_putter, &a, NULL), 0);
    CHECK_EQ(wa_spawn(&tb, prio_putter, &b, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_put_prio_start(Q, I(30), 3, &op), 0);
    CHECK(!wa_future_done(op)); /* third putter in line */
    void *it;
    /* Python: each get wakes the next putter, which puts when it runs */
    CHECK_EQ(wa_queue_get(Q, &it), 0); /* 40; a is woken */
    CHECK_EQ(N(it), 40);
    CHECK_EQ(wa_queue_get(Q, &it), 0); /* 50; b is woken */
    CHECK_EQ(N(it), 50);
    CHECK_EQ(wa_queue_get(Q, &it), 0); /* waits: a puts 10, b 90 */
    CHECK_EQ(N(it), 10);               /* and the op is woken */
    CHECK(!wa_future_done(op));
    CHECK_EQ(wa_await(op), 0);
    CHECK_EQ(wa_await(ta), 0);
    CHECK_EQ(wa_await(tb), 0);
    drain_log(Q);
    CHECK_STR(wa_log_text(), "a:0 b:0 q30 q90");
    wa_release(op);
    wa_release(ta);
    wa_release(tb);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}

TEST(queue_shutdown_immediate_wakes_waiting_getters) {
    Q = mkq(WA_QUEUE_FIFO, 0);
    CHECK(Q);
    wa_task_t *g1, *g2;
    CHECK_EQ(wa_spawn(&g1, getter, "g1", NULL), 0);
    CHECK_EQ(wa_spawn(&g2, getter, "g2", NULL), 0);
    wa_future_t *op;
    CHECK_EQ(wa_queue_get_start(Q, &op), 0);
    CHECK_EQ(wa_sleep(0), 0);
    CHECK_EQ(wa_queue_shutdown(Q, true), 0);
    CHECK_EQ(wa_await(g1), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(g2), WA_ESHUTDOWN);
    CHECK_EQ(wa_await(op), WA_ESHUTDOWN);
    CHECK_STR(wa_log_text(), "g1:-7 g2:-7");
    CHECK_EQ(wa_queue_put_nowait(Q, I(1)), WA_ESHUTDOWN);
    wa_release(op);
    wa_release(g1);
    wa_release(g2);
    CHECK_EQ(wa_queue_destroy(Q), 0);
    return 0;
}
