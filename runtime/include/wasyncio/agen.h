/*
 * wasyncio/agen.h — async generators in C: a producer task feeding a
 * consumer through a bounded channel (Python's `async def ... yield`).
 *
 * Part of the C API; include "wasyncio.h", which includes this file.
 *
 *   static int numbers(wa_agen_t *g, void *arg) {        // the producer
 *       for (long i = 0; i < 3; i++) {
 *           int rc = wa_agen_yield(g, (void *)i);        // waits while full
 *           if (rc) return rc;                           // closed or cancelled
 *       }
 *       return 0;
 *   }
 *   ...
 *   wa_agen_t *g;
 *   wa_agen_new(&g, numbers, NULL, 1, NULL, NULL);
 *   void *item;
 *   int rc;
 *   while ((rc = wa_agen_next(g, &item)) == 1) use(item);  // `async for`
 *   wa_agen_aclose(g);                                   // rc: 0 end, < 0 error
 *
 * The producer is a coroutine task of its own; it runs ahead of the
 * consumer by at most `maxsize` queued items (then it waits in
 * wa_agen_yield holding the next one; maxsize 1 is the closest to a
 * Python async generator). Items pass untouched (void *);
 * items dropped because the consumer closed early go to item_dtor.
 */
#ifndef WASYNCIO_AGEN_H
#define WASYNCIO_AGEN_H

#include "../wasyncio.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wa_agen wa_agen_t;

/* The producer body: yields items with wa_agen_yield, returns 0 when done
 * or an error (wa_fail(code, ...) sets the message the consumer reads). */
typedef int (*wa_agen_fn)(wa_agen_t *gen, void *arg);

/* Start producer fn(gen, arg) as a new task (opts as for wa_spawn, may be
 * NULL) feeding a channel of maxsize items (>= 1). *out receives the
 * consumer's handle, to be closed with wa_agen_close or wa_agen_aclose.
 * WA_EINVAL (NULL out or fn, maxsize 0), WA_ENOMEM. */
WA_API int wa_agen_new(wa_agen_t **out, wa_agen_fn fn, void *arg, size_t maxsize,
                       wa_free_fn item_dtor, const wa_task_opts_t *opts);

/* From the producer: hand item to the consumer, waiting while the channel
 * is full (backpressure). 0: the channel owns item. WA_ESHUTDOWN: the
 * consumer closed the generator (item stays the caller's: stop and
 * return); WA_ECANCELLED: the producer task was cancelled (item stays the
 * caller's). WA_EINVAL if gen is NULL; WA_ENOTASK outside a coroutine. */
WA_API int wa_agen_yield(wa_agen_t *gen, void *item);

/* From a consumer coroutine (`await anext(gen)`): 1 and the next item in
 * *item (the caller owns it); 0 once the producer returned 0 and every
 * item was taken; or an error: the producer's failure code (message:
 * wa_agen_message; WA_ECANCELLED if the producer was cancelled), or
 * WA_ECANCELLED if the consumer was cancelled while waiting (nothing is
 * taken), WA_ESTATE after close, WA_EINVAL, WA_ENOTASK. */
WA_API int wa_agen_next(wa_agen_t *gen, void **item);

/* The producer's failure message once wa_agen_next returned its error
 * (borrowed, valid until the generator is closed), else NULL. */
WA_API const char *wa_agen_message(const wa_agen_t *gen);

/* Close without waiting (any context): items not taken are dropped
 * (item_dtor), the producer is cancelled at its current wait (a pending
 * wa_agen_yield returns WA_ESHUTDOWN or WA_ECANCELLED) and the handle is
 * released; the producer's memory goes when it returns. NULL is ignored. */
WA_API void wa_agen_close(wa_agen_t *gen);

/* Coroutine form of close (`await gen.aclose()`): as wa_agen_close, then
 * waits until the producer has returned (its cleanup ran). 0, or
 * WA_ECANCELLED if the caller was cancelled while waiting (the generator
 * is closed anyway). WA_ENOTASK outside a coroutine (then it only closes). */
WA_API int wa_agen_aclose(wa_agen_t *gen);

#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_AGEN_H */
