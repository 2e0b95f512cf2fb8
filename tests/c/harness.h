/* A small test harness for the C runtime. The same test sources run natively
 * (under ASan+UBSan) and as wasm under Node; tests/js/c_tests.test.mjs runs
 * both and reports each test through node:test.
 *
 * A test body is a coroutine: it runs as the main task of a wa_run, so it
 * can spawn, await and sleep. After each test the harness checks that no
 * future, task, timer or stack was leaked. */
#ifndef WASYNCIO_HARNESS_H
#define WASYNCIO_HARNESS_H

#include "wasyncio.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct wa_test {
    const char *name;
    wa_coro_fn fn;
    int expect;                              /* expected final run status  */
    int (*after)(int status, const char *message); /* extra checks, 0 = ok */
    int only;                                /* 0 both, 1 native, 2 wasm   */
    int clock;                               /* WA_CLOCK_HOST / _VIRTUAL   */
    struct wa_test *next;
} wa_test_t;

void wa_test_register(wa_test_t *t);

#define WA_TEST_REG_CLOCK(name_, expect_, after_, native_, clock_)            \
    static int name_(void *);                                                 \
    static wa_test_t name_##_desc = {#name_, name_, expect_, after_, native_, clock_, NULL}; \
    __attribute__((constructor)) static void name_##_reg(void) { wa_test_register(&name_##_desc); } \
    static int name_(__attribute__((unused)) void *wa_test_arg_unused)

#define WA_TEST_REG(name_, expect_, after_, native_)                          \
    WA_TEST_REG_CLOCK(name_, expect_, after_, native_, WA_CLOCK_HOST)

/* TEST(name) { ...; return 0; } */
#define TEST(name) WA_TEST_REG(name, 0, NULL, 0)
/* A test whose run must end with status `expect`, then after(status, msg). */
#define TEST_EX(name, expect, after) WA_TEST_REG(name, expect, after, 0)
/* On the virtual clock (wa_loop_set_clock): wa_time() starts at 0 and jumps
 * to the next timer whenever nothing is ready; no watchdog timer. */
#define TEST_VIRTUAL(name) WA_TEST_REG_CLOCK(name, 0, NULL, 0, WA_CLOCK_VIRTUAL)
/* Only natively (what it checks cannot be observed from inside wasm). */
#define TEST_NATIVE(name) WA_TEST_REG(name, 0, NULL, 1)
/* Only as wasm (needs the web host: fetch, workers ...). */
#define TEST_WASM(name) WA_TEST_REG(name, 0, NULL, 2)

/* Base URL of the test server (web/server.mjs), e.g. "http://127.0.0.1:1234/",
 * passed by the runner as `--server URL`; NULL if none. */
const char *wa_test_server_url(void);

#define CHECK(cond)                                                           \
    do {                                                                      \
        /* evaluates cond once */                                             \
        if (!(cond)) return wa_fail(WA_EFAILED, "%s:%d: CHECK(%s)", __FILE__, __LINE__, #cond); \
    } while (0)

#define CHECK_EQ(a, b)                                                        \
    do {                                                                      \
        long long va_ = (long long)(a), vb_ = (long long)(b);                 \
        if (va_ != vb_)                                                       \
            return wa_fail(WA_EFAILED, "%s:%d: %s == %lld, expected %s == %lld", \
                           __FILE__, __LINE__, #a, va_, #b, vb_);             \
    } while (0)

#define CHECK_STR(a, b)                                                       \
    do {                                                                      \
        const char *sa_ = (a), *sb_ = (b);                                    \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0)                            \
            return wa_fail(WA_EFAILED, "%s:%d: %s is \"%s\", expected \"%s\"", \
                           __FILE__, __LINE__, #a, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
    } while (0)

/* For checks in plain callbacks (not tasks): record the first failure. */
void wa_test_fail_later(const char *file, int line, const char *what);
#define CHECK_LATER(cond)                                                     \
    do {                                                                      \
        if (!(cond)) wa_test_fail_later(__FILE__, __LINE__, #cond);           \
    } while (0)
/* Return the failure recorded by CHECK_LATER, if any. */
#define CHECK_NO_LATER_FAILURE()                                              \
    do {                                                                      \
        const char *m_ = wa_test_later_failure();                             \
        if (m_) return wa_fail(WA_EFAILED, "%s", m_);                         \
    } while (0)
const char *wa_test_later_failure(void);

/* A small event log for ordering assertions. */
void wa_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *wa_log_text(void); /* entries joined by ' ' */
/* The running test's 120 s watchdog timer (0 if it has none). */
wa_handle_t wa_test_watchdog(void);
void wa_log_clear(void);

#endif
