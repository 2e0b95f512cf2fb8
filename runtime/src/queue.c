/* asyncio.Queue, PriorityQueue and LifoQueue (Python 3.13/3.14, with
 * shutdown), step by step.
 *
 * One type, three orders: FIFO (a ring), LIFO (a stack), priority (a binary
 * heap ordered by the comparator, then the numeric priority, then insertion
 * order, so ties keep FIFO order like Python's (priority, count) entries).
 *
 * As in Python, put_nowait() with a getter waiting only wakes it (the item
 * stays in the queue: qsize() counts it, get_nowait() may take it); the
 * woken getter takes an item when its task resumes, or waits again at the
 * end of the line if there is none by then. Putters likewise wait for a
 * free slot. A woken waiter that is cancelled before it resumes wakes the
 * next one. join() waits for the `finished` event (unfinished == 0). */
#include "sync_internal.h"

#include <math.h>
#include <string.h>

typedef struct qent {
    void *item;
    double prio;
    uint64_t seq;
} qent_t;

struct wa_queue {
    wa_sobj_t hdr;
    uint8_t kind;
    bool shut;
    bool shut_immediate;
    size_t maxsize;
    size_t unfinished;
    wa_free_fn item_dtor;
    wa_cmp_fn cmp;
    void *cmp_ctx;
    union {
        void **items;       /* FIFO ring (cap a power of two) / LIFO stack */
        qent_t *heap;       /* PRIORITY */
    } s;
    size_t cap, head, count;
    uint64_t seq;
    bool finished;          /* asyncio's _finished event (unfinished == 0) */
    wa_oplist_t getters, putters, joiners;
};

/* ---- storage ------------------------------------------------------------ */

static bool ent_less(const wa_queue_t *q, const qent_t *a, const qent_t *b) {
    if (q->cmp) {
        int c = q->cmp(a->item, b->item, q->cmp_ctx);
        if (c) return c < 0;
    }
    if (a->prio != b->prio) return a->prio < b->prio;
    return a->seq < b->seq;
}

static void heap_up(wa_queue_t *q, size_t i) {
    qent_t e = q->s.heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ent_less(q, &e, &q->s.heap[p])) break;
        q->s.heap[i] = q->s.heap[p];
        i = p;
    }
    q->s.heap[i] = e;
}

static void heap_down(wa_queue_t *q, size_t i) {
    qent_t e = q->s.heap[i];
    size_t n = q->count;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && ent_less(q, &q->s.heap[c + 1], &q->s.heap[c])) c++;
        if (!ent_less(q, &q->s.heap[c], &e)) break;
        q->s.heap[i] = q->s.heap[c];
        i = c;
    }
    q->s.heap[i] = e;
}

/* Reallocate the storage to ncap (>= count) entries; nothing changes on
 * failure. The ring is unwrapped so its head is at 0. */
static int q_resize(wa_queue_t *q, size_t ncap) {
    size_t esz = q->kind == WA_QUEUE_PRIORITY ? sizeof(qent_t) : sizeof(void *);
    if (ncap > SIZE_MAX / esz) return WA_ENOMEM;
    if (q->kind == WA_QUEUE_FIFO && q->count && q->head + q->count > q->cap) {
        void **n = malloc(ncap * esz);
        if (!n) return WA_ENOMEM;
        for (size_t i = 0; i < q->count; i++) n[i] = q->s.items[(q->head + i) & (q->cap - 1)];
        free(q->s.items);
        q->s.items = n;
    } else {
        if (q->kind == WA_QUEUE_FIFO && q->head) { /* contiguous: slide to 0 */
            memmove(q->s.items, q->s.items + q->head, q->count * sizeof(void *));
            q->head = 0;
        }
        void *n = realloc(q->s.items, ncap * esz);
        if (!n) return WA_ENOMEM;
        q->s.items = n;
    }
    q->head = 0;
    q->cap = ncap;
    return 0;
}

/* Make room for `need` entries; nothing changes on failure. */
static int q_reserve(wa_queue_t *q, size_t need) {
    if (need <= q->cap) return 0;
    size_t ncap = q->cap ? q->cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return WA_ENOMEM;
        ncap *= 2;
    }
    return q_resize(q, ncap);
}

/* After a burst: give memory back once the queue is mostly empty. */
static void q_maybe_shrink(wa_queue_t *q) {
    if (q->cap > 64 && q->count < q->cap / 8) q_resize(q, q->cap / 2); /* failure: keep it */
}

