/* fetch on the host's event loop.
 *
 * A request is a wa_response_t from the start (it becomes the response once
 * status and headers are in) plus a host handle (fetch_host.h). Each wait
 * is an operation future (fetch_op_t): a plain future with a cancel hook,
 * a fini and a rollback, so tasks, step tasks, gather, timeouts and the JS
 * bindings treat it like any other future. At most one operation per
 * response waits on the host (r->op).
 *
 * The response's own timeout is a loop timer (not a host timer): when it
 * fires, the host request is aborted and the pending operation, if any,
 * fails with WA_ETIMEDOUT. Cancellation, a timeout, a host failure or
 * freeing the response all go through resp_fail, which ends the host
 * handle at once (the host calls back for it no more), so nothing stays in
 * flight and no completion ever reaches freed memory. */
#include "internal.h"
#include "fetch_host.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PH_REQUEST = 0, PH_BODY, PH_EOF, PH_FAILED };
enum { OP_FETCH = 1, OP_READ, OP_BODY };

typedef struct fetch_op fetch_op_t;

struct wa_response {
    int id;                  /* host handle; 0: none (ended)                */
    uint8_t phase;           /* PH_*                                        */
    bool redirected;
    int status;
    int error;               /* PH_FAILED: the status every later op gets   */
    char *errmsg;            /* PH_FAILED: its message (owned, may be NULL) */
    uint32_t timer;          /* timeout timer slot, or WA_NO_SLOT           */
    double timeout_ms;
    size_t max_body;         /* wa_response_body's limit                    */
    fetch_op_t *op;          /* the operation waiting on the host, or NULL  */
    fetch_op_t *last;        /* latest completed read/body op (rollback)    */
    char *unread;            /* bytes a rollback gave back: read first      */
    size_t unread_len;
    char *meta;              /* NUL-terminated strings from the host        */
    const char *status_text, *url, *type;
    size_t nheaders;
    const char **headers;    /* 2 * nheaders pointers into meta             */
};

struct fetch_op {
    struct wa_future fut;    /* must be first */
    uint8_t kind;            /* OP_*                                        */
    bool taken;              /* the outcome was handed out by _finish       */
    bool rolled_back;        /* the awaiting task was cancelled after it    */
    bool ours;               /* completed by fetch.c (not from outside)     */
    /* OP_FETCH: the response, owned until taken. OP_READ / OP_BODY: the
     * response while r->op or r->last is this op, else NULL. */
    wa_response_t *r;
    void *buf;               /* OP_READ: the caller's buffer                */
    size_t cap;
    size_t n;                /* bytes read / body length                    */
    char *data;              /* OP_BODY: the body, owned until taken        */
};

#if defined(__wasm32__)
/* JS code (the bindings) builds these structs in wasm memory. */
_Static_assert(sizeof(wa_header_t) == 8 && offsetof(wa_header_t, value) == 4, "wa_header_t layout");
_Static_assert(offsetof(wa_fetch_opts_t, method) == 0 && offsetof(wa_fetch_opts_t, headers) == 4 &&
                   offsetof(wa_fetch_opts_t, nheaders) == 8 && offsetof(wa_fetch_opts_t, body) == 12 &&
                   offsetof(wa_fetch_opts_t, body_len) == 16 && offsetof(wa_fetch_opts_t, redirect) == 20 &&
                   offsetof(wa_fetch_opts_t, timeout_ms) == 24 &&
                   offsetof(wa_fetch_opts_t, max_body) == 32 && sizeof(wa_fetch_opts_t) == 40,
               "wa_fetch_opts_t layout");
_Static_assert(offsetof(wa_fetch_stats_t, host_handles) == 8 && offsetof(wa_fetch_stats_t, started) == 16 &&
                   sizeof(wa_fetch_stats_t) == 24,
               "wa_fetch_stats_t layout");
#endif

#define LP (&wa__loop)
#define MAX_READ ((size_t)1 << 30)

static const char NO_WEB_HOST[] =
    "fetch needs a web host: this build has no fetch (native builds do not support it)";

