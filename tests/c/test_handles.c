/* Sync-object handles are generation-checked: a destroyed, forged or
 * wrong-kind handle gives WA_EINVAL (queries false/0/NULL) without reading
 * freed memory (ASan would report it), and a new object never answers to an
 * old handle. */
#include "harness.h"

#include <stdint.h>

TEST(handles_used_after_destroy_give_einval) {
    wa_future_t *op;
    void *item;
    wa_lock_t *l;
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK_EQ(wa_lock_destroy(l), 0);
    CHECK_EQ(wa_lock_destroy(l), WA_EINVAL);
    CHECK_EQ(wa_lock_acquire(l), WA_EINVAL);
    CHECK_EQ(wa_lock_acquire_start(l, &op), WA_EINVAL);
    CHECK_EQ(wa_lock_release(l), WA_EINVAL);
    CHECK(!wa_lock_locked(l));
    wa_event_t *e;
    CHECK_EQ(wa_event_new(&e), 0);
    CHECK_EQ(wa_event_destroy(e), 0);
    CHECK_EQ(wa_event_destroy(e), WA_EINVAL);
    CHECK_EQ(wa_event_set(e), WA_EINVAL);
    CHECK_EQ(wa_event_wait(e), WA_EINVAL);
    CHECK(!wa_event_is_set(e));
    wa_cond_t *c;
    CHECK_EQ(wa_cond_new(&c, NULL), 0);
    wa_lock_t *own = wa_cond_lock(c);
    CHECK(own != NULL);
    CHECK_EQ(wa_cond_destroy(c), 0);
    CHECK_EQ(wa_cond_destroy(c), WA_EINVAL);
    CHECK_EQ(wa_lock_release(own), WA_EINVAL); /* its own lock went with it */
    CHECK_EQ(wa_cond_acquire(c), WA_EINVAL);
    CHECK_EQ(wa_cond_notify_all(c), WA_EINVAL);
    CHECK(wa_cond_lock(c) == NULL);
    wa_sem_t *s;
    CHECK_EQ(wa_bounded_sem_new(&s, 2), 0);
    CHECK_EQ(wa_sem_destroy(s), 0);
    CHECK_EQ(wa_sem_destroy(s), WA_EINVAL);
    CHECK_EQ(wa_sem_acquire(s), WA_EINVAL);
    CHECK_EQ(wa_sem_release(s), WA_EINVAL);
    CHECK_EQ(wa_sem_value(s), WA_EINVAL);
    wa_barrier_t *b;
    CHECK_EQ(wa_barrier_new(&b, 3), 0);
    CHECK_EQ(wa_barrier_destroy(b), 0);
    CHECK_EQ(wa_barrier_destroy(b), WA_EINVAL);
    CHECK_EQ(wa_barrier_abort(b), WA_EINVAL);
    CHECK_EQ(wa_barrier_parties(b), 0u);
    wa_queue_t *q;
    CHECK_EQ(wa_queue_new(&q, NULL), 0);
    CHECK_EQ(wa_queue_put_nowait(q, &item), 0);
    CHECK_EQ(wa_queue_destroy(q), 0);
    CHECK_EQ(wa_queue_destroy(q), WA_EINVAL);
    CHECK_EQ(wa_queue_put_nowait(q, &item), WA_EINVAL);
    CHECK_EQ(wa_queue_get_nowait(q, &item), WA_EINVAL);
    CHECK_EQ(wa_queue_get_start(q, &op), WA_EINVAL);
    CHECK_EQ(wa_queue_qsize(q), 0u);
    CHECK(wa_queue_empty(q));
    return 0;
}

TEST(a_stale_handle_never_reaches_the_next_object) {
    /* Many create/destroy rounds reuse every slot; each round's old handle
     * must stay dead while the new objects live. */
    wa_lock_t *old[8], *cur[8];
    for (int i = 0; i < 8; i++) CHECK_EQ(wa_lock_new(&old[i]), 0);
    for (int i = 0; i < 8; i++) CHECK_EQ(wa_lock_destroy(old[i]), 0);
    for (int round = 0; round < 3000; round++) {
        for (int i = 0; i < 8; i++) CHECK_EQ(wa_lock_new(&cur[i]), 0);
        for (int i = 0; i < 8; i++) {
            CHECK(cur[i] != old[i]);
            CHECK_EQ(wa_lock_release(old[i]), WA_EINVAL);
            CHECK_EQ(wa_lock_acquire(old[i]), WA_EINVAL);
            CHECK(!wa_lock_locked(cur[i])); /* the stale acquire did not land here */
            CHECK_EQ(wa_lock_destroy(cur[i]), 0);
        }
    }
    return 0;
}

TEST(handles_of_another_kind_or_forged_give_einval) {
    wa_lock_t *l;
    wa_event_t *e;
    wa_queue_t *q;
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK_EQ(wa_event_new(&e), 0);
    CHECK_EQ(wa_queue_new(&q, NULL), 0);
    CHECK_EQ(wa_event_set((wa_event_t *)(void *)l), WA_EINVAL);
    CHECK_EQ(wa_lock_release((wa_lock_t *)(void *)e), WA_EINVAL);
    CHECK_EQ(wa_queue_put_nowait((wa_queue_t *)(void *)l, NULL), WA_EINVAL);
    wa_cond_t *c;
    CHECK_EQ(wa_cond_new(&c, (wa_lock_t *)(void *)e), WA_EINVAL);
    /* made-up values, and a real object's address given as a handle */
    static const uintptr_t forged[] = {1, 2, 0x12345, (uintptr_t)-1, (uintptr_t)0x7ff00001u};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        CHECK_EQ(wa_lock_release((wa_lock_t *)forged[i]), WA_EINVAL);
        CHECK_EQ(wa_queue_qsize((wa_queue_t *)forged[i]), 0u);
    }
    int on_stack;
    CHECK_EQ(wa_event_set((wa_event_t *)(void *)&on_stack), WA_EINVAL);
    CHECK(!wa_event_is_set(e));
    CHECK_EQ(wa_lock_destroy(l), 0);
    CHECK_EQ(wa_event_destroy(e), 0);
    CHECK_EQ(wa_queue_destroy(q), 0);
    return 0;
}

TEST(a_condition_on_a_destroyed_shared_lock_reports_eshutdown) {
    wa_lock_t *l;
    wa_cond_t *c;
    CHECK_EQ(wa_lock_new(&l), 0);
    CHECK_EQ(wa_cond_new(&c, l), 0);
    CHECK(wa_cond_lock(c) == l);
    CHECK_EQ(wa_lock_destroy(l), 0);
    CHECK_EQ(wa_cond_acquire(c), WA_ESHUTDOWN);
    wa_future_t *op = NULL;
    CHECK_EQ(wa_cond_acquire_start(c, &op), WA_ESHUTDOWN);
    CHECK(!wa_cond_locked(c));
    CHECK_EQ(wa_cond_destroy(c), 0);
    CHECK_EQ(wa_cond_new(&c, l), WA_EINVAL); /* a destroyed lock */
    return 0;
}
