/* asyncio.Queue, PriorityQueue and LifoQueue (Python 3.13, with shutdown).
 *
 * One type, three orders: FIFO (a ring), LIFO (a stack), priority (a binary
 * heap ordered by the comparator, then the numeric priority, then insertion
 * order, so ties keep FIFO order like Python's (priority, count) entries).
 *
 * Hand-off instead of Python's "wake up and retry": put() with a getter
 * waiting gives it the item directly (the queue is empty then); get() that
 * frees a slot moves the first waiting putter's item in. So a waiting
 * getter's op completes *with its item*, which the JS bindings need, and no
 * newcomer can take an item or slot a woken waiter was given. If that
 * waiter is cancelled before it resumes, rollback gives the outcome back:
 * a got item returns to the head (FIFO), the top (LIFO) or its place
 * (priority), or to the next waiting getter; a put item is taken out again
 * if no getter took it yet (its slot then goes to the next putter).
 * Invariants: getters wait only while the queue is empty, putters only
 * while it is full. */
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
    wa_oplist_t getters, putters, joiners;
};

typedef struct qget_op {
    wa_op_t base;
    double prio;            /* of the item handed over (for a rollback) */
    uint64_t seq;
} qget_op_t;

typedef struct qput_op {
    wa_op_t base;
    void *item;
    double prio;
    uint64_t seq;           /* assigned when the item went in */
} qput_op_t;

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

static void q_withdraw(wa_op_t *op) { wa__list_unlink(op); }

static const wa_sobj_vt_t q_vt = {q_free, q_withdraw};

/* The object behind a public handle, or NULL (stale, never issued, other kind). */
static inline wa_queue_t *q_get(const wa_queue_t *handle) {
    return (wa_queue_t *)wa__sobj_get(handle, SOBJ_QUEUE);
}

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
    if (wa__sobj_register(&q->hdr)) {
        free(q);
        return WA_ENOMEM;
    }
    q->kind = (uint8_t)o.kind;
    q->maxsize = o.maxsize;
    q->item_dtor = o.item_dtor;
    q->cmp = o.cmp;
    q->cmp_ctx = o.cmp_ctx;
    *out = q->hdr.handle;
    return 0;
}

/* Python's self._finished.set(): every joiner is done. */
static void q_finished(wa_queue_t *q) {
    if (q->unfinished) return;
    wa_op_t *op;
    while ((op = wa__list_pop(&q->joiners))) wa__op_done(op, NULL);
}

static void q_fail_all(wa_oplist_t *l, const char *msg) {
    wa_op_t *op;
    while ((op = wa__list_pop(l))) wa__op_fail(op, WA_ESHUTDOWN, msg);
}

int wa_queue_destroy(wa_queue_t *q) {
    q = q_get(q);
    if (!q_ok(q)) return WA_EINVAL;
    q->hdr.destroyed = 1;
    q->shut = q->shut_immediate = true;
    q_drop_all(q);
    free(q->s.items);
    q->s.items = NULL;
    q->cap = q->head = 0;
    q_fail_all(&q->getters, "queue destroyed");
    q_fail_all(&q->putters, "queue destroyed");
    q_fail_all(&q->joiners, "queue destroyed");
    wa__sobj_unregister(&q->hdr);
    wa__sobj_unref(&q->hdr);
    return 0;
}

/* Slots freed: move waiting putters' items in (FIFO). */
static void q_admit_putters(wa_queue_t *q) {
    while (q->putters.head && !q_is_full(q)) {
        if (q_reserve(q, q->count + 1)) return; /* retried on the next get */
        qput_op_t *p = (qput_op_t *)wa__list_pop(&q->putters);
        p->seq = q->seq++;
        q_push(q, p->item, p->prio, p->seq);
        q->unfinished++;
        wa__op_done(&p->base, NULL);
    }
}

/* put_nowait: *seq (may be NULL) gets the item's sequence number. */
static int q_put_now(wa_queue_t *q, void *item, double prio, uint64_t *seq) {
    if (q->shut) return WA_ESHUTDOWN;
    if (q_is_full(q)) return WA_EFULL;
    qget_op_t *g = (qget_op_t *)q->getters.head;
    if (g) { /* a getter waits, so the queue is empty: hand the item over */
        wa__list_unlink(&g->base);
        g->prio = prio;
        g->seq = q->seq++;
        if (seq) *seq = g->seq;
        wa__op_done(&g->base, item);
    } else {
        int rc = q_reserve(q, q->count + 1);
        if (rc) return rc;
        if (seq) *seq = q->seq;
        q_push(q, item, prio, q->seq++);
    }
    q->unfinished++;
    return 0;
}