/* ---- small helpers -------------------------------------------------------- */

static bool in_coro(void) {
    wa_task_impl_t *t = LP->current;
    return t && t->fut.kind == KIND_CORO;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static bool ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (lower((unsigned char)*a) != lower((unsigned char)*b)) return false;
    return *a == *b;
}

/* An HTTP token (RFC 9110 tchar). */
static bool is_token(const char *s) {
    if (!s || !*s) return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) continue;
        if (!strchr("!#$%&'*+-.^_`|~", c)) return false;
    }
    return true;
}

static void set_fetch_error(const char *msg) {
    char *m = wa__strdup(msg ? msg : "");
    free(LP->fetch_error);
    LP->fetch_error = m;
}

/* A coroutine-form call failed: keep the message for wa_fetch_error and,
 * unless it is a cancellation (whose message is the canceller's), make it
 * the task's failure message. */
static int note_failure(int rc, const char *msg) {
    if (!msg || !*msg) msg = wa_strerror(rc);
    set_fetch_error(msg);
    if (rc != WA_ECANCELLED) wa_fail(rc, "%s", msg);
    return rc;
}

/* ---- responses -------------------------------------------------------------- */

static void op_complete(fetch_op_t *op, uint8_t state, int code, const char *msg);
static void op_detach(fetch_op_t *op);

static wa_response_t *resp_new(void) {
    wa_response_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->timer = WA_NO_SLOT;
    LP->fetch_responses++;
    return r;
}

/* End the host handle: abort the request, cancel the reader. */
static void host_end(wa_response_t *r) {
    if (r->id) {
        int id = r->id;
        r->id = 0;
        wa_host_fetch_abort(id);
    }
}

static void timer_stop(wa_response_t *r) {
    if (r->timer != WA_NO_SLOT) {
        wa__timer_cancel(r->timer);
        r->timer = WA_NO_SLOT;
    }
}

/* r fails for good: the host request is aborted, the timeout stopped, the
 * pending operation (if any) ends with code (cancelled, with opmsg, if
 * code is WA_ECANCELLED) and later operations get code and msg again. A
 * response read to the end keeps its state (nothing is in flight). If the
 * pending operation was the request itself, r is freed: callers must not
 * use r afterwards unless they know it was a response already. */
static void resp_fail(wa_response_t *r, int code, const char *msg, const char *opmsg) {
    host_end(r);
    timer_stop(r);
    if (r->phase != PH_EOF && r->phase != PH_FAILED) {
        r->phase = PH_FAILED;
        r->error = code;
        r->errmsg = wa__strdup(msg);
    }
    fetch_op_t *op = r->op;
    if (op) {
        if (code == WA_ECANCELLED) op_complete(op, FUT_CANCELLED, WA_ECANCELLED, opmsg);
        else op_complete(op, FUT_ERROR, code, msg);
        if (op->kind == OP_FETCH) {
            /* A request that failed never becomes anyone's response: free
             * it now rather than when its future goes. r is gone after. */
            op->r = NULL;
            wa_response_free(r);
        }
    }
}

/* The body was read to the end (the host has ended the handle). */
static void resp_eof(wa_response_t *r) {
    r->id = 0;
    r->phase = PH_EOF;
    timer_stop(r);
}

static void on_timeout(void *arg) {
    wa_response_t *r = arg;
    r->timer = WA_NO_SLOT;
    char buf[80];
    snprintf(buf, sizeof buf, "fetch timed out after %g ms", r->timeout_ms);
    resp_fail(r, WA_ETIMEDOUT, buf, NULL);
}

void wa_response_free(wa_response_t *r) {
    if (!r) return;
    fetch_op_t *op = r->op;
    if (op) { /* a pending read ends cancelled */
        op_detach(op);
        if (op->kind == OP_FETCH) op->r = NULL;
        if (op->fut.state == FUT_PENDING)
            wa__future_complete(&op->fut, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL,
                                wa__strdup("the response was freed"));
    }
    host_end(r);
    timer_stop(r);
    if (r->last) r->last->r = NULL;
    free(r->unread);
    free(r->errmsg);
    free(r->meta);
    free(r->headers);
    LP->fetch_responses--;
    free(r);
}

