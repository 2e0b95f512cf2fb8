/* The event loop: a FIFO ring of ready callbacks, a binary min-heap of
 * timers keyed by (deadline, sequence), and host turns with a time budget.
 *
 * The loop never blocks or spins on a web host: after each turn it tells the
 * host when it next needs to run (at once, at the earliest deadline, or
 * never), and re-arms the host only when that changes. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

wa_loop_t wa__loop = {
    .budget_ms = 5.0,
    .free_slot = WA_NO_SLOT,
};

/* How many callbacks run between clock reads while a budget is checked.
 * The first reads come sooner (after callbacks 1, 2, 4 ... of a turn), so a
 * turn of a few long callbacks (CPU-bound tasks) still yields to the host
 * on time while a turn of many tiny ones reads the clock rarely. */
#define WA_BUDGET_STRIDE 128u

/* ---- ready ring ------------------------------------------------------------ */

static int ring_grow(wa_loop_t *L) {
    uint32_t ncap = L->ring_cap ? L->ring_cap * 2 : 256;
    wa_ready_t *n = malloc((size_t)ncap * sizeof *n);
    if (!n) return WA_ENOMEM;
    /* unwrap into the new buffer, head at 0 */
    for (uint32_t i = 0; i < L->ring_count; i++)
        n[i] = L->ring[(L->ring_head + i) & (L->ring_cap - 1)];
    free(L->ring);
    L->ring = n;
    L->ring_cap = ncap;
    L->ring_head = 0;
    return 0;
}

int wa__ready_push(wa_ready_fn fn, void *a, void *b) {
    wa_loop_t *L = &wa__loop;
    if (WA_UNLIKELY(L->ring_count == L->ring_cap)) {
        int rc = ring_grow(L);
        if (rc) return rc;
    }
    wa_ready_t *e = &L->ring[(L->ring_head + L->ring_count) & (L->ring_cap - 1)];
    e->fn = fn;
    e->a = a;
    e->b = b;
    if (L->ring_count++ == 0 && !L->in_run_once) wa__loop_changed();
    return 0;
}

/* ---- handle slots ---------------------------------------------------------- */

static inline wa_handle_t slot_handle(uint32_t idx, uint32_t gen) {
    return ((uint64_t)gen << 32) | (uint64_t)(idx + 1);
}

static int slot_alloc(wa_loop_t *L, uint32_t *out) {
    uint32_t i;
    if (L->free_slot != WA_NO_SLOT) {
        i = L->free_slot;
        L->free_slot = L->slots[i].next_free;
    } else {
        if (L->nslots == L->cap_slots) {
            uint32_t ncap = L->cap_slots ? L->cap_slots * 2 : 64;
            wa_slot_t *n = realloc(L->slots, (size_t)ncap * sizeof *n);
            if (!n) return WA_ENOMEM;
            L->slots = n;
            L->cap_slots = ncap;
        }
        i = L->nslots++;
        L->slots[i].gen = 0;
    }
    wa_slot_t *s = &L->slots[i];
    s->gen++;
    s->heap_pos = WA_NOT_IN_HEAP;
    s->next_free = WA_NO_SLOT;
    s->weak = false;
    L->live_handles++;
    *out = i;
    return 0;
}

static void slot_free(wa_loop_t *L, uint32_t i) {
    wa_slot_t *s = &L->slots[i];
    s->state = SLOT_FREE;
    s->fn = NULL;
    s->arg = NULL;
    s->next_free = L->free_slot;
    L->free_slot = i;
    L->live_handles--;
}

/* ---- timer heap ------------------------------------------------------------ */

static inline bool timer_less(const wa_loop_t *L, uint32_t a, uint32_t b) {
    const wa_slot_t *x = &L->slots[a], *y = &L->slots[b];
    return x->when < y->when || (x->when == y->when && x->seq < y->seq);
}

static inline void heap_set(wa_loop_t *L, uint32_t pos, uint32_t slot) {
    L->heap[pos] = slot;
    L->slots[slot].heap_pos = pos;
}

