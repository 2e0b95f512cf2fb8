/* WebSocket clients on the host's socket (websocket.h).
 *
 * A socket is a wa_ws_t plus a host handle (websocket_host.h). The receive
 * buffer lives here, in C: the host hands over every message as it comes,
 * so a cancelled receive can leave its message where it was (first in the
 * buffer) and nothing is ever lost between the host and a task. Each wait
 * is an operation future (ws_op_t) with a cancel hook, a fini and a
 * rollback, so tasks, step tasks, gather, timeouts and the JS bindings
 * treat it as any other future. Waiting operations sit in one FIFO list
 * per kind (receives, sends, closes) and count as host work in flight, so
 * a main that waits on a socket is not taken for a deadlock. */
#include "internal.h"
#include "websocket_host.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { WS_CONNECTING = 0, WS_OPEN, WS_CLOSING, WS_CLOSED };
enum { OP_CONNECT = 1, OP_RECEIVE, OP_SEND, OP_CLOSE };

typedef struct ws_op ws_op_t;
typedef struct ws_msg ws_msg_t;

struct ws_msg {
    ws_msg_t *next;
    int type;
    char *data;
    size_t len;
};

/* A FIFO of waiting operations. */
typedef struct ws_list {
    ws_op_t *head, *tail;
} ws_list_t;

struct wa_ws {
    int id;                  /* host handle; 0: none (closed or let go)    */
    uint8_t state;           /* WS_*                                       */
    bool paused;             /* the host was told to stop reading          */
    bool clean;
    int close_code;
    char *close_reason;      /* owned; NULL while open                     */
    char *protocol;          /* owned; NULL: ""                            */
    size_t max_queue;
    double high_water;
    ws_msg_t *head, *tail;   /* the receive buffer                         */
    size_t count;
    ws_op_t *connect;        /* the connect op while connecting            */
    ws_list_t receives, sends, closes; /* waiting ops, in order            */
    ws_list_t held;          /* receives done with a message not yet taken */
};

struct ws_op {
    struct wa_future fut;    /* must be first */
    uint8_t kind;            /* OP_*                                       */
    bool waiting;            /* in one of ws's lists (or ws->connect)      */
    bool taken;              /* the outcome was handed out by _finish      */
    bool rolled_back;        /* the awaiting task was cancelled after it   */
    /* The socket while the op waits; then only for a connect (until its
     * socket is taken) and a receive holding a message (in ws->held).
     * NULL once the socket was freed. */
    wa_ws_t *ws;
    ws_op_t *prev, *next;
    ws_msg_t *msg;           /* OP_RECEIVE: the message, owned until taken */
};

#if defined(__wasm32__)
/* JS code (the bindings) builds these structs in wasm memory. */
_Static_assert(offsetof(wa_ws_opts_t, nprotocols) == 4 && offsetof(wa_ws_opts_t, max_queue) == 8 &&
                   offsetof(wa_ws_opts_t, high_water_mark) == 12 && sizeof(wa_ws_opts_t) == 16,
               "wa_ws_opts_t layout");
_Static_assert(offsetof(wa_ws_message_t, data) == 4 && offsetof(wa_ws_message_t, len) == 8 &&
                   sizeof(wa_ws_message_t) == 12,
               "wa_ws_message_t layout");
#endif

#define LP (&wa__loop)

static const char NO_WS_HOST[] =
    "WebSocket needs a web host: this build has no sockets (native and WASI builds do not support them)";

/* ---- small helpers -------------------------------------------------------- */

static bool in_coro(void) {
    wa_task_impl_t *t = LP->current;
    return t && t->fut.kind == KIND_CORO;
}

/* A coroutine-form call failed: unless it is a cancellation (whose message
 * is the canceller's), make its message the task's failure message. */
static int note_failure(int rc, const char *msg) {
    if (rc != WA_ECANCELLED) wa_fail(rc, "%s", msg && *msg ? msg : wa_strerror(rc));
    return rc;
}

/* An HTTP token (RFC 9110 tchar): what a subprotocol name must be. */
static bool is_token(const char *s) {
    if (!s || !*s) return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) continue;
        if (!strchr("!#$%&'*+-.^_`|~", c)) return false;
    }
    return true;
}

