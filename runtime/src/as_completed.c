/* asyncio.as_completed as an iterator (3.13's _AsCompletedIterator).
 *
 * Each distinct future gets a done callback that moves it to a queue of
 * done futures (in completion order); the timeout withdraws the callbacks
 * of the futures still to do and queues one timeout marker for each. A next
 * takes the head of the queue, or waits in a FIFO of next-futures served as
 * items arrive. Unlike asyncio, a next whose waiter is cancelled consumes
 * nothing (asyncio decrements its count before waiting), and an item handed
 * to a waiter whose task is cancelled before it runs goes back to the front
 * (the rollback hook), so nothing is ever lost.
 *
 * Memory: the queue is a ring of n slots (at most n items are ever
 * outstanding); the iterator is reference-counted by the user (until
 * wa_as_completed_free) and by each next-future, so a late rollback never
 * touches freed memory. */
#include "comb.h"
#include "dlist.h"

#include <stdlib.h>
#include <string.h>

typedef struct acnext acnext_t;

/* One per distinct future; the address is its done callback's argument. */
typedef struct acslot {
    wa_as_completed_t *it;
    wa_future_t *kid;       /* referenced until closed                   */
    bool todo;              /* its callback is still registered          */
} acslot_t;

struct wa_as_completed {
    uint32_t refs;
    bool closed;
    size_t n;               /* distinct futures                          */
    acslot_t *kids;
    size_t ntodo;
    size_t left;            /* nexts that will still yield something     */
    wa_future_t **q;        /* ring of n: done futures, NULL = timeout   */
    size_t qhead, qlen;
    wa_handle_t timer;
    acnext_t *wh, *wt;      /* waiting next-futures, FIFO                */
    size_t nwaiters;
};

struct acnext {
    struct wa_future fut;   /* must be first */
    wa_as_completed_t *it;  /* referenced */
    acnext_t *prev, *next;
    bool waiting;           /* linked in it's waiter list */
    bool timeout;           /* served with a timeout marker */
    wa_future_t *item;      /* served with this future */
};

static void it_release(wa_as_completed_t *it) {
    if (--it->refs) return;
    free(it->kids);
    free(it->q);
    free(it);
}

/* ---- waiters -------------------------------------------------------------- */

static void unlink_waiter(wa_as_completed_t *it, acnext_t *w) {
    if (!w->waiting) return;
    WA_DLIST_UNLINK(it->wh, it->wt, w);
    w->waiting = false;
    it->nwaiters--;
}

/* Serve w with item (NULL: a timeout marker). */
static void serve(wa_as_completed_t *it, acnext_t *w, wa_future_t *item) {
    it->left--;
    if (item) {
        w->item = item;
        wa__future_complete(&w->fut, FUT_OK, 0, item, NULL, NULL);
    } else {
        w->timeout = true;
        wa__future_complete(&w->fut, FUT_ERROR, WA_ETIMEDOUT, NULL, NULL, NULL);
    }
}

/* A future is done (or a timeout marker): to the first waiter, or queued. */
static void push_item(wa_as_completed_t *it, wa_future_t *item) {
    if (it->wh) {
        acnext_t *w = it->wh;
        unlink_waiter(it, w);
        serve(it, w, item);
        return;
    }
    it->q[(it->qhead + it->qlen) % it->n] = item;
    it->qlen++;
}

static void next_fini(wa_future_t *f) {
    acnext_t *w = (acnext_t *)f;
    if (w->it) {
        unlink_waiter(w->it, w);
        it_release(w->it);
    }
}

static int next_cancel(wa_future_t *f, const char *msg) {
    acnext_t *w = (acnext_t *)f;
    if (w->it) unlink_waiter(w->it, w);
    return wa__future_cancel_plain(f, msg);
}

/* The task awaiting w was cancelled after w was served: give the item back,
 * to the front (it is the oldest), or to the first waiter. */
static void next_rollback(wa_future_t *f) {
    acnext_t *w = (acnext_t *)f;
    wa_as_completed_t *it = w->it;
    if (!it || it->closed || !w->item) return;
    wa_future_t *item = w->item;
    w->item = NULL;
    it->left++;
    if (it->wh) {
        acnext_t *first = it->wh;
        unlink_waiter(it, first);
        serve(it, first, item);
        return;
    }
    it->qhead = (it->qhead + it->n - 1) % it->n;
    it->q[it->qhead] = item;
    it->qlen++;
}

/* ---- completion and timeout ---------------------------------------------- */

static void on_completion(wa_future_t *kid, void *arg) {
    acslot_t *k = arg;
    wa_as_completed_t *it = k->it;
    if (!k->todo) return;
    k->todo = false;
    it->ntodo--;
    if (it->ntodo == 0) {
        wa_handle_cancel(it->timer);
        it->timer = 0;
    }
    push_item(it, kid);
}

