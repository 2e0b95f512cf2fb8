/* Blocking hosts: native (tests, benchmarks) and WASI (wasmtime, wasmer,
 * node:wasi). A monotonic clock and a blocking wait (on WASI, nanosleep is
 * poll_oneoff on a clock); wa_run drives the loop itself, so host wake-ups
 * need no arming. There is no JS here: JS-only features answer WA_EHOST. */
#define _POSIX_C_SOURCE 200809L
#include "../../src/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <time.h>
#ifndef __wasi__
#include <poll.h>
#endif

double wa_host_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void wa_host_arm_immediate(void) {}

void wa_host_arm_timer(double delay_ms, bool weak) {
    (void)delay_ms;
    (void)weak;
}

void wa_host_wait(double timeout_ms) {
    if (timeout_ms < 0 || isinf(timeout_ms)) {
#ifndef __wasi__
        poll(NULL, 0, -1); /* until a signal: nothing else can wake us */
#endif
        return;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)(timeout_ms / 1e3);
    ts.tv_nsec = (long)((timeout_ms - (double)ts.tv_sec * 1e3) * 1e6);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void wa_host_report(const char *text) { fprintf(stderr, "%s\n", text); }

void wa_host_run_started(void) {}

void wa_host_run_ended(void) {}

void wa_host_value_release(uint32_t handle) { (void)handle; } /* no JS here */

int wa_js_call(const char *name, const wa_value_t *arg, wa_future_t **out) {
    (void)arg;
    if (!name || !out) return WA_EINVAL;
    return WA_EHOST; /* no JS runtime on native hosts */
}

void wa_host_run_done(int status, const char *message) {
    (void)status;
    (void)message;
}

bool wa_host_blocks(void) { return true; }