static void msg_free(ws_msg_t *m) {
    if (!m) return;
    free(m->data);
    free(m);
}

/* ---- the receive buffer ----------------------------------------------------- */

static void buf_push_back(wa_ws_t *ws, ws_msg_t *m) {
    m->next = NULL;
    if (ws->tail) ws->tail->next = m;
    else ws->head = m;
    ws->tail = m;
    ws->count++;
    if (!ws->paused && ws->count >= ws->max_queue && ws->id) {
        ws->paused = true;
        wa_host_ws_pause(ws->id, 1);
    }
}

static void buf_push_front(wa_ws_t *ws, ws_msg_t *m) {
    m->next = ws->head;
    ws->head = m;
    if (!ws->tail) ws->tail = m;
    ws->count++;
}

static ws_msg_t *buf_pop(wa_ws_t *ws) {
    ws_msg_t *m = ws->head;
    if (!m) return NULL;
    ws->head = m->next;
    if (!ws->head) ws->tail = NULL;
    ws->count--;
    m->next = NULL;
    if (ws->paused && ws->count < ws->max_queue && ws->id) {
        ws->paused = false;
        wa_host_ws_pause(ws->id, 0);
    }
    return m;
}

/* ---- operation futures ---------------------------------------------------- */

static void op_fini(wa_future_t *f);
static int op_cancel(wa_future_t *f, const char *msg);
static void op_rollback(wa_future_t *f);

static ws_op_t *op_new(uint8_t kind, wa_ws_t *ws) {
    ws_op_t *op = calloc(1, sizeof *op);
    if (!op) return NULL;
    wa__future_init(&op->fut, KIND_FUTURE);
    op->fut.cancel_hook = op_cancel;
    op->fut.fini = op_fini;
    op->fut.rollback = op_rollback;
    op->kind = kind;
    op->ws = ws;
    return op;
}

static ws_op_t *as_op(wa_future_t *f, uint8_t kind) {
    if (!f || f->fini != op_fini) return NULL;
    ws_op_t *op = (ws_op_t *)f;
    return op->kind == kind ? op : NULL;
}

static void list_add(ws_list_t *l, ws_op_t *op) {
    op->prev = l->tail;
    op->next = NULL;
    if (l->tail) l->tail->next = op;
    else l->head = op;
    l->tail = op;
}

static void list_remove(ws_list_t *l, ws_op_t *op) {
    if (op->prev) op->prev->next = op->next;
    else l->head = op->next;
    if (op->next) op->next->prev = op->prev;
    else l->tail = op->prev;
    op->prev = op->next = NULL;
}

/* The list a waiting op is in (NULL: a connect, in ws->connect). */
static ws_list_t *waiting_list(ws_op_t *op) {
    wa_ws_t *ws = op->ws;
    switch (op->kind) {
    case OP_RECEIVE: return &ws->receives;
    case OP_SEND: return &ws->sends;
    case OP_CLOSE: return &ws->closes;
    default: return NULL;
    }
}

/* op waits (on the host, or for a message). */
static void op_wait(ws_op_t *op) {
    ws_list_t *l = waiting_list(op);
    if (l) list_add(l, op);
    else op->ws->connect = op;
    op->waiting = true;
    LP->ws_pending++;
    wa__host_pending_add(1);
}

/* op waits no more. */
static void op_unwait(ws_op_t *op) {
    if (!op->waiting) return;
    op->waiting = false;
    LP->ws_pending--;
    wa__host_pending_add(-1);
    ws_list_t *l = waiting_list(op);
    if (l) list_remove(l, op);
    else op->ws->connect = NULL;
}

/* op is done: a receive that got a message keeps its socket (to give the
 * message back if nobody takes it), a connect its socket; others let go. */
static void op_complete(ws_op_t *op, uint8_t state, int code, const char *msg) {
    op_unwait(op);
    if (op->ws && op->kind == OP_RECEIVE && op->msg) list_add(&op->ws->held, op);
    else if (op->kind != OP_CONNECT) op->ws = NULL;
    if (op->fut.state != FUT_PENDING) return; /* completed from outside */
    wa__future_complete(&op->fut, state, code, NULL, NULL, msg ? wa__strdup(msg) : NULL);
}

