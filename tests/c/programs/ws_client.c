/* The C WebSocket client (websocket.h) against a real server:
 * `ws_client SCENARIO [BASE_URL [BASE_URL2]]`, BASE_URL like
 * ws://127.0.0.1:PORT/ (backpressure: the stalling server, then the echo).
 * tests/js/c_websocket.test.mjs runs it as wasm under Node against
 * WebApp's ws routes and a raw server on 127.0.0.1, and natively, where
 * every connect is WA_EHOST. Prints one line per observation; exits 0 when
 * the scenario's checks held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasyncio.h"

static const char *scenario;
static const char *base;
static const char *base2; /* backpressure: the echo server's base URL */

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);                  \
            return WA_EFAILED;                                                       \
        }                                                                            \
    } while (0)

static char url_buf[512];

static const char *url(const char *path) {
    snprintf(url_buf, sizeof url_buf, "%s%s", base ? base : "ws://127.0.0.1:9/", path);
    return url_buf;
}

static void print_close(wa_ws_t *ws) {
    printf("closed %d '%s' %s\n", wa_ws_close_code(ws), wa_ws_close_reason(ws),
           wa_ws_was_clean(ws) ? "clean" : "unclean");
}

/* Bad arguments on every host; natively, connect is WA_EHOST. */
static int args(void) {
    wa_future_t *op = NULL;
    wa_ws_t *ws = NULL;
    const char *dup[] = {"chat", "chat"};
    const char *bad[] = {"no spaces"};
    wa_ws_opts_t o = {0};
    CHECK(wa_ws_connect(NULL, url("echo"), NULL) == WA_EINVAL);
    CHECK(wa_ws_connect(&ws, NULL, NULL) == WA_EINVAL);
    CHECK(wa_ws_connect_start(&op, "", NULL) == WA_EINVAL);
    o.protocols = dup;
    o.nprotocols = 2;
    CHECK(wa_ws_connect(&ws, url("echo"), &o) == WA_EINVAL);
    o.protocols = bad;
    o.nprotocols = 1;
    CHECK(wa_ws_connect(&ws, url("echo"), &o) == WA_EINVAL);
    o.protocols = NULL;
    CHECK(wa_ws_connect(&ws, url("echo"), &o) == WA_EINVAL);
    CHECK(wa_ws_send(NULL, WA_WS_TEXT, "x", 1) == WA_EINVAL);
    CHECK(wa_ws_send_text(NULL, "x") == WA_EINVAL);
    CHECK(wa_ws_receive(NULL, NULL) == WA_EINVAL);
    CHECK(wa_ws_close(NULL, 1000, "") == WA_EINVAL);
    CHECK(wa_ws_receive_finish(NULL, NULL) == WA_EINVAL);
    CHECK(wa_ws_close_code(NULL) == 0 && wa_ws_close_reason(NULL) == NULL && wa_ws_protocol(NULL) == NULL);
    CHECK(wa_ws_buffered(NULL) == 0 && !wa_ws_closed(NULL) && !wa_ws_was_clean(NULL));
    wa_ws_free(NULL);
    CHECK(op == NULL);
    printf("bad arguments: WA_EINVAL\n");
    int rc = wa_ws_connect(&ws, "ws://127.0.0.1:9/", NULL);
    printf("connect: %s\n", rc == WA_EHOST ? "WA_EHOST" : rc == WA_ENETWORK ? "WA_ENETWORK" : wa_strerror(rc));
    return 0;
}

/* Text and binary round trips, a close with code and reason; a closed
 * socket says so. */
static int echo(void) {
    wa_ws_t *ws;
    wa_ws_message_t m;
    int rc = wa_ws_connect(&ws, url("echo"), NULL);
    if (rc) return rc;
    CHECK(wa_ws_send_text(ws, "hi") == 0);
    CHECK(wa_ws_receive(ws, &m) == 0);
    printf("text %d: %s\n", m.type == WA_WS_TEXT, m.data);
    free(m.data);
    const unsigned char bytes[] = {1, 2, 0, 3};
    CHECK(wa_ws_send(ws, WA_WS_BINARY, bytes, sizeof bytes) == 0);
    CHECK(wa_ws_receive(ws, &m) == 0);
    printf("binary %d: %zu bytes %d %d %d %d\n", m.type == WA_WS_BINARY, m.len, m.data[0], m.data[1],
           m.data[2], m.data[3]);
    free(m.data);
    CHECK(wa_ws_close(ws, 1000, "done") == 0);
    CHECK(wa_ws_closed(ws));
    print_close(ws);
    CHECK(wa_ws_send_text(ws, "late") == WA_ESHUTDOWN);
    CHECK(wa_ws_receive(ws, &m) == WA_ESHUTDOWN);
    CHECK(wa_ws_close(ws, 1000, "again") == 0);
    CHECK(wa_ws_close(ws, 999, "") == WA_EINVAL);
    printf("after close: send WA_ESHUTDOWN, receive WA_ESHUTDOWN\n");
    wa_ws_free(ws);
    return 0;
}