/* Add at the tail / top / by priority (room reserved). */
static void q_push(wa_queue_t *q, void *item, double prio, uint64_t seq) {
    if (q->kind == WA_QUEUE_PRIORITY) {
        q->s.heap[q->count] = (qent_t){item, prio, seq};
        q->count++;
        heap_up(q, q->count - 1);
    } else if (q->kind == WA_QUEUE_LIFO) {
        q->s.items[q->count++] = item;
    } else {
        q->s.items[(q->head + q->count) & (q->cap - 1)] = item;
        q->count++;
    }
}

/* Put back where a get took it from: the head (FIFO), the top (LIFO), its
 * place (priority: same priority and sequence). Room reserved. */
static void q_push_front(wa_queue_t *q, void *item, double prio, uint64_t seq) {
    if (q->kind == WA_QUEUE_FIFO) {
        q->head = (q->head - 1) & (q->cap - 1);
        q->s.items[q->head] = item;
        q->count++;
    } else {
        q_push(q, item, prio, seq);
    }
}

static void *q_pop(wa_queue_t *q, double *prio, uint64_t *seq) {
    void *item;
    *prio = 0;
    *seq = 0;
    if (q->kind == WA_QUEUE_PRIORITY) {
        qent_t e = q->s.heap[0];
        item = e.item;
        *prio = e.prio;
        *seq = e.seq;
        if (--q->count) {
            q->s.heap[0] = q->s.heap[q->count];
            heap_down(q, 0);
        }
    } else if (q->kind == WA_QUEUE_LIFO) {
        item = q->s.items[--q->count];
    } else {
        item = q->s.items[q->head];
        q->head = (q->head + 1) & (q->cap - 1);
        q->count--;
    }
    if (WA_UNLIKELY(q->cap > 64)) q_maybe_shrink(q);
    return item;
}

/* Take a put item out again (newest first); false if it is gone. Items are
 * matched by value (FIFO/LIFO: equal pointers are interchangeable) or by
 * sequence number (priority). */
static bool q_remove(wa_queue_t *q, void *item, uint64_t seq) {
    if (q->kind == WA_QUEUE_PRIORITY) {
        for (size_t i = q->count; i-- > 0;) {
            if (q->s.heap[i].seq != seq) continue;
            if (i != --q->count) {
                q->s.heap[i] = q->s.heap[q->count];
                if (i > 0 && ent_less(q, &q->s.heap[i], &q->s.heap[(i - 1) / 2])) heap_up(q, i);
                else heap_down(q, i);
            }
            return true;
        }
        return false;
    }
    size_t mask = q->cap - 1;
    for (size_t i = q->count; i-- > 0;) {
        size_t at = q->kind == WA_QUEUE_LIFO ? i : (q->head + i) & mask;
        if (q->s.items[at] != item) continue;
        if (q->kind == WA_QUEUE_LIFO) {
            memmove(&q->s.items[i], &q->s.items[i + 1], (q->count - i - 1) * sizeof(void *));
        } else {
            for (size_t j = i; j + 1 < q->count; j++)
                q->s.items[(q->head + j) & mask] = q->s.items[(q->head + j + 1) & mask];
        }
        q->count--;
        return true;
    }
    return false;
}

static void q_drop_all(wa_queue_t *q) {
    while (q->count) {
        double p;
        uint64_t s;
        void *item = q_pop(q, &p, &s);
        if (q->item_dtor) q->item_dtor(item);
        if (!q->hdr.destroyed && q->unfinished > 0) q->unfinished--;
    }
}

/* ---- object --------------------------------------------------------------- */

static void q_free(wa_sobj_t *o) {
    wa_queue_t *q = (wa_queue_t *)o;
    free(q->s.items);
    free(q);
}

static const wa_sobj_vt_t q_vt = {q_free};

static inline bool q_ok(const wa_queue_t *q) {
    return q && q->hdr.type == SOBJ_QUEUE && !q->hdr.destroyed;
}

static inline bool q_is_full(const wa_queue_t *q) { return q->maxsize > 0 && q->count >= q->maxsize; }

int wa_queue_new(wa_queue_t **out, const wa_queue_opts_t *opts) {
    if (!out) return WA_EINVAL;
    wa_queue_opts_t o = {0};
    if (opts) o = *opts;
    if (o.kind != WA_QUEUE_FIFO && o.kind != WA_QUEUE_LIFO && o.kind != WA_QUEUE_PRIORITY)
        return WA_EINVAL;
    if (o.cmp && o.kind != WA_QUEUE_PRIORITY) return WA_EINVAL;
    wa_queue_t *q = calloc(1, sizeof *q);
    if (!q) return WA_ENOMEM;
    wa__sobj_init(&q->hdr, &q_vt, SOBJ_QUEUE);
    q->kind = (uint8_t)o.kind;
    q->maxsize = o.maxsize;
    q->item_dtor = o.item_dtor;
    q->cmp = o.cmp;
    q->cmp_ctx = o.cmp_ctx;
    q->finished = true;
    *out = q;
    return 0;
}

