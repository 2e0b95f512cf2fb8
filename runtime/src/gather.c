/* asyncio.gather: one future over many children (3.13's tasks.gather).
 *
 * Without WA_RETURN_EXCEPTIONS the first child failure (or cancellation)
 * completes the gather at once while the other children keep running, as
 * in asyncio. Cancelling the gather cancels every child; the gather then
 * ends cancelled. A child listed twice is one child (one callback), though
 * it keeps both places. Children already done when the gather is created
 * are taken into account at once (3.12+): a gather over done children is
 * done on return, and one over an already failed child has already failed,
 * so cancelling it no longer reaches the others. */
#include "comb.h"
#include "bridge_api.h"

#include <stdlib.h>

typedef struct gather {
    struct wa_future fut;   /* must be first */
    unsigned flags;
    bool cancel_requested;
    char *cancel_msg;       /* message of the cancel request (owned) */
    size_t n;               /* entries in kids (duplicates included) */
    size_t nfuts;           /* distinct children                     */
    size_t nfinished;
    wa_future_t *failed;    /* the child whose failure completed it */
    wa_future_t *kids[];
} gather_t;

static void gather_fini(wa_future_t *f) {
    gather_t *g = (gather_t *)f;
    for (size_t i = 0; i < g->n; i++) wa_release(g->kids[i]);
    free(g->cancel_msg);
}

static int gather_cancel(wa_future_t *f, const char *msg) {
    gather_t *g = (gather_t *)f;
    int ret = 0;
    for (size_t i = 0; i < g->n; i++)
        if (wa_cancel(g->kids[i], msg) == 1) ret = 1;
    if (ret) {
        g->cancel_requested = true;
        free(g->cancel_msg);
        g->cancel_msg = wa__strdup(msg); /* for the final cancellation */
    }
    return ret;
}

/* asyncio's _done_callback, for one distinct child. */
static void child_done(gather_t *g, wa_future_t *kid) {
    wa_future_t *outer = &g->fut;
    g->nfinished++;
    if (outer->state != FUT_PENDING) {
        /* Already failed: the rest are only marked as seen, as asyncio does
         * by calling fut.exception(). */
        if (kid->state != FUT_CANCELLED) wa_future_status(kid);
    } else if (!(g->flags & WA_RETURN_EXCEPTIONS) && kid->state != FUT_OK) {
        int code = wa_future_status(kid);
        const char *m = kid->message;
        g->failed = kid;
        if (code == WA_ECANCELLED)
            wa__future_complete(outer, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, wa__strdup(m));
        else
            wa__future_complete(outer, FUT_ERROR, code, NULL, NULL, wa__strdup(m));
    } else if (g->nfinished == g->nfuts) {
        if (g->flags & WA_RETURN_EXCEPTIONS)
            for (size_t i = 0; i < g->n; i++) wa_future_status(g->kids[i]);
        if (g->cancel_requested) {
            /* asyncio propagates the cancellation whatever the flags (bpo
             * 32684); its message is the one given to cancel(). */
            char *m = g->cancel_msg;
            g->cancel_msg = NULL;
            wa__future_complete(outer, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, m);
        } else {
            wa__future_complete(outer, FUT_OK, 0, NULL, NULL, NULL);
        }
    }
}

static void gather_child_done(wa_future_t *kid, void *arg) {
    gather_t *g = arg;
    child_done(g, kid);
    wa_release(&g->fut); /* the reference this registration held */
}

int wa_gather(wa_future_t **out, wa_future_t *const *futs, size_t n, unsigned flags) {
    if (!out || (n && !futs) || (flags & ~WA_RETURN_EXCEPTIONS)) return WA_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!futs[i]) return WA_EINVAL;
    if (n > (SIZE_MAX - sizeof(gather_t)) / (sizeof(wa_future_t *) + 1)) return WA_ENOMEM;
    gather_t *g = malloc(sizeof *g + n * sizeof(wa_future_t *));
    unsigned char *first = n ? malloc(n) : NULL;
    if (!g || (n && !first)) {
        free(g);
        free(first);
        return WA_ENOMEM;
    }
    wa__future_init(&g->fut, KIND_FUTURE);
    g->fut.flags |= FFLAG_GATHER;
    g->fut.cancel_hook = gather_cancel;
    g->fut.fini = gather_fini;
    g->flags = flags;
    g->cancel_requested = false;
    g->cancel_msg = NULL;
    g->n = 0;
    g->nfuts = 0;
    g->nfinished = 0;
    g->failed = NULL;
    wa__first_occurrences(futs, n, first);
    /* Register on the pending distinct children; the done ones are taken
     * below, once every child is known (asyncio's done_futs). */
    for (size_t i = 0; i < n; i++) {
        wa_future_t *f = futs[i];
        if (first[i]) {
            g->nfuts++;
            if (f->state == FUT_PENDING) {
                g->fut.refs++; /* held by the registration */
                int rc = wa_future_add_done_callback(f, gather_child_done, g);
                if (rc) {
                    g->fut.refs--;
                    for (size_t k = 0; k < g->n; k++) {
                        int r = wa_future_remove_done_callback(g->kids[k], gather_child_done, g);
                        if (r > 0) g->fut.refs -= (uint32_t)r;
                    }
                    free(first);
                    wa_release(&g->fut);
                    return rc;
                }
            }
        }
        g->kids[g->n++] = wa_ref(f);
    }
    for (size_t i = 0; i < n; i++)
        if (first[i] && futs[i]->state != FUT_PENDING) child_done(g, futs[i]);
    free(first);
    if (n == 0) wa__future_complete(&g->fut, FUT_OK, 0, NULL, NULL, NULL);
    *out = &g->fut;
    return 0;
}

wa_future_t *wa__gather_failed(const wa_future_t *outer) {
    if (!outer || !(outer->flags & FFLAG_GATHER)) return NULL;
    return ((const gather_t *)outer)->failed;
}
