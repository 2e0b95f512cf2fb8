/* Async generators in C (agen.h): order, backpressure, the producer's
 * failure after its items, early close (the producer's cleanup runs, the
 * items not taken are dropped), cancellation of a waiting consumer. */
#include "harness.h"

#include <stdint.h>
#include <stdlib.h>

#define I(x) ((void *)(intptr_t)(x))
#define N(p) ((long)(intptr_t)(p))

static int dropped;
static void drop(void *p) {
    (void)p;
    dropped++;
}

typedef struct {
    int count;
    int fail_code; /* after count items: fail with it (0: return 0) */
} spec_t;

static int counter(wa_agen_t *g, void *arg) {
    spec_t *s = arg;
    for (int i = 1; i <= s->count; i++) {
        wa_log("p%d", i);
        int rc = wa_agen_yield(g, I(i));
        if (rc) {
            wa_log("stop:%d", rc);
            return rc;
        }
    }
    if (s->fail_code) return wa_fail(s->fail_code, "producer broke after %d", s->count);
    wa_log("pend");
    return 0;
}

TEST(agen_items_in_order_one_ahead) {
    spec_t s = {3, 0};
    wa_agen_t *g;
    CHECK_EQ(wa_agen_new(&g, counter, &s, 1, NULL, NULL), 0);
    void *it;
    int rc;
    while ((rc = wa_agen_next(g, &it)) == 1) wa_log("c%ld", N(it));
    CHECK_EQ(rc, 0);
    CHECK_EQ(wa_agen_next(g, &it), 0); /* the end stays the end */
    CHECK_EQ(wa_agen_aclose(g), 0);
    /* maxsize 1 (asyncio.Queue's hand-off): item 1 wakes the waiting
     * consumer, item 2 waits for room; the producer never runs more than
     * one queued item ahead */
    CHECK_STR(wa_log_text(), "p1 p2 c1 p3 c2 pend c3");
    return 0;
}

TEST(agen_failure_comes_after_the_items) {
    spec_t s = {2, WA_EVALUE};
    wa_agen_t *g;
    CHECK_EQ(wa_agen_new(&g, counter, &s, 4, NULL, NULL), 0);
    void *it;
    CHECK_EQ(wa_agen_next(g, &it), 1);
    CHECK_EQ(N(it), 1);
    CHECK_EQ(wa_agen_next(g, &it), 1);
    CHECK_EQ(N(it), 2);
    CHECK_EQ(wa_agen_next(g, &it), WA_EVALUE);
    CHECK_STR(wa_agen_message(g), "producer broke after 2");
    CHECK_EQ(wa_agen_aclose(g), 0);
    return 0;
}

static int with_cleanup(wa_agen_t *g, void *arg) {
    (void)arg;
    int rc = 0;
    for (int i = 1; rc == 0; i++) rc = wa_agen_yield(g, I(i));
    wa_log("cleanup:%d", rc);
    /* cleanup may not await once cancelled: it ran, that is what counts */
    return rc;
}

TEST(agen_early_close_runs_cleanup_and_drops_items) {
    dropped = 0;
    wa_agen_t *g;
    CHECK_EQ(wa_agen_new(&g, with_cleanup, NULL, 2, drop, NULL), 0);
    void *it;
    CHECK_EQ(wa_agen_next(g, &it), 1);
    CHECK_EQ(N(it), 1);
    CHECK_EQ(wa_sleep(0), 0); /* let the producer fill the channel */
    CHECK_EQ(wa_agen_aclose(g), 0);
    CHECK_EQ(dropped, 2); /* items 2 and 3 were queued, never taken */
    CHECK_STR(wa_log_text(), "cleanup:-1"); /* its pending yield was cancelled */
    return 0;
}

static int slow(wa_agen_t *g, void *arg) {
    (void)arg;
    int rc = wa_sleep(1000);
    if (rc) return rc;
    return wa_agen_yield(g, I(1));
}

static int consume_one(void *arg) {
    void *it;
    int rc = wa_agen_next(arg, &it);
    wa_log("next:%d", rc);
    return rc;
}

TEST(agen_cancelled_consumer_takes_nothing) {
    wa_agen_t *g;
    CHECK_EQ(wa_agen_new(&g, slow, NULL, 1, NULL, NULL), 0);
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, consume_one, g, NULL), 0);
    CHECK_EQ(wa_sleep(1), 0);
    CHECK_EQ(wa_cancel(t, NULL), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    wa_release(t);
    CHECK_STR(wa_log_text(), "next:-1");
    CHECK_EQ(wa_agen_aclose(g), 0); /* cancels the sleeping producer */
    void *it;
    CHECK_EQ(wa_agen_next(g = NULL, &it), WA_EINVAL);
    return 0;
}

TEST(agen_bad_arguments) {
    wa_agen_t *g = NULL;
    CHECK_EQ(wa_agen_new(&g, counter, NULL, 0, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_agen_new(NULL, counter, NULL, 1, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_agen_new(&g, NULL, NULL, 1, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_agen_yield(NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_agen_aclose(NULL), WA_EINVAL);
    wa_agen_close(NULL);
    return 0;
}