/* Queue._wakeup_next: pop waiters until one not yet done, and wake it. */
static void q_wakeup_next(wa_oplist_t *l) {
    wa_op_t *op;
    while ((op = wa__list_pop(l))) {
        if (!wa__op_woken(op)) {
            wa__op_wake(op);
            return;
        }
    }
}

/* self._finished.set(): every joiner is woken. */
static void q_finished_set(wa_queue_t *q) {
    if (q->finished) return;
    q->finished = true;
    for (wa_op_t *op = q->joiners.head; op; op = op->next) wa__op_wake(op);
}

static void q_wake_all(wa_oplist_t *l) {
    wa_op_t *op;
    while ((op = wa__list_pop(l))) wa__op_wake(op);
}

static void q_fail_all(wa_oplist_t *l) {
    for (wa_op_t *op = l->head; op; op = op->next) wa__op_wake_error(op, WA_ESHUTDOWN);
}

int wa_queue_destroy(wa_queue_t *q) {
    if (!q_ok(q)) return WA_EINVAL;
    q->hdr.destroyed = 1;
    q->shut = q->shut_immediate = true;
    q_drop_all(q);
    free(q->s.items);
    q->s.items = NULL;
    q->cap = q->head = 0;
    q_fail_all(&q->getters);
    q_fail_all(&q->putters);
    q_fail_all(&q->joiners);
    wa__sobj_unref(&q->hdr);
    return 0;
}

/* put_nowait: *seq (may be NULL) gets the item's sequence number. */
static int q_put_now(wa_queue_t *q, void *item, double prio, uint64_t *seq) {
    if (q->shut) return WA_ESHUTDOWN;
    if (q_is_full(q)) return WA_EFULL;
    int rc = q_reserve(q, q->count + 1);
    if (rc) return rc;
    if (seq) *seq = q->seq;
    q_push(q, item, prio, q->seq++);
    q->unfinished++;
    q->finished = false;
    q_wakeup_next(&q->getters);
    return 0;
}

static int q_get_now(wa_queue_t *q, void **item, double *prio, uint64_t *seq) {
    if (q->count == 0) return q->shut ? WA_ESHUTDOWN : WA_EEMPTY;
    *item = q_pop(q, prio, seq);
    q_wakeup_next(&q->putters);
    return 0;
}

/* ---- get ------------------------------------------------------------------ */

typedef struct qget_op {
    wa_op_t base;
    double prio;            /* of the item taken (for a rollback) */
    uint64_t seq;
} qget_op_t;

/* `while self.empty(): ... await getter ...; return self.get_nowait()` */
static int qget_step(wa_op_t *op, int status) {
    wa_queue_t *q = (wa_queue_t *)op->obj;
    qget_op_t *g = (qget_op_t *)op;
    if (q->hdr.destroyed) return WA_ESHUTDOWN;
    if (op->phase == 1 && status) {
        /* except: remove the getter; a wake-up it got goes to the next */
        wa__list_unlink(op);
        if (q->count && !wa__op_waiter_cancelled(op)) q_wakeup_next(&q->getters);
        return status;
    }
    if (q->count == 0) {
        if (q->shut) return WA_ESHUTDOWN;
        op->phase = 1;
        return wa__op_wait(op, &q->getters);
    }
    wa__list_unlink(op);
    return q_get_now(q, &op->result, &g->prio, &g->seq);
}

static void qget_abandon(wa_op_t *op) {
    wa_queue_t *q = (wa_queue_t *)op->obj;
    wa__list_unlink(op);
    if (q->count && wa__op_woken(op) && op->waiter->state == FUT_OK) q_wakeup_next(&q->getters);
}

/* A get op took an item, but its awaiter was cancelled before taking it:
 * the item goes back where it was taken from, for the next getter. */
static void qget_rollback(wa_future_t *f) {
    qget_op_t *op = (qget_op_t *)f;
    if (!wa__op_rollback_begin(&op->base)) return;
    wa_queue_t *q = (wa_queue_t *)op->base.obj;
    void *item = f->result;
    if (q->hdr.destroyed || q->shut_immediate) {
        /* shutdown(immediate) / destroy would have dropped it */
        if (q->item_dtor) q->item_dtor(item);
        if (!q->hdr.destroyed && q->unfinished > 0 && --q->unfinished == 0) q_finished_set(q);
        wa__op_withdrawn(&op->base);
        return;
    }
    if (q_reserve(q, q->count + 1)) return; /* out of memory: the outcome stands */
    q_push_front(q, item, op->prio, op->seq);
    q_wakeup_next(&q->getters);
    wa__op_withdrawn(&op->base);
}

