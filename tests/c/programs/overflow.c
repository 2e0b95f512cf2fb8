/* A task overflows its small C stack; the runtime must stop with a message
 * naming the task, never let it write over other memory and carry on:
 *   overflow [huge]  32 KiB of locals on a 16 KiB stack
 *   overflow big     17,000 bytes of locals on a 16 KiB stack: one frame
 *                    just larger than the stack, which used to jump past a
 *                    4 KiB guard page (or the end of a wasm stack) and
 *                    return as if nothing happened
 *   overflow deep    plain recursion
 * A victim task keeps a buffer live across the overflow and checks it
 * after; "not reached" / "victim" lines mean the overflow went unnoticed. */
#include <stdio.h>
#include <string.h>
#include "wasyncio.h"

/* Called through a volatile pointer so the compiler must build the whole
 * array in the frame. */
static void *(*volatile fill)(void *, int, size_t) = memset;

static int huge(void *arg) {
    (void)arg;
    char b[32768];
    fill(b, 1, sizeof b);
    int rc = wa_sleep(0);
    return rc + b[0] + b[sizeof b - 1] - 2;
}

static int big(void *arg) {
    (void)arg;
    char b[17000];
    fill(b, 1, sizeof b);
    int rc = wa_sleep(0);
    return rc + b[0] + b[sizeof b - 1] - 2;
}

static int recurse(int n) {
    volatile char pad[256];
    pad[0] = (char)n;
    return n ? recurse(n - 1) + pad[0] : 0;
}

static int deep(void *arg) {
    (void)arg;
    int rc = wa_sleep(0);
    return rc + (recurse(1 << 20) == 12345);
}

static int victim(void *arg) {
    (void)arg;
    unsigned char buf[4096];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 7 + 3);
    for (int k = 0; k < 3; k++) {
        int rc = wa_sleep(0);
        if (rc) return rc;
    }
    size_t changed = 0;
    for (size_t i = 0; i < sizeof buf; i++) changed += buf[i] != (unsigned char)(i * 7 + 3);
    printf("victim: %zu bytes changed\n", changed);
    return 0;
}

static const char *which = "huge";

static int amain(void *arg) {
    (void)arg;
    wa_coro_fn fn = !strcmp(which, "big") ? big : !strcmp(which, "deep") ? deep : huge;
    wa_task_opts_t vo = {.name = "victim", .stack_size = 16384};
    wa_task_opts_t o = {.name = which, .stack_size = 16384};
    wa_task_t *v, *t;
    int rc = wa_spawn(&v, victim, NULL, &vo);
    if (rc) return rc;
    rc = wa_spawn(&t, fn, NULL, &o);
    if (rc) return rc;
    int rt = wa_await(t);
    int rv = wa_await(v);
    wa_release(t);
    wa_release(v);
    printf("not reached: %d %d\n", rt, rv);
    return rt;
}

int main(int argc, char **argv) {
    if (argc > 1) which = argv[1];
    return wa_run(amain, NULL) == 0 ? 0 : 1;
}