/* The server closes with its code: messages before it are still taken. */
static int bye(void) {
    wa_ws_t *ws;
    wa_ws_message_t m;
    int rc = wa_ws_connect(&ws, url("bye"), NULL);
    if (rc) return rc;
    CHECK(wa_ws_receive(ws, &m) == WA_ESHUTDOWN);
    print_close(ws);
    wa_ws_free(ws);
    return 0;
}

static int receiver(void *arg) {
    wa_ws_message_t m;
    int rc = wa_ws_receive(arg, &m);
    if (rc == 0) {
        printf("a cancelled receiver took '%s'!\n", m.data);
        free(m.data);
    }
    return rc;
}

/* Cancelled receives take nothing: a waiting receive cancelled (task and
 * timeout), a receive done but never taken; the socket stays usable. */
static int cancel(void) {
    wa_ws_t *ws;
    wa_ws_message_t m;
    int rc = wa_ws_connect(&ws, url("echo"), NULL);
    if (rc) return rc;
    /* a receiving task cancelled while it waits */
    wa_task_t *t;
    CHECK(wa_spawn(&t, receiver, ws, NULL) == 0);
    CHECK(wa_sleep(0) == 0); /* it runs and waits */
    CHECK(wa_cancel(t, "stop") == 1);
    CHECK(wa_await(t) == WA_ECANCELLED);
    wa_release(t);
    /* a receive timed out */
    wa_future_t *op;
    CHECK(wa_ws_receive_start(&op, ws) == 0);
    CHECK(wa_wait_for(op, 20) == WA_ETIMEDOUT);
    wa_release(op);
    /* a receive that completed but was never taken gives its message back */
    CHECK(wa_ws_send_text(ws, "one") == 0);
    CHECK(wa_ws_send_text(ws, "two") == 0);
    CHECK(wa_ws_receive_start(&op, ws) == 0);
    CHECK(wa_await(op) == 0);
    wa_release(op);
    CHECK(wa_ws_receive(ws, &m) == 0);
    printf("after cancelled receives: %s\n", m.data);
    free(m.data);
    CHECK(wa_ws_receive(ws, &m) == 0);
    printf("then: %s\n", m.data);
    free(m.data);
    /* a connect withdrawn */
    CHECK(wa_ws_connect_start(&op, url("echo"), NULL) == 0);
    CHECK(wa_cancel(op, "no") == 1);
    wa_ws_t *none = NULL;
    CHECK(wa_ws_connect_finish(op, &none) == WA_ECANCELLED && !none);
    wa_release(op);
    CHECK(wa_ws_close(ws, 1000, "") == 0);
    wa_ws_free(ws);
    wa_ws_stats_t st;
    wa_ws_get_stats(&st);
    printf("stats: sockets %zu pending %zu host %zu\n", st.sockets, st.pending, st.host_handles);
    return 0;
}

/* A slow reader: the buffer fills (max_queue 4), the socket stops reading
 * and the server is held back; then every message comes, in order. */
static int flood(void) {
    wa_ws_t *ws;
    wa_ws_message_t m;
    wa_ws_opts_t o = {.max_queue = 4};
    int rc = wa_ws_connect(&ws, url("flood/200"), &o);
    if (rc) return rc;
    while (wa_ws_buffered(ws) < 4) CHECK(wa_sleep(5) == 0);
    CHECK(wa_sleep(200) == 0); /* idle with a full buffer */
    printf("idle with %zu buffered\n", wa_ws_buffered(ws));
    fflush(stdout);
    int n = 0;
    while ((rc = wa_ws_receive(ws, &m)) == 0) {
        CHECK(m.type == WA_WS_BINARY && m.len == 64 * 1024);
        CHECK((unsigned char)m.data[0] == (n & 255) && (unsigned char)m.data[m.len - 1] == (n & 255));
        free(m.data);
        n++;
    }
    CHECK(rc == WA_ESHUTDOWN);
    printf("received %d in order\n", n);
    print_close(ws);
    wa_ws_free(ws);
    return 0;
}

