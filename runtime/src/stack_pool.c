#define _DEFAULT_SOURCE /* mmap flags, sysconf */
/* Pool of coroutine stacks in power-of-two size classes from WA_STACK_MIN.
 * Reusing stacks keeps task creation off malloc. Natively the pool keeps at
 * most WA_POOL_BYTES per class so a burst of tasks does not pin memory. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#if !defined(__wasm__)
#include <sys/mman.h>
#include <unistd.h>
/* Natively, stacks of at least this size get a PROT_NONE guard page below
 * them, so an overflow faults at once (coro_native.c names the task).
 * Smaller ones (benchmarks spawn 100k of them) rely on the canary: each
 * guard costs a kernel mapping and there are only ~65k of those. */
#define WA_GUARD_MIN (16u * 1024u)

static size_t page_size(void) {
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

static unsigned char *block_alloc(size_t n) {
    if (n < WA_GUARD_MIN || n % page_size()) return malloc(n);
    size_t g = page_size();
    void *m = mmap(NULL, n + g, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return NULL;
    if (mprotect(m, g, PROT_NONE) != 0) {
        munmap(m, n + g);
        return NULL;
    }
    return (unsigned char *)m + g;
}

static void block_free(unsigned char *s, size_t n) {
    if (n < WA_GUARD_MIN || n % page_size()) {
        free(s);
        return;
    }
    size_t g = page_size();
    munmap(s - g, n + g);
}

bool wa__stack_guarded(size_t n) { return n >= WA_GUARD_MIN && n % page_size() == 0; }
#else
static unsigned char *block_alloc(size_t n) { return malloc(n); }
static void block_free(unsigned char *s, size_t n) {
    (void)n;
    free(s);
}
bool wa__stack_guarded(size_t n) {
    (void)n;
    return false;
}
#endif

#if defined(__wasm__)
/* wasm memory never shrinks: a freed stack would stay in the heap anyway,
 * so keep every one for reuse (wa_loop_trim gives them to malloc). */
#define WA_POOL_BYTES SIZE_MAX
#else
#define WA_POOL_BYTES ((size_t)8 << 20)
#endif

static const uint64_t canary[2] = {WA_CANARY_A, WA_CANARY_B};

static int class_of(size_t n) {
    size_t sz = WA_STACK_MIN;
    for (int c = 0; c < WA_STACK_CLASSES; c++, sz <<= 1)
        if (n <= sz) return c;
    return -1;
}

size_t wa__stack_class_size(size_t n) {
    int c = class_of(n);
    return c < 0 ? 0 : (size_t)WA_STACK_MIN << c;
}

unsigned char *wa__stack_acquire(size_t *size_inout) {
    wa_stack_pool_t *p = &wa__loop.stacks;
    size_t n = *size_inout < WA_STACK_MIN ? WA_STACK_MIN : *size_inout;
    int c = class_of(n);
    unsigned char *s = NULL;
    if (c >= 0) {
        n = (size_t)WA_STACK_MIN << c;
        if (p->free[c]) {
            s = p->free[c];
            memcpy(&p->free[c], s, sizeof(void *));
            p->nfree[c]--;
            p->pooled--;
        }
    } else {
        n = (n + 15) & ~(size_t)15;
    }
    if (!s) {
        s = block_alloc(n);
        if (!s) return NULL;
        p->bytes += n;
    }
    memcpy(s, canary, WA_CANARY_BYTES);
    p->in_use++;
    *size_inout = n;
    return s;
}

void wa__stack_return(unsigned char *s, size_t n) {
    wa_stack_pool_t *p = &wa__loop.stacks;
    if (!s) return;
    p->in_use--;
    int c = class_of(n);
    if (c >= 0 && (size_t)p->nfree[c] < WA_POOL_BYTES / n) {
        memcpy(s, &p->free[c], sizeof(void *));
        p->free[c] = s;
        p->nfree[c]++;
        p->pooled++;
        return;
    }
    p->bytes -= n;
    block_free(s, n);
}

size_t wa__stack_pool_pooled_bytes(void) {
    size_t b = 0;
    for (int c = 0; c < WA_STACK_CLASSES; c++) b += (size_t)wa__loop.stacks.nfree[c] * ((size_t)WA_STACK_MIN << c);
    return b;
}

void wa__stack_pool_trim(void) {
    wa_stack_pool_t *p = &wa__loop.stacks;
    for (int c = 0; c < WA_STACK_CLASSES; c++) {
        while (p->free[c]) {
            unsigned char *s = p->free[c];
            memcpy(&p->free[c], s, sizeof(void *));
            p->bytes -= (size_t)WA_STACK_MIN << c;
            block_free(s, (size_t)WA_STACK_MIN << c);
        }
        p->nfree[c] = 0;
    }
    p->pooled = 0;
}


