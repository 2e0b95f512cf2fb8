/*
 * wasyncio/session.h — client sessions and retries over wa_fetch
 * (aiohttp.ClientSession with its TCPConnector(limit, limit_per_host) and
 * ClientTimeout, and the crawler's retry with exponential backoff).
 *
 * Part of the C API; include "wasyncio.h", which includes this file.
 */
#ifndef WASYNCIO_SESSION_H
#define WASYNCIO_SESSION_H

#include "../wasyncio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A session is plain C over wa_fetch (fetch.h): it runs wherever fetch
 * runs (Emscripten builds in browsers and Node) and fails the same way
 * where it does not (native and WASI builds: every request ends with
 * WA_EHOST, "fetch needs a web host"; URL resolution, options, limits and
 * wa_retry work everywhere).
 *
 * What a session adds to wa_fetch:
 *  - a base URL: relative URLs are resolved against it (wa_url_resolve);
 *  - default headers, merged under each request's own (a request header
 *    replaces every default header of the same name, case-insensitively);
 *  - connection limits, as TCPConnector: `limit` requests in flight in
 *    total, `limit_per_host` per scheme://host:port. A request takes its
 *    slots before it is sent (waiting in FIFO order, cancellable: a
 *    cancelled waiter takes nothing and leaves the queue) and holds them
 *    until its response's body was read to the end or failed, or the
 *    response was freed;
 *  - timeouts split as ClientTimeout (milliseconds; each counted from the
 *    moment wa_session_fetch is called, as aiohttp does):
 *      total    the whole exchange: waiting for a slot, the request, the
 *               response and its body. The body part is wa_fetch's own
 *               timeout (timeout_ms set to what is left of total when the
 *               request is sent), so reading the body later is bounded too.
 *      connect  waiting for a slot plus the request until its response
 *               headers are in. fetch exposes no TCP connect by itself on
 *               any host (browsers, Node's undici), so this covers the
 *               connection, sending the request and the server's time to
 *               answer.
 *      read     each wa_session_read / wa_session_body call (the whole body
 *               for wa_session_body, each chunk for wa_session_read).
 *    A timeout ends the call with WA_ETIMEDOUT and aborts the request.
 *  - a retry helper (wa_session_fetch_retry, and wa_retry for any
 *    attempt) with exponential backoff and full jitter.
 * No cookie jar: in browsers the host's fetch keeps cookies itself (the
 * Set-Cookie and Cookie headers are hidden from pages); under Node send a
 * "cookie" header yourself (JS ClientSession has a jar).
 *
 * Forms: as fetch, each waiting call is a coroutine form (suspends the
 * calling coroutine task; WA_ENOTASK elsewhere) and, for requests, an
 * operation-future form (_start / _finish) that never suspends and can be
 * awaited by any task style, gathered, bounded with wa_wait_for.
 * Cancelling the awaiting task, or the op future, withdraws the request:
 * a slot wait leaves the queue, a request in flight is aborted, and any
 * slot it took is given back.
 *
 * Failure messages: a failed coroutine-form call sets the task's failure
 * message (as wa_fail) unless it was cancelled; wa_session_error(s) keeps
 * the latest one of a session. Op futures carry theirs
 * (wa_future_message). */

typedef struct wa_session wa_session_t;

/* A response of a session: the fetch response plus the connection slots it
 * holds. Free it with wa_session_response_free (not wa_response_free). */
typedef struct wa_session_response wa_session_response_t;

/* wa_session_opts_t.limit: no limit on requests in flight in total. */
#define WA_SESSION_NO_LIMIT (-1)

/* Session options. Zero-initialise: every zero field is the default; NULL
 * means all defaults. Out-of-range values are WA_EINVAL (C has no unknown
 * fields; every field is checked). */
typedef struct wa_session_opts {
    const char *base_url;        /* NULL: none (URLs are used as given).
                                    Else an absolute URL with a host
                                    ("http://host:port/api/"), copied    */
    const wa_header_t *headers;  /* default headers (nheaders entries,
                                    copied; NULL if 0)                   */
    size_t nheaders;
    int limit;                   /* requests in flight in total: 0 = 100
                                    (aiohttp's default), >= 1, or
                                    WA_SESSION_NO_LIMIT                   */
    int limit_per_host;          /* per scheme://host:port: 0 = none, or
                                    >= 1                                  */
    double total_ms;             /* timeouts as above: 0 or WA_NO_TIMEOUT:  */
    double connect_ms;           /* none; else > 0 (negative or NaN:       */
    double read_ms;              /* WA_EINVAL)                             */
    uint64_t seed;               /* seed of the session's jitter PRNG; 0:
                                    from the loop's clock and the
                                    session's address                     */
} wa_session_opts_t;

/* Create a session. *out receives it (wa_session_free it). WA_EINVAL if
 * out is NULL or an option is invalid (a base URL without scheme and host,
 * a header name or value NULL, a negative limit ...); WA_ENOMEM. Callable
 * from anywhere (no task needed). */
