/* Stackful coroutine backends and their stack pool.
 *
 * Asymmetric coroutines: the scheduler resumes, only the running coroutine
 * yields, and the yield returns to whoever resumed it. Resumes nest: an
 * eager task start (WA_TASK_EAGER) resumes the new task's coroutine from
 * inside the running one, which goes on when the new one first yields.
 *  - wasm: binaryen Asyncify driven from inside the module (coro_asyncify.c)
 *  - native: a hand-written context switch on x86-64, ucontext elsewhere
 *    (coro_native.c)
 * Every stack block starts (lowest address) with a canary checked on every
 * switch, so an overflow becomes a clear error instead of silent corruption.
 */
#ifndef WASYNCIO_CORO_H
#define WASYNCIO_CORO_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#if defined(__wasm__)
#define WA_CORO_ASYNCIFY 1
#elif defined(__x86_64__) && !defined(WA_CORO_UCONTEXT)
#define WA_CORO_X86_64 1
#else
#define WA_CORO_UCONTEXT 1
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define WA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WA_ASAN 1
#endif
#endif

#define WA_CANARY_BYTES 16u
#define WA_CANARY_A 0x1d4bac57efbeaddeull
#define WA_CANARY_B 0xdec0ad0b0df0fecaull

typedef struct wa_coro {
    unsigned char *stack;   /* lowest address of the stack block */
    size_t stack_size;
    int (*entry)(void *);   /* the task body itself: no trampoline frame */
    void *arg;
    int status;             /* what entry returned, once finished */
    uint8_t started;
    uint8_t finished;
#if WA_CORO_ASYNCIFY
    uint8_t rewinding;
    uint8_t unwinding;
    struct { void *cur; void *end; } adata;  /* Asyncify's data header */
    uintptr_t sp;                            /* __stack_pointer when suspended */
#elif WA_CORO_X86_64
    void *sp;
    void *asan_fake;
#else
    ucontext_t ctx;
    void *asan_fake;
#endif
} wa_coro_t;

/* Scheduler-side state of the backend (one per loop). */
typedef struct wa_coro_sched {
    wa_coro_t *running;
#if WA_CORO_ASYNCIFY
    wa_coro_t *unwinding;   /* set while an unwind is in progress: a trap
                               then means the stack was too small */
    uintptr_t main_sp;      /* scheduler's stack pointer during a resume */
    uintptr_t fault_sp;     /* stack pointer found after a trap           */
#elif WA_CORO_X86_64
    void *sp;
    const void *asan_bottom;
    size_t asan_size;
#else
    ucontext_t *ctx;        /* the resumer's context (on its stack) */
    const void *asan_bottom;
    size_t asan_size;
#endif
} wa_coro_sched_t;

#define WA_STACK_CLASSES 12   /* 2 KiB << 0 .. 2 KiB << 11 (4 MiB) */

typedef struct wa_stack_pool {
    void *free[WA_STACK_CLASSES];
    uint32_t nfree[WA_STACK_CLASSES];
    size_t in_use;
    size_t pooled;
    size_t bytes;
} wa_stack_pool_t;

/* Prepare c to run entry(arg) on a stack of at least stack_size bytes taken
 * from the pool. Returns 0 or WA_ENOMEM. */
int wa__coro_init(wa_coro_t *c, size_t stack_size, int (*entry)(void *), void *arg);
/* Run c until it yields or its entry returns (then c->finished is set and
 * c->status holds what it returned). */
void wa__coro_resume(wa_coro_t *c);
/* Suspend the running coroutine c; returns when it is resumed. */
void wa__coro_yield(wa_coro_t *c);
#if WA_CORO_ASYNCIFY
#define WA_AIMPORT(name) __attribute__((import_module("asyncify"), import_name(name)))
WA_AIMPORT("start_unwind") void wa__asyncify_start_unwind(void *data);
WA_AIMPORT("stop_unwind") void wa__asyncify_stop_unwind(void);
WA_AIMPORT("start_rewind") void wa__asyncify_start_rewind(void *data);
WA_AIMPORT("stop_rewind") void wa__asyncify_stop_rewind(void);
uintptr_t wa__sp_get(void);        /* sp.S */
void wa__sp_set(uintptr_t sp);     /* sp.S */
/* Bytes a suspension needs at the least for Asyncify's saved locals. */
#define WA_ASYNCIFY_RESERVE 128u
void wa__coro_overflow(const wa_coro_t *c) __attribute__((noreturn));
#endif
/* Give c's stack back to the pool (c finished, or never started). */
void wa__coro_release(wa_coro_t *c);
/* Largest stack block size (0 = none) of a pool size class for n bytes. */
size_t wa__stack_class_size(size_t n);
/* Default stack size on this backend. */
size_t wa__coro_default_stack(void);
/* Free every pooled stack. */
void wa__stack_pool_trim(void);
/* Bytes of the stacks in the pool. */
size_t wa__stack_pool_pooled_bytes(void);
/* False if c's stack canary was overwritten (the stack overflowed).
 * Checked on every switch: two loads, no call. */
static inline bool wa__coro_intact(const wa_coro_t *c) {
    uint64_t a, b;
    __builtin_memcpy(&a, c->stack, 8);
    __builtin_memcpy(&b, c->stack + 8, 8);
    return a == WA_CANARY_A && b == WA_CANARY_B;
}
/* Report a fatal runtime fault (stack overflow) and stop: memory is corrupt. */
void wa__fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Stack pool (stack_pool.c). True if stacks of n bytes have a guard page. */
bool wa__stack_guarded(size_t n);
unsigned char *wa__stack_acquire(size_t *size_inout);
void wa__stack_return(unsigned char *stack, size_t size);

#endif