static int q_get_now(wa_queue_t *q, void **item, double *prio, uint64_t *seq) {
    if (q->count == 0) return q->shut ? WA_ESHUTDOWN : WA_EEMPTY;
    *item = q_pop(q, prio, seq);
    q_admit_putters(q);
    return 0;
}

/* ---- rollbacks ------------------------------------------------------------ */

/* A get op completed with an item, but its waiter was cancelled first. */
static void qget_rollback(wa_future_t *f) {
    qget_op_t *op = (qget_op_t *)f;
    if (!wa__op_rollback_begin(&op->base)) return;
    wa_queue_t *q = (wa_queue_t *)op->base.obj;
    void *item = f->result;
    if (q->hdr.destroyed || q->shut_immediate) {
        /* shutdown(immediate) / destroy would have dropped it */
        if (q->item_dtor) q->item_dtor(item);
        if (!q->hdr.destroyed && q->unfinished > 0) {
            q->unfinished--;
            q_finished(q);
        }
        wa__op_withdrawn(&op->base);
        return;
    }
    qget_op_t *g = (qget_op_t *)q->getters.head;
    if (g) { /* another getter waits (the queue is empty): it gets it */
        wa__list_unlink(&g->base);
        g->prio = op->prio;
        g->seq = op->seq;
        wa__op_done(&g->base, item);
    } else {
        if (q_reserve(q, q->count + 1)) return; /* out of memory: the outcome stands */
        q_push_front(q, item, op->prio, op->seq);
    }
    wa__op_withdrawn(&op->base);
}

/* A put op completed (its item went in), but its waiter was cancelled
 * first: take the item out again unless a getter already has it. */
static void qput_rollback(wa_future_t *f) {
    qput_op_t *op = (qput_op_t *)f;
    if (!wa__op_rollback_begin(&op->base)) return;
    wa_queue_t *q = (wa_queue_t *)op->base.obj;
    if (q->hdr.destroyed || !q_remove(q, op->item, op->seq)) return; /* it stands */
    q->unfinished--;
    wa__op_withdrawn(&op->base);
    q_admit_putters(q);
    q_finished(q);
}

/* ---- put ------------------------------------------------------------------ */

static int q_put_coro(wa_queue_t *q, void *item, double prio) {
    if (q->shut) return WA_ESHUTDOWN;
    if (!q_is_full(q)) return q_put_now(q, item, prio, NULL);
    qput_op_t *op = (qput_op_t *)wa__op_new(sizeof *op, OP_QPUT, &q->hdr, NULL, qput_rollback);
    if (!op) return WA_ENOMEM;
    op->item = item;
    op->prio = prio;
    wa__list_push(&q->putters, &op->base);
    return wa__op_await(&op->base, NULL);
}

static int q_put_op(wa_queue_t *q, void *item, double prio, wa_future_t **out) {
    if (q->shut) return WA_ESHUTDOWN;
    qput_op_t *op = (qput_op_t *)wa__op_new(sizeof *op, OP_QPUT, &q->hdr, NULL, qput_rollback);
    if (!op) return WA_ENOMEM;
    op->item = item;
    op->prio = prio;
    if (q_is_full(q)) {
        wa__list_push(&q->putters, &op->base);
    } else {
        int rc = q_put_now(q, item, prio, &op->seq);
        if (rc) {
            wa_release(&op->base.fut);
            return rc;
        }
        wa__op_done(&op->base, NULL);
    }
    *out = &op->base.fut;
    return 0;
}

int wa_queue_put(wa_queue_t *q, void *item) {
    q = q_get(q);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!q_ok(q)) return WA_EINVAL;
    return q_put_coro(q, item, 0.0);
}

int wa_queue_put_nowait(wa_queue_t *q, void *item) {
    q = q_get(q);
    if (!q_ok(q)) return WA_EINVAL;
    return q_put_now(q, item, 0.0, NULL);
}

int wa_queue_put_start(wa_queue_t *q, void *item, wa_future_t **out) {
    q = q_get(q);
    if (!q_ok(q) || !out) return WA_EINVAL;
    return q_put_op(q, item, 0.0, out);
}

static inline bool prio_ok(const wa_queue_t *q, double prio) {
    return q_ok(q) && q->kind == WA_QUEUE_PRIORITY && !isnan(prio);
}

int wa_queue_put_prio(wa_queue_t *q, void *item, double prio) {
    q = q_get(q);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!prio_ok(q, prio)) return WA_EINVAL;
    return q_put_coro(q, item, prio);
}

int wa_queue_put_prio_nowait(wa_queue_t *q, void *item, double prio) {
    q = q_get(q);
    if (!prio_ok(q, prio)) return WA_EINVAL;
    return q_put_now(q, item, prio, NULL);
}

