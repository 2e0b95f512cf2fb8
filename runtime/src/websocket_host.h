/* The host side of WebSocket (websocket.c): what a host implements.
 *   web (Emscripten): runtime/host/emscripten/library_websocket.js, on the
 *                     bindings' socket opener (Module.wasyncioOpenWebSocket:
 *                     the host WebSocket, or ws_node.js on Node 20) or the
 *                     global WebSocket
 *   native / WASI:    runtime/host/native/websocket_native.c, WA_EHOST only
 *
 * A socket is a host handle: an id > 0 the host keeps until the connection
 * is closed (it reports that with wa__ws_on_close, after removing the
 * handle) or C lets go of it (wa_host_ws_free). Nothing is called back for
 * a handle after either, so the wa_ws_t the host calls back with is alive
 * whenever its handle is. Completions only complete futures: no user code
 * runs inside them. */
#ifndef WASYNCIO_WEBSOCKET_HOST_H
#define WASYNCIO_WEBSOCKET_HOST_H

#include "wasyncio.h"

/* wa_host_ws_send: the message waits for the send buffer to drain;
 * wa__ws_on_sent follows once it was handed to the socket. */
#define WA_WS_PENDING (-1000)

/* Start connecting ws to url; protocols is a comma-separated list ("" for
 * none). Returns a handle id > 0 (wa__ws_on_open or wa__ws_on_close
 * follows), or at once WA_EINVAL (the host refuses the URL or a protocol)
 * or WA_EHOST (no WebSocket here). */
int wa_host_ws_connect(wa_ws_t *ws, const char *url, const char *protocols, size_t max_queue);

/* Send len bytes of data (type WA_WS_TEXT or WA_WS_BINARY; copied now) on
 * an open handle. Returns 0 (handed to the socket), WA_WS_PENDING (more
 * than high_water bytes wait to be sent, or earlier messages still wait:
 * it is sent after them, then wa__ws_on_sent(token)), or WA_ESHUTDOWN. */
int wa_host_ws_send(int id, int type, const void *data, size_t len, double high_water, void *token);

/* Drop a message still waiting (WA_WS_PENDING): it is not sent and no
 * wa__ws_on_sent comes for token. */
void wa_host_ws_send_cancel(int id, void *token);

/* Stop (1) or resume (0) reading from the socket: the receive buffer is
 * full. Where reading cannot stop, the host closes with 1009 once another
 * max_queue messages came while stopped. */
void wa_host_ws_pause(int id, int paused);

/* Start the close handshake (code, reason already checked). */
void wa_host_ws_close(int id, int code, const char *reason);

/* Let go of a handle: a socket still open or opening is closed with code
 * (1000; 1001 for a withdrawn connect). Nothing is called back after. */
void wa_host_ws_free(int id, int code);

/* Handles the host still holds. */
int wa_host_ws_handles(void);

/* Completions (exported; called by the host only). Buffers passed in were
 * allocated with wa__ws_alloc and become C's. */
void *wa__ws_alloc(size_t n);
/* The connection is open; protocol is the chosen subprotocol (may be NULL). */
void wa__ws_on_open(wa_ws_t *ws, int id, char *protocol);
/* A message: len bytes (+ a NUL) in data. */
void wa__ws_on_message(wa_ws_t *ws, int id, int type, char *data, size_t len);
/* A message that waited (token) was handed to the socket. */
void wa__ws_on_sent(wa_ws_t *ws, int id, void *token);
/* The connection closed, or (not open yet) could not be opened: then
 * reason is the failure's message. The handle is ended. */
void wa__ws_on_close(wa_ws_t *ws, int id, int code, char *reason, int clean);

#endif
