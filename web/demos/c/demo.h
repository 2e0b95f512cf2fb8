/* demo.h - helpers shared by the demo modules in web/demos/c/.
 *
 * Every demo is a wasm module without main: the page loads it with
 * Runtime.create({ module }) and starts the coroutines exported with
 * WA_EXPORT_CORO through runtime.spawnC(name, "key=value&key=value").
 * The C code tells the page what happens with report(), which calls the JS
 * function the page registered as "report" (runtime.register) with one
 * JSON object as a string. */
#ifndef DEMO_H
#define DEMO_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasyncio.h"

/* Send {"ev": ...} to the page, printf-style. The page's function is
 * synchronous, so the call's future is already done: just release it. */
static inline void report(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static inline void report(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    wa_value_t *v = wa_value_string(buf);
    wa_future_t *f = NULL;
    if (v && wa_js_call("report", v, &f) == 0) wa_release(f);
    wa_value_free(v);
}

/* s for a JSON string: " and \ escaped, newlines as \n, other control
 * characters dropped (into
 * out[cap]; returns out). */
static inline const char *json_esc(const char *s, char *out, size_t cap) {
    size_t j = 0;
    for (; s && *s && j + 2 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n') {
            out[j++] = '\\';
            out[j++] = 'n';
            continue;
        }
        if (c == '"' || c == '\\') out[j++] = '\\';
        if (c >= 0x20) out[j++] = (char)c;
    }
    out[j] = 0;
    return out;
}

/* The value of `key` in a "key=value&key=value" argument (a JS string),
 * copied to out[cap]; NULL if absent. */
static inline const char *param_str(const wa_value_t *arg, const char *key, char *out, size_t cap) {
    if (!arg || arg->type != WA_VALUE_STRING) return NULL;
    size_t klen = strlen(key);
    const char *p = arg->u.string;
    while (p && *p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = len - klen - 1;
            if (n >= cap) n = cap - 1;
            memcpy(out, p + klen + 1, n);
            out[n] = 0;
            return out;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* A number parameter, clamped to [lo, hi]; dflt if absent or not a number. */
static inline double param_num(const wa_value_t *arg, const char *key, double dflt, double lo, double hi) {
    char buf[64];
    if (!param_str(arg, key, buf, sizeof buf)) return dflt;
    char *end;
    double d = strtod(buf, &end);
    if (end == buf) return dflt;
    return d < lo ? lo : d > hi ? hi : d;
}

/* Cancel the tasks not done yet and wait until every one is: a stopped
 * demo must not free what its tasks still use. (Awaiting again after a
 * cancellation is fine, as in asyncio: a cancellation is delivered once.) */
static inline void cancel_and_wait(wa_task_t *const *t, int n) {
    for (int i = 0; i < n; i++)
        if (t[i] && !wa_future_done(t[i])) wa_cancel(t[i], "stopped");
    for (int i = 0; i < n; i++)
        while (t[i] && !wa_future_done(t[i])) wa_await(t[i]);
}

/* wa_task_id of the running task (for the page's timeline marks). */
static inline unsigned long long my_id(void) { return (unsigned long long)wa_task_id(wa_current_task()); }

#endif
