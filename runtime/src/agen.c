/* Async generators in C (agen.h): the producer is a task, the channel a
 * bounded wa_queue. The handle is shared by the consumer and the
 * producer's done callback (two references), so it outlives whichever of
 * them goes first: the consumer may close while the producer still runs,
 * and the producer's end (which shuts the channel) may come before the
 * consumer has taken every item. */
#include "internal.h"

#include <stdlib.h>

struct wa_agen {
    wa_queue_t *q;
    wa_task_t *task;   /* the producer (a reference)                    */
    wa_agen_fn fn;
    void *arg;
    int refs;          /* the consumer's + the producer's done callback */
    bool closed;       /* the consumer closed it                        */
    char *msg;         /* the producer's failure message, once read     */
};

static void agen_unref(wa_agen_t *g) {
    if (--g->refs > 0) return;
    /* closed early: a failure of the producer is not the consumer's any more */
    if (g->closed && wa_future_done(g->task)) (void)wa_future_status(g->task);
    wa_queue_destroy(g->q);
    wa_release(g->task);
    free(g->msg);
    free(g);
}

static int producer(void *arg) {
    wa_agen_t *g = arg;
    return g->fn(g, g->arg);
}

/* The producer returned: what is queued is still delivered, then the end. */
static void producer_done(wa_future_t *f, void *arg) {
    (void)f;
    wa_agen_t *g = arg;
    wa_queue_shutdown(g->q, false);
    agen_unref(g);
}

int wa_agen_new(wa_agen_t **out, wa_agen_fn fn, void *arg, size_t maxsize,
                wa_free_fn item_dtor, const wa_task_opts_t *opts) {
    if (!out || !fn || maxsize == 0) return WA_EINVAL;
    wa_agen_t *g = calloc(1, sizeof *g);
    if (!g) return WA_ENOMEM;
    g->fn = fn;
    g->arg = arg;
    wa_queue_opts_t qo = {.kind = WA_QUEUE_FIFO, .maxsize = maxsize, .item_dtor = item_dtor};
    int rc = wa_queue_new(&g->q, &qo);
    if (rc) {
        free(g);
        return rc;
    }
    rc = wa_spawn(&g->task, producer, g, opts);
    if (rc) {
        wa_queue_destroy(g->q);
        free(g);
        return rc;
    }
    g->refs = 2;
    rc = wa_future_add_done_callback(g->task, producer_done, g);
    if (rc) { /* cannot watch it: stop it before it starts */
        wa_cancel(g->task, NULL);
        g->refs = 1;
        g->closed = true;
        agen_unref(g);
        return rc;
    }
    *out = g;
    return 0;
}

int wa_agen_yield(wa_agen_t *gen, void *item) {
    if (!gen) return WA_EINVAL;
    if (gen->closed) return WA_ESHUTDOWN;
    return wa_queue_put(gen->q, item);
}

int wa_agen_next(wa_agen_t *gen, void **item) {
    if (!gen || !item) return WA_EINVAL;
    if (gen->closed) return WA_ESTATE;
    int rc = wa_queue_get(gen->q, item);
    if (rc == 0) return 1;
    if (rc != WA_ESHUTDOWN) return rc;
    /* shut down by producer_done: the producer's outcome is the end */
    int st = wa_future_status(gen->task);
    if (st == 0) return 0;
    if (!gen->msg) {
        const char *m = wa_future_message(gen->task);
        gen->msg = wa__strdup(m ? m : wa_strerror(st));
    }
    return st;
}

const char *wa_agen_message(const wa_agen_t *gen) {
    return gen ? gen->msg : NULL;
}

void wa_agen_close(wa_agen_t *gen) {
    if (!gen || gen->closed) return;
    gen->closed = true;
    wa_queue_shutdown(gen->q, true);
    if (!wa_future_done(gen->task)) wa_cancel(gen->task, "the async generator was closed");
    agen_unref(gen);
}

int wa_agen_aclose(wa_agen_t *gen) {
    if (!gen) return WA_EINVAL;
    if (gen->closed) return WA_ESTATE;
    wa_task_t *t = wa_ref(gen->task);
    wa_agen_close(gen);
    int rc = wa_await(t);
    if (rc != WA_ENOTASK) rc = wa_future_done(t) ? 0 : WA_ECANCELLED;
    if (wa_future_done(t)) (void)wa_future_status(t);
    wa_release(t);
    return rc;
}
