/* Tasks: futures driven by the scheduler. Two kinds share everything but
 * how a step runs: stackful coroutines (wa_spawn; suspend anywhere through
 * wa_await / wa_sleep) and stackless steps (wa_spawn_step; a function
 * called again with each wait's outcome).
 *
 * Cancellation follows asyncio's Task: cancel() cancels the future the task
 * awaits (which wakes it with WA_ECANCELLED) or, failing that, marks the
 * task so its next resume delivers WA_ECANCELLED; cancelling()/uncancel()
 * count the requests. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline wa_loop_t *loop(void) { return &wa__loop; }

#define HOOK(L, ev, t, st)                                                    \
    do {                                                                      \
        if (WA_UNLIKELY((L)->hook)) (L)->hook((ev), &(t)->fut, (st), (L)->hook_arg); \
    } while (0)

/* The message of the cancellation a task will see (asyncio's
 * _cancel_message). */
static void set_cancel_msg(wa_task_impl_t *t, char *m) {
    free(t->cancel_msg);
    t->cancel_msg = m;
}

void wa_set_task_hook(wa_task_hook_fn fn, void *arg) {
    wa__loop.hook = fn;
    wa__loop.hook_arg = arg;
}

uint64_t wa_task_id(const wa_task_t *t) { return wa_is_task(t) ? TASK(t)->number : 0; }

/* ---- creation ------------------------------------------------------------- */

/* Task structs are pooled: spawning 100k tasks a second should not be
 * 100k mallocs. wasm memory never shrinks, so there the pool keeps all of
 * them (wa_loop_trim gives them back to malloc); natively up to a cap. */
#if defined(__wasm__)
#define WA_TASK_POOL_MAX SIZE_MAX
#else
#define WA_TASK_POOL_MAX ((size_t)65536)
#endif

static inline size_t task_size(uint8_t kind) {
    return kind == KIND_STEP ? WA_STEP_TASK_SIZE : sizeof(wa_task_impl_t);
}

static wa_task_impl_t *task_alloc(uint8_t kind) {
    wa_loop_t *L = loop();
    int p = kind == KIND_STEP;
    wa_task_impl_t *t = L->task_pool[p];
    if (t) {
        L->task_pool[p] = t->next;
        L->task_pool_len[p]--;
        return t;
    }
    return malloc(task_size(kind));
}

void wa__task_dealloc(wa_task_impl_t *t) {
    wa_loop_t *L = loop();
    int p = t->fut.kind == KIND_STEP;
    if (L->task_pool_len[p] >= WA_TASK_POOL_MAX) {
        free(t);
        return;
    }
    t->next = L->task_pool[p];
    L->task_pool[p] = t;
    L->task_pool_len[p]++;
}

size_t wa__task_pool_bytes(void) {
    wa_loop_t *L = loop();
    return L->task_pool_len[0] * task_size(KIND_CORO) + L->task_pool_len[1] * task_size(KIND_STEP);
}

void wa__task_pool_trim(void) {
    wa_loop_t *L = loop();
    for (int p = 0; p < 2; p++) {
        while (L->task_pool[p]) {
            wa_task_impl_t *t = L->task_pool[p];
            L->task_pool[p] = t->next;
            free(t);
        }
        L->task_pool_len[p] = 0;
    }
}

static int task_new(uint8_t kind, const wa_task_opts_t *opts, wa_task_impl_t **out) {
    wa_loop_t *L = loop();
    wa_task_impl_t *t = task_alloc(kind);
    if (!t) return WA_ENOMEM;
    memset(t, 0, task_size(kind));
    wa__future_init(&t->fut, kind);
    t->number = ++L->task_counter;
    t->timer_slot = WA_NO_SLOT;
    if (opts) t->arg_free = opts->arg_free;
    t->context = L->current ? L->current->context : L->context;
    if (opts && opts->name && !(t->name = wa__strdup(opts->name))) {
        L->live_futures--;
        wa__task_dealloc(t);
        return WA_ENOMEM;
    }
    *out = t;
    return 0;
}

/* Link a fully built task in, queue its first step, hand out references. */
static int task_launch(wa_task_impl_t *t, wa_task_t **out) {
    wa_loop_t *L = loop();
    int rc = wa__ready_push(wa__task_step, t, NULL);
    if (rc) return rc;
    t->tstate = TASK_READY;
    t->next = L->tasks_head;
    if (L->tasks_head) L->tasks_head->prev = t;
    L->tasks_head = t;
    L->live_tasks++;
    /* The loop's reference (dropped when done) is the initial one. */
    if (out) *out = wa_ref(&t->fut);
    HOOK(L, WA_TASK_CREATED, t, 0);
    return 0;
}