static const wa_op_vt_t qget_vt = {qget_step, qget_abandon, qget_rollback};

int wa_queue_get(wa_queue_t *q, void **item) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!q_ok(q) || !item) return WA_EINVAL;
    double p;
    uint64_t s;
    if (q->count) return q_get_now(q, item, &p, &s);
    if (q->shut) return WA_ESHUTDOWN;
    wa_op_t *op = wa__op_new(sizeof(qget_op_t), OP_QGET, &q->hdr, &qget_vt);
    if (!op) return WA_ENOMEM;
    void *r = NULL;
    int rc = wa__op_run(op, &r);
    if (rc == 0) *item = r;
    return rc;
}

int wa_queue_get_nowait(wa_queue_t *q, void **item) {
    if (!q_ok(q) || !item) return WA_EINVAL;
    double p;
    uint64_t s;
    return q_get_now(q, item, &p, &s);
}

int wa_queue_get_start(wa_queue_t *q, wa_future_t **out) {
    if (!q_ok(q) || !out) return WA_EINVAL;
    if (!q->count && q->shut) return WA_ESHUTDOWN;
    wa_op_t *op = wa__op_new(sizeof(qget_op_t), OP_QGET, &q->hdr, &qget_vt);
    if (!op) return WA_ENOMEM;
    wa__op_start(op, out);
    return 0;
}

/* ---- put ------------------------------------------------------------------ */

typedef struct qput_op {
    wa_op_t base;
    void *item;
    double prio;
    uint64_t seq;           /* assigned when the item went in */
} qput_op_t;

/* `while self.full(): ... await putter ...; return self.put_nowait(item)` */
static int qput_step(wa_op_t *op, int status) {
    wa_queue_t *q = (wa_queue_t *)op->obj;
    qput_op_t *p = (qput_op_t *)op;
    if (q->hdr.destroyed) return WA_ESHUTDOWN;
    if (op->phase == 1 && status) {
        wa__list_unlink(op);
        if (!q_is_full(q) && !wa__op_waiter_cancelled(op)) q_wakeup_next(&q->putters);
        return status;
    }
    if (q_is_full(q)) {
        if (q->shut) return WA_ESHUTDOWN;
        op->phase = 1;
        return wa__op_wait(op, &q->putters);
    }
    wa__list_unlink(op);
    return q_put_now(q, p->item, p->prio, &p->seq);
}

static void qput_abandon(wa_op_t *op) {
    wa_queue_t *q = (wa_queue_t *)op->obj;
    wa__list_unlink(op);
    if (!q_is_full(q) && wa__op_woken(op) && op->waiter->state == FUT_OK) q_wakeup_next(&q->putters);
}

/* A put op completed (its item went in), but its awaiter was cancelled
 * first: take the item out again unless a getter already has it. */
static void qput_rollback(wa_future_t *f) {
    qput_op_t *op = (qput_op_t *)f;
    if (!wa__op_rollback_begin(&op->base)) return;
    wa_queue_t *q = (wa_queue_t *)op->base.obj;
    if (q->hdr.destroyed || !q_remove(q, op->item, op->seq)) return; /* it stands */
    wa__op_withdrawn(&op->base);
    if (--q->unfinished == 0) q_finished_set(q);
    q_wakeup_next(&q->putters);
}

static const wa_op_vt_t qput_vt = {qput_step, qput_abandon, qput_rollback};

static int q_put_coro(wa_queue_t *q, void *item, double prio) {
    if (q->shut) return WA_ESHUTDOWN;
    if (!q_is_full(q)) return q_put_now(q, item, prio, NULL);
    qput_op_t *op = (qput_op_t *)wa__op_new(sizeof *op, OP_QPUT, &q->hdr, &qput_vt);
    if (!op) return WA_ENOMEM;
    op->item = item;
    op->prio = prio;
    return wa__op_run(&op->base, NULL);
}

