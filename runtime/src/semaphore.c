/* asyncio.Semaphore and asyncio.BoundedSemaphore.
 *
 * As in Python 3.13, release() hands the slot to the first waiter at once
 * (the counter is decremented for it then) and newcomers never overtake
 * waiters (FIFO). A waiter cancelled after it was handed a slot, before it
 * resumed, gives the slot back (rollback), to the next waiter if any.
 * Invariant: waiters exist only while the value is 0. */
#include "sync_internal.h"

#include <limits.h>

struct wa_sem {
    wa_sobj_t hdr;
    int value;
    int bound;              /* BoundedSemaphore: initial value; else -1 */
    wa_oplist_t waiters;
};

static void sem_free(wa_sobj_t *o) { free(o); }

static void sem_withdraw(wa_op_t *op) { wa__list_unlink(op); }

static const wa_sobj_vt_t sem_vt = {sem_free, sem_withdraw};

/* The object behind a public handle, or NULL (stale, never issued, other kind). */
static inline wa_sem_t *sem_get(const wa_sem_t *handle) {
    return (wa_sem_t *)wa__sobj_get(handle, SOBJ_SEM);
}

static inline bool sem_ok(const wa_sem_t *s) {
    return s && s->hdr.type == SOBJ_SEM && !s->hdr.destroyed;
}

static int sem_create(wa_sem_t **out, int value, int bound) {
    if (!out || value < 0) return WA_EINVAL;
    wa_sem_t *s = calloc(1, sizeof *s);
    if (!s) return WA_ENOMEM;
    wa__sobj_init(&s->hdr, &sem_vt, SOBJ_SEM);
    if (wa__sobj_register(&s->hdr)) {
        free(s);
        return WA_ENOMEM;
    }
    s->value = value;
    s->bound = bound;
    *out = s->hdr.handle;
    return 0;
}

int wa_sem_new(wa_sem_t **out, int value) { return sem_create(out, value, -1); }

int wa_bounded_sem_new(wa_sem_t **out, int value) { return sem_create(out, value, value); }

int wa_sem_destroy(wa_sem_t *s) {
    s = sem_get(s);
    if (!sem_ok(s)) return WA_EINVAL;
    s->hdr.destroyed = 1;
    wa_op_t *op;
    while ((op = wa__list_pop(&s->waiters))) wa__op_fail(op, WA_ESHUTDOWN, "semaphore destroyed");
    wa__sobj_unregister(&s->hdr);
    wa__sobj_unref(&s->hdr);
    return 0;
}

/* value++ and wake the next waiter (which takes it back at once). */
static void sem_give(wa_sem_t *s) {
    wa_op_t *op = wa__list_pop(&s->waiters);
    if (op) wa__op_done(op, NULL); /* value stays: the slot goes to op */
    else s->value++;
}

static void sem_rollback(wa_future_t *f) {
    wa_op_t *op = OP(f);
    if (!wa__op_rollback_begin(op)) return;
    wa_sem_t *s = (wa_sem_t *)op->obj;
    if (!s->hdr.destroyed) sem_give(s);
    wa__op_withdrawn(op);
}

static inline bool sem_free_slot(const wa_sem_t *s) { return s->value > 0 && !s->waiters.head; }

int wa_sem_acquire(wa_sem_t *s) {
    s = sem_get(s);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!sem_ok(s)) return WA_EINVAL;
    if (sem_free_slot(s)) {
        s->value--;
        return 0;
    }
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_SEM, &s->hdr, NULL, sem_rollback);
    if (!op) return WA_ENOMEM;
    wa__list_push(&s->waiters, op);
    return wa__op_await(op, NULL);
}

/* A free slot now, if no task waits (wa_sem_acquire's path that does not
 * suspend): 1 taken, 0 none, WA_EINVAL. For the JS bindings (bridge_api.h). */
int wa__sem_try_acquire(wa_sem_t *s) {
    s = sem_get(s);
    if (!sem_ok(s)) return WA_EINVAL;
    if (!sem_free_slot(s)) return 0;
    s->value--;
    return 1;
}

int wa_sem_acquire_start(wa_sem_t *s, wa_future_t **out) {
    s = sem_get(s);
    if (!out || !sem_ok(s)) return WA_EINVAL;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_SEM, &s->hdr, NULL, sem_rollback);
    if (!op) return WA_ENOMEM;
    if (sem_free_slot(s)) {
        s->value--;
        wa__op_done(op, NULL);
    } else {
        wa__list_push(&s->waiters, op);
    }
    *out = &op->fut;
    return 0;
}

int wa_sem_release(wa_sem_t *s) {
    s = sem_get(s);
    if (!sem_ok(s)) return WA_EINVAL;
    if (s->bound >= 0 ? s->value >= s->bound : s->value == INT_MAX) return WA_EVALUE;
    sem_give(s);
    return 0;
}

bool wa_sem_locked(const wa_sem_t *s) {
    s = sem_get(s);
    return sem_ok(s) && !sem_free_slot(s);
}

int wa_sem_value(const wa_sem_t *s) {
    s = sem_get(s);
    return sem_ok(s) ? s->value : WA_EINVAL;
}