/* ---- bytes given back -------------------------------------------------------
 * A read or body whose task was cancelled after it completed gives its
 * bytes back (op_rollback): they are the next ones read, before what the
 * host has not delivered yet, so the stream stays readable and whole. */

/* Put n > 0 bytes back in front of r's body (kept NUL-terminated, as body
 * buffers are). false: out of memory. */
static bool unread_push(wa_response_t *r, const void *p, size_t n) {
    char *b = malloc(n + r->unread_len + 1);
    if (!b) return false;
    memcpy(b, p, n);
    if (r->unread_len) memcpy(b + n, r->unread, r->unread_len);
    b[n + r->unread_len] = '\0';
    free(r->unread);
    r->unread = b;
    r->unread_len += n;
    return true;
}

/* Move up to cap bytes given back into buf; returns how many. */
static size_t unread_take(wa_response_t *r, void *buf, size_t cap) {
    size_t k = r->unread_len < cap ? r->unread_len : cap;
    memcpy(buf, r->unread, k);
    r->unread_len -= k;
    if (r->unread_len) {
        memmove(r->unread, r->unread + k, r->unread_len + 1);
    } else {
        free(r->unread);
        r->unread = NULL;
    }
    return k;
}

/* ---- operation futures ---------------------------------------------------- */

static void op_fini(wa_future_t *f);
static int op_cancel(wa_future_t *f, const char *msg);
static void op_rollback(wa_future_t *f);

static fetch_op_t *op_new(uint8_t kind) {
    fetch_op_t *op = malloc(sizeof *op);
    if (!op) return NULL;
    memset(op, 0, sizeof *op);
    wa__future_init(&op->fut, KIND_FUTURE);
    op->fut.cancel_hook = op_cancel;
    op->fut.fini = op_fini;
    op->fut.rollback = op_rollback;
    op->kind = kind;
    return op;
}

static fetch_op_t *as_op(wa_future_t *f, uint8_t kind) {
    if (!f || f->fini != op_fini) return NULL;
    fetch_op_t *op = (fetch_op_t *)f;
    return op->kind == kind ? op : NULL;
}

/* A read/body op that completed on r: remember it for a rollback. */
static void link_done(wa_response_t *r, fetch_op_t *op) {
    if (r->last && r->last != op) r->last->r = NULL;
    r->last = op;
    op->r = r;
}

/* op now waits on the host for r. */
static void op_attach(wa_response_t *r, fetch_op_t *op) {
    r->op = op;
    op->r = r;
    LP->fetch_pending++;
    wa__host_pending_add(1);
}

/* op no longer waits on the host. */
static void op_detach(fetch_op_t *op) {
    wa_response_t *r = op->r;
    if (!r || r->op != op) return;
    r->op = NULL;
    LP->fetch_pending--;
    wa__host_pending_add(-1);
    if (op->kind != OP_FETCH) link_done(r, op);
}

static void op_complete(fetch_op_t *op, uint8_t state, int code, const char *msg) {
    op_detach(op);
    if (op->fut.state != FUT_PENDING) return; /* completed from outside */
    op->ours = true;
    wa__future_complete(&op->fut, state, code, NULL, NULL, msg ? wa__strdup(msg) : NULL);
}

/* Complete an op that never waited, from r's final state. */
static void op_from_state(fetch_op_t *op, wa_response_t *r) {
    link_done(r, op);
    if (r->phase == PH_FAILED) {
        if (r->error == WA_ECANCELLED) op_complete(op, FUT_CANCELLED, WA_ECANCELLED, r->errmsg);
        else op_complete(op, FUT_ERROR, r->error, r->errmsg);
    } else {
        op_complete(op, FUT_OK, 0, NULL);
    }
}

/* Before handing out an outcome: if op was completed by someone else
 * (wa_future_set_result ... on it) while the host still worked on it, the
 * host operation is abandoned: aborted, and a request's response freed. */
