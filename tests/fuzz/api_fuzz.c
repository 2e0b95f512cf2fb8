/* libFuzzer target: random sequences of C API calls on one loop.
 *
 * Each input is a program: every byte pair picks a call - create or
 * destroy a Lock, Event, Semaphore, Queue, Barrier or Condition, start one
 * of their operations, spawn a task that uses them, cancel / roll back /
 * release an operation, gather or wait_for some, sleep - and its argument. It runs as the main task
 * of wa_run on the virtual clock (sleeps cost nothing).
 *
 * Checked besides ASan/UBSan (memory errors, undefined behaviour, leaks):
 *  - every status returned is 0, positive (counts) or a WA_E... code;
 *  - a semaphore's value never goes below 0 (a bounded one can pass its
 *    bound, as in asyncio: release a slot an op still owns, then roll the
 *    op back - so that is not checked);
 *  - a lock released with nobody waiting is unlocked;
 *  - at the end (everything destroyed, held futures cancelled and released,
 *    wa_run returned, callbacks it left queued run) no future, task or
 *    timer is left.
 *
 * Build: make fuzz (clang); run: build/fuzz/api_fuzz [-max_total_time=S]. */
#include "wasyncio.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(stderr, "api_fuzz: " __VA_ARGS__);                            \
        abort();                                                               \
    } while (0)