static void task_discard(wa_task_impl_t *t) {
    if (t->fut.kind == KIND_CORO && t->u.c.coro.stack) wa__coro_release(&t->u.c.coro);
    free(t->name);
    wa__loop.live_futures--;
    wa__task_dealloc(t);
}

int wa_spawn(wa_task_t **out, wa_coro_fn fn, void *arg, const wa_task_opts_t *opts) {
    wa_loop_t *L = loop();
    if (!fn) return WA_EINVAL;
    size_t stack = opts && opts->stack_size ? opts->stack_size : 0;
    if (!stack) stack = L->default_stack ? L->default_stack : wa__coro_default_stack();
    if (stack > ((size_t)1 << 30)) return WA_EINVAL;
    wa_task_impl_t *t;
    int rc = task_new(KIND_CORO, opts, &t);
    if (rc) return rc;
    t->u.c.fn = fn;
    t->u.c.arg = arg;
    rc = wa__coro_init(&t->u.c.coro, stack, fn, arg);
    if (rc == 0) rc = task_launch(t, out);
    if (rc) task_discard(t);
    return rc;
}

int wa_spawn_step(wa_task_t **out, wa_step_fn step, void *state, const wa_task_opts_t *opts) {
    if (!step) return WA_EINVAL;
    wa_task_impl_t *t;
    int rc = task_new(KIND_STEP, opts, &t);
    if (rc) return rc;
    t->u.s.fn = step;
    t->u.s.state = state;
    rc = task_launch(t, out);
    if (rc) task_discard(t);
    return rc;
}

/* ---- finishing ------------------------------------------------------------ */

void wa__task_free_fields(wa_task_impl_t *t) {
    free(t->fail_msg);
    free(t->cancel_msg);
    free(t->name);
}

static void task_finish(wa_task_impl_t *t, int status) {
    wa_loop_t *L = loop();
    if (t->fut.kind == KIND_CORO) {
        if (!wa__coro_intact(&t->u.c.coro))
            wa__fatal("task '%s' overflowed its %zu-byte C stack; give it a larger "
                      "stack_size (wa_task_opts_t)", wa_task_name(&t->fut),
                      t->u.c.coro.stack_size);
        wa__coro_release(&t->u.c.coro);
    }
    if (t->arg_free) {
        t->arg_free(t->fut.kind == KIND_CORO ? t->u.c.arg : t->u.s.state);
        t->arg_free = NULL;
    }
    /* asyncio: a body that returns while a cancellation is still pending
     * (e.g. it cancelled itself) ends cancelled. */
    if (status == 0 && t->must_cancel) status = WA_ECANCELLED;
    if (WA_UNLIKELY(t->scopes != NULL)) wa__scopes_task_done(t);
    t->tstate = TASK_DONE;
    t->must_cancel = 0;
    if (t->prev) t->prev->next = t->next;
    else L->tasks_head = t->next;
    if (t->next) t->next->prev = t->prev;
    t->prev = t->next = NULL;
    L->live_tasks--;
    HOOK(L, WA_TASK_DONE, t, status);

    if (status == 0) {
        /* the result set by wa_return is already in place */
        wa__future_complete(&t->fut, FUT_OK, 0, t->fut.result, t->fut.dtor, NULL);
    } else {
        if (t->fut.dtor) t->fut.dtor(t->fut.result);
        t->fut.result = NULL;
        t->fut.dtor = NULL;
        char *msg = t->fail_msg;
        t->fail_msg = NULL;
        if (status == WA_ECANCELLED) {
            if (!msg) {
                msg = t->cancel_msg;
                t->cancel_msg = NULL;
            }
            wa__future_complete(&t->fut, FUT_CANCELLED, WA_ECANCELLED, NULL, NULL, msg);
        } else {
            wa__future_complete(&t->fut, FUT_ERROR, status, NULL, NULL, msg);
        }
    }
    wa_release(&t->fut); /* the loop's reference */
}

/* ---- stepping ------------------------------------------------------------- */