static void heap_up(wa_loop_t *L, uint32_t pos) {
    uint32_t s = L->heap[pos];
    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (!timer_less(L, s, L->heap[parent])) break;
        heap_set(L, pos, L->heap[parent]);
        pos = parent;
    }
    heap_set(L, pos, s);
}

static void heap_down(wa_loop_t *L, uint32_t pos) {
    uint32_t s = L->heap[pos], n = L->heap_len;
    for (;;) {
        uint32_t c = 2 * pos + 1;
        if (c >= n) break;
        if (c + 1 < n && timer_less(L, L->heap[c + 1], L->heap[c])) c++;
        if (!timer_less(L, L->heap[c], s)) break;
        heap_set(L, pos, L->heap[c]);
        pos = c;
    }
    heap_set(L, pos, s);
}

static void heap_remove(wa_loop_t *L, uint32_t slot) {
    uint32_t pos = L->slots[slot].heap_pos;
    uint32_t last = L->heap[--L->heap_len];
    L->slots[slot].heap_pos = WA_NOT_IN_HEAP;
    if (L->slots[slot].weak) L->weak_timers--;
    if (pos == L->heap_len) return;
    heap_set(L, pos, last);
    if (pos > 0 && timer_less(L, last, L->heap[(pos - 1) / 2]))
        heap_up(L, pos);
    else
        heap_down(L, pos);
}

int wa__timer_add(double when, wa_callback_fn fn, void *arg, uint32_t *slot_out) {
    wa_loop_t *L = &wa__loop;
    if (L->heap_len == L->heap_cap) {
        uint32_t ncap = L->heap_cap ? L->heap_cap * 2 : 64;
        uint32_t *n = realloc(L->heap, (size_t)ncap * sizeof *n);
        if (!n) return WA_ENOMEM;
        L->heap = n;
        L->heap_cap = ncap;
    }
    uint32_t i;
    int rc = slot_alloc(L, &i);
    if (rc) return rc;
    wa_slot_t *s = &L->slots[i];
    s->fn = fn;
    s->arg = arg;
    s->when = when;
    s->seq = L->timer_seq++;
    s->state = SLOT_TIMER;
    L->heap[L->heap_len] = i;
    heap_up(L, L->heap_len++);
    if (L->slots[i].heap_pos == 0 && !L->in_run_once) wa__loop_changed();
    *slot_out = i;
    return 0;
}

void wa__timer_cancel(uint32_t i) {
    wa_loop_t *L = &wa__loop;
    wa_slot_t *s = &L->slots[i];
    if (s->state == SLOT_READY) { /* expired, queued: run_slot frees it */
        s->state = SLOT_CANCELLED;
        return;
    }
    bool was_first = s->heap_pos == 0;
    heap_remove(L, i);
    slot_free(L, i);
    if (was_first && !L->in_run_once) wa__loop_changed();
}

/* ---- public scheduling API --------------------------------------------------- */

/* Ready-queue trampoline for a cancellable call_soon handle. */
WA_NOT_ASYNCIFIED static void run_slot(void *a, void *b) {
    (void)b;
    wa_loop_t *L = &wa__loop;
    uint32_t i = (uint32_t)(uintptr_t)a;
    wa_slot_t *s = &L->slots[i];
    if (s->state != SLOT_READY) { /* cancelled while queued */
        slot_free(L, i);
        return;
    }
    wa_callback_fn fn = s->fn;
    void *arg = s->arg;
    slot_free(L, i);
    fn(arg);
}

int wa_call_soon(wa_callback_fn fn, void *arg, wa_handle_t *out) {
    wa_loop_t *L = &wa__loop;
    if (!fn) return WA_EINVAL;
    uint32_t i;
    int rc = slot_alloc(L, &i);
    if (rc) return rc;
    wa_slot_t *s = &L->slots[i];
    s->fn = fn;
    s->arg = arg;
    s->state = SLOT_READY;
    uint32_t gen = s->gen;
    rc = wa__ready_push(run_slot, (void *)(uintptr_t)i, NULL);
    if (rc) {
        slot_free(L, i);
        return rc;
    }
    if (out) *out = slot_handle(i, gen);
    return 0;
}

