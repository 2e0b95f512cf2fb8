/* Coroutines on native hosts (used by the tests): a hand-written context
 * switch on x86-64 (coro_switch_x86_64.S), ucontext elsewhere. Under
 * AddressSanitizer every switch is announced with the fiber API so ASan
 * tracks which stack is live. */
#define _DEFAULT_SOURCE /* sigaltstack, siginfo_t */
#include "internal.h"

#if !WA_CORO_ASYNCIFY

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if WA_ASAN
#include <sanitizer/common_interface_defs.h>
#define ASAN_START(save, bottom, size) __sanitizer_start_switch_fiber(save, bottom, size)
#define ASAN_FINISH(save, bottom, size) __sanitizer_finish_switch_fiber(save, bottom, size)
#else
#define ASAN_START(save, bottom, size) ((void)0)
#define ASAN_FINISH(save, bottom, size) ((void)0)
#endif

#if WA_CORO_X86_64
void wa__ctx_switch(void **from, void *to); /* coro_switch_x86_64.S */
void wa__ctx_boot(void);
#endif

#if !WA_ASAN
/* async-signal-safe output: no stdio, no malloc */
static void put(const char *s) {
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static void put_num(unsigned long long v) {
    char buf[24];
    size_t i = sizeof buf;
    buf[--i] = 0;
    do buf[--i] = (char)('0' + v % 10); while ((v /= 10) && i);
    put(buf + i);
}

/* A fault while a coroutine runs, in the guard page below its stack (the
 * build probes big frames page by page, -fstack-clash-protection, so they
 * land there first) or with its canary gone (small stacks have no guard
 * page): a stack overflow. Say which task and how big its stack is before
 * dying. Runs on its own signal stack since the task's is exhausted. Under
 * ASan, ASan's own handler reports it. */
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    wa_coro_t *c = wa__loop.sched.running;
    uintptr_t a = (uintptr_t)si->si_addr, lo = c ? (uintptr_t)c->stack : 0;
    if (c && ((a < lo && lo - a <= ((uintptr_t)1 << 20)) || !wa__coro_intact(c))) {
        wa_task_impl_t *t = wa__loop.current;
        put("wasyncio: fatal: task '");
        if (t && t->name) {
            put(t->name);
        } else {
            put("Task-");
            put_num(t ? (unsigned long long)t->number : 0);
        }
        put("' overflowed its ");
        put_num(c->stack_size);
        put("-byte C stack; give it a larger stack_size (wa_task_opts_t)\n");
    }
    signal(sig, SIG_DFL); /* re-fault into the default action */
}

static void install_guard_handler(void) {
    static unsigned char altstack[64 * 1024];
    if (wa__loop.guard_handler) return;
    wa__loop.guard_handler = true;
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
}
#endif

size_t wa__coro_default_stack(void) {
#if WA_ASAN
    return 256u * 1024u; /* ASan frames are several times larger */
#else
    return 64u * 1024u;
#endif
}

static void coro_main(void *p) {
    wa_coro_t *c = p;
    wa_coro_sched_t *s = &wa__loop.sched;
    ASAN_FINISH(c->asan_fake, &s->asan_bottom, &s->asan_size);
    (void)s;
    c->status = c->entry(c->arg);
    c->finished = 1;
    if (!wa__coro_intact(c))
        wa__fatal("a task overflowed its %zu-byte C stack; give it a larger "
                  "stack_size (wa_task_opts_t)", c->stack_size);
    /* Leave for good: NULL tells ASan this fiber's fake stack can go. */
    ASAN_START(NULL, s->asan_bottom, s->asan_size);
#if WA_CORO_X86_64
    void *dead;
    wa__ctx_switch(&dead, s->sp);
#else
    setcontext(s->ctx);
#endif
}

#if !WA_CORO_X86_64
static void uc_trampoline(unsigned hi, unsigned lo) {
    uintptr_t p = ((uintptr_t)hi << 32) | (uintptr_t)lo;
    coro_main((void *)p);
}
#endif