/* Ready-queue entry: run one step of task a. */
WA_NOT_ASYNCIFIED void wa__task_step(void *a, void *b) {
    (void)b;
    wa_loop_t *L = loop();
    wa_task_impl_t *t = a;
    if (t->tstate == TASK_DONE) return;
    if (!t->started && t->must_cancel) {
        /* Cancelled before it ever ran: the body never starts (asyncio). */
        task_finish(t, WA_ECANCELLED);
        return;
    }
    L->current = t;
    t->tstate = TASK_RUNNING;
    t->msg_pinned = 0;
    HOOK(L, t->started ? WA_TASK_RESUMED : WA_TASK_STARTED, t, 0);
    if (t->fut.kind == KIND_CORO) {
        t->started = 1;
        L->switches++;
        wa__coro_resume(&t->u.c.coro);
        L->current = NULL;
        if (t->u.c.coro.finished) task_finish(t, t->u.c.coro.status);
        else HOOK(L, WA_TASK_SUSPENDED, t, 0);
        return;
    }
    int status = t->wake_status;
    t->wake_status = 0;
    if (t->must_cancel) {
        t->must_cancel = 0;
        status = WA_ECANCELLED;
    }
    t->started = 1;
    L->switches++;
    int rc;
    for (;;) {
        rc = t->u.s.fn(t->u.s.state, status);
        if (rc != WA_PENDING || !t->resume_now) break;
        /* It awaited a future already done: asyncio's `await` returns at
         * once (Future.__await__), so go on in this turn. A cancellation
         * requested meanwhile waits for the next real suspension. */
        t->resume_now = 0;
        t->tstate = TASK_RUNNING;
        status = t->wake_status;
        t->wake_status = 0;
    }
    L->current = NULL;
    if (rc != WA_PENDING) {
        task_finish(t, rc);
    } else if (t->tstate != TASK_RUNNING) {
        HOOK(L, WA_TASK_SUSPENDED, t, 0);
    } else {
        /* WA_PENDING without arranging a wait would hang forever. */
        free(t->fail_msg);
        t->fail_msg = wa__strdup("step returned WA_PENDING without wa_step_await/wa_step_sleep");
        task_finish(t, WA_ESTATE);
    }
}

/* Done callback of the future a task waits on. */
static int wait_future(wa_task_impl_t *t, wa_future_t *f);

/* A step task running an inline future (wa_step_await of a pending op or
 * wait_for): what it awaited in its place is done; run it on, and the task
 * once it is done. */
static void task_op_wakeup(wa_task_impl_t *t, wa_future_t *w) {
    wa_future_t *op = t->sub_op, *next;
    int rc = INLINE_VT(op)->step(op, w, t, &next);
    wa_release(w);
    if (rc == WA_PENDING) {
        if (wait_future(t, next) == 0) return;
        /* cannot wait (no memory): the op goes on by itself; await it */
        INLINE_VT(op)->unadopt(op);
        t->sub_op = NULL;
        if (wait_future(t, op) == 0) {
            wa_release(op);
            return;
        }
        wa_cancel(op, NULL);
        t->wake_status = WA_ENOMEM;
    } else {
        t->sub_op = NULL;
        t->wake_status = wa_future_status(op);
    }
    wa_release(op);
    t->tstate = TASK_READY;
    wa__task_step(t, NULL);
}

WA_NOT_ASYNCIFIED static void task_wakeup(wa_future_t *f, void *arg) {
    wa_task_impl_t *t = arg;
    if (t->tstate != TASK_WAIT_FUTURE || t->waiting_on != f) return;
    t->waiting_on = NULL;
    if (t->sub_op) {
        task_op_wakeup(t, f);
        return;
    }
    t->wake_status = wa_future_status(f);
    /* asyncio throws the awaited future's CancelledError in: its message */
    if (f->state == FUT_CANCELLED) set_cancel_msg(t, wa__strdup(f->message));
    /* Cancelled after f completed but before we ran: the cancellation wins
     * (asyncio), and an operation's outcome is handed back, not lost. */
    if (t->must_cancel && f->state == FUT_OK && f->rollback) f->rollback(f);
    t->tstate = TASK_READY;
    wa_release(f);
    wa__task_step(t, NULL);
}

/* Timer callback of a sleeping task. */
WA_NOT_ASYNCIFIED static void task_timer_fired(void *arg) {
    wa_task_impl_t *t = arg;
    if (t->tstate != TASK_WAIT_TIMER) return;
    t->timer_slot = WA_NO_SLOT;
    t->tstate = TASK_READY;
    t->wake_status = 0;
    wa__task_step(t, NULL);
}

/* Arrange for t to be resumed when f is done (t is running). A
 * cancellation requested while t was running (must_cancel) is delivered at
 * this suspension as asyncio's Task.__step does: the awaited future is
 * cancelled at once (and t resumes when it is done). */