/* Hand buffered messages to waiting receives, in order; once the socket is
 * closed and drained, the receives still waiting end with WA_ESHUTDOWN. */
static void dispatch(wa_ws_t *ws) {
    while (ws->head && ws->receives.head) {
        ws_op_t *op = ws->receives.head;
        op->msg = buf_pop(ws);
        op_complete(op, FUT_OK, 0, NULL);
    }
    if (ws->state == WS_CLOSED)
        while (ws->receives.head)
            op_complete(ws->receives.head, FUT_ERROR, WA_ESHUTDOWN, "the WebSocket is closed");
}

/* The connection is closed: every waiting op ends. */
static void closed(wa_ws_t *ws) {
    ws->state = WS_CLOSED;
    ws->paused = false;
    while (ws->sends.head)
        op_complete(ws->sends.head, FUT_ERROR, WA_ESHUTDOWN, "the WebSocket closed before the message was sent");
    while (ws->closes.head) op_complete(ws->closes.head, FUT_OK, 0, NULL);
    dispatch(ws);
}

/* A waiting op stops waiting, nothing done: a withdrawn connect closes
 * what the host may still open and frees its socket; a send still waiting
 * for the buffer to drain is dropped. */
static void withdraw(ws_op_t *op) {
    wa_ws_t *ws = op->ws;
    if (op->kind == OP_CONNECT) {
        op_unwait(op);
        op->ws = NULL;
        int id = ws->id;
        ws->id = 0;
        if (id) wa_host_ws_free(id, 1001);
        wa_ws_free(ws);
        return;
    }
    if (op->kind == OP_SEND && ws->id) wa_host_ws_send_cancel(ws->id, op);
    op_unwait(op);
    op->ws = NULL;
}

static int op_cancel(wa_future_t *f, const char *msg) {
    ws_op_t *op = (ws_op_t *)f;
    if (f->state != FUT_PENDING) return 0;
    if (op->ws && op->waiting) {
        withdraw(op);
        wa__future_complete(f, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, msg ? wa__strdup(msg) : NULL);
        return 1;
    }
    return wa__future_cancel_plain(f, msg);
}

/* A receive's message that nobody took goes back to the front. */
static void give_back(ws_op_t *op) {
    ws_msg_t *m = op->msg;
    op->msg = NULL;
    if (!m) return;
    wa_ws_t *ws = op->ws;
    if (!ws) {
        msg_free(m);
        return;
    }
    list_remove(&ws->held, op);
    op->ws = NULL;
    buf_push_front(ws, m);
    dispatch(ws);
}

/* The awaiting task was cancelled after op completed: hand nothing out. */
static void op_rollback(wa_future_t *f) {
    ws_op_t *op = (ws_op_t *)f;
    if (op->taken || op->rolled_back) return;
    op->rolled_back = true;
    if (op->kind == OP_RECEIVE) {
        give_back(op);
    } else if (op->kind == OP_CONNECT && op->ws) {
        wa_ws_t *ws = op->ws;
        op->ws = NULL;
        wa_ws_free(ws);
    }
}

static void op_fini(wa_future_t *f) {
    ws_op_t *op = (ws_op_t *)f;
    if (op->ws && op->waiting) withdraw(op); /* released while pending */
    if (op->kind == OP_RECEIVE) {
        give_back(op);
    } else if (op->kind == OP_CONNECT && op->ws) {
        wa_ws_t *ws = op->ws;
        op->ws = NULL;
        wa_ws_free(ws);
    }
}

/* The waiting ops of a socket being freed: they end cancelled. */
static void cancel_all(ws_list_t *l) {
    while (l->head) op_complete(l->head, FUT_CANCELLED, WA_ECANCELLED, "the WebSocket was freed");
}

/* ---- connecting -------------------------------------------------------------- */

static int check_protocols(const wa_ws_opts_t *o, size_t *joined_len) {
    size_t n = 0;
    if (!o) {
        *joined_len = 0;
        return 0;
    }
    if (o->nprotocols && !o->protocols) return WA_EINVAL;
    for (size_t i = 0; i < o->nprotocols; i++) {
        if (!is_token(o->protocols[i])) return WA_EINVAL;
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->protocols[i], o->protocols[j]) == 0) return WA_EINVAL;
        n += strlen(o->protocols[i]) + 1;
    }
    *joined_len = n;
    return 0;
}

