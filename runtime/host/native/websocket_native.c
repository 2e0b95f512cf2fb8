/* Native (and WASI) host: no sockets. Every connect fails at once with
 * WA_EHOST; the tests that use WebSocket run as wasm under Node. */
#include "../../src/internal.h"
#include "../../src/websocket_host.h"

int wa_host_ws_connect(wa_ws_t *ws, const char *url, const char *protocols, size_t max_queue) {
    (void)ws, (void)url, (void)protocols, (void)max_queue;
    return WA_EHOST;
}

int wa_host_ws_send(int id, int type, const void *data, size_t len, double high_water, void *token) {
    (void)id, (void)type, (void)data, (void)len, (void)high_water, (void)token;
    return WA_ESHUTDOWN;
}

void wa_host_ws_send_cancel(int id, void *token) { (void)id, (void)token; }

void wa_host_ws_pause(int id, int paused) { (void)id, (void)paused; }

void wa_host_ws_close(int id, int code, const char *reason) { (void)id, (void)code, (void)reason; }

void wa_host_ws_free(int id, int code) { (void)id, (void)code; }

int wa_host_ws_handles(void) { return 0; }
