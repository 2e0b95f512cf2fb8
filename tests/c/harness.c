#define _POSIX_C_SOURCE 200809L
/* Test runner: registers tests, runs each as the main task of a run, checks
 * for leaks after each one, prints one TAP-like line per test. Natively it
 * drives the loop itself; on wasm the host's event loop drives it and the
 * next test starts from the previous one's completion callback. */
#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>


int wa__run_deadlock(void); /* runtime-internal: what wa_run does natively */

static wa_test_t *tests_head, **tests_tail = &tests_head;
static wa_test_t *cur;
static int n_run, n_fail, all_done;
static const char *filter;
static const char *server_url;

const char *wa_test_server_url(void) { return server_url; }
static wa_handle_t watchdog;
static char later_msg[256];
static char logbuf[8192];
static size_t loglen;

void wa_test_register(wa_test_t *t) {
    *tests_tail = t;
    tests_tail = &t->next;
}

void wa_test_fail_later(const char *file, int line, const char *what) {
    if (!later_msg[0]) snprintf(later_msg, sizeof later_msg, "%s:%d: CHECK_LATER(%s)", file, line, what);
}

const char *wa_test_later_failure(void) { return later_msg[0] ? later_msg : NULL; }

void wa_log(const char *fmt, ...) {
    if (loglen && loglen < sizeof logbuf - 1) logbuf[loglen++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
    va_end(ap);
    if (n > 0) loglen += (size_t)n;
    if (loglen >= sizeof logbuf) loglen = sizeof logbuf - 1;
}

const char *wa_log_text(void) {
    logbuf[loglen] = 0;
    return logbuf;
}

void wa_log_clear(void) {
    loglen = 0;
    logbuf[0] = 0;
}

static void start_next(void);

static void report(const char *verdict, const char *detail) {
    printf("%s %d - %s%s%s\n", verdict, n_run, cur->name, detail ? " # " : "", detail ? detail : "");
    fflush(stdout);
}

static wa_stats_t base_stats;

/* Runs one turn after the test's completion, once every reference the loop
 * held for callbacks has been dropped. */
static void after_test(void *arg) {
    char *msg = arg;
    if (cur->clock != WA_CLOCK_HOST && wa_loop_set_clock(WA_CLOCK_HOST) != 0 && !msg)
        msg = strdup("timers left on the virtual clock");
    wa_stats_t st;
    wa_get_stats(&st);
    char leak[256] = "";
    if (st.futures != base_stats.futures || st.tasks || st.handles != base_stats.handles || st.stacks_in_use)
        snprintf(leak, sizeof leak, "leak: futures=%zu tasks=%zu handles=%zu stacks=%zu",
                 st.futures - base_stats.futures, st.tasks, st.handles - base_stats.handles,
                 st.stacks_in_use);
    if (msg) {
        n_fail++;
        report("not ok", msg);
    } else if (leak[0]) {
        n_fail++;
        report("not ok", leak);
    } else {
        report("ok", NULL);
    }
    free(msg);
    start_next();
}

static void on_done(int status, const char *message, void *user) {
    (void)user;
    wa_handle_cancel(watchdog);
    char buf[512];
    char *fail = NULL;
    if (status != cur->expect) {
        snprintf(buf, sizeof buf, "status %d (%s), expected %d: %s", status, wa_strerror(status),
                 cur->expect, message ? message : "");
        fail = strdup(buf);
    } else if (cur->after) {
        int rc = cur->after(status, message);
        if (rc) {
            snprintf(buf, sizeof buf, "after-check failed (%d)%s%s", rc,
                     wa_test_later_failure() ? ": " : "", wa_test_later_failure() ? wa_test_later_failure() : "");
            fail = strdup(buf);
        }
    }
    if (!fail && later_msg[0]) fail = strdup(later_msg);
    wa_call_soon(after_test, fail, NULL);
}

wa_handle_t wa_test_watchdog(void) { return watchdog; }

static void on_watchdog(void *arg) {
    (void)arg;
    /* cancel every task: the run ends and reports the cancellation */
    wa_task_t *all[64];
    size_t n = wa_all_tasks(all, 64);
    for (size_t i = 0; i < n && i < 64; i++) wa_cancel(all[i], "watchdog: test took longer than 120 s");
}

static int is_native(void) {
#ifdef __EMSCRIPTEN__
    return 0;
#else
    return 1;
#endif
}

static void start_next(void) {
    for (cur = cur ? cur->next : tests_head; cur; cur = cur->next) {
        if (filter && !strstr(cur->name, filter)) continue;
        n_run++;
        if (cur->only == 1 && !is_native()) {
            report("ok", "SKIP native only");
            continue;
        }
        if (cur->only == 2 && is_native()) {
            report("ok", "SKIP wasm only");
            continue;
        }
        break;
    }
    if (!cur) {
        printf("1..%d\n# done: %d run, %d failed\n", n_run, n_run, n_fail);
        fflush(stdout);
        all_done = 1;
        return;
    }
    later_msg[0] = 0;
    wa_log_clear();
    wa_get_stats(&base_stats);
    wa_set_exception_handler(NULL, NULL);
    if (wa_loop_set_clock(cur->clock) != 0) {
        n_fail++;
        report("not ok", "wa_loop_set_clock failed");
        start_next();
        return;
    }
    int rc = wa_run_start(cur->fn, NULL, NULL, on_done, NULL);
    if (rc) {
        n_fail++;
        report("not ok", "wa_run_start failed");
        start_next();
        return;
    }
    /* A deadlock test needs a loop with no timer at all. */
    watchdog = 0;
    if (cur->expect != WA_EDEADLOCK && cur->clock == WA_CLOCK_HOST)
        wa_call_later(120000, on_watchdog, NULL, &watchdog);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--server") && i + 1 < argc) server_url = argv[++i];
        else filter = argv[i];
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    start_next();
#ifndef __EMSCRIPTEN__
    while (!all_done) {
        wa_run_once(5);
        if (all_done) break;
        if (wa_loop_wait(-1) == WA_EDEADLOCK && wa__run_deadlock() == 0) {
            printf("# unrecoverable deadlock in %s\n", cur ? cur->name : "?");
            return 2;
        }
    }
    wa_loop_trim();
    return n_fail ? 1 : 0;
#else
    return 0;
#endif
}