static int wait_future(wa_task_impl_t *t, wa_future_t *f) {
    int rc = wa_future_add_done_callback(f, task_wakeup, t);
    if (rc) return rc;
    t->waiting_on = wa_ref(f);
    t->tstate = TASK_WAIT_FUTURE;
    /* A cancellation requested while the task ran is delivered by
     * cancelling what it now awaits (asyncio Task.__step), not left until f
     * happens to complete. */
    if (WA_UNLIKELY(t->must_cancel) && wa_cancel(f, t->cancel_msg) == 1) t->must_cancel = 0;
    return 0;
}

/* Arrange for t to be resumed after ms (0: after the tasks now ready). With
 * a cancellation pending (must_cancel), no timer: resume next iteration and
 * deliver it (asyncio cancels the sleep's future at once). */
static int wait_time(wa_task_impl_t *t, double ms) {
    /* With a cancellation pending, the sleep ends at once (asyncio cancels
     * the sleep's future right away). */
    if (ms == 0 || WA_UNLIKELY(t->must_cancel)) {
        int rc = wa__ready_push(wa__task_step, t, NULL);
        if (rc) return rc;
        t->wake_status = 0;
        t->tstate = TASK_READY;
        return 0;
    }
    uint32_t slot;
    int rc = wa__timer_add(wa__now() + ms, task_timer_fired, t, &slot);
    if (rc) return rc;
    t->timer_slot = slot;
    t->tstate = TASK_WAIT_TIMER;
    return 0;
}

/* After a coroutine resumes: deliver a pending cancellation, else status. */
static inline int resumed(wa_task_impl_t *t) {
    if (t->must_cancel) {
        t->must_cancel = 0;
        t->wake_status = 0;
        return WA_ECANCELLED;
    }
    int st = t->wake_status;
    t->wake_status = 0;
    return st;
}

static inline wa_task_impl_t *current_coro(void) {
    wa_task_impl_t *t = loop()->current;
    return t && t->fut.kind == KIND_CORO ? t : NULL;
}

int wa_await(wa_future_t *f) {
    wa_task_impl_t *t = current_coro();
    if (!t) return WA_ENOTASK;
    if (!f || f == &t->fut) return WA_EINVAL;
    if (f->state != FUT_PENDING) return wa_future_status(f);
    int rc = wait_future(t, f);
    if (rc) return rc;
    wa__coro_yield(&t->u.c.coro);
    return resumed(t);
}

int wa_sleep(double ms) {
    wa_task_impl_t *t = current_coro();
    if (!t) return WA_ENOTASK;
    if (isnan(ms) || ms < 0) return WA_EINVAL;
    int rc = wait_time(t, ms);
    if (rc) return rc;
    wa__coro_yield(&t->u.c.coro);
    return resumed(t);
}

static inline wa_task_impl_t *current_step(void) {
    wa_task_impl_t *t = loop()->current;
    return t && t->fut.kind == KIND_STEP ? t : NULL;
}

int wa_step_await(wa_future_t *f) {
    wa_task_impl_t *t = current_step();
    if (!t) return WA_ENOTASK;
    if (!f || f == &t->fut) return WA_EINVAL;
    if (t->tstate != TASK_RUNNING) return WA_ESTATE;
    if (f->state != FUT_PENDING) {
        /* Done already: resumed at once, without a turn of the loop. */
        t->wake_status = wa_future_status(f);
        t->tstate = TASK_READY;
        t->resume_now = 1;
        return 0;
    }
    /* A pending op of a sync primitive or wait_for runs inline, as part
     * of this task (its coroutine awaited directly, asyncio-style). */
    wa_future_t *w = (f->flags & FFLAG_INLINE) ? INLINE_VT(f)->adopt(f, t) : NULL;
    if (w) {
        int rc = wait_future(t, w);
        if (rc) {
            INLINE_VT(f)->unadopt(f);
            return rc;
        }
        t->sub_op = wa_ref(f);
        return 0;
    }
    return wait_future(t, f);
}

int wa_step_sleep(double ms) {
    wa_task_impl_t *t = current_step();
    if (!t) return WA_ENOTASK;
    if (isnan(ms) || ms < 0) return WA_EINVAL;
    if (t->tstate != TASK_RUNNING) return WA_ESTATE;
    return wait_time(t, ms);
}

/* ---- cancellation --------------------------------------------------------- */

/* asyncio's Task.cancel(msg). The message reaches the task with the
 * cancellation: the first request's, if it cancelled what the task awaits
 * (that future carries it, and later requests only set must_cancel), else
 * the latest request's. */
