/* Status code descriptions and fatal runtime faults. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *wa_strerror(int code) {
    switch (code) {
    case WA_OK: return "success";
    case WA_ECANCELLED: return "cancelled";
    case WA_ETIMEDOUT: return "timed out";
    case WA_EINVAL: return "invalid argument";
    case WA_ENOMEM: return "out of memory";
    case WA_ESTATE: return "invalid state";
    case WA_ENOTASK: return "not called from a task";
    case WA_ESHUTDOWN: return "shut down";
    case WA_EEMPTY: return "queue empty";
    case WA_EFULL: return "queue full";
    case WA_EBROKEN: return "broken barrier";
    case WA_EVALUE: return "value error";
    case WA_ENETWORK: return "network error";
    case WA_EHOST: return "host error";
    case WA_EFAILED: return "failed";
    case WA_EDEADLOCK: return "deadlock: waiting for something that can never happen";
    case WA_EGROUP: return "several tasks failed";
    case WA_ESTACK: return "coroutine stack too small";
    case WA_EABORTED: return "aborted";
    case WA_ENOENT: return "no such file or directory";
    case WA_EEXIST: return "exists already";
    case WA_EIO: return "I/O error";
    case WA_ETOOBIG: return "size limit exceeded";
    case WA_PENDING: return "pending";
    default: return code > 0 ? "application error" : "unknown error";
    }
}

void wa__fatal(const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(buf, sizeof buf, "wasyncio: fatal: ");
    vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    wa_host_report(buf);
    abort();
}
