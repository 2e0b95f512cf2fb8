/* asyncio.Event: a flag tasks can wait for. set() wakes every waiter in
 * FIFO order; a waiter woken by set() returns 0 even if clear() runs before
 * it resumes (as in asyncio). A wait consumes nothing, so its op has no
 * rollback. One op (one small allocation) per waiting task. */
#include "sync_internal.h"

struct wa_event {
    wa_sobj_t hdr;
    bool value;
    wa_oplist_t waiters;
};

static void event_free(wa_sobj_t *o) { free(o); }

static void event_withdraw(wa_op_t *op) { wa__list_unlink(op); }

static const wa_sobj_vt_t event_vt = {event_free, event_withdraw};

/* The object behind a public handle, or NULL (stale, never issued, other kind). */
static inline wa_event_t *event_get(const wa_event_t *handle) {
    return (wa_event_t *)wa__sobj_get(handle, SOBJ_EVENT);
}

static inline bool event_ok(const wa_event_t *e) {
    return e && e->hdr.type == SOBJ_EVENT && !e->hdr.destroyed;
}

int wa_event_new(wa_event_t **out) {
    if (!out) return WA_EINVAL;
    wa_event_t *e = calloc(1, sizeof *e);
    if (!e) return WA_ENOMEM;
    wa__sobj_init(&e->hdr, &event_vt, SOBJ_EVENT);
    if (wa__sobj_register(&e->hdr)) {
        free(e);
        return WA_ENOMEM;
    }
    *out = e->hdr.handle;
    return 0;
}

int wa_event_destroy(wa_event_t *e) {
    e = event_get(e);
    if (!event_ok(e)) return WA_EINVAL;
    e->hdr.destroyed = 1;
    wa_op_t *op;
    while ((op = wa__list_pop(&e->waiters))) wa__op_fail(op, WA_ESHUTDOWN, "event destroyed");
    wa__sobj_unregister(&e->hdr);
    wa__sobj_unref(&e->hdr);
    return 0;
}

int wa_event_wait(wa_event_t *e) {
    e = event_get(e);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!event_ok(e)) return WA_EINVAL;
    if (e->value) return 0;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_EVENT, &e->hdr, NULL, NULL);
    if (!op) return WA_ENOMEM;
    wa__list_push(&e->waiters, op);
    return wa__op_await(op, NULL);
}

int wa_event_wait_start(wa_event_t *e, wa_future_t **out) {
    e = event_get(e);
    if (!out || !event_ok(e)) return WA_EINVAL;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_EVENT, &e->hdr, NULL, NULL);
    if (!op) return WA_ENOMEM;
    if (e->value) wa__op_done(op, NULL);
    else wa__list_push(&e->waiters, op);
    *out = &op->fut;
    return 0;
}

int wa_event_set(wa_event_t *e) {
    e = event_get(e);
    if (!event_ok(e)) return WA_EINVAL;
    if (e->value) return 0;
    e->value = true;
    wa_op_t *op;
    while ((op = wa__list_pop(&e->waiters))) wa__op_done(op, NULL);
    return 0;
}

int wa_event_clear(wa_event_t *e) {
    e = event_get(e);
    if (!event_ok(e)) return WA_EINVAL;
    e->value = false;
    return 0;
}

bool wa_event_is_set(const wa_event_t *e) {
    e = event_get(e);
    return event_ok(e) && e->value;
}