static int q_put_op(wa_queue_t *q, void *item, double prio, wa_future_t **out) {
    if (q->shut) return WA_ESHUTDOWN;
    qput_op_t *op = (qput_op_t *)wa__op_new(sizeof *op, OP_QPUT, &q->hdr, &qput_vt);
    if (!op) return WA_ENOMEM;
    op->item = item;
    op->prio = prio;
    wa__op_start(&op->base, out);
    if ((*out)->state == FUT_ERROR) { /* failed at once (no memory): nothing created */
        int rc = (*out)->code;
        (*out)->flags |= FFLAG_RETRIEVED;
        wa_release(*out);
        *out = NULL;
        return rc;
    }
    return 0;
}

int wa_queue_put(wa_queue_t *q, void *item) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!q_ok(q)) return WA_EINVAL;
    return q_put_coro(q, item, 0.0);
}

int wa_queue_put_nowait(wa_queue_t *q, void *item) {
    if (!q_ok(q)) return WA_EINVAL;
    return q_put_now(q, item, 0.0, NULL);
}

int wa_queue_put_start(wa_queue_t *q, void *item, wa_future_t **out) {
    if (!q_ok(q) || !out) return WA_EINVAL;
    return q_put_op(q, item, 0.0, out);
}

static inline bool prio_ok(const wa_queue_t *q, double prio) {
    return q_ok(q) && q->kind == WA_QUEUE_PRIORITY && !isnan(prio);
}

int wa_queue_put_prio(wa_queue_t *q, void *item, double prio) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!prio_ok(q, prio)) return WA_EINVAL;
    return q_put_coro(q, item, prio);
}

int wa_queue_put_prio_nowait(wa_queue_t *q, void *item, double prio) {
    if (!prio_ok(q, prio)) return WA_EINVAL;
    return q_put_now(q, item, prio, NULL);
}

int wa_queue_put_prio_start(wa_queue_t *q, void *item, double prio, wa_future_t **out) {
    if (!prio_ok(q, prio) || !out) return WA_EINVAL;
    return q_put_op(q, item, prio, out);
}

/* ---- task_done / join ----------------------------------------------------- */

int wa_queue_task_done(wa_queue_t *q) {
    if (!q_ok(q)) return WA_EINVAL;
    if (q->unfinished == 0) return WA_EVALUE;
    if (--q->unfinished == 0) q_finished_set(q);
    return 0;
}

/* `if self._unfinished_tasks > 0: await self._finished.wait()` */
static int qjoin_step(wa_op_t *op, int status) {
    wa_queue_t *q = (wa_queue_t *)op->obj;
    if (op->phase == 0) {
        if (q->hdr.destroyed) return WA_ESHUTDOWN;
        if (q->unfinished == 0 || q->finished) return 0;
        op->phase = 1;
        return wa__op_wait(op, &q->joiners);
    }
    wa__list_unlink(op);
    return status;
}

static void qjoin_abandon(wa_op_t *op) { wa__list_unlink(op); }

static const wa_op_vt_t qjoin_vt = {qjoin_step, qjoin_abandon, NULL};

int wa_queue_join(wa_queue_t *q) {
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!q_ok(q)) return WA_EINVAL;
    if (q->unfinished == 0) return 0;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_QJOIN, &q->hdr, &qjoin_vt);
    if (!op) return WA_ENOMEM;
    return wa__op_run(op, NULL);
}

int wa_queue_join_start(wa_queue_t *q, wa_future_t **out) {
    if (!q_ok(q) || !out) return WA_EINVAL;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_QJOIN, &q->hdr, &qjoin_vt);
    if (!op) return WA_ENOMEM;
    wa__op_start(op, out);
    return 0;
}

/* ---- shutdown and queries ------------------------------------------------- */

int wa_queue_shutdown(wa_queue_t *q, bool immediate) {
    if (!q_ok(q)) return WA_EINVAL;
    q->shut = true;
    if (immediate) {
        q->shut_immediate = true;
        q_drop_all(q);
        if (q->unfinished == 0) q_finished_set(q);
    }
    /* getters and putters re-check: they end with WA_ESHUTDOWN, except
     * getters that find an item left (not immediate) */
    q_wake_all(&q->getters);
    q_wake_all(&q->putters);
    return 0;
}

size_t wa_queue_qsize(const wa_queue_t *q) { return q_ok(q) ? q->count : 0; }

size_t wa_queue_maxsize(const wa_queue_t *q) { return q_ok(q) ? q->maxsize : 0; }

bool wa_queue_empty(const wa_queue_t *q) { return !q_ok(q) || q->count == 0; }

bool wa_queue_full(const wa_queue_t *q) { return q_ok(q) && q_is_full(q); }

size_t wa_queue_unfinished(const wa_queue_t *q) { return q_ok(q) ? q->unfinished : 0; }

bool wa_queue_is_shutdown(const wa_queue_t *q) { return q_ok(q) && q->shut; }