int wa_call_at(double when, wa_callback_fn fn, void *arg, wa_handle_t *out) {
    if (!fn || isnan(when)) return WA_EINVAL;
    uint32_t i;
    int rc = wa__timer_add(when, fn, arg, &i);
    if (rc) return rc;
    if (out) *out = slot_handle(i, wa__loop.slots[i].gen);
    return 0;
}

int wa_call_later(double delay_ms, wa_callback_fn fn, void *arg, wa_handle_t *out) {
    if (!fn || isnan(delay_ms) || delay_ms < 0) return WA_EINVAL;
    return wa_call_at(wa__now() + delay_ms, fn, arg, out);
}

int wa_handle_cancel(wa_handle_t h) {
    wa_loop_t *L = &wa__loop;
    uint32_t idx = (uint32_t)(h & 0xffffffffu);
    uint32_t gen = (uint32_t)(h >> 32);
    if (idx == 0 || idx > L->nslots) return 0;
    uint32_t i = idx - 1;
    wa_slot_t *s = &L->slots[i];
    if (s->gen != gen) return 0;
    if (s->state == SLOT_TIMER || s->state == SLOT_READY) {
        /* A queued entry stays in the ring; run_slot frees the slot then. */
        wa__timer_cancel(i);
        return 1;
    }
    return 0;
}

int wa_handle_set_weak(wa_handle_t h, bool weak) {
    wa_loop_t *L = &wa__loop;
    uint32_t idx = (uint32_t)(h & 0xffffffffu);
    uint32_t gen = (uint32_t)(h >> 32);
    if (idx == 0 || idx > L->nslots) return WA_EINVAL;
    wa_slot_t *s = &L->slots[idx - 1];
    if (s->gen != gen || s->state != SLOT_TIMER) return WA_EINVAL;
    if (s->weak == weak) return 0;
    s->weak = weak;
    if (weak) L->weak_timers++;
    else L->weak_timers--;
    if (!L->in_run_once) wa__loop_changed(); /* the host timer's keep-alive */
    return 0;
}

/* ---- clocks ---------------------------------------------------------------- */

double wa__now(void) {
    wa_loop_t *L = &wa__loop;
    if (WA_LIKELY(!L->virtual_clock)) return wa_host_now();
    if (L->host_pending) {
        /* A host operation is in flight: follow the host clock meanwhile. */
        double r = wa_host_now();
        if (r > L->vreal) L->vnow += r - L->vreal;
        L->vreal = r;
    }
    return L->vnow;
}

double wa_time(void) { return wa__now(); }

int wa_loop_set_clock(int clock) {
    wa_loop_t *L = &wa__loop;
    if (clock != WA_CLOCK_HOST && clock != WA_CLOCK_VIRTUAL) return WA_EINVAL;
    bool v = clock == WA_CLOCK_VIRTUAL;
    if (v == L->virtual_clock) return 0;
    if (L->heap_len) return WA_ESTATE;
    L->virtual_clock = v;
    L->vnow = 0;
    L->vreal = wa_host_now();
    L->timer_armed = false;
    return 0;
}

int wa_loop_clock(void) { return wa__loop.virtual_clock ? WA_CLOCK_VIRTUAL : WA_CLOCK_HOST; }

/* Virtual clock, nothing ready: jump to the earliest deadline unless a host
 * operation is in flight (then time follows the host until it settles). */
static bool virtual_jump(wa_loop_t *L) {
    if (!L->virtual_clock || L->ring_count || !L->heap_len || L->host_pending) return false;
    double when = L->slots[L->heap[0]].when;
    if (isinf(when)) return false;
    if (when > L->vnow) L->vnow = when;
    return true;
}

