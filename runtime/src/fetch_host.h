/* The host side of fetch (fetch.c): what a host implements.
 *   web (Emscripten): runtime/host/emscripten/library_fetch.js, on the
 *                     host's fetch(), AbortController and body readers
 *   native:           runtime/host/native/fetch_native.c, WA_EHOST only
 *
 * A request is a host handle: an id > 0 the host keeps in a table until
 * the request ends. The host ends a handle itself when it reports a
 * terminal event (an error, the end of the body, a whole body), always
 * removing it before calling back; the C side ends it with
 * wa_host_fetch_abort. So the C response pointer the host calls back with
 * is alive whenever the handle still is.
 *
 * Host completions enter C through the exported wa__fetch_on_* functions
 * (fetch.c). They only complete futures, which queue callbacks: no user
 * code runs inside them, and they never suspend. */
#ifndef WASYNCIO_FETCH_HOST_H
#define WASYNCIO_FETCH_HOST_H

#include "wasyncio.h"

/* wa_host_fetch_read: nothing yet, wa__fetch_on_read will follow. */
#define WA_FETCH_PENDING (-1000)

/* Start a request for r. Returns a handle id > 0 (the response or the
 * failure comes later through wa__fetch_on_response / wa__fetch_on_error),
 * or a negative status at once and nothing was started: WA_EINVAL if the
 * host's fetch refuses the request (bad URL, method, header ...), WA_EHOST
 * if there is no fetch. */
int wa_host_fetch_start(wa_response_t *r, const char *url, const char *method,
                        const wa_header_t *headers, size_t nheaders,
                        const void *body, size_t body_len, int redirect);

/* Read up to cap bytes of the body of handle id into buf. Returns a count
 * > 0 copied at once (from what the host had buffered); 0 at the end of
 * the body (the handle is ended); WA_FETCH_PENDING: wa__fetch_on_read or
 * wa__fetch_on_error follows. */
int wa_host_fetch_read(int id, void *buf, size_t cap);

/* Read the rest of the body of handle id, at most max bytes (as
 * delivered, i.e. decompressed): wa__fetch_on_body, or wa__fetch_on_error
 * (WA_ETOOBIG past max: the request is aborted) follows
 * (WA_FETCH_PENDING), or a status at once. */
int wa_host_fetch_body(int id, size_t max);

/* Abort the request of handle id (AbortController; cancel the body
 * reader) and end the handle. Nothing is called back for it afterwards. */
void wa_host_fetch_abort(int id);

/* Handles the host still holds. */
int wa_host_fetch_handles(void);

/* Completions (exported; called by the host only). Buffers passed in were
 * allocated with wa__fetch_alloc and become C's. */
void *wa__fetch_alloc(size_t n);
/* The response is in: meta holds len bytes of NUL-terminated strings:
 * status text, final URL, type, then header name/value pairs. */
void wa__fetch_on_response(wa_response_t *r, int id, int status, int redirected,
                           char *meta, size_t len);
/* The request failed (the handle is ended): code, message (may be NULL). */
void wa__fetch_on_error(wa_response_t *r, int id, int code, char *message);
/* A pending read completed with n bytes written (0: end of body; the
 * handle is ended). */
void wa__fetch_on_read(wa_response_t *r, int id, int n);
/* A pending body read completed (the handle is ended): data holds len
 * bytes and a NUL. */
void wa__fetch_on_body(wa_response_t *r, int id, char *data, size_t len);

#endif