WA_API int wa_session_new(wa_session_t **out, const wa_session_opts_t *opts);

/* Send a request and suspend until its response headers are in. url is
 * resolved against the session's base URL; opts are wa_fetch's (NULL:
 * GET): its headers are merged over the session's; timeout_ms > 0
 * replaces the session's total timeout for this request; method, body,
 * redirect and max_body are passed on. *out receives the response.
 * Returns 0 (HTTP error statuses are responses), or as wa_fetch:
 * WA_ENETWORK, WA_ETIMEDOUT (any of the session's timeouts; the message
 * says which), WA_ECANCELLED, WA_EHOST, WA_EINVAL (bad URL or options:
 * nothing sent), WA_ENOMEM, WA_ENOTASK; WA_ESHUTDOWN if the session is or
 * gets closed before the response is in. */
WA_API int wa_session_fetch(wa_session_t *s, wa_session_response_t **out, const char *url,
                            const wa_fetch_opts_t *opts);

/* Operation form of wa_session_fetch: *op receives a future (a task of
 * the session; wa_release it) done when the response is in or the request
 * failed. url and opts (headers, body) are copied. Argument errors (NULL
 * s, op or url; closed session) are returned at once (nothing started);
 * everything else is the op's outcome. */
WA_API int wa_session_fetch_start(wa_session_t *s, wa_future_t **op, const char *url,
                                  const wa_fetch_opts_t *opts);

/* Take the outcome of a done wa_session_fetch_start or
 * wa_session_fetch_retry_start future: its status (0: *out receives the
 * response, now the caller's). WA_ESTATE if pending or already taken;
 * WA_EINVAL if op is not such a future or out is NULL. A response never
 * taken is freed with the op. Still wa_release(op) after. */
WA_API int wa_session_fetch_finish(wa_future_t *op, wa_session_response_t **out);

/* The fetch response (status, headers, wa_response_read ...), borrowed:
 * valid until wa_session_response_free, or until the session is closed
 * (then NULL). Reading it directly skips the read timeout; its slots are
 * still given back when it is freed. NULL if sr is NULL. */
WA_API wa_response_t *wa_session_response(const wa_session_response_t *sr);

/* HTTP status of the response; 0 if sr is NULL or its session closed. */
WA_API int wa_session_response_status(const wa_session_response_t *sr);

/* wa_response_read under the session's read timeout. The end of the body
 * (*nread 0) or a failure gives the response's slots back. WA_ESHUTDOWN
 * if the session was closed (the body was aborted); else as
 * wa_response_read, and WA_ETIMEDOUT ("read timeout") if no bytes came
 * within read_ms (the request is then aborted). */
WA_API int wa_session_read(wa_session_response_t *sr, void *buf, size_t cap, size_t *nread);

/* wa_response_body under the read timeout (for the whole rest of the
 * body); gives the response's slots back whatever the outcome. *data
 * (malloc'd, NUL-terminated: free() it) and *len as wa_response_body.
 * Errors as wa_session_read, and WA_ETOOBIG as wa_response_body. */
WA_API int wa_session_body(wa_session_response_t *sr, char **data, size_t *len);

/* Free a session response: the fetch response is freed (an unread body is
 * aborted) and its slots are given back. NULL is ignored. Works after the
 * session was closed or freed. */
WA_API void wa_session_response_free(wa_session_response_t *sr);

/* Close the session, as aiohttp's close() closes its connector: later
 * requests fail with WA_ESHUTDOWN; requests waiting for a slot or for
 * their response are withdrawn (each returns WA_ESHUTDOWN when its task
 * next runs, or WA_ECANCELLED if its task was also cancelled); the bodies
 * of responses handed out are aborted (their reads return WA_ESHUTDOWN;
 * free them as usual). Does not suspend: callable from anywhere. Closing
 * twice is a no-op. WA_EINVAL if s is NULL. */
WA_API int wa_session_close(wa_session_t *s);

/* Close the session (if not yet) and free it. Requests still winding down
 * keep its memory until they end. NULL is ignored. */
WA_API void wa_session_free(wa_session_t *s);

/* Latest failure message of the session's requests and reads (borrowed,
 * until the next failure or wa_session_free); "" if none or s is NULL. */
WA_API const char *wa_session_error(const wa_session_t *s);

/* Live counts of a session, for tests and monitoring. */
typedef struct wa_session_stats {
    size_t waiting;      /* requests waiting for a connection slot        */
    size_t in_flight;    /* requests sent, response not yet in            */
    size_t responses;    /* responses handed out, not yet freed           */
    size_t slots_held;   /* requests and responses holding their slots    */
    uint64_t requests;   /* requests sent (each retry attempt counts)     */
    uint64_t retries;    /* retries made by wa_session_fetch_retry        */
} wa_session_stats_t;

