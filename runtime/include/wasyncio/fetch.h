/*
 * wasyncio/fetch.h — HTTP requests through the host's fetch().
 *
 * Part of the C API; include "wasyncio.h", which includes this file.
 */
#ifndef WASYNCIO_FETCH_H
#define WASYNCIO_FETCH_H

#include "../wasyncio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* fetch on the host's event loop                                            */
/* ------------------------------------------------------------------------ */


/* HTTP requests through the host's fetch() (browser window or worker, Node
 * 18+), driven by the loop: a request runs while tasks keep running, and
 * awaiting it suspends only the calling task.
 *
 * Model (as fetch): a request resolves to a response as soon as its status
 * and headers are in; HTTP error statuses (404, 500 ...) are responses, not
 * errors. Failures are status codes:
 *   WA_ENETWORK   the host could not complete the request (connection
 *                 refused or reset, also in the middle of a body; redirect
 *                 refused under WA_REDIRECT_ERROR; CORS ...), with a message
 *   WA_ETIMEDOUT  the request's own timeout (wa_fetch_opts_t.timeout_ms)
 *   WA_ECANCELLED the waiting task, or the operation future, was cancelled
 *   WA_EHOST      no fetch on this host: native builds (tests, benches)
 *                 have none, every fetch call returns WA_EHOST there
 * Cancelling or timing out aborts the host request (AbortController) and
 * cancels its body reader: the connection is closed, nothing stays in
 * flight. A response whose pending read was cancelled, or which failed or
 * timed out, stays failed: later reads return that status again.
 *
 * Every waiting call comes in two forms:
 *  - coroutine form (wa_fetch, wa_response_read, wa_response_body): call it
 *    from a coroutine task; it suspends that task (WA_ENOTASK elsewhere).
 *    On failure the message is kept for wa_fetch_error() and is also set as
 *    the task's failure message (as wa_fail does), so `return rc;` from the
 *    task body reports it.
 *  - operation-future form (..._start / ..._finish): never suspends. _start
 *    hands out a future (one reference: wa_release it) that is done when the
 *    operation is; await it (wa_await, wa_step_await, a JS task ...), then
 *    _finish takes the outcome. Cancelling the future cancels the operation
 *    as above; releasing the last reference of a pending one does too. If
 *    the waiting task is cancelled just after the operation completed, the
 *    outcome is not handed out: a response is aborted and freed at once; the
 *    bytes of a read or a body are given back to the response (the next read
 *    or body returns them first: the stream stays readable and whole);
 *    _finish then returns WA_ECANCELLED.
 *
 * Ownership: request data (URL, method, headers, body) is copied when the
 * request starts. A response belongs to whoever took it (wa_fetch,
 * wa_fetch_finish) until wa_response_free. Body buffers handed out
 * (wa_response_body*) are malloc'd for the caller: free() them. Read
 * buffers (wa_response_read*) belong to the caller and must stay valid
 * until the read completes, fails or is cancelled (the host writes into
 * them only while the read is pending). Strings returned by accessors are
 * borrowed from the response and live as long as it does.
 *
 * One operation at a time per response: starting a read while another read
 * of the same response is pending returns WA_ESTATE. */

/* A response (status, headers, the body as a stream). */
typedef struct wa_response wa_response_t;

/* A request header: name and value (both NUL-terminated, copied). */
typedef struct wa_header {
    const char *name;
    const char *value;
} wa_header_t;

/* Redirect modes (fetch's `redirect`). */
enum {
    WA_REDIRECT_FOLLOW = 0, /* follow up to the host's limit (20)            */
    WA_REDIRECT_ERROR = 1,  /* a redirect fails the request: WA_ENETWORK     */
    WA_REDIRECT_MANUAL = 2, /* do not follow: browsers give an opaque
                               response (status 0, type "opaqueredirect", no
                               headers); Node gives the 3xx response itself */
};

/* Largest body wa_response_body takes by default (max_body 0): 64 MiB. */
#define WA_FETCH_MAX_BODY_DEFAULT ((size_t)64 << 20)

/* Request options. Zero-initialise; NULL means all defaults (GET, no
 * headers, no body, follow redirects, no timeout, bodies up to
 * WA_FETCH_MAX_BODY_DEFAULT).
 *
 * No timeout by default, as in the host's fetch(): the timeout covers the
 * whole exchange, body included, so any default would cut off long polls
 * and streamed bodies that are meant to last. Set timeout_ms, or bound the
 * awaiting task (wa_wait_for, wa_timeout); a stalled connection then ends
 * with WA_ETIMEDOUT and the request is aborted. */
typedef struct wa_fetch_opts {
    const char *method;          /* NULL: "GET". An HTTP token; CONNECT, TRACE
                                    and TRACK are refused (WA_EINVAL)        */
    const wa_header_t *headers;  /* nheaders entries (may be NULL if 0)     */
    size_t nheaders;
    const void *body;            /* body_len bytes (NULL if 0); not allowed
                                    with GET or HEAD                         */
    size_t body_len;
    int redirect;                /* WA_REDIRECT_*                            */
    double timeout_ms;           /* > 0: the whole exchange (response and
                                    body) must be done within this time,
                                    else WA_ETIMEDOUT and the request is
                                    aborted; 0 or +inf: none                 */
    size_t max_body;             /* most bytes wa_response_body takes: past
                                    them it fails with WA_ETOOBIG and the
                                    request is aborted. Counted after the
                                    host decompressed the body (a gzip bomb
                                    is stopped too). 0: the default,
                                    WA_FETCH_MAX_BODY_DEFAULT; SIZE_MAX:
                                    none. wa_response_read is bounded by
                                    its caller's buffer instead.             */
} wa_fetch_opts_t;