static void op_orphaned(fetch_op_t *op) {
    wa_response_t *r = op->r;
    if (!r || r->op != op || op->fut.state == FUT_PENDING) return;
    op_detach(op);
    if (op->kind == OP_FETCH) {
        op->r = NULL;
        wa_response_free(r);
    } else {
        resp_fail(r, WA_ECANCELLED, "an operation future was completed from outside", NULL);
    }
}

static int op_cancel(wa_future_t *f, const char *msg) {
    fetch_op_t *op = (fetch_op_t *)f;
    if (f->state != FUT_PENDING) return 0;
    wa_response_t *r = op->r;
    if (r && r->op == op) {
        resp_fail(r, WA_ECANCELLED,
                  op->kind == OP_FETCH ? "the request was cancelled"
                                       : "a read was cancelled: the response was aborted",
                  msg);
        return 1;
    }
    return wa__future_cancel_plain(f, msg);
}

/* The awaiting task was cancelled after op completed: hand nothing out and
 * give back what the op holds (see the header). */
static void op_rollback(wa_future_t *f) {
    fetch_op_t *op = (fetch_op_t *)f;
    if (op->taken || op->rolled_back) return;
    op->rolled_back = true;
    if (op->kind == OP_FETCH) {
        wa_response_t *r = op->r;
        op->r = NULL;
        wa_response_free(r);
    } else if (op->kind == OP_READ) {
        if (op->r && op->n > 0 && !unread_push(op->r, op->buf, op->n))
            resp_fail(op->r, WA_ENOMEM, "a read completed as its task was cancelled, and its bytes could not be kept: out of memory", NULL);
    } else {
        if (op->r && op->n > 0 && !unread_push(op->r, op->data, op->n))
            resp_fail(op->r, WA_ENOMEM, "a body completed as its task was cancelled, and could not be kept: out of memory", NULL);
        free(op->data);
        op->data = NULL;
    }
}

static void op_fini(wa_future_t *f) {
    fetch_op_t *op = (fetch_op_t *)f;
    wa_response_t *r = op->r;
    if (r) {
        if (r->op == op) {
            /* Released while pending: the operation is cancelled. Detach
             * first: this future is being freed and must not complete. */
            op_detach(op);
            resp_fail(r, WA_ECANCELLED, "an operation was released while pending", NULL);
        }
        if (r->last == op) r->last = NULL;
        if (op->kind == OP_FETCH) wa_response_free(r);
    }
    free(op->data);
}

/* ---- starting requests ------------------------------------------------------ */

static int check_request(const char *url, const wa_fetch_opts_t *o, const char **method) {
    if (!url || !*url) return WA_EINVAL;
    const char *m = o && o->method ? o->method : "GET";
    if (!is_token(m)) return WA_EINVAL;
    if (ieq(m, "CONNECT") || ieq(m, "TRACE") || ieq(m, "TRACK")) return WA_EINVAL;
    if (o) {
        if (o->nheaders && !o->headers) return WA_EINVAL;
        for (size_t i = 0; i < o->nheaders; i++) {
            const wa_header_t *h = &o->headers[i];
            if (!is_token(h->name) || !h->value || strpbrk(h->value, "\r\n")) return WA_EINVAL;
        }
        if (o->body_len && !o->body) return WA_EINVAL;
        if (o->body_len && (ieq(m, "GET") || ieq(m, "HEAD"))) return WA_EINVAL;
        if (o->body_len > (size_t)INT_MAX) return WA_EINVAL;
        if (o->redirect < WA_REDIRECT_FOLLOW || o->redirect > WA_REDIRECT_MANUAL) return WA_EINVAL;
        if (isnan(o->timeout_ms) || o->timeout_ms < 0) return WA_EINVAL;
    }
    *method = m;
    return 0;
}

