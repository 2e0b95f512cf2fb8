/*
 * wasyncio/js.h — values crossing to JS, calling JS from C, exporting C to JS.
 *
 * Part of the C API; include "wasyncio.h", which includes this file.
 */
#ifndef WASYNCIO_JS_H
#define WASYNCIO_JS_H

#include "../wasyncio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* JS interop (used by the JS bindings and by C code that awaits JS)         */
/* ------------------------------------------------------------------------ */


/* A value that crosses the C/JS boundary: task arguments and results, queue
 * items shared by C and JS, results of JS functions called from C. The JS
 * bindings turn JS values into these and back:
 *   undefined <-> NULL pointer      null <-> WA_VALUE_NULL
 *   boolean <-> WA_VALUE_BOOL        number <-> WA_VALUE_NUMBER (double)
 *   string <-> WA_VALUE_STRING (UTF-8, NUL-terminated, len without the NUL)
 *   Uint8Array / ArrayBuffer / other typed arrays -> WA_VALUE_BYTES -> Uint8Array
 *   Task / Future / promise -> WA_VALUE_FUTURE (a future C can wa_await) -> Task / Future
 *   any other JS value <-> WA_VALUE_JS (an opaque handle to the JS object)
 * A value is one allocation owned by whoever holds it; free with
 * wa_value_free. A future whose result is a value (wa_future_set_value,
 * wa_return_value ...) owns it. */
typedef enum wa_value_type {
    WA_VALUE_NULL = 1,
    WA_VALUE_BOOL = 2,
    WA_VALUE_NUMBER = 3,
    WA_VALUE_STRING = 4,
    WA_VALUE_BYTES = 5,
    WA_VALUE_JS = 6,
    WA_VALUE_FUTURE = 7,
} wa_value_type_t;

typedef struct wa_value {
    int32_t type;       /* wa_value_type_t */
    uint32_t len;       /* STRING / BYTES: length in bytes */
    union {
        double number;
        int32_t boolean;
        char *string;   /* points into the same allocation */
        uint8_t *bytes; /* points into the same allocation */
        uint32_t handle;/* WA_VALUE_JS: the bindings' handle */
        wa_future_t *future; /* WA_VALUE_FUTURE: a reference owned by the value */
    } u;
} wa_value_t;

/* Constructors: a new value, or NULL when out of memory (or s NULL). */
WA_API wa_value_t *wa_value_null(void);
WA_API wa_value_t *wa_value_bool(bool b);
WA_API wa_value_t *wa_value_number(double d);
WA_API wa_value_t *wa_value_string(const char *s);
WA_API wa_value_t *wa_value_string_n(const char *s, size_t len);
WA_API wa_value_t *wa_value_bytes(const void *data, size_t len);
/* A value holding a reference to f (taken here), e.g. to hand a C task to JS. */
WA_API wa_value_t *wa_value_future(wa_future_t *f);
/* The future held by a WA_VALUE_FUTURE value (borrowed), else NULL. */
WA_API wa_future_t *wa_value_get_future(const wa_value_t *v);
/* Free a value (NULL is ignored). A WA_VALUE_JS handle is released on the
 * JS side. Suitable as a wa_free_fn. */
WA_API void wa_value_free(void *value);
/* The result of a successful future if it is a value (set with
 * wa_future_set_value / wa_return_value / by JS), else NULL. Borrowed. */
WA_API const wa_value_t *wa_future_value(const wa_future_t *f);
/* Complete f with a value it takes ownership of (NULL means undefined). */
WA_API int wa_future_set_value(wa_future_t *f, wa_value_t *value);
/* Set the current task's result to a value it takes ownership of. */
WA_API int wa_return_value(wa_value_t *value);
/* Shorthands: copy a number / string / bytes into the task's result. */
WA_API int wa_return_number(double d);
WA_API int wa_return_string(const char *s);
WA_API int wa_return_bytes(const void *data, size_t len);

/* Call the JS function registered as `name` (runtime.register(name, fn) in
 * the bindings) with arg (borrowed; NULL = undefined). *out receives a
 * future that completes with its (awaited) result as a value, or fails with
 * WA_EHOST and the JS error's message. WA_EINVAL if no such function is
 * registered; WA_EHOST when no JS runtime is attached (native hosts). */
WA_API int wa_js_call(const char *name, const wa_value_t *arg, wa_future_t **out);

/* Make coroutine `fn` startable from JS: runtime.spawnC("fn", arg). The
 * coroutine receives a `const wa_value_t *` (NULL for undefined) that stays
 * valid until it returns. */
#ifdef __EMSCRIPTEN__
#define WA_EXPORT_CORO(fn)                                                    \
    __attribute__((used)) wa_coro_fn wa_coro__##fn(void) { return fn; }
#else
#define WA_EXPORT_CORO(fn)
#endif

#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_JS_H */
