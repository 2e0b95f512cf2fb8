/* asyncio.Semaphore and asyncio.BoundedSemaphore (Python 3.13/3.14), step
 * by step.
 *
 * release() wakes the first waiter not already woken and takes the slot
 * for it (the counter drops then); newcomers never overtake waiters
 * (locked() while any waiter is not cancelled). A woken waiter cancelled
 * before it resumes gives its slot back and wakes as many waiters as
 * there are free slots. */
#include "sync_internal.h"

#include <limits.h>

struct wa_sem {
    wa_sobj_t hdr;
    int value;
    int bound;              /* BoundedSemaphore: initial value; else -1 */
    wa_oplist_t waiters;
};

static void sem_free(wa_sobj_t *o) { free(o); }

static const wa_sobj_vt_t sem_vt = {sem_free};

static inline bool sem_ok(const wa_sem_t *s) {
    return s && s->hdr.type == SOBJ_SEM && !s->hdr.destroyed;
}

static int sem_create(wa_sem_t **out, int value, int bound) {
    if (!out || value < 0) return WA_EINVAL;
    wa_sem_t *s = calloc(1, sizeof *s);
    if (!s) return WA_ENOMEM;
    wa__sobj_init(&s->hdr, &sem_vt, SOBJ_SEM);
    s->value = value;
    s->bound = bound;
    *out = s;
    return 0;
}

int wa_sem_new(wa_sem_t **out, int value) { return sem_create(out, value, -1); }

int wa_bounded_sem_new(wa_sem_t **out, int value) { return sem_create(out, value, value); }

int wa_sem_destroy(wa_sem_t *s) {
    if (!sem_ok(s)) return WA_EINVAL;
    s->hdr.destroyed = 1;
    for (wa_op_t *op = s->waiters.head; op; op = op->next) wa__op_wake_error(op, WA_ESHUTDOWN);
    wa__sobj_unref(&s->hdr);
    return 0;
}

/* Semaphore.locked(): no slot, or a waiter that is not cancelled. */
static bool sem_is_locked(const wa_sem_t *s) {
    if (s->value == 0) return true;
    for (wa_op_t *op = s->waiters.head; op; op = op->next)
        if (!wa__op_waiter_cancelled(op)) return true;
    return false;
}

/* Semaphore._wake_up_next: wake the first waiter not done, with a slot. */
static bool wake_up_next(wa_sem_t *s) {
    for (wa_op_t *op = s->waiters.head; op; op = op->next) {
        if (!wa__op_woken(op)) {
            s->value--;
            wa__op_wake(op);
            return true;
        }
    }
    return false;
}

/* acquire()'s `finally`: wake as many waiters as there are slots. */
static void wake_while_free(wa_sem_t *s) {
    while (s->value > 0 && wake_up_next(s)) {
    }
}

static int sem_step(wa_op_t *op, int status) {
    wa_sem_t *s = (wa_sem_t *)op->obj;
    if (op->phase == 0) {
        if (s->hdr.destroyed) return WA_ESHUTDOWN;
        if (!sem_is_locked(s)) {
            s->value--;
            return 0;
        }
        op->phase = 1;
        return wa__op_wait(op, &s->waiters);
    }
    wa__list_unlink(op);
    if (status == WA_ESHUTDOWN && s->hdr.destroyed) return status;
    /* woken (a slot was taken for it) but not going to acquire: undo */
    if (status && wa__op_woken(op) && !wa__op_waiter_cancelled(op) &&
        op->waiter->state == FUT_OK)
        s->value++;
    wake_while_free(s);
    return status;
}

static void sem_abandon(wa_op_t *op) {
    wa_sem_t *s = (wa_sem_t *)op->obj;
    wa__list_unlink(op);
    if (wa__op_woken(op) && op->waiter->state == FUT_OK) s->value++;
    wake_while_free(s);
}

/* The op holds a slot but its awaiter was cancelled before taking it. */
static void sem_rollback(wa_future_t *f) {
    wa_op_t *op = OP(f);
    if (!wa__op_rollback_begin(op)) return;
    wa_sem_t *s = (wa_sem_t *)op->obj;
    if (!s->hdr.destroyed) {
        s->value++;
        wake_up_next(s);
    }
    wa__op_withdrawn(op);
}

static const wa_op_vt_t sem_op_vt = {sem_step, sem_abandon, sem_rollback};

int wa_sem_acquire(wa_sem_t *s) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!sem_ok(s)) return WA_EINVAL;
    if (!sem_is_locked(s)) {
        s->value--;
        return 0;
    }
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_SEM, &s->hdr, &sem_op_vt);
    if (!op) return WA_ENOMEM;
    return wa__op_run(op, NULL);
}

/* A free slot now, if no task waits (wa_sem_acquire's path that does not
 * suspend): 1 taken, 0 none, WA_EINVAL. For the JS bindings (bridge_api.h). */
int wa__sem_try_acquire(wa_sem_t *s) {
    if (!sem_ok(s)) return WA_EINVAL;
    if (sem_is_locked(s)) return 0;
    s->value--;
    return 1;
}

int wa_sem_acquire_start(wa_sem_t *s, wa_future_t **out) {
    if (!out || !sem_ok(s)) return WA_EINVAL;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_SEM, &s->hdr, &sem_op_vt);
    if (!op) return WA_ENOMEM;
    wa__op_start(op, out);
    return 0;
}

int wa_sem_release(wa_sem_t *s) {
    if (!sem_ok(s)) return WA_EINVAL;
    if (s->bound >= 0 ? s->value >= s->bound : s->value == INT_MAX) return WA_EVALUE;
    s->value++;
    wake_up_next(s);
    return 0;
}

bool wa_sem_locked(const wa_sem_t *s) { return sem_ok(s) && sem_is_locked(s); }

int wa_sem_value(const wa_sem_t *s) { return sem_ok(s) ? s->value : WA_EINVAL; }