int wa__task_cancel(wa_task_impl_t *t, const char *msg) {
    if (t->tstate == TASK_DONE) return 0;
    char *m = NULL;
    if (msg && !(m = wa__strdup(msg))) return WA_ENOMEM;
    t->num_cancels++;
    if (t->cancel_notify) {
        t->req_msg = msg;
        t->cancel_notify(t);
        t->req_msg = NULL;
    }
    HOOK(loop(), WA_TASK_CANCELLING, t, 0);
    if (t->tstate == TASK_WAIT_FUTURE && t->waiting_on) {
        /* Cancelling what we await wakes us with WA_ECANCELLED (asyncio:
         * `if self._fut_waiter.cancel(msg): return True`). */
        if (wa_cancel(t->waiting_on, msg) == 1) {
            free(m);
            return 1;
        }
    } else if (t->tstate == TASK_WAIT_TIMER) {
        /* (a sleep is a future in asyncio: cancelled with this message) */
        set_cancel_msg(t, m);
        m = NULL;
        t->msg_pinned = 1;
        wa__timer_cancel(t->timer_slot);
        t->timer_slot = WA_NO_SLOT;
        if (wa__ready_push(wa__task_step, t, NULL) != 0) {
            /* Cannot queue the wake-up: leave it asleep, deliver later. */
            uint32_t slot;
            if (wa__timer_add(wa__now(), task_timer_fired, t, &slot) == 0) t->timer_slot = slot;
        } else {
            t->tstate = TASK_READY;
        }
        t->must_cancel = 1;
        return 1;
    }
    if (!t->msg_pinned) set_cancel_msg(t, m);
    else free(m);
    t->must_cancel = 1;
    return 1;
}

int wa_task_cancelling(const wa_task_t *t) {
    if (!wa_is_task(t)) return WA_EINVAL;
    return TASK(t)->num_cancels;
}

int wa_task_uncancel(wa_task_t *f) {
    if (!wa_is_task(f)) return WA_EINVAL;
    wa_task_impl_t *t = TASK(f);
    if (t->num_cancels > 0 && --t->num_cancels == 0) t->must_cancel = 0;
    return t->num_cancels;
}

/* ---- results -------------------------------------------------------------- */

int wa_return(void *value, wa_free_fn dtor) {
    wa_task_impl_t *t = loop()->current;
    if (!t) return WA_ENOTASK;
    if (t->fut.dtor) t->fut.dtor(t->fut.result);
    t->fut.result = value;
    t->fut.dtor = dtor;
    return 0;
}

int wa_fail(int code, const char *fmt, ...) {
    wa_task_impl_t *t = loop()->current;
    if (!t || !fmt) return code;
    va_list ap;
    va_start(ap, fmt);
    char *m = wa__vformat(fmt, ap);
    va_end(ap);
    free(t->fail_msg);
    t->fail_msg = m;
    return code;
}

/* ---- introspection -------------------------------------------------------- */

wa_task_t *wa_current_task(void) {
    wa_task_impl_t *t = loop()->current;
    return t ? &t->fut : NULL;
}

size_t wa_all_tasks(wa_task_t **out, size_t cap) {
    size_t n = 0;
    for (wa_task_impl_t *t = loop()->tasks_head; t; t = t->next, n++)
        if (out && n < cap) out[n] = &t->fut;
    return n;
}

bool wa_is_task(const wa_future_t *f) { return f && f->kind != KIND_FUTURE; }

const char *wa_task_name(const wa_task_t *f) {
    if (!wa_is_task(f)) return NULL;
    wa_task_impl_t *t = TASK(f);
    if (!t->name) {
        char buf[32];
        snprintf(buf, sizeof buf, "Task-%llu", (unsigned long long)t->number);
        t->name = wa__strdup(buf);
        if (!t->name) return "Task";
    }
    return t->name;
}

void *wa_context_get(void) {
    wa_loop_t *L = loop();
    return L->current ? L->current->context : L->context;
}

int wa_context_set(void *value) {
    wa_loop_t *L = loop();
    if (L->current) L->current->context = value;
    else L->context = value;
    return 0;
}

int wa_task_get_coro(const wa_task_t *f, wa_coro_fn *fn, wa_step_fn *step, void **arg) {
    if (!wa_is_task(f)) return WA_EINVAL;
    const wa_task_impl_t *t = TASK(f);
    bool coro = f->kind == KIND_CORO;
    if (fn) *fn = coro ? t->u.c.fn : NULL;
    if (step) *step = coro ? NULL : t->u.s.fn;
    if (arg) *arg = coro ? t->u.c.arg : t->u.s.state;
    return 0;
}

int wa_task_set_name(wa_task_t *f, const char *name) {
    if (!wa_is_task(f) || !name) return WA_EINVAL;
    char *n = wa__strdup(name);
    if (!n) return WA_ENOMEM;
    free(TASK(f)->name);
    TASK(f)->name = n;
    return 0;
}
