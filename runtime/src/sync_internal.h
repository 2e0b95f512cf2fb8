/* Shared machinery of the synchronization primitives and queues: the
 * object header, operation futures ("ops") and FIFO waiter lists.
 *
 * Model: every blocking call is an op future. An op that cannot complete at
 * once is linked into its object's waiter list (FIFO). The object completes
 * ops directly with their outcome (hand-off: a lock or semaphore slot, a
 * queue item ...), so an op that is done *owns* that outcome until its
 * waiter takes it. Withdrawal is atomic: cancelling a pending op unlinks it
 * (cancel_hook); releasing a pending op unlinks it too (fini); an op done
 * whose waiter was cancelled before taking the outcome gives it back
 * (rollback), and then reads as cancelled.
 *
 * Objects are refcounted internally: the user's handle holds one reference
 * until *_destroy, every op holds one, so an op can always reach its object
 * (a destroyed object is only marked; its memory goes with the last op).
 * The user's handle is not the object's address but a generation-checked
 * handle (sync_handles.c): each public function first turns it into the
 * object, or NULL if it is stale, never issued or of another kind. */
#ifndef WASYNCIO_SYNC_INTERNAL_H
#define WASYNCIO_SYNC_INTERNAL_H

#include "internal.h"

#include <stdlib.h>

typedef struct wa_op wa_op_t;
typedef struct wa_sobj wa_sobj_t;

typedef struct wa_sobj_vt {
    void (*free)(wa_sobj_t *o);       /* last reference gone               */
    void (*withdraw)(wa_op_t *op);    /* pending op released unawaited:    */
                                      /* leave quietly (no completion)     */
} wa_sobj_vt_t;

enum { SOBJ_LOCK = 0x51, SOBJ_EVENT, SOBJ_COND, SOBJ_SEM, SOBJ_BARRIER, SOBJ_QUEUE };

struct wa_sobj {
    const wa_sobj_vt_t *vt;
    uint32_t refs;
    uint8_t type;
    uint8_t destroyed;
    void *handle;           /* the public handle (sync_handles.c) */
};

typedef struct wa_oplist {
    wa_op_t *head, *tail;
} wa_oplist_t;

enum { OP_LOCK = 1, OP_EVENT, OP_COND, OP_SEM, OP_BARRIER, OP_QGET, OP_QPUT, OP_QJOIN };
enum { OPF_ROLLBACK_TRIED = 1u };

struct wa_op {
    struct wa_future fut;   /* must be first: an op is a future */
    wa_op_t *prev, *next;
    wa_oplist_t *list;      /* the waiter list it is linked in, or NULL */
    wa_sobj_t *obj;         /* referenced until the op is freed */
    uint8_t type;
    uint8_t phase;          /* condition and barrier ops: their state */
    uint8_t flags;
};

#define OP(f) ((wa_op_t *)(f))

/* ---- objects ---------------------------------------------------------- */
static inline void wa__sobj_init(wa_sobj_t *o, const wa_sobj_vt_t *vt, uint8_t type) {
    o->vt = vt;
    o->refs = 1;
    o->type = type;
    o->destroyed = 0;
}

/* sync_handles.c: give o a handle (o->handle); WA_ENOMEM if none is left. */
int wa__sobj_register(wa_sobj_t *o);
/* sync_handles.c: o is destroyed: its handle becomes stale for good. */
void wa__sobj_unregister(wa_sobj_t *o);
/* A handle is (generation << WA_SOBJ_SLOT_BITS) | (slot index + 1). */
struct wa_sobj_slot {
    wa_sobj_t *obj;     /* NULL when free or retired */
    uint32_t gen;       /* the generation live handles carry */
    uint32_t next;      /* free list: index + 1 of the next free slot, 0 = end */
};

/* 32-bit pointers (wasm32): 21 bits of slot, 10 of generation, so handles
 * stay positive i32 numbers in JS. 64-bit: 32 + 31 bits. */
#if UINTPTR_MAX > 0xffffffffu
#define WA_SOBJ_SLOT_BITS 32u
#define WA_SOBJ_GEN_MAX 0x7fffffffu
#else
#define WA_SOBJ_SLOT_BITS 21u
#define WA_SOBJ_GEN_MAX 0x3ffu
#endif
#define WA_SOBJ_SLOT_MASK (((uintptr_t)1 << WA_SOBJ_SLOT_BITS) - 1u)
#define WA_SOBJ_MAX_SLOTS ((uint32_t)(WA_SOBJ_SLOT_MASK - 1u))