int wa_queue_put_prio_start(wa_queue_t *q, void *item, double prio, wa_future_t **out) {
    q = q_get(q);
    if (!prio_ok(q, prio) || !out) return WA_EINVAL;
    return q_put_op(q, item, prio, out);
}

/* ---- get ------------------------------------------------------------------ */

static qget_op_t *qget_new(wa_queue_t *q) {
    return (qget_op_t *)wa__op_new(sizeof(qget_op_t), OP_QGET, &q->hdr, NULL, qget_rollback);
}

int wa_queue_get(wa_queue_t *q, void **item) {
    q = q_get(q);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!q_ok(q) || !item) return WA_EINVAL;
    double p;
    uint64_t s;
    if (q->count) return q_get_now(q, item, &p, &s);
    if (q->shut) return WA_ESHUTDOWN;
    qget_op_t *op = qget_new(q);
    if (!op) return WA_ENOMEM;
    wa__list_push(&q->getters, &op->base);
    void *r = NULL;
    int rc = wa__op_await(&op->base, &r);
    if (rc == 0) *item = r;
    return rc;
}

int wa_queue_get_nowait(wa_queue_t *q, void **item) {
    q = q_get(q);
    if (!q_ok(q) || !item) return WA_EINVAL;
    double p;
    uint64_t s;
    return q_get_now(q, item, &p, &s);
}

int wa_queue_get_start(wa_queue_t *q, wa_future_t **out) {
    q = q_get(q);
    if (!q_ok(q) || !out) return WA_EINVAL;
    if (!q->count && q->shut) return WA_ESHUTDOWN;
    qget_op_t *op = qget_new(q);
    if (!op) return WA_ENOMEM;
    if (q->count) {
        void *item;
        q_get_now(q, &item, &op->prio, &op->seq);
        wa__op_done(&op->base, item);
    } else {
        wa__list_push(&q->getters, &op->base);
    }
    *out = &op->base.fut;
    return 0;
}

/* ---- task_done / join ----------------------------------------------------- */

int wa_queue_task_done(wa_queue_t *q) {
    q = q_get(q);
    if (!q_ok(q)) return WA_EINVAL;
    if (q->unfinished == 0) return WA_EVALUE;
    q->unfinished--;
    q_finished(q);
    return 0;
}

int wa_queue_join(wa_queue_t *q) {
    q = q_get(q);
    if (!wa__cur_coro()) return WA_ENOTASK;
    if (!q_ok(q)) return WA_EINVAL;
    if (q->unfinished == 0) return 0;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_QJOIN, &q->hdr, NULL, NULL);
    if (!op) return WA_ENOMEM;
    wa__list_push(&q->joiners, op);
    return wa__op_await(op, NULL);
}

int wa_queue_join_start(wa_queue_t *q, wa_future_t **out) {
    q = q_get(q);
    if (!q_ok(q) || !out) return WA_EINVAL;
    wa_op_t *op = wa__op_new(sizeof(wa_op_t), OP_QJOIN, &q->hdr, NULL, NULL);
    if (!op) return WA_ENOMEM;
    if (q->unfinished == 0) wa__op_done(op, NULL);
    else wa__list_push(&q->joiners, op);
    *out = &op->fut;
    return 0;
}

/* ---- shutdown and queries ------------------------------------------------- */

int wa_queue_shutdown(wa_queue_t *q, bool immediate) {
    q = q_get(q);
    if (!q_ok(q)) return WA_EINVAL;
    q->shut = true;
    if (immediate) {
        q->shut_immediate = true;
        q_drop_all(q);
        q_finished(q);
    }
    q_fail_all(&q->getters, NULL);
    q_fail_all(&q->putters, NULL);
    return 0;
}

size_t wa_queue_qsize(const wa_queue_t *q) {
    q = q_get(q);
    return q_ok(q) ? q->count : 0;
}

size_t wa_queue_maxsize(const wa_queue_t *q) {
    q = q_get(q);
    return q_ok(q) ? q->maxsize : 0;
}

bool wa_queue_empty(const wa_queue_t *q) {
    q = q_get(q);
    return !q_ok(q) || q->count == 0;
}

bool wa_queue_full(const wa_queue_t *q) {
    q = q_get(q);
    return q_ok(q) && q_is_full(q);
}

size_t wa_queue_unfinished(const wa_queue_t *q) {
    q = q_get(q);
    return q_ok(q) ? q->unfinished : 0;
}

bool wa_queue_is_shutdown(const wa_queue_t *q) {
    q = q_get(q);
    return q_ok(q) && q->shut;
}
