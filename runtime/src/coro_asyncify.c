/* Coroutines on wasm: binaryen's Asyncify driven from inside the module.
 *
 * The four asyncify.* imports are replaced by the Asyncify pass with its own
 * internal functions (the Makefile runs `wasm-opt --asyncify` after linking).
 * wa__coro_yield starts an unwind: every instrumented frame of the coroutine
 * saves its locals and returns, up to resume_impl, which is *not*
 * instrumented (asyncify-removelist) and stops the unwind. Resuming starts a
 * rewind and calls the entry again; instrumented frames restore their locals
 * and call down to the yield, which stops the rewind and returns.
 *
 * Each coroutine has its own C (shadow) stack: __stack_pointer is switched
 * by sp.S. Prologues are skipped while rewinding, so the exact value saved
 * after the unwind is restored before rewinding. The unused part of the
 * stack below the suspended frames holds Asyncify's saved locals, so a task
 * costs one block and the state buffer cannot overflow while the stack
 * has room.
 */
#include "internal.h"

#if WA_CORO_ASYNCIFY

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define AIMPORT(name) __attribute__((import_module("asyncify"), import_name(name)))
AIMPORT("start_unwind") void wa__asyncify_start_unwind(void *data);
AIMPORT("stop_unwind") void wa__asyncify_stop_unwind(void);
AIMPORT("start_rewind") void wa__asyncify_start_rewind(void *data);
AIMPORT("stop_rewind") void wa__asyncify_stop_rewind(void);

/* Per-frame stack checks. The link (build.sh, runtime/host/stack_check.mjs)
 * runs binaryen's stack-check pass: every write of the C stack pointer (each
 * frame's prologue) is compared with [limit, base] first, and a frame that
 * would leave the running task's stack calls the host's overflow handler
 * before it writes a byte, however big it is. This import becomes a plain
 * write of the pass's two globals at link time (no host call). Outside
 * tasks the range is everything: the main stack is the host's. */
__attribute__((import_module("env"), import_name("wa__stack_limits_set")))
void wa__stack_limits_set(uintptr_t base, uintptr_t limit);
#define UNCHECKED_BASE UINTPTR_MAX
#define UNCHECKED_LIMIT 0
#ifdef __EMSCRIPTEN__
/* The overflow handler (library_wasyncio.js) the checks call: it throws,
 * and the host turn catches that and names the task (wa__fault_report).
 * C calls it too (wa__coro_yield), which also makes the JS glue, made
 * before the checks are added, provide it. Elsewhere (WASI) an overflowing
 * frame traps. */
__attribute__((import_module("env"), import_name("wa__stack_overflow")))
void wa__stack_overflow(uintptr_t sp);
#endif

uintptr_t wa__sp_get(void);        /* sp.S */
void wa__sp_set(uintptr_t sp);     /* sp.S */

/* Bytes a suspension needs at the least for Asyncify's saved locals. */
#define WA_ASYNCIFY_RESERVE 128u

size_t wa__coro_default_stack(void) { return 16u * 1024u; }

int wa__coro_init(wa_coro_t *c, size_t stack_size, int (*entry)(void *), void *arg) {
    size_t n = stack_size;
    unsigned char *s = wa__stack_acquire(&n);
    if (!s) return WA_ENOMEM;
    c->stack = s;
    c->stack_size = n;
    c->entry = entry;
    c->arg = arg;
    c->started = c->finished = c->rewinding = c->unwinding = 0;
    c->sp = 0;
    return 0;
}

void wa__coro_release(wa_coro_t *c) {
    wa__stack_return(c->stack, c->stack_size);
    c->stack = NULL;
}

/* Must stay uninstrumented (WA_NOT_ASYNCIFIED: an unwind stops here).
 * It is only ever called through resume_ptr so binaryen cannot inline it
 * into an instrumented caller. */