#define INVARIANT(c)                                                           \
    do {                                                                       \
        if (!(c)) FAIL("invariant failed at line %d: %s\n", __LINE__, #c);     \
    } while (0)

enum { K_LOCK, K_EVENT, K_SEM, K_QUEUE, K_BARRIER, K_COND, NKINDS };
#define SLOTS 3
#define MAX_FUTS 48
#define MAX_ACTORS 64
/* Gathers over gathers form a DAG; cancelling its top visits every path
 * (as asyncio's gather.cancel() does), exponential in its depth. */
#define MAX_GATHERS 6

typedef struct fz fz_t;

typedef struct actor {
    fz_t *z;
    uint8_t kind, slot, ms;
} actor_t;

struct fz {
    const uint8_t *p;
    size_t n, i;
    void *obj[NKINDS][SLOTS];
    wa_future_t *fut[MAX_FUTS];         /* one reference each */
    size_t nfut;
    actor_t actors[MAX_ACTORS];
    size_t nactors;
    size_t ngathers;
    bool wrapped;   /* a gather or wait_for was made: ops may live on in them */
};

static uint8_t next_byte(fz_t *z) { return z->i < z->n ? z->p[z->i++] : 0; }

static int check(int rc) {
    if (rc < WA_ETOOBIG) FAIL("status %d is no WA_E... code\n", rc);
    return rc;
}

static void hold(fz_t *z, wa_future_t *f) {
    if (!f) return;
    if (z->nfut == MAX_FUTS) {
        wa_cancel(z->fut[0], NULL);
        wa_release(z->fut[0]);
        memmove(z->fut, z->fut + 1, (MAX_FUTS - 1) * sizeof *z->fut);
        z->nfut--;
    }
    z->fut[z->nfut++] = f;
}

static wa_future_t *pick_fut(fz_t *z, uint8_t b) { return z->nfut ? z->fut[b % z->nfut] : NULL; }

static void drop_fut(fz_t *z, uint8_t b) {
    if (!z->nfut) return;
    size_t i = b % z->nfut;
    wa_release(z->fut[i]);
    z->fut[i] = z->fut[--z->nfut];
}

static bool cond_pred(void *arg) { return ((uintptr_t)arg & 1) != 0; }

/* ---- objects --------------------------------------------------------------- */

static int destroy(uint8_t kind, void *h) {
    switch (kind) {
    case K_LOCK: return wa_lock_destroy(h);
    case K_EVENT: return wa_event_destroy(h);
    case K_SEM: return wa_sem_destroy(h);
    case K_QUEUE: return wa_queue_destroy(h);
    case K_BARRIER: return wa_barrier_destroy(h);
    default: return wa_cond_destroy(h);
    }
}

static void kill_slot(fz_t *z, uint8_t kind, uint8_t slot) {
    void *h = z->obj[kind][slot];
    if (!h) return;
    INVARIANT(check(destroy(kind, h)) == 0);
    z->obj[kind][slot] = NULL; /* a destroyed handle must not be used again */
}

static void create(fz_t *z, uint8_t kind, uint8_t slot, uint8_t arg) {
    kill_slot(z, kind, slot);
    void **out = &z->obj[kind][slot];
    int rc;
    switch (kind) {
    case K_LOCK: rc = wa_lock_new((wa_lock_t **)out); break;
    case K_EVENT: rc = wa_event_new((wa_event_t **)out); break;
    case K_SEM:
        rc = arg & 1 ? wa_bounded_sem_new((wa_sem_t **)out, arg % 4)
                     : wa_sem_new((wa_sem_t **)out, arg % 4);
        break;
    case K_QUEUE: {
        wa_queue_opts_t o = {.kind = arg % 3, .maxsize = (arg >> 2) % 4};
        rc = wa_queue_new((wa_queue_t **)out, &o);
        break;
    }
    case K_BARRIER: rc = wa_barrier_new((wa_barrier_t **)out, 1 + arg % 3); break;
    default: {
        wa_lock_t *shared = arg & 1 ? z->obj[K_LOCK][arg % SLOTS] : NULL;
        rc = wa_cond_new((wa_cond_t **)out, shared);
        break;
    }
    }
    if (check(rc) != 0) *out = NULL;
}

/* An operation future on obj (or NULL). */
static wa_future_t *start_op(fz_t *z, uint8_t kind, uint8_t slot, uint8_t arg) {
    void *h = z->obj[kind][slot];
    wa_future_t *op = NULL;
    int rc;
    switch (kind) {
    case K_LOCK: rc = wa_lock_acquire_start(h, &op); break;
    case K_EVENT: rc = wa_event_wait_start(h, &op); break;
    case K_SEM: rc = wa_sem_acquire_start(h, &op); break;
    case K_QUEUE:
        if (arg & 1) rc = wa_queue_get_start(h, &op);
        else if (arg & 2) rc = wa_queue_join_start(h, &op);
        else rc = wa_queue_put_prio_start(h, (void *)(uintptr_t)(arg + 1), arg % 5, &op);
        if (rc == WA_EINVAL && h) rc = wa_queue_put_start(h, (void *)(uintptr_t)(arg + 1), &op);
        break;
    case K_BARRIER: rc = wa_barrier_wait_start(h, &op); break;
    default:
        if (arg & 1) rc = wa_cond_acquire_start(h, &op);
        else if (arg & 2) rc = wa_cond_wait_for_start(h, cond_pred, (void *)(uintptr_t)arg, &op);
        else rc = wa_cond_wait_start(h, &op);
        break;
    }
    if (check(rc) != 0) return NULL;
    return op;
}

/* The non-blocking calls. */
static void poke(fz_t *z, uint8_t kind, uint8_t slot, uint8_t arg) {
    void *h = z->obj[kind][slot];
    void *item;
    switch (kind) {
    case K_LOCK: {
        wa_lock_t *l = h;
        wa_stats_t st; /* no other task and no op held, even by a dropped
                        * gather or wait_for: nobody can be waiting */
        wa_get_stats(&st);
        if (check(wa_lock_release(l)) == 0 && st.tasks == 1 && z->nfut == 0 && !z->wrapped)
            INVARIANT(!wa_lock_locked(l));
        break;
    }
    case K_EVENT: check(arg & 1 ? wa_event_set(h) : wa_event_clear(h)); break;
    case K_SEM: {
        check(wa_sem_release(h));
        int v = wa_sem_value(h);
        if (h) INVARIANT(v >= 0);
        break;
    }
    case K_QUEUE:
        switch (arg % 5) {
        case 0: check(wa_queue_put_nowait(h, (void *)(uintptr_t)(arg + 1))); break;
        case 1: check(wa_queue_get_nowait(h, &item)); break;
        case 2: check(wa_queue_task_done(h)); break;
        case 3: check(wa_queue_shutdown(h, arg & 8)); break;
        default: break;
        }
        if (!h) INVARIANT(wa_queue_qsize(h) == 0 && wa_queue_unfinished(h) == 0);
        break;
    case K_BARRIER: check(arg & 1 ? wa_barrier_abort(h) : wa_barrier_reset(h)); break;
    default: check(arg & 1 ? wa_cond_notify(h, arg % 3) : wa_cond_notify_all(h)); break;
    }
}

/* ---- tasks ----------------------------------------------------------------- */

/* After each suspension the object may have been destroyed: its handle
 * must not be used again (use-after-destroy is undefined, see sync.h). */
#define STILL(a, h) (a->z->obj[a->kind][a->slot] == (h))

static int actor(void *arg) {
    actor_t *a = arg;
    fz_t *z = a->z;
    void *h = z->obj[a->kind][a->slot]; /* may be NULL */
    void *item;
    int rc = 0;
    switch (a->kind) {
    case K_LOCK:
        if ((rc = check(wa_lock_acquire(h))) == 0 && STILL(a, h)) {
            check(wa_sleep(a->ms % 7));
            if (STILL(a, h)) check(wa_lock_release(h));
        }
        break;
    case K_EVENT: rc = check(wa_event_wait(h)); break;
    case K_SEM:
        if ((rc = check(wa_sem_acquire(h))) == 0 && STILL(a, h)) {
            check(wa_sleep(a->ms % 5));
            if (STILL(a, h)) check(wa_sem_release(h));
        }
        break;
    case K_QUEUE:
        if (a->ms & 1) {
            if ((rc = check(wa_queue_get(h, &item))) == 0 && STILL(a, h)) check(wa_queue_task_done(h));
        } else {
            rc = check(wa_queue_put(h, (void *)(uintptr_t)(a->ms + 1)));
        }
        break;
    case K_BARRIER: rc = check(wa_barrier_wait(h, NULL)); break;
    default:
        if ((rc = check(wa_cond_acquire(h))) == 0 && STILL(a, h)) {
            check(a->ms & 1 ? wa_cond_wait_for(h, cond_pred, (void *)(uintptr_t)a->ms) : wa_cond_wait(h));
            if (STILL(a, h)) check(wa_cond_release(h));
        }
        break;
    }
    (void)z;
    return rc == WA_ECANCELLED ? rc : 0;
}

static void spawn(fz_t *z, uint8_t kind, uint8_t slot, uint8_t arg) {
    if (z->nactors == MAX_ACTORS) return;
    actor_t *a = &z->actors[z->nactors++];
    *a = (actor_t){z, kind, slot, arg};
    wa_task_t *t = NULL;
    wa_task_opts_t o = {.stack_size = 16 * 1024};
    if (check(wa_spawn(&t, actor, a, &o)) == 0) hold(z, (wa_future_t *)t);
}

/* ---- the program ------------------------------------------------------------ */

static int fuzz_main(void *arg) {
    fz_t *z = arg;
    while (z->i < z->n) {
        uint8_t op = next_byte(z), b = next_byte(z);
        uint8_t kind = (uint8_t)(b % NKINDS), slot = (uint8_t)((b / NKINDS) % SLOTS);
        switch (op % 14) {
        case 0: create(z, kind, slot, next_byte(z)); break;
        case 1: kill_slot(z, kind, slot); break;
        case 2: hold(z, start_op(z, kind, slot, next_byte(z))); break;
        case 3: poke(z, kind, slot, next_byte(z)); break;
        case 4: spawn(z, kind, slot, next_byte(z)); break;
        case 5: check(wa_cancel(pick_fut(z, b), NULL)); break;
        case 6: {
            wa_future_t *f = pick_fut(z, b);
            if (f) check(wa_op_rollback(f));
            break;
        }
        case 7: drop_fut(z, b); break;
        case 8: check(wa_sleep(b % 4)); break;
        case 9: {
            wa_future_t *g = NULL;
            size_t k = z->nfut < 3 ? z->nfut : 3;
            if (k && z->ngathers < MAX_GATHERS &&
                check(wa_gather(&g, z->fut + z->nfut - k, k, b & 1 ? WA_RETURN_EXCEPTIONS : 0)) == 0) {
                z->ngathers++;
                z->wrapped = true;
                hold(z, g);
            }
            break;
        }
        case 10: {
            wa_future_t *f = pick_fut(z, b), *w = NULL;
            if (f && check(wa_wait_for_start(&w, f, b % 5)) == 0) {
                z->wrapped = true;
                hold(z, w);
            }
            break;
        }
        case 12: {
            wa_future_t *f = pick_fut(z, b);
            if (f && wa_future_done(f)) check(wa_future_status(f));
            break;
        }
        default: check(wa_sleep(0)); break;
        }
    }
    /* Tear down: every object destroyed (waiters end with WA_ESHUTDOWN),
     * every held future cancelled and released. */
    for (uint8_t k = 0; k < NKINDS; k++)
        for (uint8_t s = 0; s < SLOTS; s++) kill_slot(z, k, s);
    for (size_t i = 0; i < z->nfut; i++) wa_cancel(z->fut[i], NULL);
    check(wa_sleep(0));
    while (z->nfut) drop_fut(z, 0);
    return 0;
}

static void quiet(wa_future_t *f, int code, const char *msg, void *arg) { (void)f, (void)code, (void)msg, (void)arg; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static bool once;
    if (!once) {
        once = true;
        wa_loop_set_clock(WA_CLOCK_VIRTUAL);
        wa_set_exception_handler(quiet, NULL); /* unretrieved failures are expected */
    }
    fz_t *z = calloc(1, sizeof *z);
    if (!z) return 0;
    z->p = data;
    z->n = size < 4096 ? size : 4096;
    int rc = check(wa_run(fuzz_main, z));
    INVARIANT(rc == 0);
    wa_stats_t st;
    wa_get_stats(&st);
    /* Callbacks queued by the last cancellations may still hold futures
     * (asyncio would drop them with the closed loop): let them run. */
    for (int turns = 0; (st.ready || st.handles) && turns < 1000; turns++) {
        wa_run_once(0);
        wa_get_stats(&st);
    }
    if (st.futures || st.tasks || st.handles || st.ready)
        FAIL("left behind: %zu futures, %zu tasks, %zu timers, %zu ready\n", st.futures, st.tasks, st.handles, st.ready);
    wa_loop_trim();
    free(z);
    return 0;
}