int wa_loop_set_budget(double ms) {
    if (!(ms > 0) || isinf(ms)) return WA_EINVAL;
    wa__loop.budget_ms = ms;
    return 0;
}

double wa_loop_next_wakeup(void) {
    wa_loop_t *L = &wa__loop;
    if (L->ring_count) return 0;
    if (!L->heap_len || L->slots[L->heap[0]].when == INFINITY) return -1;
    if (L->virtual_clock && !L->host_pending) return 0; /* a turn jumps there */
    double d = L->slots[L->heap[0]].when - wa__now();
    return d > 0 ? d : 0;
}

/* Tell the host when to wake us, if that changed: an immediate turn when
 * callbacks are ready, else the one host timer at the earliest deadline
 * (re-armed only when that deadline changes), else nothing at all. */
void wa__loop_changed(void) {
    wa_loop_t *L = &wa__loop;
    if (L->ring_count) {
        if (!L->armed_immediate) {
            L->armed_immediate = true;
            wa_host_arm_immediate();
        }
        return; /* the timer is synced at the end of that turn */
    }
    /* Deadlines are host clock readings and may be negative (a browser's
     * performance.now() starts near 0, so callAt(time() - x) early in a
     * page's life): "no timer" is a flag, never a deadline value. */
    if (!L->heap_len || L->slots[L->heap[0]].when == INFINITY) {
        if (L->timer_armed) {
            L->timer_armed = false;
            wa_host_arm_timer(-1, false);
        }
        return;
    }
    double when = L->slots[L->heap[0]].when;
    /* One clock read: with two, a deadline just past the first read gave a
     * negative delay, which the host took as "no timer" — and Node, seeing
     * nothing armed, exited mid-run. */
    double now = wa__now();
    /* Virtual clock with nothing in flight: the next turn jumps to it. */
    if (when <= now || (L->virtual_clock && !L->host_pending)) {
        /* Already due (in the past, or it expired during the last batch): a
         * turn at once, never a zero-delay host timer. */
        if (!L->armed_immediate) {
            L->armed_immediate = true;
            wa_host_arm_immediate();
        }
        return;
    }
    /* Only weak timers left: the host timer keeps no process alive. */
    bool weak = L->weak_timers == L->heap_len;
    if (L->timer_armed && when == L->armed && weak == L->armed_weak) return;
    L->timer_armed = true;
    L->armed = when;
    L->armed_weak = weak;
    double delay = when - now; /* > 0 */
    wa_host_arm_timer(delay < WA_HOST_MAX_DELAY_MS ? delay : WA_HOST_MAX_DELAY_MS, weak);
}

/* ---- one host turn -------------------------------------------------------- */

static void move_expired_timers(wa_loop_t *L, double now) {
    while (L->heap_len) {
        uint32_t i = L->heap[0];
        wa_slot_t *s = &L->slots[i];
        if (s->when > now) break;
        heap_remove(L, i);
        /* Becomes a ready call_soon-like slot, keeping its handle valid for
         * cancellation until it runs. */
        s->state = SLOT_READY;
        if (wa__ready_push(run_slot, (void *)(uintptr_t)i, NULL) != 0) {
            /* Out of memory: put it back and retry next turn. */
            s->state = SLOT_TIMER;
            if (s->weak) L->weak_timers++;
            L->heap[L->heap_len] = i;
            heap_up(L, L->heap_len++);
            break;
        }
    }
}

