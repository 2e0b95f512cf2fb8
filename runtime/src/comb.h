/* Private declarations shared by the structured-concurrency files
 * (timeout.c, taskgroup.c, wait.c, wait_for.c, as_completed.c, shield.c,
 * futset.c). Not installed. */
#ifndef WASYNCIO_COMB_H
#define WASYNCIO_COMB_H

#include "internal.h"

#include <math.h>

/* Kinds of wa_scope_link_t in a task's scope list. */
enum { WA__SCOPE_TIMEOUT = 0x7e01, WA__SCOPE_GROUP = 0x7e02 };

/* Why a scope cancels its own task (wa__loop.cancel_why). */
enum {
    WA__CANCEL_BY_DEADLINE = 1, /* a timeout scope's deadline passed          */
    WA__CANCEL_BY_GROUP = 2,    /* a task of the group failed                 */
    WA__CANCEL_BY_SIGNAL = 3,   /* the bindings: the scope's external signal  */
    WA__CANCEL_KEPT = 4,        /* a group exit keeps an outside cancellation */
                                /* pending (uncancel + cancel): nothing new   */
};

/* Cancel s's task on s's behalf: while the request is announced
 * (cancel_notify), wa__loop.cancel_origin is s and cancel_why is why. */
int wa__scope_cancel_task(wa_scope_link_t *s, wa_task_t *task, int why, const char *msg);

/* timeout.c: the scope list of a task (innermost first). */
void wa__scope_push(wa_task_impl_t *t, wa_scope_link_t *s, int kind);
void wa__scope_unlink(wa_scope_link_t *s);
/* Earliest deadline of s and every link after it in its task, continued
 * through the group the task belongs to (struct wa_taskgroup begins with its
 * link; link.task_ is NULL once the group is no longer open). */
double wa__deadline_chain(wa_scope_link_t *s, wa_task_impl_t *t);

/* futset.c: the distinct entries of futs[0..n) in order of first
 * appearance, in a new array (*out, free() it; no references taken).
 * WA_EINVAL if an entry is NULL, WA_ENOMEM. */
int wa__futset(wa_future_t *const *futs, size_t n, wa_future_t ***out, size_t *m);
/* first[i] = 1 if futs[i] (not NULL) does not appear in futs[0..i). */
void wa__first_occurrences(wa_future_t *const *futs, size_t n, unsigned char *first);

/* The coroutine task running now, or NULL (also for step tasks). */
static inline wa_task_impl_t *wa__current_coro(void) {
    wa_task_impl_t *t = wa__loop.current;
    return t && t->fut.kind == KIND_CORO ? t : NULL;
}

#endif