int wa_ws_connect_start(wa_future_t **out, const char *url, const wa_ws_opts_t *opts) {
    size_t plen = 0;
    if (!out || !url || !*url) return WA_EINVAL;
    int rc = check_protocols(opts, &plen);
    if (rc) return rc;
    char *protocols = malloc(plen + 1);
    wa_ws_t *ws = calloc(1, sizeof *ws);
    ws_op_t *op = ws ? op_new(OP_CONNECT, ws) : NULL;
    if (!protocols || !op) {
        free(protocols);
        free(ws);
        free(op);
        return WA_ENOMEM;
    }
    char *p = protocols;
    for (size_t i = 0; opts && i < opts->nprotocols; i++) {
        size_t k = strlen(opts->protocols[i]);
        if (p != protocols) *p++ = ',';
        memcpy(p, opts->protocols[i], k);
        p += k;
    }
    *p = '\0';
    ws->state = WS_CONNECTING;
    ws->max_queue = opts && opts->max_queue ? opts->max_queue : WA_WS_MAX_QUEUE_DEFAULT;
    size_t hwm = opts && opts->high_water_mark ? opts->high_water_mark : WA_WS_HIGH_WATER_DEFAULT;
    ws->high_water = hwm == SIZE_MAX ? 1e300 : (double)hwm;
    LP->ws_sockets++;
    int id = wa_host_ws_connect(ws, url, protocols, ws->max_queue);
    free(protocols);
    if (id <= 0) {
        op->ws = NULL;
        wa_release(&op->fut);
        wa_ws_free(ws);
        return id < 0 ? id : WA_EHOST;
    }
    ws->id = id;
    op_wait(op);
    *out = &op->fut;
    return 0;
}

int wa_ws_connect_finish(wa_future_t *f, wa_ws_t **out) {
    ws_op_t *op = as_op(f, OP_CONNECT);
    if (!op || !out) return WA_EINVAL;
    if (f->state == FUT_PENDING) return WA_ESTATE;
    int st = wa_future_status(f);
    if (st) return st;
    if (op->rolled_back) return WA_ECANCELLED;
    if (op->taken || !op->ws) return WA_ESTATE;
    *out = op->ws;
    op->ws = NULL;
    op->taken = true;
    return 0;
}

int wa_ws_connect(wa_ws_t **out, const char *url, const wa_ws_opts_t *opts) {
    if (!in_coro()) return WA_ENOTASK;
    if (!out) return WA_EINVAL;
    wa_future_t *op;
    int rc = wa_ws_connect_start(&op, url, opts);
    if (rc == WA_EHOST) return note_failure(rc, NO_WS_HOST);
    if (rc) return rc;
    rc = wa_await(op);
    if (rc == 0) rc = wa_ws_connect_finish(op, out);
    if (rc) note_failure(rc, wa_future_message(op));
    wa_release(op);
    return rc;
}

/* ---- sending ------------------------------------------------------------------ */

int wa_ws_send_start(wa_future_t **out, wa_ws_t *ws, int type, const void *data, size_t len) {
    if (!out || !ws || (type != WA_WS_TEXT && type != WA_WS_BINARY) || (len && !data)) return WA_EINVAL;
    if (ws->state == WS_CONNECTING) return WA_EINVAL; /* not a socket handed out */
    ws_op_t *op = op_new(OP_SEND, ws);
    if (!op) return WA_ENOMEM;
    int rc = ws->state == WS_OPEN && ws->id
                 ? wa_host_ws_send(ws->id, type, data ? data : "", len, ws->high_water, op)
                 : WA_ESHUTDOWN;
    if (rc == WA_WS_PENDING) op_wait(op);
    else if (rc == 0) op_complete(op, FUT_OK, 0, NULL);
    else op_complete(op, FUT_ERROR, rc, rc == WA_ESHUTDOWN ? "the WebSocket is closed" : NULL);
    *out = &op->fut;
    return 0;
}

int wa_ws_send_finish(wa_future_t *f) {
    ws_op_t *op = as_op(f, OP_SEND);
    if (!op) return WA_EINVAL;
    if (f->state == FUT_PENDING) return WA_ESTATE;
    return wa_future_status(f);
}