int wa_fetch_start(wa_future_t **out, const char *url, const wa_fetch_opts_t *opts) {
    const char *method = NULL;
    if (!out) return WA_EINVAL;
    int rc = check_request(url, opts, &method);
    if (rc) return rc;
    fetch_op_t *op = op_new(OP_FETCH);
    if (!op) return WA_ENOMEM;
    wa_response_t *r = resp_new();
    if (!r) {
        wa_release(&op->fut);
        return WA_ENOMEM;
    }
    r->max_body = opts && opts->max_body ? opts->max_body : WA_FETCH_MAX_BODY_DEFAULT;
    double t = opts ? opts->timeout_ms : 0;
    if (t > 0 && !isinf(t)) {
        r->timeout_ms = t;
        if (wa__timer_add(wa__now() + t, on_timeout, r, &r->timer) != 0) {
            r->timer = WA_NO_SLOT;
            wa_response_free(r);
            wa_release(&op->fut);
            return WA_ENOMEM;
        }
    }
    int id = wa_host_fetch_start(r, url, method, opts ? opts->headers : NULL,
                                 opts ? opts->nheaders : 0, opts ? opts->body : NULL,
                                 opts ? opts->body_len : 0, opts ? opts->redirect : 0);
    if (id <= 0) {
        wa_response_free(r);
        wa_release(&op->fut);
        return id < 0 ? id : WA_EHOST;
    }
    r->id = id;
    op_attach(r, op);
    LP->fetch_started++;
    *out = &op->fut;
    return 0;
}

int wa_fetch_finish(wa_future_t *f, wa_response_t **out) {
    fetch_op_t *op = as_op(f, OP_FETCH);
    if (!op || !out) return WA_EINVAL;
    if (f->state == FUT_PENDING) return WA_ESTATE;
    op_orphaned(op);
    int st = wa_future_status(f);
    if (st) return st;
    if (op->rolled_back) return WA_ECANCELLED;
    if (op->taken || !op->r) return WA_ESTATE;
    *out = op->r;
    op->r = NULL;
    op->taken = true;
    return 0;
}

int wa_fetch(wa_response_t **out, const char *url, const wa_fetch_opts_t *opts) {
    if (!in_coro()) return WA_ENOTASK;
    if (!out) return WA_EINVAL;
    wa_future_t *op;
    int rc = wa_fetch_start(&op, url, opts);
    if (rc == WA_EHOST) return note_failure(rc, NO_WEB_HOST);
    if (rc) return rc;
    rc = wa_await(op);
    if (rc == 0) rc = wa_fetch_finish(op, out);
    if (rc) note_failure(rc, wa_future_message(op));
    wa_release(op);
    return rc;
}

const char *wa_fetch_error(void) { return LP->fetch_error ? LP->fetch_error : ""; }

/* ---- reading the body ----------------------------------------------------- */

int wa_response_read_start(wa_future_t **out, wa_response_t *r, void *buf, size_t cap) {
    if (!out || !r || !buf || !cap) return WA_EINVAL;
    if (r->op) return WA_ESTATE;
    fetch_op_t *op = op_new(OP_READ);
    if (!op) return WA_ENOMEM;
    op->buf = buf;
    op->cap = cap < MAX_READ ? cap : MAX_READ;
    if (r->unread_len) { /* given back by a rollback: these come first */
        op->n = unread_take(r, buf, op->cap);
        link_done(r, op);
        op_complete(op, FUT_OK, 0, NULL);
    } else if (r->phase != PH_BODY) {
        op_from_state(op, r); /* end of body: 0 bytes; failed: its status */
    } else {
        int n = wa_host_fetch_read(r->id, buf, op->cap);
        if (n == WA_FETCH_PENDING) {
            op_attach(r, op);
        } else if (n >= 0) {
            if (n == 0) resp_eof(r);
            op->n = (size_t)n;
            op_from_state(op, r);
        } else {
            r->id = 0; /* the host ended the handle */
            resp_fail(r, n, wa_strerror(n), NULL);
            op_from_state(op, r);
        }
    }
    *out = &op->fut;
    return 0;
}

