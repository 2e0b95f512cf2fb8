/* asyncio.shield: an outer future that mirrors an inner one, where
 * cancelling the outer (or the task awaiting it) leaves the inner running.
 *
 * The inner's done callback holds a reference to the outer until it runs or
 * is withdrawn; the outer holds a reference to the inner until it is freed
 * (its result is borrowed from the inner). */
#include "comb.h"

#include <stdlib.h>

typedef struct shield {
    struct wa_future fut;   /* must be first */
    wa_future_t *inner;
    bool registered;        /* inner_done is registered on inner */
} shield_t;

static void shield_fini(wa_future_t *f) { wa_release(((shield_t *)f)->inner); }

static void inner_done(wa_future_t *inner, void *arg) {
    shield_t *s = arg;
    wa_future_t *outer = &s->fut;
    s->registered = false;
    if (outer->state == FUT_CANCELLED) {
        /* asyncio: mark the inner's outcome as retrieved */
        if (inner->state != FUT_CANCELLED) wa_future_status(inner);
    } else if (outer->state == FUT_PENDING) {
        int code = wa_future_status(inner);
        if (inner->state == FUT_CANCELLED)
            wa__future_cancel_plain(outer, NULL); /* asyncio: outer.cancel() */
        else if (code)
            wa__future_complete(outer, FUT_ERROR, code, NULL, NULL, wa__strdup(inner->message));
        else
            wa__future_complete(outer, FUT_OK, 0, inner->result, NULL, NULL);
    }
    wa_release(outer); /* the registration's reference */
}

/* Cancelling the outer cancels only the outer, and withdraws from inner. */
static int shield_cancel(wa_future_t *f, const char *msg) {
    shield_t *s = (shield_t *)f;
    int r = wa__future_cancel_plain(f, msg);
    if (s->registered && s->inner->state == FUT_PENDING &&
        wa_future_remove_done_callback(s->inner, inner_done, s) > 0) {
        s->registered = false;
        wa_release(f);
    }
    return r;
}

int wa_shield(wa_future_t **out, wa_future_t *inner) {
    if (!out || !inner) return WA_EINVAL;
    if (inner->state != FUT_PENDING) { /* asyncio's shortcut */
        *out = wa_ref(inner);
        return 0;
    }
    shield_t *s = malloc(sizeof *s);
    if (!s) return WA_ENOMEM;
    wa__future_init(&s->fut, KIND_FUTURE);
    s->inner = wa_ref(inner);
    s->fut.fini = shield_fini;
    s->fut.cancel_hook = shield_cancel;
    s->fut.refs++; /* held by the registration */
    int rc = wa_future_add_done_callback(inner, inner_done, s);
    if (rc) {
        s->fut.refs--;
        wa_release(&s->fut);
        return rc;
    }
    s->registered = true;
    *out = &s->fut;
    return 0;
}

int wa_shield_await(wa_future_t *inner) {
    wa_task_impl_t *t = wa__current_coro();
    if (!t) return WA_ENOTASK;
    if (!inner || inner == &t->fut) return WA_EINVAL;
    wa_future_t *outer;
    int rc = wa_shield(&outer, inner);
    if (rc) return rc;
    rc = wa_await(outer);
    wa_release(outer);
    return rc;
}