/* Start a request to url (absolute; in browsers also relative to the page
 * or worker) and suspend until its response (status and headers) is in.
 * *out receives the response (free it with wa_response_free).
 * Returns 0, WA_ENETWORK, WA_ETIMEDOUT, WA_ECANCELLED, WA_EHOST;
 * WA_EINVAL if out or url is NULL, or the URL, method, a header, the body
 * or an option is invalid (nothing is sent); WA_ENOTASK outside a
 * coroutine task; WA_ENOMEM. */
WA_API int wa_fetch(wa_response_t **out, const char *url, const wa_fetch_opts_t *opts);

/* Operation form of wa_fetch: start the request, *op receives a future
 * done when the response is in (or the request failed). Argument errors as
 * wa_fetch (nothing started, *op untouched). */
WA_API int wa_fetch_start(wa_future_t **op, const char *url, const wa_fetch_opts_t *opts);

/* Take the outcome of a done wa_fetch_start future: returns its status
 * (0: *out receives the response, now the caller's), WA_ESTATE if it is
 * still pending or the response was already taken, WA_EINVAL if op is not
 * a wa_fetch_start future or out is NULL. Still wa_release(op) after. */
WA_API int wa_fetch_finish(wa_future_t *op, wa_response_t **out);

/* Message of the latest failure of a coroutine-form fetch call (wa_fetch,
 * wa_response_read, wa_response_body) in this loop, borrowed; "" if none.
 * Read it right after the failed call returns, before suspending again. */
WA_API const char *wa_fetch_error(void);

/* HTTP status (e.g. 200, 404); 0 for an opaque response. 0 if r is NULL. */
WA_API int wa_response_status(const wa_response_t *r);

/* Status text ("OK"; may be ""), the final URL after redirects, and the
 * response type ("basic", "cors", "opaqueredirect" ...). Borrowed; NULL
 * only if r is NULL. */
WA_API const char *wa_response_status_text(const wa_response_t *r);
WA_API const char *wa_response_url(const wa_response_t *r);
WA_API const char *wa_response_type(const wa_response_t *r);

/* True if the response came through at least one redirect. */
WA_API bool wa_response_redirected(const wa_response_t *r);

/* Value of a response header, by name (case-insensitive), borrowed; NULL
 * if absent or an argument is NULL. Headers come as the host gives them
 * (names in lower case, repeated headers combined with ", ", except
 * set-cookie, where the first is returned: iterate to see all). */
WA_API const char *wa_response_header(const wa_response_t *r, const char *name);

/* Number of response headers (0 if r is NULL). */
WA_API size_t wa_response_header_count(const wa_response_t *r);

/* Header i (0 <= i < count): *name and *value (borrowed). WA_EINVAL if r,
 * name or value is NULL or i is out of range. */
WA_API int wa_response_header_at(const wa_response_t *r, size_t i, const char **name,
                          const char **value);

/* Read the next bytes of the body as they arrive, at most cap, into buf;
 * suspends until at least one byte (or the end) is there. *nread receives
 * the count: 0 means the end of the body. Returns 0, or WA_ENETWORK (e.g.
 * the connection was reset mid-body), WA_ETIMEDOUT, WA_ECANCELLED;
 * WA_EINVAL if r, buf or nread is NULL or cap is 0; WA_ESTATE if another
 * operation on r is pending; WA_ENOTASK outside a coroutine task. */
WA_API int wa_response_read(wa_response_t *r, void *buf, size_t cap, size_t *nread);

/* Operation form of wa_response_read (buf must stay valid until the
 * future is done). Argument errors as wa_response_read. */
WA_API int wa_response_read_start(wa_future_t **op, wa_response_t *r, void *buf, size_t cap);

/* Outcome of a done wa_response_read_start future: its status (0: *nread
 * receives the count, 0 = end of body). WA_ESTATE if pending; WA_EINVAL if
 * op is not such a future or nread is NULL. */
WA_API int wa_response_read_finish(wa_future_t *op, size_t *nread);

/* Read the rest of the body (all of it if nothing was read yet). *data
 * receives a malloc'd buffer of *len bytes plus a terminating NUL (so text
 * can be used as a C string); free() it. Errors as wa_response_read
 * (WA_EINVAL if r, data or len is NULL), and WA_ETOOBIG once the rest is
 * over the request's max_body (the request is then aborted). */
WA_API int wa_response_body(wa_response_t *r, char **data, size_t *len);

/* Operation form of wa_response_body. */
WA_API int wa_response_body_start(wa_future_t **op, wa_response_t *r);

/* Take the outcome of a done wa_response_body_start future: its status
 * (0: *data and *len receive the body, now the caller's: free() it).
 * WA_ESTATE if pending or already taken; WA_EINVAL if op is not such a
 * future or data/len is NULL. */
WA_API int wa_response_body_finish(wa_future_t *op, char **data, size_t *len);

/* Free a response. If its body was not read to the end, the host request
 * is aborted (the connection closes) and a pending read on it ends with
 * WA_ECANCELLED. NULL is ignored. */
WA_API void wa_response_free(wa_response_t *r);

/* Live fetch objects, for leak checks and monitoring. */
typedef struct wa_fetch_stats {
    size_t responses;     /* requests and responses not yet freed          */
    size_t pending;       /* operations waiting on the host                */
    size_t host_handles;  /* host-side requests/readers still held (JS)    */
    uint64_t started;     /* requests started since the program began      */
} wa_fetch_stats_t;
WA_API void wa_fetch_get_stats(wa_fetch_stats_t *out);

#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_FETCH_H */
