/* asyncio.gather: one future over many children.
 *
 * Without WA_RETURN_EXCEPTIONS the first child failure (or cancellation)
 * completes the gather at once while the other children keep running, as
 * in asyncio. Cancelling the gather cancels every child; the gather then
 * ends cancelled once all of them are done. */
#include "internal.h"

#include <stdlib.h>

typedef struct gather {
    struct wa_future fut;   /* must be first */
    unsigned flags;
    bool cancel_requested;
    size_t n, nfinished;
    wa_future_t *kids[];
} gather_t;

static void gather_fini(wa_future_t *f) {
    gather_t *g = (gather_t *)f;
    for (size_t i = 0; i < g->n; i++) wa_release(g->kids[i]);
}

static int gather_cancel(wa_future_t *f, const char *msg) {
    gather_t *g = (gather_t *)f;
    int ret = 0;
    for (size_t i = 0; i < g->n; i++)
        if (wa_cancel(g->kids[i], msg) == 1) ret = 1;
    if (ret) {
        g->cancel_requested = true;
        free(f->message);
        f->message = wa__strdup(msg); /* kept for the final cancellation */
    }
    return ret;
}

static void gather_child_done(wa_future_t *kid, void *arg) {
    gather_t *g = arg;
    wa_future_t *outer = &g->fut;
    g->nfinished++;
    if (outer->state != FUT_PENDING) {
        /* Already failed: the rest are only marked as seen, as asyncio does
         * by calling fut.exception(). */
        if (kid->state != FUT_CANCELLED) wa_future_status(kid);
    } else if (!(g->flags & WA_RETURN_EXCEPTIONS) && kid->state != FUT_OK) {
        int code = wa_future_status(kid);
        const char *m = kid->message;
        if (code == WA_ECANCELLED)
            wa__future_complete(outer, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, wa__strdup(m));
        else
            wa__future_complete(outer, FUT_ERROR, code, NULL, NULL, wa__strdup(m));
    } else if (g->nfinished == g->n) {
        if (g->flags & WA_RETURN_EXCEPTIONS)
            for (size_t i = 0; i < g->n; i++) wa_future_status(g->kids[i]);
        if (g->cancel_requested) {
            char *m = outer->message;
            outer->message = NULL;
            wa__future_complete(outer, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, m);
        } else {
            wa__future_complete(outer, FUT_OK, 0, NULL, NULL, NULL);
        }
    }
    wa_release(outer); /* the reference this registration held */
}

int wa_gather(wa_future_t **out, wa_future_t *const *futs, size_t n, unsigned flags) {
    if (!out || (n && !futs) || (flags & ~WA_RETURN_EXCEPTIONS)) return WA_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!futs[i]) return WA_EINVAL;
    if (n > (SIZE_MAX - sizeof(gather_t)) / sizeof(wa_future_t *)) return WA_ENOMEM;
    gather_t *g = malloc(sizeof *g + n * sizeof(wa_future_t *));
    if (!g) return WA_ENOMEM;
    wa__future_init(&g->fut, KIND_FUTURE);
    g->fut.flags |= FFLAG_GATHER;
    g->fut.cancel_hook = gather_cancel;
    g->fut.fini = gather_fini;
    g->flags = flags;
    g->cancel_requested = false;
    g->n = 0;
    g->nfinished = 0;
    for (size_t i = 0; i < n; i++) {
        g->fut.refs++; /* held by the registration below */
        int rc = wa_future_add_done_callback(futs[i], gather_child_done, g);
        if (rc) {
            g->fut.refs--;
            /* undo: withdraw the registrations made so far */
            for (size_t k = 0; k < g->n; k++)
                if (wa_future_remove_done_callback(g->kids[k], gather_child_done, g) > 0)
                    g->fut.refs--;
            wa_release(&g->fut);
            return rc;
        }
        g->kids[g->n++] = wa_ref(futs[i]);
    }
    if (n == 0) wa__future_complete(&g->fut, FUT_OK, 0, NULL, NULL, NULL);
    *out = &g->fut;
    return 0;
}
