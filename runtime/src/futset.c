/* Distinct futures of an argument array (gather, wait and as_completed
 * treat their arguments as a set, as asyncio does), in order of first
 * appearance. O(n) and allocation-free: a transient mark bit on each
 * future, cleared before returning. */
#include "comb.h"

#include <stdlib.h>

void wa__first_occurrences(wa_future_t *const *futs, size_t n, unsigned char *first) {
    for (size_t i = 0; i < n; i++) {
        wa_future_t *f = futs[i];
        first[i] = !(f->flags & FFLAG_MARK);
        f->flags |= FFLAG_MARK;
    }
    for (size_t i = 0; i < n; i++) futs[i]->flags &= (uint8_t)~FFLAG_MARK;
}

int wa__futset(wa_future_t *const *futs, size_t n, wa_future_t ***out, size_t *m) {
    *out = NULL;
    *m = 0;
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (!futs[i]) return WA_EINVAL;
    if (n > SIZE_MAX / sizeof(wa_future_t *)) return WA_ENOMEM;
    wa_future_t **res = malloc(n * sizeof *res);
    if (!res) return WA_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        wa_future_t *f = futs[i];
        if (!(f->flags & FFLAG_MARK)) {
            f->flags |= FFLAG_MARK;
            res[k++] = f;
        }
    }
    for (size_t i = 0; i < k; i++) res[i]->flags &= (uint8_t)~FFLAG_MARK;
    *out = res;
    *m = k;
    return 0;
}