/* Sending under backpressure: to a server that never reads, a send waits
 * once the send buffer is over the mark, and cancelling it withdraws it;
 * to an echo, sends that waited keep their order. */
static int backpressure(void) {
    wa_ws_t *ws;
    wa_ws_message_t m;
    wa_ws_opts_t o = {.high_water_mark = 1};
    size_t big = 1 << 20;
    char *buf = malloc(big);
    CHECK(buf != NULL);
    int rc = wa_ws_connect(&ws, url("stall"), &o);
    if (rc) return rc;
    wa_future_t *op = NULL;
    int sent = 0;
    for (;;) {
        CHECK(wa_ws_send_start(&op, ws, WA_WS_BINARY, buf, big) == 0);
        if (!wa_future_done(op)) break;
        CHECK(wa_ws_send_finish(op) == 0);
        wa_release(op);
        CHECK(++sent < 1000);
    }
    printf("a send waits under backpressure\n");
    CHECK(wa_cancel(op, "enough") == 1);
    CHECK(wa_ws_send_finish(op) == WA_ECANCELLED);
    wa_release(op);
    wa_ws_free(ws);
    /* order kept through waiting sends */
    if (base2) base = base2;
    rc = wa_ws_connect(&ws, url("echo"), &o);
    if (rc) return rc;
    wa_future_t *ops[8];
    for (int i = 0; i < 8; i++) {
        memset(buf, i, 256 * 1024);
        CHECK(wa_ws_send_start(&ops[i], ws, WA_WS_BINARY, buf, 256 * 1024) == 0);
    }
    for (int i = 0; i < 8; i++) {
        CHECK(wa_await(ops[i]) == 0 && wa_ws_send_finish(ops[i]) == 0);
        wa_release(ops[i]);
    }
    for (int i = 0; i < 8; i++) {
        CHECK(wa_ws_receive(ws, &m) == 0);
        CHECK(m.len == 256 * 1024 && m.data[0] == i && m.data[m.len - 1] == i);
        free(m.data);
    }
    printf("8 sends echoed in order\n");
    CHECK(wa_ws_close(ws, 4002, "bp done") == 0);
    print_close(ws);
    wa_ws_free(ws);
    free(buf);
    return 0;
}

/* The server vanishes (no close frame): what it sent before is taken, then
 * the end, with 1006; a refused connection is WA_ENETWORK. */
static int vanish(void) {
    wa_ws_t *ws;
    wa_ws_message_t m;
    int rc = wa_ws_connect(&ws, url("vanish"), NULL);
    if (rc) return rc;
    CHECK(wa_ws_receive(ws, &m) == 0);
    printf("before vanishing: %s\n", m.data);
    free(m.data);
    CHECK(wa_ws_receive(ws, &m) == WA_ESHUTDOWN);
    print_close(ws);
    CHECK(wa_ws_send_text(ws, "anyone?") == WA_ESHUTDOWN);
    wa_ws_free(ws);
    wa_future_t *op;
    CHECK(wa_ws_connect_start(&op, url("refused"), NULL) == 0);
    CHECK(wa_await(op) == WA_ENETWORK);
    printf("not a WebSocket server: WA_ENETWORK (%s)\n", wa_future_message(op) ? "with a message" : "no message");
    wa_release(op);
    return 0;
}

static int amain(void *arg) {
    (void)arg;
    if (strcmp(scenario, "args") == 0) return args();
    if (strcmp(scenario, "echo") == 0) return echo();
    if (strcmp(scenario, "bye") == 0) return bye();
    if (strcmp(scenario, "cancel") == 0) return cancel();
    if (strcmp(scenario, "flood") == 0) return flood();
    if (strcmp(scenario, "backpressure") == 0) return backpressure();
    if (strcmp(scenario, "vanish") == 0) return vanish();
    printf("unknown scenario %s\n", scenario);
    return WA_EINVAL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ws_client SCENARIO [BASE_URL]\n");
        return 2;
    }
    scenario = argv[1];
    base = argc > 2 ? argv[2] : NULL;
    base2 = argc > 3 ? argv[3] : NULL;
    int rc = wa_run(amain, NULL);
    if (rc) fprintf(stderr, "ws_client %s: %s\n", scenario, wa_strerror(rc));
    return rc == 0 ? 0 : 1;
}