int wa_response_read_finish(wa_future_t *f, size_t *nread) {
    fetch_op_t *op = as_op(f, OP_READ);
    if (!op || !nread) return WA_EINVAL;
    if (f->state == FUT_PENDING) return WA_ESTATE;
    op_orphaned(op);
    int st = wa_future_status(f);
    if (st) return st;
    if (op->rolled_back) return WA_ECANCELLED;
    if (!op->ours) return WA_ESTATE; /* completed from outside: no count */
    *nread = op->n;
    return 0;
}

int wa_response_read(wa_response_t *r, void *buf, size_t cap, size_t *nread) {
    if (!in_coro()) return WA_ENOTASK;
    if (!nread) return WA_EINVAL;
    wa_future_t *op;
    int rc = wa_response_read_start(&op, r, buf, cap);
    if (rc) return rc;
    rc = wa_await(op);
    if (rc == 0) rc = wa_response_read_finish(op, nread);
    if (rc) note_failure(rc, wa_future_message(op));
    wa_release(op);
    return rc;
}

int wa_response_body_start(wa_future_t **out, wa_response_t *r) {
    if (!out || !r) return WA_EINVAL;
    if (r->op) return WA_ESTATE;
    fetch_op_t *op = op_new(OP_BODY);
    if (!op) return WA_ENOMEM;
    if (r->phase == PH_EOF && r->unread_len) { /* the body is what a rollback gave back */
        op->data = r->unread;
        op->n = r->unread_len;
        r->unread = NULL;
        r->unread_len = 0;
    } else if (r->phase == PH_EOF && !(op->data = calloc(1, 1))) {
        wa_release(&op->fut);
        return WA_ENOMEM;
    }
    if (r->phase != PH_BODY) {
        op_from_state(op, r);
    } else {
        int rc = wa_host_fetch_body(r->id, r->max_body);
        if (rc == WA_FETCH_PENDING) {
            op_attach(r, op);
        } else {
            r->id = 0;
            resp_fail(r, rc < 0 ? rc : WA_EHOST, wa_strerror(rc < 0 ? rc : WA_EHOST), NULL);
            op_from_state(op, r);
        }
    }
    *out = &op->fut;
    return 0;
}

int wa_response_body_finish(wa_future_t *f, char **data, size_t *len) {
    fetch_op_t *op = as_op(f, OP_BODY);
    if (!op || !data || !len) return WA_EINVAL;
    if (f->state == FUT_PENDING) return WA_ESTATE;
    op_orphaned(op);
    int st = wa_future_status(f);
    if (st) return st;
    if (op->rolled_back) return WA_ECANCELLED;
    if (op->taken || !op->data) return WA_ESTATE;
    *data = op->data;
    *len = op->n;
    op->data = NULL;
    op->taken = true;
    return 0;
}

int wa_response_body(wa_response_t *r, char **data, size_t *len) {
    if (!in_coro()) return WA_ENOTASK;
    if (!data || !len) return WA_EINVAL;
    wa_future_t *op;
    int rc = wa_response_body_start(&op, r);
    if (rc) return rc;
    rc = wa_await(op);
    if (rc == 0) rc = wa_response_body_finish(op, data, len);
    if (rc) note_failure(rc, wa_future_message(op));
    wa_release(op);
    return rc;
}

/* ---- accessors -------------------------------------------------------------- */

int wa_response_status(const wa_response_t *r) { return r ? r->status : 0; }

const char *wa_response_status_text(const wa_response_t *r) {
    return r ? (r->status_text ? r->status_text : "") : NULL;
}

const char *wa_response_url(const wa_response_t *r) { return r ? (r->url ? r->url : "") : NULL; }

const char *wa_response_type(const wa_response_t *r) { return r ? (r->type ? r->type : "") : NULL; }

bool wa_response_redirected(const wa_response_t *r) { return r && r->redirected; }

const char *wa_response_header(const wa_response_t *r, const char *name) {
    if (!r || !name) return NULL;
    for (size_t i = 0; i < r->nheaders; i++)
        if (ieq(r->headers[2 * i], name)) return r->headers[2 * i + 1];
    return NULL;
}

size_t wa_response_header_count(const wa_response_t *r) { return r ? r->nheaders : 0; }