/* Fill *out. WA_EINVAL if s or out is NULL. */
WA_API int wa_session_get_stats(const wa_session_t *s, wa_session_stats_t *out);

/* Resolve ref against base (RFC 3986 section 5.2): an absolute URL
 * ("https://x/y") is taken as is; "//host/p" keeps base's scheme; "/p"
 * replaces base's path; "p", "./p", "../p" are merged with base's
 * directory; "?q" keeps base's path with a new query; "#f" and "" keep
 * base's path and query. Dot segments are removed; nothing is
 * percent-encoded or normalised beyond that. base must be absolute
 * (scheme ':' ...); NULL base: ref is copied as is. *out receives a
 * malloc'd string (free() it). WA_EINVAL if ref or out is NULL or base is
 * not absolute; WA_ENOMEM. */
WA_API int wa_url_resolve(const char *base, const char *ref, char **out);

/* ---- Retries with exponential backoff and jitter ---------------------- */

/* wa_retry_opts_t.jitter */
enum {
    WA_JITTER_FULL = 0, /* wait a uniform random part of the delay, [0, d)
                           (AWS's "full jitter"): retries of many clients
                           spread out instead of arriving together        */
    WA_JITTER_NONE = 1, /* wait exactly the delay                         */
};

/* Decides whether a failed attempt (its status code) is retried. */
typedef bool (*wa_retry_error_fn)(int code, void *arg);

/* Told before each wait: attempt n (1 = the first) failed with code (0 if
 * it was a response with a retried HTTP status) or http_status; the next
 * attempt follows after delay_ms. */
typedef void (*wa_retry_notify_fn)(unsigned attempt, int code, int http_status,
                                   double delay_ms, void *arg);

/* Retry options. Zero-initialise: every zero field is the default; NULL
 * means all defaults. The delay after the n-th failed attempt is
 * min(max_delay_ms, base_delay_ms * multiplier^(n-1)), then jittered. */
typedef struct wa_retry_opts {
    unsigned attempts;            /* attempts in all: 0 = 3, else >= 1     */
    double base_delay_ms;         /* 0 = 100; else > 0, finite            */
    double max_delay_ms;          /* 0 = 10000; else > 0                  */
    double multiplier;            /* 0 = 2; else >= 1, finite             */
    int jitter;                   /* WA_JITTER_FULL (default) or _NONE    */
    const int *statuses;          /* HTTP statuses retried (100..599),    */
    size_t nstatuses;             /* nstatuses of them; NULL: 429, 500,
                                     502, 503, 504. A non-NULL array with
                                     nstatuses 0: none                    */
    wa_retry_error_fn retry_error;/* NULL: WA_ENETWORK and WA_ETIMEDOUT.
                                     WA_ECANCELLED is never retried       */
    wa_retry_notify_fn on_retry;  /* NULL: none                           */
    void *arg;                    /* for retry_error and on_retry         */
    uint64_t seed;                /* wa_retry only: jitter PRNG seed; 0:
                                     from the loop's clock. Session
                                     retries use the session's PRNG       */
} wa_retry_opts_t;

/* The delay (ms) after the n-th failed attempt (n >= 1) with a random
 * number u in [0, 1) for the jitter (ignored under WA_JITTER_NONE).
 * NULL opts: the defaults. Returns -1 if opts are invalid or n is 0. */
WA_API double wa_retry_delay(const wa_retry_opts_t *opts, unsigned n, double u);

/* Run attempt(arg) in the calling coroutine task until it returns 0, at
 * most opts->attempts times, sleeping (wa_sleep: cancellable) between
 * attempts as above. Returns 0, or the last attempt's status once
 * attempts are used up or a status is not retried; WA_ECANCELLED at once
 * if the task is cancelled (attempt or sleep). WA_EINVAL if attempt is
 * NULL or opts are invalid; WA_ENOTASK outside a coroutine task. */
WA_API int wa_retry(wa_coro_fn attempt, void *arg, const wa_retry_opts_t *opts);

/* wa_session_fetch, retried: a failure that retry_error accepts
 * (network failures and timeouts by default) or a response whose status
 * is in opts->statuses (freed, its body aborted) is tried again after the
 * backoff delay, jittered from the session's PRNG; after the last attempt
 * the last response is returned as it is (status 503 ...), or the last
 * failure. Each attempt has the session's timeouts afresh. Errors as
 * wa_session_fetch, WA_EINVAL for invalid retry options. */
WA_API int wa_session_fetch_retry(wa_session_t *s, wa_session_response_t **out, const char *url,
                                  const wa_fetch_opts_t *opts, const wa_retry_opts_t *retry);

/* Operation form of wa_session_fetch_retry; take the outcome with
 * wa_session_fetch_finish. The retry options are copied (statuses too). */
WA_API int wa_session_fetch_retry_start(wa_session_t *s, wa_future_t **op, const char *url,
                                        const wa_fetch_opts_t *opts, const wa_retry_opts_t *retry);

#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_SESSION_H */
