/* Debug mode for C (asyncio's debug mode): wa_set_debug turns on the
 * slow-callback warning (a ready callback or task step that holds the loop
 * longer than slow_ms is reported through the host, naming the task), and
 * wa_dump_tasks describes what every live task waits on; wa_task_get_stack
 * and wa_task_get_context are asyncio's Task introspection for one task. */
#include "internal.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>

int wa_set_debug(int on, double slow_ms) {
    if (!(slow_ms >= 0) || isinf(slow_ms)) return WA_EINVAL;
    wa__loop.debug = on != 0;
    wa__loop.slow_ms = slow_ms > 0 ? slow_ms : 100.0;
    return 0;
}

void wa__debug_slow(wa_ready_fn fn, void *a, double ms) {
    char buf[256];
    if (fn == wa__task_step)
        snprintf(buf, sizeof buf, "wasyncio: debug: a step of task '%s' held the loop for %.0f ms",
                 wa_task_name(&((wa_task_impl_t *)a)->fut), ms);
    else
        snprintf(buf, sizeof buf, "wasyncio: debug: a callback held the loop for %.0f ms", ms);
    wa_host_report(buf);
}

static const char *waits_on(const wa_task_impl_t *t, char *tmp, size_t n) {
    switch (t->tstate) {
    case TASK_READY: return "is ready";
    case TASK_RUNNING: return "is running";
    case TASK_WAIT_TIMER: return "sleeps";
    case TASK_WAIT_FUTURE:
        if (!t->waiting_on) return "waits (outside the scheduler: an async JS body)";
        if (wa_is_task(t->waiting_on)) {
            snprintf(tmp, n, "awaits task '%s'", wa_task_name(t->waiting_on));
            return tmp;
        }
        return "awaits a future";
    default: return "is done";
    }
}

/* Append text to buf[0..cap) at *len (counting what does not fit). */
static void put(char *buf, size_t cap, size_t *len, const char *text) {
    for (; *text; text++, (*len)++)
        if (buf && *len + 1 < cap) buf[*len] = *text;
}

/* Longest await chain wa_task_get_stack follows (tasks awaiting each other
 * in a cycle never end, so the walk must). */
#define STACK_MAX_DEPTH 64

int wa_task_get_stack(const wa_task_t *f, char *buf, size_t cap) {
    if (!wa_is_task(f) || (!buf && cap)) return WA_EINVAL;
    size_t len = 0;
    char tmp[160];
    const wa_task_impl_t *t = TASK(f);
    for (int depth = 0; t && depth < STACK_MAX_DEPTH; depth++) {
        if (depth) put(buf, cap, &len, " -> ");
        put(buf, cap, &len, "task '");
        put(buf, cap, &len, wa_task_name(&t->fut));
        put(buf, cap, &len, "' ");
        put(buf, cap, &len, waits_on(t, tmp, sizeof tmp));
        bool on_task = t->tstate == TASK_WAIT_FUTURE && t->waiting_on && wa_is_task(t->waiting_on);
        t = on_task ? TASK(t->waiting_on) : NULL;
    }
    if (buf && cap) buf[len < cap ? len : cap - 1] = '\0';
    return len > INT_MAX ? INT_MAX : (int)len;
}

int wa_task_get_context(const wa_task_t *f, void **out) {
    if (!wa_is_task(f) || !out) return WA_EINVAL;
    *out = TASK(f)->context;
    return 0;
}

size_t wa_dump_tasks(char *buf, size_t cap) {
    size_t len = 0;
    char tmp[160];
    for (wa_task_impl_t *t = wa__loop.tasks_head; t; t = t->next) {
        char line[256];
        int k = snprintf(line, sizeof line, "task '%s' %s\n", wa_task_name(&t->fut), waits_on(t, tmp, sizeof tmp));
        if (k < 0) continue;
        size_t m = (size_t)k < sizeof line ? (size_t)k : sizeof line - 1;
        for (size_t i = 0; i < m; i++, len++)
            if (buf && len + 1 < cap) buf[len] = line[i];
    }
    if (buf && cap) buf[len < cap ? len : cap - 1] = '\0';
    return len;
}