int wa_response_header_at(const wa_response_t *r, size_t i, const char **name, const char **value) {
    if (!r || !name || !value || i >= r->nheaders) return WA_EINVAL;
    *name = r->headers[2 * i];
    *value = r->headers[2 * i + 1];
    return 0;
}

void wa_fetch_get_stats(wa_fetch_stats_t *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    out->responses = LP->fetch_responses;
    out->pending = LP->fetch_pending;
    int h = wa_host_fetch_handles();
    out->host_handles = h > 0 ? (size_t)h : 0;
    out->started = LP->fetch_started;
}

/* ---- host completions ------------------------------------------------------- */

WA_EXPORT void *wa__fetch_alloc(size_t n) { return malloc(n ? n : 1); }

/* Split the host's block into status text, URL, type and header pairs. */
static bool parse_meta(wa_response_t *r, char *meta, size_t len) {
    if (!meta || len == 0 || meta[len - 1] != 0) return false;
    size_t nstr = 0;
    for (size_t i = 0; i < len; i++) nstr += meta[i] == 0;
    if (nstr < 3 || (nstr - 3) % 2) return false;
    const char **h = malloc((nstr - 3 ? nstr - 3 : 1) * sizeof *h);
    if (!h) return false;
    const char *p = meta;
    r->status_text = p;
    p += strlen(p) + 1;
    r->url = p;
    p += strlen(p) + 1;
    r->type = p;
    p += strlen(p) + 1;
    for (size_t i = 0; i < nstr - 3; i++) {
        h[i] = p;
        p += strlen(p) + 1;
    }
    r->meta = meta;
    r->headers = h;
    r->nheaders = (nstr - 3) / 2;
    return true;
}

WA_EXPORT void wa__fetch_on_response(wa_response_t *r, int id, int status, int redirected,
                                     char *meta, size_t len) {
    if (!r || !id || r->id != id || r->phase != PH_REQUEST || !r->op || r->op->kind != OP_FETCH) {
        free(meta);
        return;
    }
    if (!parse_meta(r, meta, len)) {
        free(meta);
        resp_fail(r, WA_ENOMEM, "out of memory receiving a response", NULL);
        return;
    }
    r->status = status;
    r->redirected = redirected != 0;
    r->phase = PH_BODY;
    op_complete(r->op, FUT_OK, 0, NULL);
}

WA_EXPORT void wa__fetch_on_error(wa_response_t *r, int id, int code, char *message) {
    if (!r || !id || r->id != id) {
        free(message);
        return;
    }
    r->id = 0; /* the host ended the handle */
    if (code >= 0) code = WA_ENETWORK;
    resp_fail(r, code, message ? message : wa_strerror(code), message);
    free(message);
}

WA_EXPORT void wa__fetch_on_read(wa_response_t *r, int id, int n) {
    if (!r || !id || r->id != id || !r->op || r->op->kind != OP_READ) return;
    fetch_op_t *op = r->op;
    if (n <= 0) {
        resp_eof(r);
        n = 0;
    }
    op->n = (size_t)n < op->cap ? (size_t)n : op->cap;
    op_complete(op, FUT_OK, 0, NULL);
}

WA_EXPORT void wa__fetch_on_body(wa_response_t *r, int id, char *data, size_t len) {
    if (!r || !id || r->id != id || !r->op || r->op->kind != OP_BODY || !data) {
        free(data);
        return;
    }
    fetch_op_t *op = r->op;
    resp_eof(r);
    if (r->unread_len) { /* what a rollback gave back comes first */
        char *b = realloc(data, r->unread_len + len + 1);
        if (!b) {
            free(data);
            resp_fail(r, WA_ENOMEM, "out of memory joining the body", NULL);
            return;
        }
        memmove(b + r->unread_len, b, len + 1);
        memcpy(b, r->unread, r->unread_len);
        len += r->unread_len;
        free(r->unread);
        r->unread = NULL;
        r->unread_len = 0;
        data = b;
    }
    op->data = data;
    op->n = len;
    op_complete(op, FUT_OK, 0, NULL);
}