int wa__coro_init(wa_coro_t *c, size_t stack_size, int (*entry)(void *), void *arg) {
    size_t n = stack_size;
    unsigned char *stk = wa__stack_acquire(&n);
    if (!stk) return WA_ENOMEM;
    c->stack = stk;
    c->stack_size = n;
    c->entry = entry;
    c->arg = arg;
    c->started = c->finished = 0;
    c->asan_fake = NULL;
#if !WA_ASAN
    install_guard_handler(); /* once */
#endif
#if WA_CORO_X86_64
    /* Initial frame: six callee-saved registers, then wa__ctx_boot as the
     * return address; r12 = coro_main, r13 = c. After `ret` the stack is
     * 16-byte aligned for the call. */
    uintptr_t top = ((uintptr_t)stk + n) & ~(uintptr_t)15;
    void **sp = (void **)(top - 72);
    memset(sp, 0, 72);
    /* pop order: r15 r14 r13 r12 rbx rbp, then ret */
    sp[2] = (void *)(uintptr_t)c;         /* r13 */
    sp[3] = (void *)(uintptr_t)coro_main; /* r12 */
    sp[6] = (void *)(uintptr_t)wa__ctx_boot;
    c->sp = sp;
#else
    if (getcontext(&c->ctx) != 0) {
        wa__stack_return(stk, n);
        return WA_ENOMEM;
    }
    c->ctx.uc_stack.ss_sp = stk + WA_CANARY_BYTES;
    c->ctx.uc_stack.ss_size = n - WA_CANARY_BYTES;
    c->ctx.uc_link = NULL;
    uintptr_t p = (uintptr_t)c;
    makecontext(&c->ctx, (void (*)(void))uc_trampoline, 2,
                (unsigned)(p >> 32), (unsigned)(p & 0xffffffffu));
#endif
    return 0;
}

void wa__coro_release(wa_coro_t *c) {
    wa__stack_return(c->stack, c->stack_size);
    c->stack = NULL;
}

/* Nests (an eager task start from inside a running coroutine): the outer
 * resumer's switch state is kept here and put back once c yields. */
void wa__coro_resume(wa_coro_t *c) {
    wa_coro_sched_t *s = &wa__loop.sched;
    wa_coro_t *outer = s->running;
    const void *outer_bottom = s->asan_bottom;
    size_t outer_size = s->asan_size;
    void *fake = NULL;
    (void)fake;
    s->running = c;
    c->started = 1;
    ASAN_START(&fake, c->stack + WA_CANARY_BYTES, c->stack_size - WA_CANARY_BYTES);
#if WA_CORO_X86_64
    void *outer_sp = s->sp;
    wa__ctx_switch(&s->sp, c->sp);
    s->sp = outer_sp;
#else
    ucontext_t here, *outer_ctx = s->ctx;
    s->ctx = &here;
    swapcontext(&here, &c->ctx);
    s->ctx = outer_ctx;
#endif
    ASAN_FINISH(fake, NULL, NULL);
    s->asan_bottom = outer_bottom;
    s->asan_size = outer_size;
    s->running = outer;
}

void wa__coro_yield(wa_coro_t *c) {
    wa_coro_sched_t *s = &wa__loop.sched;
    if (!wa__coro_intact(c))
        wa__fatal("a task overflowed its %zu-byte C stack; give it a larger "
                  "stack_size (wa_task_opts_t)", c->stack_size);
    ASAN_START(&c->asan_fake, s->asan_bottom, s->asan_size);
#if WA_CORO_X86_64
    wa__ctx_switch(&c->sp, s->sp);
#else
    swapcontext(&c->ctx, s->ctx);
#endif
    ASAN_FINISH(c->asan_fake, &s->asan_bottom, &s->asan_size);
}

#endif