int wa_ws_send(wa_ws_t *ws, int type, const void *data, size_t len) {
    if (!in_coro()) return WA_ENOTASK;
    wa_future_t *op;
    int rc = wa_ws_send_start(&op, ws, type, data, len);
    if (rc) return rc;
    rc = wa_await(op);
    if (rc == 0) rc = wa_ws_send_finish(op);
    if (rc) note_failure(rc, wa_future_message(op));
    wa_release(op);
    return rc;
}

int wa_ws_send_text(wa_ws_t *ws, const char *text) {
    if (!text) return in_coro() ? WA_EINVAL : WA_ENOTASK;
    return wa_ws_send(ws, WA_WS_TEXT, text, strlen(text));
}

/* ---- receiving ------------------------------------------------------------------ */

int wa_ws_receive_start(wa_future_t **out, wa_ws_t *ws) {
    if (!out || !ws || ws->state == WS_CONNECTING) return WA_EINVAL;
    ws_op_t *op = op_new(OP_RECEIVE, ws);
    if (!op) return WA_ENOMEM;
    op_wait(op); /* last in line; dispatch serves it in turn */
    dispatch(ws);
    *out = &op->fut;
    return 0;
}

int wa_ws_receive_finish(wa_future_t *f, wa_ws_message_t *msg) {
    ws_op_t *op = as_op(f, OP_RECEIVE);
    if (!op || !msg) return WA_EINVAL;
    if (f->state == FUT_PENDING) return WA_ESTATE;
    int st = wa_future_status(f);
    if (st) return st;
    if (op->rolled_back) return WA_ECANCELLED;
    if (op->taken || !op->msg) return WA_ESTATE;
    ws_msg_t *m = op->msg;
    op->msg = NULL;
    op->taken = true;
    if (op->ws) list_remove(&op->ws->held, op);
    op->ws = NULL;
    msg->type = m->type;
    msg->data = m->data;
    msg->len = m->len;
    free(m);
    return 0;
}

int wa_ws_receive(wa_ws_t *ws, wa_ws_message_t *msg) {
    if (!in_coro()) return WA_ENOTASK;
    if (!msg) return WA_EINVAL;
    wa_future_t *op;
    int rc = wa_ws_receive_start(&op, ws);
    if (rc) return rc;
    rc = wa_await(op);
    if (rc == 0) rc = wa_ws_receive_finish(op, msg);
    /* the end of the stream is not the task's failure */
    if (rc && rc != WA_ESHUTDOWN) note_failure(rc, wa_future_message(op));
    wa_release(op);
    return rc;
}

/* ---- closing ---------------------------------------------------------------------- */

static bool valid_close(int code, const char *reason) {
    if (code != 1000 && code != 1001 && !(code >= 3000 && code <= 4999)) return false;
    return !reason || strlen(reason) <= 123;
}

int wa_ws_close_start(wa_future_t **out, wa_ws_t *ws, int code, const char *reason) {
    if (!out || !ws || ws->state == WS_CONNECTING || !valid_close(code, reason)) return WA_EINVAL;
    ws_op_t *op = op_new(OP_CLOSE, ws);
    if (!op) return WA_ENOMEM;
    if (ws->state == WS_CLOSED) {
        op_complete(op, FUT_OK, 0, NULL);
    } else {
        if (ws->state == WS_OPEN) {
            ws->state = WS_CLOSING;
            wa_host_ws_close(ws->id, code, reason ? reason : "");
        }
        op_wait(op);
    }
    *out = &op->fut;
    return 0;
}

int wa_ws_close(wa_ws_t *ws, int code, const char *reason) {
    if (!in_coro()) return WA_ENOTASK;
    wa_future_t *op;
    int rc = wa_ws_close_start(&op, ws, code, reason);
    if (rc) return rc;
    rc = wa_await(op);
    if (rc) note_failure(rc, wa_future_message(op));
    wa_release(op);
    return rc;
}

/* ---- accessors and freeing ------------------------------------------------------- */

bool wa_ws_closed(const wa_ws_t *ws) { return ws && ws->state == WS_CLOSED; }

int wa_ws_close_code(const wa_ws_t *ws) { return ws && ws->state == WS_CLOSED ? ws->close_code : 0; }