WA_NOT_ASYNCIFIED WA_EXPORT WA_NOINLINE void wa__coro_resume_impl(wa_coro_t *c) {
    wa_coro_sched_t *s = &wa__loop.sched;
    /* Resumes nest (an eager task start inside a running coroutine): c's
     * unwind stops here too, and the outer coroutine goes on, with its own
     * stack limits back. */
    wa_coro_t *outer = s->running;
    uintptr_t outer_main_sp = s->main_sp;
    uintptr_t main_sp = wa__sp_get();
    s->main_sp = main_sp;
    s->running = c;
    /* from here on every frame is checked against the task's stack */
    wa__stack_limits_set((uintptr_t)c->stack + c->stack_size,
                         (uintptr_t)c->stack + WA_CANARY_BYTES + WA_ASYNCIFY_RESERVE);
    if (!c->started) {
        c->started = 1;
        wa__sp_set(((uintptr_t)c->stack + c->stack_size) & ~(uintptr_t)15);
    } else {
        wa__sp_set(c->sp);
        c->rewinding = 1;
        wa__asyncify_start_rewind(&c->adata);
    }
    /* Calls the task body directly: one instrumented frame less to unwind
     * and rewind on every switch. After an unwind the value is garbage. */
    int status = c->entry(c->arg);
    if (c->unwinding) {
        wa__asyncify_stop_unwind();
        c->unwinding = 0;
        s->unwinding = NULL;
        c->sp = wa__sp_get();
    } else {
        c->finished = 1;
        c->status = status;
    }
    /* before leaving the task's stack */
    if (outer)
        wa__stack_limits_set((uintptr_t)outer->stack + outer->stack_size,
                             (uintptr_t)outer->stack + WA_CANARY_BYTES + WA_ASYNCIFY_RESERVE);
    else
        wa__stack_limits_set(UNCHECKED_BASE, UNCHECKED_LIMIT);
    wa__sp_set(main_sp);
    s->running = outer;
    s->main_sp = outer_main_sp;
}

static void (*volatile resume_ptr)(wa_coro_t *) = wa__coro_resume_impl;

void wa__coro_resume(wa_coro_t *c) { resume_ptr(c); }

/* Starts an unwind. Must stay a function of its own (not inlined into
 * wa_sleep/wa_await): the rewind relies on re-entering this frame, whose
 * first act is to stop the rewind. The unwind saves Asyncify's state in
 * the unused part of c's own stack. */
void wa__coro_yield(wa_coro_t *c) {
    if (c->rewinding) {
        wa__asyncify_stop_rewind();
        c->rewinding = 0;
        return;
    }
    uintptr_t sp = wa__sp_get();
    uintptr_t lo = (uintptr_t)c->stack + WA_CANARY_BYTES;
    if (!wa__coro_intact(c) || sp < lo + WA_ASYNCIFY_RESERVE) {
#ifdef __EMSCRIPTEN__
        wa__stack_overflow(sp); /* throws */
#endif
        wa__coro_overflow(c);
    }
    c->adata.cur = (void *)lo;
    c->adata.end = (void *)(sp & ~(uintptr_t)7);
    c->unwinding = 1;
    wa__loop.sched.unwinding = c;
    wa__asyncify_start_unwind(&c->adata);
}

/* The stack is too small to suspend: nothing sane can happen after this. */
void wa__coro_overflow(const wa_coro_t *c) {
    wa__fatal("a task overflowed its %zu-byte C stack; give it a larger "
              "stack_size (wa_task_opts_t)", c->stack_size);
}

/* For the JS host, after a trap escaped a host turn: put the C stack
 * pointer back on the main stack (a trapped task leaves it on its own,
 * maybe out of bounds). No locals here, so no frame on the broken stack. */
WA_EXPORT void wa__fault_reset(void) {
    if (wa__loop.sched.running || wa__loop.sched.unwinding) {
        wa__loop.sched.fault_sp = wa__sp_get();
        wa__stack_limits_set(UNCHECKED_BASE, UNCHECKED_LIMIT);
        wa__sp_set(wa__loop.sched.main_sp);
    }
}

/* For the JS host, after a trap escaped a host turn: what the runtime was
 * doing, as a message (NULL if no task was running). A trap inside a task
 * whose stack canary is gone, or during an unwind, is a stack overflow. */
WA_EXPORT const char *wa__fault_report(int overflow_hint) {
    static char msg[256];
    wa_coro_sched_t *s = &wa__loop.sched;
    wa_coro_t *c = s->unwinding ? s->unwinding : s->running;
    if (!c) return NULL;
    bool below = s->fault_sp < (uintptr_t)c->stack + WA_CANARY_BYTES + WA_ASYNCIFY_RESERVE;
    const char *name = wa__loop.current ? wa_task_name(&wa__loop.current->fut) : NULL;
    if (!name) name = "?";
    if (overflow_hint || s->unwinding || below || !wa__coro_intact(c))
        snprintf(msg, sizeof msg, "wasyncio: task '%s' overflowed its %zu-byte C stack; give it a "
                 "larger stack_size (wa_task_opts_t)", name, c->stack_size);
    else
        snprintf(msg, sizeof msg, "wasyncio: task '%s' trapped (%zu-byte C stack; if it recursed "
                 "deeply, give it a larger stack_size)", name, c->stack_size);
    return msg;
}

#endif