/* The live object of that type behind handle, else NULL (inline: every
 * public sync call starts here). */
static inline wa_sobj_t *wa__sobj_get(const void *handle, uint8_t type) {
    const wa_loop_t *L = &wa__loop;
    uintptr_t h = (uintptr_t)handle;
    uintptr_t index = (h & WA_SOBJ_SLOT_MASK) - 1u; /* wraps to huge when 0 */
    if (index >= L->sobj_nslots) return NULL;
    const struct wa_sobj_slot *s = &L->sobj_slots[index];
    if (s->gen != (h >> WA_SOBJ_SLOT_BITS) || !s->obj || s->obj->type != type) return NULL;
    return s->obj;
}

static inline void wa__sobj_unref(wa_sobj_t *o) {
    if (--o->refs == 0) o->vt->free(o);
}

/* ---- waiter lists ----------------------------------------------------- */
static inline void wa__list_push(wa_oplist_t *l, wa_op_t *op) {
    op->next = NULL;
    op->prev = l->tail;
    if (l->tail) l->tail->next = op;
    else l->head = op;
    l->tail = op;
    op->list = l;
}

static inline void wa__list_unlink(wa_op_t *op) {
    wa_oplist_t *l = op->list;
    if (!l) return;
    if (op->prev) op->prev->next = op->next;
    else l->head = op->next;
    if (op->next) op->next->prev = op->prev;
    else l->tail = op->prev;
    op->prev = op->next = NULL;
    op->list = NULL;
}

static inline wa_op_t *wa__list_pop(wa_oplist_t *l) {
    wa_op_t *op = l->head;
    if (op) wa__list_unlink(op);
    return op;
}

/* ---- ops (op.c) ------------------------------------------------------- */
/* Allocate a pending op of `size` bytes (>= sizeof(wa_op_t)) for obj.
 * cancel may be NULL (then: withdraw + cancel), rollback may be NULL
 * (nothing to give back). NULL when out of memory. */
wa_op_t *wa__op_new(size_t size, uint8_t type, wa_sobj_t *obj,
                    int (*cancel)(wa_future_t *, const char *),
                    void (*rollback)(wa_future_t *));
/* Complete op successfully with result (borrowed by the op: the taker owns it). */
void wa__op_done(wa_op_t *op, void *result);
/* Complete op with an error (msg: a static string or NULL). */
void wa__op_fail(wa_op_t *op, int code, const char *msg);
/* Complete op as cancelled with the message it holds in fut.message. */
void wa__op_cancelled(wa_op_t *op);
/* The default cancel_hook: withdraw (obj's vt) and end cancelled. */
int wa__op_cancel_default(wa_future_t *f, const char *msg);
/* After a successful rollback: the op now reads as cancelled. */
void wa__op_withdrawn(wa_op_t *op);
/* True if op's rollback may run now (done OK, first attempt); marks it. */
bool wa__op_rollback_begin(wa_op_t *op);
/* The running coroutine task, or NULL. */
static inline wa_task_impl_t *wa__cur_coro(void) {
    wa_task_impl_t *t = wa__loop.current;
    return t && t->fut.kind == KIND_CORO ? t : NULL;
}
/* Coroutine forms: await a pending op, handle the cancellation race, drop
 * the op. On success *result (if not NULL) gets the op's result. If the
 * task was cancelled after the op completed and the rollback could not
 * withdraw the outcome, the call reports success and the cancellation is
 * delivered at the task's next suspension instead. */
int wa__op_await(wa_op_t *op, void **result);

/* ---- cross-object hooks ---------------------------------------------- */
struct wa_lock {
    wa_sobj_t hdr;
    bool locked;
    wa_oplist_t waiters;    /* OP_LOCK ops and OP_COND ops re-acquiring */
};

/* lock.c: give up the lock: hand it to the first waiter or unlock. */
void wa__lock_release_internal(wa_lock_t *l);
/* lock.c: take the lock for op now (true) or queue op as a waiter. */
bool wa__lock_acquire_or_queue(wa_lock_t *l, wa_op_t *op);
/* condition.c: the lock was handed to a condition op. Returns true if the
 * op keeps it, false if it went back to waiting (caller hands it on). */
bool wa__cond_lock_granted(wa_op_t *op);
/* condition.c: the lock a condition op waits for was destroyed. */
void wa__cond_lock_gone(wa_op_t *op);

#endif
