/* Soak: many tasks and many cancelled queue operations, then the heap and
 * the loop's object counts must be back where they started.
 *
 *   soak [TASKS [QUEUE_OPS]]      defaults: 1000000 tasks, 100000 queue ops
 *
 * Tasks run in batches of 10000 (coroutine and stackless step tasks, each
 * yielding once); queue ops are gets cancelled while pending (coroutine
 * getters cancelled as tasks, op futures cancelled directly) and gets woken
 * by a put and cancelled before they ran - no item may be lost or
 * duplicated. A warm-up round first fills the pools, then the
 * baseline is taken. Prints one JSON line; exits 1 if anything leaked.
 * `npm run soak` runs it natively, as wasm under Node, and the JS soak
 * (tests/soak/soak.mjs); tests/js/soak.test.mjs runs short versions. */
#include <stdio.h>
#include <stdlib.h>

#include "wasyncio.h"
#include "../../../bench/c/heap_in_use.h"

#define BATCH 10000

static long finished;
static wa_queue_t *q;


static int coro_task(void *arg) {
    (void)arg;
    int rc = wa_sleep(0);
    finished++;
    return rc;
}

/* The step task's state flips from NULL to non-NULL after its first wait. */
static int step_entry(void *state, int status) {
    int *phase = state;
    if (*phase == 0) {
        *phase = 1;
        return wa_step_sleep(0) == 0 ? WA_PENDING : WA_EFAILED;
    }
    (void)status;
    finished++;
    return 0;
}

static int run_tasks(long n) {
    static int phases[BATCH];
    finished = 0;
    for (long done = 0; done < n;) {
        long k = n - done < BATCH ? n - done : BATCH;
        for (long i = 0; i < k; i++) {
            int rc;
            if (i & 1) {
                phases[i] = 0;
                rc = wa_spawn_step(NULL, step_entry, &phases[i], NULL);
            } else {
                wa_task_opts_t o = {.stack_size = 4096};
                rc = wa_spawn(NULL, coro_task, NULL, &o);
            }
            if (rc) return wa_fail(rc, "spawn failed after %ld tasks", done + i);
        }
        done += k;
        while (finished < done) {
            int rc = wa_sleep(0);
            if (rc) return rc;
        }
    }
    return finished == n ? 0 : wa_fail(WA_EVALUE, "%ld of %ld tasks finished", finished, n);
}

static int getter(void *arg) {
    void **slot = arg;
    return wa_queue_get(q, slot);
}

/* n cancelled gets, three kinds in turn; the items put meanwhile all come
 * out exactly once. */
static int run_queue_ops(long n) {
    int rc = wa_queue_new(&q, NULL);
    if (rc) return rc;
    long put = 0, got = 0;
    for (long i = 0; i < n; i++) {
        switch (i % 3) {
        case 0: { /* a coroutine getter cancelled while it waits */
            void *item = NULL;
            wa_task_t *t;
            if ((rc = wa_spawn(&t, getter, &item, NULL))) return rc;
            if ((rc = wa_sleep(0))) return rc;
            wa_cancel((wa_future_t *)t, NULL);
            int st = wa_await((wa_future_t *)t);
            wa_release((wa_future_t *)t);
            if (st != WA_ECANCELLED) return wa_fail(WA_EVALUE, "getter %ld: %d", i, st);
            break;
        }
        case 1: { /* an op cancelled while pending */
            wa_future_t *op;
            if ((rc = wa_queue_get_start(q, &op))) return rc;
            wa_cancel(op, NULL);
            wa_release(op);
            break;
        }
        default: { /* a getter op woken by a put, cancelled before it ran:
                    * it takes nothing, the item stays in the queue */
            wa_future_t *op;
            if ((rc = wa_queue_get_start(q, &op))) return rc;
            if ((rc = wa_queue_put_nowait(q, (void *)(intptr_t)(++put)))) return rc;
            wa_cancel(op, NULL);
            if ((rc = wa_sleep(0))) return rc; /* the op runs: ends cancelled */
            int st = wa_future_done(op) ? wa_future_status(op) : WA_ECANCELLED;
            if (st == 0 && wa_op_rollback(op) != WA_ECANCELLED) return wa_fail(WA_EVALUE, "op %ld kept its item", i);
            wa_release(op);
            void *item;
            if ((rc = wa_queue_get_nowait(q, &item))) return rc;
            if ((intptr_t)item != put) return wa_fail(WA_EVALUE, "got item %ld, expected %ld", (long)(intptr_t)item, put);
            got++;
            wa_queue_task_done(q);
            break;
        }
        }
    }
    size_t left = wa_queue_qsize(q);
    wa_queue_destroy(q);
    q = NULL;
    if (left || got != put) return wa_fail(WA_EVALUE, "queue: put %ld, got %ld, %zu left", put, got, left);
    return 0;
}

static long tasks = 1000000, queue_ops = 100000;

static int soak(void *arg) {
    (void)arg;
    int rc;
    /* warm-up: pools and tables reach their working size */
    if ((rc = run_tasks(tasks / 10 < BATCH ? tasks : tasks / 10)) || (rc = run_queue_ops(queue_ops / 10 + 3))) return rc;
    wa_loop_trim();
    wa_stats_t s0, s1;
    wa_get_stats(&s0);
    size_t h0 = heap_in_use();
    if ((rc = run_tasks(tasks)) || (rc = run_queue_ops(queue_ops))) return rc;
    if ((rc = wa_sleep(0))) return rc; /* let the last tasks be freed */
    wa_loop_trim();
    wa_get_stats(&s1);
    size_t h1 = heap_in_use();
    printf("{\"tasks\":%ld,\"queue_ops\":%ld,\"heap_before\":%zu,\"heap_after\":%zu,"
           "\"futures\":[%zu,%zu],\"tasks_alive\":[%zu,%zu],\"handles\":[%zu,%zu],\"stack_bytes\":[%zu,%zu]}\n",
           tasks, queue_ops, h0, h1, s0.futures, s1.futures, s0.tasks, s1.tasks, s0.handles, s1.handles,
           s0.stack_bytes, s1.stack_bytes);
    /* 4 KiB of slack: allocator bookkeeping (free lists, top chunk) */
    if (h1 > h0 + 4096) return wa_fail(WA_EVALUE, "heap grew from %zu to %zu bytes", h0, h1);
    if (s1.futures > s0.futures || s1.tasks > s0.tasks || s1.handles > s0.handles || s1.stack_bytes > s0.stack_bytes)
        return wa_fail(WA_EVALUE, "objects left behind");
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1) tasks = atol(argv[1]);
    if (argc > 2) queue_ops = atol(argv[2]);
    if (tasks < 1 || queue_ops < 0) {
        fprintf(stderr, "usage: soak [TASKS [QUEUE_OPS]]\n");
        return 2;
    }
    int rc = wa_run(soak, NULL);
    if (rc) fprintf(stderr, "soak failed: %s\n", wa_strerror(rc));
    return rc ? 1 : 0;
}
