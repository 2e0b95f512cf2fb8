/* asyncio.Event (Python 3.13/3.14): set() wakes every waiter; each returns
 * when its task resumes, even if the event was cleared meanwhile. */
#include "sync_internal.h"

struct wa_event {
    wa_sobj_t hdr;
    bool value;
    wa_oplist_t waiters;
};

static void event_free(wa_sobj_t *o) { free(o); }

static const wa_sobj_vt_t event_vt = {event_free};

static inline bool event_ok(const wa_event_t *e) {
    return e && e->hdr.type == SOBJ_EVENT && !e->hdr.destroyed;
}

int wa_event_new(wa_event_t **out) {
    if (!out) return WA_EINVAL;
    wa_event_t *e = calloc(1, sizeof *e);
    if (!e) return WA_ENOMEM;
    wa__sobj_init(&e->hdr, &event_vt, SOBJ_EVENT);
    *out = e;
    return 0;
}

int wa_event_destroy(wa_event_t *e) {
    if (!event_ok(e)) return WA_EINVAL;
    e->hdr.destroyed = 1;
    for (wa_op_t *op = e->waiters.head; op; op = op->next) wa__op_wake_error(op, WA_ESHUTDOWN);
    wa__sobj_unref(&e->hdr);
    return 0;
}

static int event_step(wa_op_t *op, int status) {
    wa_event_t *e = (wa_event_t *)op->obj;
    if (op->phase == 0) {
        if (e->value) return 0;
        op->phase = 1;
        return wa__op_wait(op, &e->waiters);
    }
    wa__list_unlink(op); /* finally: self._waiters.remove(fut) */
    return status;
}

static void event_abandon(wa_op_t *op) { wa__list_unlink(op); }

static const wa_op_vt_t event_op_vt = {event_step, event_abandon, NULL};

int wa_event_wait(wa_event_t *e) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!event_ok(e)) return WA_EINVAL;
    if (e->value) return 0;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_EVENT, &e->hdr, &event_op_vt);
    if (!op) return WA_ENOMEM;
    return wa__op_run(op, NULL);
}

int wa_event_wait_start(wa_event_t *e, wa_future_t **out) {
    if (!out || !event_ok(e)) return WA_EINVAL;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_EVENT, &e->hdr, &event_op_vt);
    if (!op) return WA_ENOMEM;
    wa__op_start(op, out);
    return 0;
}

int wa_event_set(wa_event_t *e) {
    if (!event_ok(e)) return WA_EINVAL;
    if (e->value) return 0;
    e->value = true;
    for (wa_op_t *op = e->waiters.head; op; op = op->next) wa__op_wake(op);
    return 0;
}

int wa_event_clear(wa_event_t *e) {
    if (!event_ok(e)) return WA_EINVAL;
    e->value = false;
    return 0;
}

bool wa_event_is_set(const wa_event_t *e) { return event_ok(e) && e->value; }
