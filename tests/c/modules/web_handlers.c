/* C coroutine handlers for the HTTP server (bindings/web.js), loaded by
 * tests/js/web.test.mjs: the request comes as a JSON string, the body goes
 * back as the task's string result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasyncio.h"

/* The value of "key":"..." in a flat JSON text (no escapes: a test). */
static int json_field(const char *json, const char *key, char *out, size_t cap) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(json, pat);
    if (!p) return -1;
    p += strlen(pat);
    const char *e = strchr(p, '"');
    if (!e || (size_t)(e - p) >= cap) return -1;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = 0;
    return 0;
}

/* GET /c/hello/{name}: "Hello, {name}" after a short await (a real
 * coroutine); 404 for "nobody". */
static int hello_handler(void *arg) {
    const wa_value_t *req = arg;
    if (!req || req->type != WA_VALUE_STRING) return wa_fail(WA_EINVAL, "hello_handler: expected the request as JSON");
    char name[64];
    if (json_field(req->u.string, "name", name, sizeof name) != 0) return wa_fail(400, "no name");
    int rc = wa_sleep(5);
    if (rc) return rc;
    if (!strcmp(name, "nobody")) return wa_fail(404, "no such person: %s", name);
    char out[96];
    snprintf(out, sizeof out, "Hello, %s", name);
    return wa_return_string(out);
}
WA_EXPORT_CORO(hello_handler)

/* GET /hello/{name}: "Hello, {name}" at once (bench/server.mjs: the
 * tutorials' handler, next to the same in JS, node:http and aiohttp). */
static int hello_now_handler(void *arg) {
    const wa_value_t *req = arg;
    if (!req || req->type != WA_VALUE_STRING) return wa_fail(WA_EINVAL, "hello_now_handler: expected the request as JSON");
    char name[64];
    if (json_field(req->u.string, "name", name, sizeof name) != 0) return wa_fail(400, "no name");
    char out[96];
    snprintf(out, sizeof out, "Hello, %s", name);
    return wa_return_string(out);
}
WA_EXPORT_CORO(hello_now_handler)

/* GET /c/slow: sleeps 10 s unless cancelled (the client goes away). */
static int slow_handler(void *arg) {
    (void)arg;
    int rc = wa_sleep(10000);
    if (rc) return rc;
    return wa_return_string("slow done");
}
WA_EXPORT_CORO(slow_handler)

/* POST /c/echo: "got {body}" (a body is read before the coroutine runs);
 * 422 for an empty body. */
static int echo_handler(void *arg) {
    const wa_value_t *req = arg;
    if (!req || req->type != WA_VALUE_STRING) return wa_fail(WA_EINVAL, "echo_handler: expected the request as JSON");
    char body[64];
    if (json_field(req->u.string, "body", body, sizeof body) != 0) return wa_fail(400, "no body");
    if (!body[0]) return wa_fail(422, "empty body");
    char out[96];
    snprintf(out, sizeof out, "got %s", body);
    return wa_return_string(out);
}
WA_EXPORT_CORO(echo_handler)

/* WS /c/ws/echo: a C WebSocket handler (wa_ws_accepted): text comes back
 * as "c echo {name}: ..." and bytes as they are, until the client closes;
 * the text "close" makes it close with 4003 "closed by C". */
static int ws_echo_handler(void *arg) {
    wa_ws_t *ws;
    int rc = wa_ws_accepted(&ws, arg);
    if (rc) return wa_fail(rc, "ws_echo_handler: not given a socket");
    char name[64];
    if (json_field(((const wa_value_t *)arg)->u.string, "name", name, sizeof name) != 0) return wa_fail(400, "no name");
    wa_ws_free(ws); /* ignored: the server's */
    wa_ws_message_t m;
    while ((rc = wa_ws_receive(ws, &m)) == 0) {
        if (m.type == WA_WS_TEXT && strcmp(m.data, "close") == 0) {
            free(m.data);
            return wa_ws_close(ws, 4003, "closed by C");
        }
        if (m.type == WA_WS_TEXT) {
            char out[256];
            snprintf(out, sizeof out, "c echo %s: %s", name, m.data);
            rc = wa_ws_send_text(ws, out);
        } else {
            rc = wa_ws_send(ws, WA_WS_BINARY, m.data, m.len);
        }
        free(m.data);
        if (rc) return rc;
    }
    return rc == WA_ESHUTDOWN ? 0 : rc;
}
WA_EXPORT_CORO(ws_echo_handler)
