#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
/* WASI host (wasmtime, wasmer, Node's node:wasi ...): the loop blocks in
 * poll_oneoff on a clock subscription when it has nothing to do, like the
 * native host; wa_run returns when main is done. There is no JS here:
 * JS-only features answer WA_EHOST. */
#include "../../src/internal.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

double wa_host_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void wa_host_arm_immediate(void) {}

void wa_host_arm_timer(double delay_ms) { (void)delay_ms; }

void wa_host_wait(double timeout_ms) {
    /* nothing can wake us but the clock: waiting forever would be a hang,
     * which wa_loop_wait already reports as a deadlock */
    if (timeout_ms < 0 || isinf(timeout_ms)) return;
    struct timespec ts;
    ts.tv_sec = (time_t)(timeout_ms / 1e3);
    ts.tv_nsec = (long)((timeout_ms - (double)ts.tv_sec * 1e3) * 1e6);
    nanosleep(&ts, NULL); /* wasi-libc: poll_oneoff on a clock */
}

void wa_host_report(const char *text) { fprintf(stderr, "%s\n", text); }

void wa_host_run_started(void) {}

void wa_host_run_done(int status, const char *message) {
    (void)status;
    (void)message;
}

void wa_host_value_release(uint32_t handle) { (void)handle; }

int wa_js_call(const char *name, const wa_value_t *arg, wa_future_t **out) {
    (void)arg;
    if (!name || !out) return WA_EINVAL;
    return WA_EHOST;
}

bool wa_host_blocks(void) { return true; }
