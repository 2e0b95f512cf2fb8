/* The C side of the JS synchronization primitives and queues
 * (bindings/sync.js): a few helpers that keep the JS calling convention to
 * plain i32/f64 values. The primitives themselves are the public wa_lock_*,
 * wa_event_*, wa_cond_*, wa_sem_*, wa_barrier_*, wa_queue_* functions. The
 * helpers are declared and documented in src/bridge_api.h. */
#include "../../src/sync_internal.h"

#include <malloc.h>

/* Import (library_js.js): the JS predicate #id of a Condition.waitFor
 * (bindings/sync.js). Returns 0 or 1. */
extern int wa_js_import_cond_pred(int32_t id);

WA_EXPORT wa_queue_t *wa__js_queue_new(int kind, uint32_t maxsize) {
    wa_queue_opts_t o = {.kind = kind, .maxsize = maxsize, .item_dtor = wa_value_free};
    wa_queue_t *q = NULL;
    return wa_queue_new(&q, &o) == 0 ? q : NULL;
}

static bool js_pred(void *arg) { return wa_js_import_cond_pred((int32_t)(intptr_t)arg) != 0; }

WA_EXPORT int wa__js_cond_wait_for_start(wa_cond_t *c, int32_t id, wa_future_t **out) {
    return wa_cond_wait_for_start(c, js_pred, (void *)(intptr_t)id, out);
}

WA_EXPORT int wa__js_defer_cancel(wa_task_t *t) {
    if (!wa_is_task(t) || TASK(t) != wa__loop.current) return WA_EINVAL;
    TASK(t)->must_cancel = 1;
    return 0;
}

WA_EXPORT double wa__js_heap_used(void) {
    struct mallinfo mi = mallinfo();
    return (double)mi.uordblks;
}

/* ---- what a blocking call does when it need not wait -------------------------
 * The coroutine forms (wa_lock_acquire ...) take a free lock, a free slot or
 * a set event without an operation future; these let JS do the same. Each
 * returns 1 (done now), 0 (the call would wait: use the _start form) or
 * WA_EINVAL; a destroyed object answers 0 (the _start form reports it). */

WA_EXPORT int wa__js_lock_try(wa_lock_t *l) {
    if (!l || l->hdr.type != SOBJ_LOCK || l->hdr.destroyed) return 0;
    return wa__lock_try(l) ? 1 : 0;
}

WA_EXPORT int wa__js_sem_try(wa_sem_t *s) { return wa__sem_try_acquire(s) == 1; }

WA_EXPORT int wa__js_event_try(wa_event_t *e) { return wa_event_is_set(e) ? 1 : 0; }
