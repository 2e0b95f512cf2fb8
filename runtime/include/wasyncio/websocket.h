/*
 * wasyncio/websocket.h — WebSocket clients through the host's socket.
 *
 * Part of the C API; include "wasyncio.h", which includes this file.
 */
#ifndef WASYNCIO_WEBSOCKET_H
#define WASYNCIO_WEBSOCKET_H

#include "../wasyncio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* WebSocket connections driven by the loop, on the same host socket as the
 * JS connectWebSocket: the browser's WebSocket (windows, workers, Node 22+)
 * or, on Node 20, the bindings' own RFC 6455 client. A receive, a send
 * waiting under backpressure, a close or a connect suspends only the
 * calling task.
 *
 * Hosts: Emscripten builds in browsers and under Node (loaded through the
 * bindings, e.g. `node bindings/run-c.mjs prog.mjs`, or a Runtime's module).
 * Native and WASI builds have no sockets: every connect returns WA_EHOST.
 *
 * Messages: every message received waits in the socket's receive buffer
 * until taken, in order. At most max_queue wait; past that the socket
 * stops reading (Node: TCP pushes back on the sender) or, where the host
 * cannot pause a WebSocket (browsers), the connection closes with 1009
 * once twice max_queue pile up (as the JS binding does).
 *
 * Failures are status codes:
 *   WA_ENETWORK   the connection could not be opened (refused, the server
 *                 answered HTTP instead of switching protocols ...), with a
 *                 message (the op future's, or the task's failure message)
 *   WA_ESHUTDOWN  the connection is closed: a send on it, or a receive once
 *                 every message that came before the close was taken. Why
 *                 it closed: wa_ws_close_code / wa_ws_close_reason (1006:
 *                 the peer vanished without a close frame)
 *   WA_ECANCELLED the waiting task, or the operation future, was cancelled
 *   WA_EHOST      no WebSocket on this host (native, WASI)
 *   WA_EINVAL     a bad argument (nothing was done)
 *
 * Cancellation (of the task, or of an operation future):
 *   connect  withdrawn; a socket that opens anyway is closed (1001)
 *   receive  withdrawn, nothing taken: the message stays first in the buffer,
 *            also if the task is cancelled just after the receive completed
 *            (the message is given back)
 *   send     withdrawn if it was still waiting for the send buffer to
 *            drain (nothing is sent); once handed to the host it is sent
 *   close    the close handshake goes on; only the wait is withdrawn
 *
 * Every waiting call comes in two forms, as fetch.h's: the coroutine form
 * (call it from a coroutine task; WA_ENOTASK elsewhere; a failure's message
 * becomes the task's failure message, as wa_fail) and the operation form
 * (_start hands out a future, one reference: wa_release it; await it any
 * way, wa_wait, wa_wait_for, gather ...; _finish takes the outcome).
 *
 * Ownership: a socket is the caller's from connect until wa_ws_free.
 * Messages received are malloc'd for the caller (free(msg.data)). Data to
 * send and the URL, protocols and reason are copied when the call starts.
 */

/* A WebSocket connection (client side). */
typedef struct wa_ws wa_ws_t;

/* Message types. */
enum {
    WA_WS_TEXT = 1,   /* UTF-8 text                                          */
    WA_WS_BINARY = 2, /* bytes                                               */
};

/* Default receive buffer (messages) and send high-water mark (bytes). */
#define WA_WS_MAX_QUEUE_DEFAULT 64
#define WA_WS_HIGH_WATER_DEFAULT ((size_t)1 << 20)

/* Connect options. Zero-initialise; NULL means all defaults. */
typedef struct wa_ws_opts {
    const char *const *protocols; /* nprotocols subprotocol names offered
                                     (HTTP tokens), or NULL               */
    size_t nprotocols;
    size_t max_queue;             /* messages buffered before the socket
                                     stops reading; 0: the default (64)    */
    size_t high_water_mark;       /* a send waits while more bytes than this
                                     wait to be sent; 0: the default
                                     (1 MiB); SIZE_MAX: never waits        */
} wa_ws_opts_t;

/* A message received. data is malloc'd (free() it) and NUL-terminated, so
 * text is a C string; len does not count the NUL. */
typedef struct wa_ws_message {
    int type;   /* WA_WS_TEXT or WA_WS_BINARY */
    char *data;
    size_t len;
} wa_ws_message_t;

/* Open a connection to url (ws: or wss:; in browsers also relative to the
 * page) and suspend until it is open. *out receives the socket (free it
 * with wa_ws_free). Returns 0, WA_ENETWORK, WA_ECANCELLED, WA_EHOST;
 * WA_EINVAL if out or url is NULL or bad, a protocol is not a token or is
 * offered twice; WA_ENOTASK outside a coroutine task; WA_ENOMEM. */
WA_API int wa_ws_connect(wa_ws_t **out, const char *url, const wa_ws_opts_t *opts);

/* Operation form of wa_ws_connect: *op receives a future done when the
 * socket is open or the attempt failed. Argument errors as wa_ws_connect
 * (nothing started, *op untouched); WA_EHOST at once where there are no
 * sockets. */
WA_API int wa_ws_connect_start(wa_future_t **op, const char *url, const wa_ws_opts_t *opts);

/* Take the socket of a done wa_ws_connect_start future: returns its status
 * (0: *out receives the socket, now the caller's); WA_ESTATE if pending or
 * already taken; WA_EINVAL if op is not such a future or out is NULL. Still
 * wa_release(op) after. */
WA_API int wa_ws_connect_finish(wa_future_t *op, wa_ws_t **out);

/* Send a message of type WA_WS_TEXT (data must be UTF-8) or WA_WS_BINARY:
 * suspends first while more than the high-water mark of bytes wait to be
 * sent, then hands a copy to the host. Sends keep their order, also when
 * they waited. Returns 0, WA_ESHUTDOWN (closed or closing), WA_ECANCELLED;
 * WA_EINVAL if ws is NULL, type is unknown, or data is NULL with len > 0;
 * WA_ENOTASK outside a coroutine task. */
WA_API int wa_ws_send(wa_ws_t *ws, int type, const void *data, size_t len);

/* wa_ws_send of a NUL-terminated text. */
WA_API int wa_ws_send_text(wa_ws_t *ws, const char *text);

/* Operation form of wa_ws_send (data is copied now). The future is done
 * once the message was handed to the host, or with the status. */
WA_API int wa_ws_send_start(wa_future_t **op, wa_ws_t *ws, int type, const void *data, size_t len);

/* Status of a done wa_ws_send_start future: 0 (sent), or its failure;
 * WA_ESTATE if pending; WA_EINVAL if op is not such a future. */
WA_API int wa_ws_send_finish(wa_future_t *op);

/* Take the next message, suspending until one is there. *msg receives it
 * (free(msg->data)). Returns 0; WA_ESHUTDOWN once the connection closed and
 * every message was taken; WA_ECANCELLED (nothing taken); WA_EINVAL if ws
 * or msg is NULL; WA_ENOTASK outside a coroutine task. Several tasks may
 * wait: they are served in order. */
WA_API int wa_ws_receive(wa_ws_t *ws, wa_ws_message_t *msg);

/* Operation form of wa_ws_receive: *op receives a future done when a
 * message is there (or the socket is closed and drained). */
WA_API int wa_ws_receive_start(wa_future_t **op, wa_ws_t *ws);

/* Take the message of a done wa_ws_receive_start future: its status (0:
 * *msg receives the message, now the caller's). WA_ESTATE if pending or
 * already taken; WA_EINVAL if op is not such a future or msg is NULL. A
 * message not taken goes back to the front of the buffer when the future
 * is released, so nothing is lost. */
WA_API int wa_ws_receive_finish(wa_future_t *op, wa_ws_message_t *msg);

/* Close with code (1000, 1001, or 3000-4999) and reason (UTF-8, at most
 * 123 bytes; NULL: "") and suspend until the connection is closed.
 * Returns 0 (also if it was closed already: the close code stays the first
 * one); WA_ECANCELLED; WA_EINVAL for a bad ws, code or reason; WA_ENOTASK
 * outside a coroutine task. Messages received before the close can still
 * be taken afterwards. */
WA_API int wa_ws_close(wa_ws_t *ws, int code, const char *reason);

/* Operation form of wa_ws_close: starts the close, *op receives a future
 * done once the connection is closed (its status: 0). */
WA_API int wa_ws_close_start(wa_future_t **op, wa_ws_t *ws, int code, const char *reason);

/* True once the connection is closed (by either side or lost). */
WA_API bool wa_ws_closed(const wa_ws_t *ws);

/* The close code (1000 normal, 1006 lost without a close frame, the peer's
 * code otherwise), or 0 while open or if ws is NULL. */
WA_API int wa_ws_close_code(const wa_ws_t *ws);

/* The close reason ("" while open; borrowed, lives as long as ws). NULL
 * only if ws is NULL. */
WA_API const char *wa_ws_close_reason(const wa_ws_t *ws);

/* True if the close handshake completed (both close frames). */
WA_API bool wa_ws_was_clean(const wa_ws_t *ws);

/* The subprotocol the server chose ("" if none; borrowed). NULL only if ws
 * is NULL. */
WA_API const char *wa_ws_protocol(const wa_ws_t *ws);

/* Messages waiting in the receive buffer (0 if ws is NULL). */
WA_API size_t wa_ws_buffered(const wa_ws_t *ws);

/* Free a socket: an open connection is closed (1000, no wait), pending
 * operations end with WA_ECANCELLED, buffered messages are dropped. NULL
 * is ignored. */
WA_API void wa_ws_free(wa_ws_t *ws);

/* Live WebSocket objects, for leak checks and monitoring. */
typedef struct wa_ws_stats {
    size_t sockets;      /* sockets (and connect attempts) not yet freed   */
    size_t pending;      /* operations waiting                             */
    size_t host_handles; /* host-side sockets still held (JS)              */
} wa_ws_stats_t;

/* Fill *out with the counts above (nothing if out is NULL). */
WA_API void wa_ws_get_stats(wa_ws_stats_t *out);

#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_WEBSOCKET_H */
