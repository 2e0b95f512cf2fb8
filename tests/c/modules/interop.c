/* C coroutines the JS tests start with runtime.spawnC(name, arg), to check
 * values crossing the boundary and C/JS tasks awaiting each other. */
#include <stdlib.h>
#include <string.h>
#include "wasyncio.h"

/* number -> number + 1, after 1 ms */
static int add_one(void *arg) {
    const wa_value_t *v = arg;
    if (!v || v->type != WA_VALUE_NUMBER) return wa_fail(WA_EINVAL, "add_one: expected a number");
    int rc = wa_sleep(1);
    if (rc) return rc;
    return wa_return_number(v->u.number + 1);
}
WA_EXPORT_CORO(add_one)

/* Returns a copy of its argument, whatever its type (a JS object comes back
 * as the same object: only its handle crossed). */
static int echo(void *arg) {
    const wa_value_t *v = arg;
    int rc = wa_sleep(0);
    if (rc) return rc;
    if (!v) return 0; /* undefined */
    switch (v->type) {
    case WA_VALUE_NULL: return wa_return_value(wa_value_null());
    case WA_VALUE_BOOL: return wa_return_value(wa_value_bool(v->u.boolean));
    case WA_VALUE_NUMBER: return wa_return_number(v->u.number);
    case WA_VALUE_STRING: return wa_return_value(wa_value_string_n(v->u.string, v->len));
    case WA_VALUE_BYTES: return wa_return_bytes(v->u.bytes, v->len);
    case WA_VALUE_FUTURE: return wa_return_value(wa_value_future(v->u.future));
    default: return wa_fail(WA_EINVAL, "echo: cannot copy a value of type %d", (int)v->type);
    }
}
WA_EXPORT_CORO(echo)

/* bytes -> the same bytes reversed; string -> its length in bytes */
static int transform(void *arg) {
    const wa_value_t *v = arg;
    if (v && v->type == WA_VALUE_BYTES) {
        uint8_t *b = malloc(v->len ? v->len : 1);
        if (!b) return WA_ENOMEM;
        for (uint32_t i = 0; i < v->len; i++) b[i] = v->u.bytes[v->len - 1 - i];
        int rc = wa_return_bytes(b, v->len);
        free(b);
        return rc;
    }
    if (v && v->type == WA_VALUE_STRING) return wa_return_number((double)v->len);
    return wa_fail(WA_EINVAL, "transform: expected bytes or a string");
}
WA_EXPORT_CORO(transform)

/* Awaits the JS task / future / promise it is given; returns its result + 1. */
static int await_js(void *arg) {
    wa_future_t *f = wa_value_get_future(arg);
    if (!f) return wa_fail(WA_EINVAL, "await_js: expected a task, future or promise");
    int rc = wa_await(f);
    if (rc) return wa_fail(rc, "awaited JS failed: %s", wa_future_message(f) ? wa_future_message(f) : "?");
    const wa_value_t *r = wa_future_value(f);
    if (!r || r->type != WA_VALUE_NUMBER) return wa_fail(WA_EINVAL, "await_js: expected a number result");
    return wa_return_number(r->u.number + 1);
}
WA_EXPORT_CORO(await_js)

/* Calls the JS function registered as "jsDouble" and returns its result. */
static int call_js(void *arg) {
    wa_future_t *f;
    int rc = wa_js_call("jsDouble", arg, &f);
    if (rc) return wa_fail(rc, "wa_js_call failed");
    rc = wa_await(f);
    if (rc) {
        rc = wa_fail(rc, "%s", wa_future_message(f) ? wa_future_message(f) : "?");
        wa_release(f);
        return rc;
    }
    const wa_value_t *r = wa_future_value(f);
    rc = r ? wa_return_value(r->type == WA_VALUE_NUMBER ? wa_value_number(r->u.number)
                                                        : wa_value_string("not a number"))
           : 0;
    wa_release(f);
    return rc;
}
WA_EXPORT_CORO(call_js)

/* Calls a JS function that is not registered. */
static int call_missing(void *arg) {
    (void)arg;
    wa_future_t *f;
    int rc = wa_js_call("noSuchFunction", NULL, &f);
    return rc == WA_EINVAL ? wa_return_string("EINVAL") : wa_fail(WA_EFAILED, "got %d", rc);
}
WA_EXPORT_CORO(call_missing)

/* Sleeps ms (a number); returns "slept" or propagates the cancellation. */
static int nap(void *arg) {
    const wa_value_t *v = arg;
    int rc = wa_sleep(v && v->type == WA_VALUE_NUMBER ? v->u.number : 10000);
    if (rc) return rc;
    return wa_return_string("slept");
}
WA_EXPORT_CORO(nap)

/* Fails with an application code and a message. */
static int fail_app(void *arg) {
    (void)arg;
    return wa_fail(42, "application failure");
}
WA_EXPORT_CORO(fail_app)

/* Returns a raw pointer (not a value): JS sees a number. */
static int raw_result(void *arg) {
    (void)arg;
    static int x;
    return wa_return(&x, NULL);
}
WA_EXPORT_CORO(raw_result)
