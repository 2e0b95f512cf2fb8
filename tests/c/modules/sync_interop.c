/* C coroutines sharing synchronization objects and queues with JS tasks
 * (tests/js/queue.test.mjs, tests/js/sync.test.mjs, the Chromium scenario).
 * JS creates the objects and passes their addresses (obj.ptr) in a
 * Float64Array, which reaches C as WA_VALUE_BYTES. Queue items shared with
 * JS are wa_value_t * (the JS queue frees dropped ones with wa_value_free). */
#include <stdint.h>
#include <string.h>
#include "wasyncio.h"

/* Argument i of a Float64Array argument (0 if missing). */
static double argn(const wa_value_t *v, unsigned i) {
    if (!v || v->type != WA_VALUE_BYTES || v->len < (i + 1) * sizeof(double)) return 0;
    double d;
    memcpy(&d, v->u.bytes + i * sizeof(double), sizeof d);
    return d;
}

#define PTR(T, v, i) ((T *)(uintptr_t)argn((v), (i)))

/* [queue, n, ms]: put the numbers 0..n-1 (sleeping ms between puts if
 * ms > 0); returns how many went in (stops at a shut-down queue). */
static int produce(void *arg) {
    wa_queue_t *q = PTR(wa_queue_t, arg, 0);
    long n = (long)argn(arg, 1);
    double ms = argn(arg, 2);
    long put = 0;
    for (long i = 0; i < n; i++) {
        if (ms > 0) {
            int rc = wa_sleep(ms);
            if (rc) return rc;
        }
        wa_value_t *v = wa_value_number((double)i);
        if (!v) return WA_ENOMEM;
        int rc = wa_queue_put(q, v);
        if (rc) {
            wa_value_free(v); /* not put: still ours */
            if (rc == WA_ESHUTDOWN) break;
            return rc;
        }
        put++;
    }
    return wa_return_number((double)put);
}
WA_EXPORT_CORO(produce)

/* [queue]: get items until the queue is shut down; task_done each; returns
 * the sum of the numbers plus 1000 for each string. */
static int consume(void *arg) {
    wa_queue_t *q = PTR(wa_queue_t, arg, 0);
    double sum = 0;
    for (;;) {
        void *it;
        int rc = wa_queue_get(q, &it);
        if (rc == WA_ESHUTDOWN) break;
        if (rc) return rc;
        wa_value_t *v = it;
        if (v && v->type == WA_VALUE_NUMBER) sum += v->u.number;
        else if (v && v->type == WA_VALUE_STRING) sum += 1000;
        wa_value_free(v);
        wa_queue_task_done(q);
    }
    return wa_return_number(sum);
}
WA_EXPORT_CORO(consume)

/* [queue]: one get; returns the item (a copy of a number / string). */
static int get_one(void *arg) {
    wa_queue_t *q = PTR(wa_queue_t, arg, 0);
    void *it;
    int rc = wa_queue_get(q, &it);
    if (rc) return rc;
    wa_queue_task_done(q);
    return wa_return_value(it); /* the task owns the value now */
}
WA_EXPORT_CORO(get_one)

/* [lock, queue, tag, ms]: acquire the lock, put tag, sleep ms, release. */
static int lock_put(void *arg) {
    wa_lock_t *l = PTR(wa_lock_t, arg, 0);
    wa_queue_t *q = PTR(wa_queue_t, arg, 1);
    int rc = wa_lock_acquire(l);
    if (rc) return rc;
    wa_value_t *v = wa_value_number(argn(arg, 2));
    rc = v ? wa_queue_put_nowait(q, v) : WA_ENOMEM;
    if (rc) wa_value_free(v);
    if (!rc) rc = wa_sleep(argn(arg, 3));
    wa_lock_release(l);
    return rc;
}
WA_EXPORT_CORO(lock_put)

/* [semaphore, ms]: hold a slot for ms; returns 1. */
static int sem_hold(void *arg) {
    wa_sem_t *s = PTR(wa_sem_t, arg, 0);
    int rc = wa_sem_acquire(s);
    if (rc) return rc;
    rc = wa_sleep(argn(arg, 1));
    wa_sem_release(s);
    return rc ? rc : wa_return_number(1);
}
WA_EXPORT_CORO(sem_hold)

/* [event]: wait for it; returns 1. */
static int event_wait(void *arg) {
    int rc = wa_event_wait(PTR(wa_event_t, arg, 0));
    return rc ? rc : wa_return_number(1);
}
WA_EXPORT_CORO(event_wait)

/* [barrier]: wait; returns the arrival index. */
static int barrier_wait(void *arg) {
    unsigned idx;
    int rc = wa_barrier_wait(PTR(wa_barrier_t, arg, 0), &idx);
    return rc ? rc : wa_return_number((double)idx);
}
WA_EXPORT_CORO(barrier_wait)

/* [condition]: acquire, wait once, release; returns 1. */
static int cond_wait_once(void *arg) {
    wa_cond_t *c = PTR(wa_cond_t, arg, 0);
    int rc = wa_cond_acquire(c);
    if (rc) return rc;
    rc = wa_cond_wait(c);
    if (rc != WA_ESHUTDOWN) wa_cond_release(c);
    return rc ? rc : wa_return_number(1);
}
WA_EXPORT_CORO(cond_wait_once)