static void on_timeout(void *arg) {
    wa_as_completed_t *it = arg;
    it->timer = 0;
    for (size_t i = 0; i < it->n; i++) {
        acslot_t *k = &it->kids[i];
        if (!k->todo) continue;
        k->todo = false;
        it->ntodo--;
        wa_future_remove_done_callback(k->kid, on_completion, k);
        push_item(it, NULL);
    }
}

/* ---- public API ------------------------------------------------------------- */

int wa_as_completed_new(wa_as_completed_t **out, wa_future_t *const *futs, size_t n,
                        double timeout) {
    if (!out || (n && !futs) || isnan(timeout)) return WA_EINVAL;
    wa_future_t **set;
    size_t m;
    int rc = wa__futset(futs, n, &set, &m);
    if (rc) return rc;
    wa_as_completed_t *it = calloc(1, sizeof *it);
    if (!it || (m && (!(it->kids = calloc(m, sizeof *it->kids)) ||
                      !(it->q = calloc(m, sizeof *it->q))))) {
        if (it) {
            free(it->kids);
            free(it);
        }
        free(set);
        return WA_ENOMEM;
    }
    it->refs = 1;
    it->n = m;
    for (size_t i = 0; i < m; i++) {
        acslot_t *k = &it->kids[i];
        k->it = it;
        k->kid = set[i];
        rc = wa_future_add_done_callback(set[i], on_completion, k);
        if (rc) break;
        wa_ref(set[i]);
        k->todo = true;
        it->ntodo++;
    }
    free(set);
    if (rc == 0 && m && !(isinf(timeout) && timeout > 0))
        rc = wa_call_later(timeout > 0 ? timeout : 0, on_timeout, it, &it->timer);
    it->left = m;
    if (rc) {
        for (size_t i = 0; i < m; i++)
            if (it->kids[i].todo) {
                wa_future_remove_done_callback(it->kids[i].kid, on_completion, &it->kids[i]);
                wa_release(it->kids[i].kid);
            }
        it_release(it);
        return rc;
    }
    *out = it;
    return 0;
}

int wa_as_completed_next_start(wa_as_completed_t *it, wa_future_t **out) {
    if (!it || !out || it->closed) return WA_EINVAL;
    acnext_t *w = calloc(1, sizeof *w);
    if (!w) return WA_ENOMEM;
    wa__future_init(&w->fut, KIND_FUTURE);
    w->fut.fini = next_fini;
    w->fut.cancel_hook = next_cancel;
    w->fut.rollback = next_rollback;
    w->it = it;
    it->refs++;
    if (it->left <= it->nwaiters) {
        /* every remaining item is promised to earlier waiters: the end */
        wa__future_complete(&w->fut, FUT_OK, 0, NULL, NULL, NULL);
    } else if (it->qlen) {
        wa_future_t *item = it->q[it->qhead];
        it->qhead = (it->qhead + 1) % it->n;
        it->qlen--;
        serve(it, w, item);
    } else {
        w->waiting = true;
        WA_DLIST_APPEND(it->wh, it->wt, w);
        it->nwaiters++;
    }
    *out = &w->fut;
    return 0;
}

int wa_as_completed_next(wa_as_completed_t *it, wa_future_t **out) {
    if (!it || !out || it->closed) return WA_EINVAL;
    if (!wa__current_coro()) return WA_ENOTASK;
    *out = NULL;
    wa_future_t *f;
    int rc = wa_as_completed_next_start(it, &f);
    if (rc) return rc;
    rc = wa_await(f);
    acnext_t *w = (acnext_t *)f;
    if (rc == 0) {
        *out = w->item;
    } else if (rc == WA_ECANCELLED && w->timeout && !it->closed) {
        /* a timeout marker served but not taken: put it back too */
        w->timeout = false;
        w->item = NULL;
        it->left++;
        it->qhead = (it->qhead + it->n - 1) % it->n;
        it->q[it->qhead] = NULL;
        it->qlen++;
    } else if (rc == WA_ECANCELLED && f->state == FUT_PENDING) {
        wa_cancel(f, NULL);
    }
    wa_release(f);
    return rc;
}

size_t wa_as_completed_remaining(const wa_as_completed_t *it) {
    return it && !it->closed ? it->left : 0;
}

void wa_as_completed_free(wa_as_completed_t *it) {
    if (!it || it->closed) return;
    it->closed = true;
    wa_handle_cancel(it->timer);
    it->timer = 0;
    for (size_t i = 0; i < it->n; i++)
        if (it->kids[i].todo) {
            it->kids[i].todo = false;
            wa_future_remove_done_callback(it->kids[i].kid, on_completion, &it->kids[i]);
        }
    while (it->wh) {
        acnext_t *w = it->wh;
        unlink_waiter(it, w);
        wa__future_complete(&w->fut, FUT_ERROR, WA_ESHUTDOWN, NULL, NULL,
                            wa__strdup("as_completed iterator freed"));
    }
    for (size_t i = 0; i < it->n; i++) wa_release(it->kids[i].kid);
    it->n = 0;
    it->qlen = 0;
    it->left = 0;
    it_release(it);
}
