/* Native host: no fetch. Every request fails at once with WA_EHOST ("fetch
 * needs a web host"); the tests that use fetch run as wasm (Node, browsers). */
#include "../../src/internal.h"
#include "../../src/fetch_host.h"

int wa_host_fetch_start(wa_response_t *r, const char *url, const char *method,
                        const wa_header_t *headers, size_t nheaders,
                        const void *body, size_t body_len, int redirect) {
    (void)r, (void)url, (void)method, (void)headers, (void)nheaders;
    (void)body, (void)body_len, (void)redirect;
    return WA_EHOST;
}

int wa_host_fetch_read(int id, void *buf, size_t cap) {
    (void)id, (void)buf, (void)cap;
    return WA_EHOST;
}

int wa_host_fetch_body(int id, size_t max) {
    (void)id, (void)max;
    return WA_EHOST;
}

void wa_host_fetch_abort(int id) { (void)id; }

int wa_host_fetch_handles(void) { return 0; }