WA_NOT_ASYNCIFIED int wa_run_once(double budget_ms) {
    wa_loop_t *L = &wa__loop;
    if (L->in_run_once || L->current) return WA_ESTATE;
    L->in_run_once = true;
    double start = wa_host_now();
    double deadline = start + (budget_ms > 0 ? budget_ms : 0);
    int ran = 0;
    double now = start;
    for (;;) {
        if (L->heap_len) move_expired_timers(L, L->virtual_clock ? wa__now() : now);
        uint32_t batch = L->ring_count;
        if (!batch) {
            if (virtual_jump(L)) continue;
            break;
        }
        bool over = false;
        for (uint32_t k = 0; k < batch; k++) {
            wa_ready_t e = L->ring[L->ring_head];
            L->ring_head = (L->ring_head + 1) & (L->ring_cap - 1);
            L->ring_count--;
            if (L->debug) {
                double t0 = wa_host_now();
                e.fn(e.a, e.b);
                double dt = wa_host_now() - t0;
                if (dt > L->slow_ms) wa__debug_slow(e.fn, e.a, dt);
            } else {
                e.fn(e.a, e.b);
            }
            ran++;
            uint32_t n = (uint32_t)ran;
            if (budget_ms > 0 &&
                ((n & (WA_BUDGET_STRIDE - 1)) == 0 || (n < WA_BUDGET_STRIDE && (n & (n - 1)) == 0))) {
                now = wa_host_now();
                if (now >= deadline) {
                    over = true;
                    break;
                }
            }
        }
        if (over || budget_ms <= 0) break;
        now = wa_host_now();
        if (now >= deadline) break;
    }
    L->in_run_once = false;
    wa__loop_changed();
    return ran;
}

/* Entry point of a host wake-up (exported to the JS host). */
WA_NOT_ASYNCIFIED WA_EXPORT int wa__host_turn(int from_timer) {
    wa_loop_t *L = &wa__loop;
    if (from_timer) L->timer_armed = false; /* it fired (maybe early: clamped) */
    else L->armed_immediate = false;
    return wa_run_once(L->budget_ms);
}

void wa__host_pending_add(int delta) {
    wa_loop_t *L = &wa__loop;
    if (L->virtual_clock) {
        if (L->host_pending) wa__now();     /* bring vnow up to date */
        else L->vreal = wa_host_now();      /* start following the host */
    }
    L->host_pending = (size_t)((long)L->host_pending + delta);
    /* Nothing in flight any more: timers may be jumped to again. */
    if (L->virtual_clock && !L->host_pending && !L->in_run_once) wa__loop_changed();
}

int wa_loop_wait(double timeout_ms) {
    wa_loop_t *L = &wa__loop;
    if (L->ring_count) return 0;
    double d = wa_loop_next_wakeup();
    /* weak timers are no work to wait for: only they left, nothing wakes us */
    if ((d < 0 || L->weak_timers == L->heap_len) && L->host_pending == 0) return WA_EDEADLOCK;
    if (timeout_ms >= 0 && (d < 0 || timeout_ms < d)) d = timeout_ms;
    if (d > WA_HOST_MAX_DELAY_MS) d = WA_HOST_MAX_DELAY_MS; /* callers loop */
    wa_host_wait(d);
    return 0;
}

void wa_get_stats(wa_stats_t *out) {
    wa_loop_t *L = &wa__loop;
    if (!out) return;
    memset(out, 0, sizeof *out);
    out->futures = L->live_futures;
    out->tasks = L->live_tasks;
    out->handles = L->live_handles;
    out->ready = L->ring_count;
    out->stacks_in_use = L->stacks.in_use;
    out->stacks_pooled = L->stacks.pooled;
    out->stack_bytes = L->stacks.bytes;
    out->pooled_bytes = wa__stack_pool_pooled_bytes() + wa__task_pool_bytes();
    out->switches = L->switches;
}

void wa_loop_trim(void) {
    wa_loop_t *L = &wa__loop;
    wa__stack_pool_trim();
    wa__task_pool_trim();
    if (L->ring_count == 0) {
        free(L->ring);
        L->ring = NULL;
        L->ring_cap = 0;
        L->ring_head = 0;
    }
    if (L->heap_len == 0) {
        free(L->heap);
        L->heap = NULL;
        L->heap_cap = 0;
    }
    if (L->live_handles == 0) {
        free(L->slots);
        L->slots = NULL;
        L->nslots = L->cap_slots = 0;
        L->free_slot = WA_NO_SLOT;
    }
}
