/* Bytes the C heap has in use (malloc'd, not freed): mallinfo2 natively,
 * dlmalloc's mallinfo on wasm. Shared by bench_sync.c and the soak program
 * (tests/c/programs/soak.c). */
#ifndef WASYNCIO_HEAP_IN_USE_H
#define WASYNCIO_HEAP_IN_USE_H

#include <malloc.h>
#include <stddef.h>

static inline size_t heap_in_use(void) {
#ifdef __EMSCRIPTEN__
    struct mallinfo mi = mallinfo();
    return (size_t)mi.uordblks;
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks;
#endif
}

#endif