const char *wa_ws_close_reason(const wa_ws_t *ws) {
    if (!ws) return NULL;
    return ws->state == WS_CLOSED && ws->close_reason ? ws->close_reason : "";
}

bool wa_ws_was_clean(const wa_ws_t *ws) { return ws && ws->state == WS_CLOSED && ws->clean; }

const char *wa_ws_protocol(const wa_ws_t *ws) {
    if (!ws) return NULL;
    return ws->protocol ? ws->protocol : "";
}

size_t wa_ws_buffered(const wa_ws_t *ws) { return ws ? ws->count : 0; }

void wa_ws_free(wa_ws_t *ws) {
    if (!ws) return;
    int id = ws->id;
    ws->id = 0;
    if (id) wa_host_ws_free(id, 1000);
    if (ws->connect) {
        ws_op_t *op = ws->connect;
        op_unwait(op);
        op->ws = NULL;
        if (op->fut.state == FUT_PENDING)
            wa__future_complete(&op->fut, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL,
                                wa__strdup("the WebSocket was freed"));
    }
    cancel_all(&ws->receives);
    cancel_all(&ws->sends);
    cancel_all(&ws->closes);
    while (ws->held.head) { /* their messages stay theirs */
        ws_op_t *op = ws->held.head;
        list_remove(&ws->held, op);
        op->ws = NULL;
    }
    while (ws->head) msg_free(buf_pop(ws));
    free(ws->close_reason);
    free(ws->protocol);
    LP->ws_sockets--;
    free(ws);
}

void wa_ws_get_stats(wa_ws_stats_t *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    out->sockets = LP->ws_sockets;
    out->pending = LP->ws_pending;
    int h = wa_host_ws_handles();
    out->host_handles = h > 0 ? (size_t)h : 0;
}

/* ---- host completions ---------------------------------------------------------- */

WA_EXPORT void *wa__ws_alloc(size_t n) { return malloc(n ? n : 1); }

WA_EXPORT void wa__ws_on_open(wa_ws_t *ws, int id, char *protocol) {
    if (!ws || !id || ws->id != id || ws->state != WS_CONNECTING || !ws->connect) {
        free(protocol);
        return;
    }
    ws->protocol = protocol;
    ws->state = WS_OPEN;
    op_complete(ws->connect, FUT_OK, 0, NULL);
}

WA_EXPORT void wa__ws_on_message(wa_ws_t *ws, int id, int type, char *data, size_t len) {
    if (!ws || !id || ws->id != id || !data) {
        free(data);
        return;
    }
    ws_msg_t *m = malloc(sizeof *m);
    if (!m) {
        /* cannot keep it: better a closed socket than a hole in the stream */
        free(data);
        int hid = ws->id;
        ws->id = 0;
        wa_host_ws_free(hid, 1011);
        ws->close_code = 1006;
        ws->close_reason = wa__strdup("out of memory receiving a message");
        closed(ws);
        return;
    }
    m->type = type == WA_WS_BINARY ? WA_WS_BINARY : WA_WS_TEXT;
    m->data = data;
    m->len = len;
    buf_push_back(ws, m);
    dispatch(ws);
}

WA_EXPORT void wa__ws_on_sent(wa_ws_t *ws, int id, void *token) {
    if (!ws || !id || ws->id != id) return;
    for (ws_op_t *op = ws->sends.head; op; op = op->next)
        if (op == token) {
            op_complete(op, FUT_OK, 0, NULL);
            return;
        }
}

WA_EXPORT void wa__ws_on_close(wa_ws_t *ws, int id, int code, char *reason, int clean) {
    if (!ws || !id || ws->id != id) {
        free(reason);
        return;
    }
    ws->id = 0; /* the host ended the handle */
    if (ws->state == WS_CONNECTING) {
        ws_op_t *op = ws->connect;
        if (op) {
            op_complete(op, FUT_ERROR, WA_ENETWORK, reason ? reason : "the WebSocket connection failed");
            op->ws = NULL;
        }
        free(reason);
        wa_ws_free(ws);
        return;
    }
    ws->close_code = code;
    ws->close_reason = reason;
    ws->clean = clean != 0;
    closed(ws);
}
