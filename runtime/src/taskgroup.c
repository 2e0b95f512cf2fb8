/* asyncio.TaskGroup (3.13) for C.
 *
 * The group belongs to the task that entered it (the owner, asyncio's
 * parent task) and sits in the owner's scope list while open, so children
 * inherit the effective deadline of the scopes around it. Each child has a
 * record (the argument of its done callback) in a list; the group holds a
 * reference to each running child.
 *
 * Failure handling follows taskgroups.py: the first child failure aborts
 * the group (cancels every other child) and cancels the owner once
 * (_parent_cancel_requested), which exit withdraws with uncancel(). Exit is
 * split in two so that step tasks and the JS bindings can use it: _start
 * records the body's outcome and returns a future done when every child is
 * (asyncio's wait loop on _on_completed_fut; cancelling the owner while it
 * waits there is routed to exit_cancel, which aborts and keeps waiting), and
 * _finish (run by the owner) does the uncancel/re-cancel bookkeeping and
 * computes the status. wa_taskgroup_exit is both for coroutines.
 *
 * A task waiting to leave (a coroutine in wa_taskgroup_exit, or a step task
 * awaiting the exit future, which it runs inline: FFLAG_INLINE) waits as
 * asyncio's __aexit__ does: on a plain future (_on_completed_fut, `ocf`),
 * completed when the last child is done; cancelled while it waits, it
 * resumes with the cancellation, aborts the group and waits again on a new
 * one. */
#include "comb.h"
#include "dlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TG_ENTERED = 1, TG_EXITING, TG_FINISHED };

typedef struct tgchild {
    wa_taskgroup_t *tg;
    wa_task_t *task;            /* referenced */
    struct tgchild *prev, *next;
} tgchild_t;

typedef struct tgerror {
    int code;
    char *own_msg;              /* the body's message (owned); else the task's */
    wa_task_t *task;            /* referenced */
} tgerror_t;

typedef struct tgexit {
    struct wa_future fut;       /* must be first */
    const wa_inline_vt_t *ivt;  /* second (FFLAG_INLINE) */
    wa_taskgroup_t *tg;         /* NULL once the group is freed */
    bool adopted;               /* a step task runs the wait inline */
} tgexit_t;

struct wa_taskgroup {
    wa_scope_link_t link;       /* must be first (see wa__deadline_chain) */
    wa_task_t *owner;           /* referenced */
    int state;
    bool aborting;
    bool parent_cancel_requested;
    bool propagate_cancel;
    int body_status;
    tgchild_t *head, *tail;
    size_t nchildren;
    tgerror_t *errs;
    size_t nerrs, cap_errs;
    tgexit_t *exit;             /* referenced; created by exit_start */
    wa_future_t *ocf;           /* asyncio's _on_completed_fut (referenced) */
};

/* ---- helpers ---------------------------------------------------------------- */

static void tg_abort(wa_taskgroup_t *tg) {
    tg->aborting = true;
    for (tgchild_t *c = tg->head; c; c = c->next)
        if (!wa_future_done(c->task)) wa_cancel(c->task, NULL);
}

static int add_error(wa_taskgroup_t *tg, int code, char *own_msg, wa_task_t *task) {
    if (tg->nerrs == tg->cap_errs) {
        size_t ncap = tg->cap_errs ? tg->cap_errs * 2 : 4;
        tgerror_t *n = realloc(tg->errs, ncap * sizeof *n);
        if (!n) return WA_ENOMEM;
        tg->errs = n;
        tg->cap_errs = ncap;
    }
    tg->errs[tg->nerrs].code = code;
    tg->errs[tg->nerrs].own_msg = own_msg;
    tg->errs[tg->nerrs].task = wa_ref(task);
    tg->nerrs++;
    return 0;
}

static bool closed_for_spawn(const wa_taskgroup_t *tg) {
    return tg->state == TG_FINISHED || (tg->state == TG_EXITING && tg->nchildren == 0) ||
           tg->aborting;
}

/* ---- children ---------------------------------------------------------------- */

static void on_task_done(wa_future_t *task, void *arg) {
    tgchild_t *c = arg;
    wa_taskgroup_t *tg = c->tg;
    WA_DLIST_UNLINK(tg->head, tg->tail, c);
    tg->nchildren--;
    free(c);
    TASK(task)->group = NULL;
    if (tg->nchildren == 0) {
        if (tg->ocf && tg->ocf->state == FUT_PENDING) wa_future_set_result(tg->ocf, NULL, NULL);
        if (tg->exit && !tg->exit->adopted && tg->exit->fut.state == FUT_PENDING)
            wa__future_complete(&tg->exit->fut, FUT_OK, 0, NULL, NULL, NULL);
    }
    if (task->state != FUT_CANCELLED) {
        int code = wa_future_status(task);
        if (code != 0) {
            if (add_error(tg, code, NULL, task) != 0) {
                /* no memory to record it: at least report it */
                wa__report_unretrieved(task);
            } else if (wa_future_done(tg->owner)) {
                /* asyncio: "has errored out but its parent task is already
                 * completed" goes to the exception handler */
                wa__report_unretrieved(task);
            } else if (!tg->aborting && !tg->parent_cancel_requested) {
                tg_abort(tg);
                tg->parent_cancel_requested = true;
                wa__scope_cancel_task(&tg->link, tg->owner, WA__CANCEL_BY_GROUP, NULL);
            }
        }
    }
    wa_release(task); /* the group's reference */
}

static int adopt(wa_taskgroup_t *tg, wa_task_t *t, tgchild_t *c) {
    c->tg = tg;
    c->task = t;
    /* A child already done (an eager task that never suspended) is
     * accounted for at once, as asyncio's TaskGroup.create_task does. */
    bool done = wa_future_done(t);
    if (!done) {
        int rc = wa_future_add_done_callback(t, on_task_done, c);
        if (rc) return rc;
    }
    wa_ref(t);
    WA_DLIST_APPEND(tg->head, tg->tail, c);
    tg->nchildren++;
    TASK(t)->group = tg;
    if (done) on_task_done(t, c);
    return 0;
}

static int spawn_any(wa_taskgroup_t *tg, wa_task_t **out, bool step, void *fn, void *arg,
                     const wa_task_opts_t *opts) {
    if (!tg || !fn) return WA_EINVAL;
    if (closed_for_spawn(tg)) return WA_ESTATE;
    tgchild_t *c = malloc(sizeof *c);
    if (!c) return WA_ENOMEM;
    wa_task_t *t;
    int rc = step ? wa_spawn_step(&t, (wa_step_fn)fn, arg, opts)
                  : wa_spawn(&t, (wa_coro_fn)fn, arg, opts);
    if (rc) {
        free(c);
        return rc;
    }
    rc = adopt(tg, t, c);
    if (rc) { /* not started yet: cancelling it means its body never runs */
        free(c);
        wa_cancel(t, NULL);
        wa_release(t);
        return rc;
    }
    if (out) *out = t;
    else wa_release(t);
    return 0;
}

int wa_taskgroup_spawn(wa_taskgroup_t *tg, wa_task_t **out, wa_coro_fn fn, void *arg,
                       const wa_task_opts_t *opts) {
    return spawn_any(tg, out, false, (void *)fn, arg, opts);
}

int wa_taskgroup_spawn_step(wa_taskgroup_t *tg, wa_task_t **out, wa_step_fn step, void *state,
                            const wa_task_opts_t *opts) {
    return spawn_any(tg, out, true, (void *)step, state, opts);
}

int wa_taskgroup_add(wa_taskgroup_t *tg, wa_task_t *t) {
    if (!tg || !wa_is_task(t) || TASK(t)->group || t == tg->owner) return WA_EINVAL;
    if (closed_for_spawn(tg)) return WA_ESTATE;
    tgchild_t *c = malloc(sizeof *c);
    if (!c) return WA_ENOMEM;
    int rc = adopt(tg, t, c);
    if (rc) free(c);
    return rc;
}

/* ---- enter / exit ---------------------------------------------------------- */

static int enter(wa_taskgroup_t **out, wa_task_impl_t *t) {
    wa_taskgroup_t *tg = calloc(1, sizeof *tg);
    if (!tg) return WA_ENOMEM;
    tg->owner = wa_ref(&t->fut);
    tg->state = TG_ENTERED;
    wa__scope_push(t, &tg->link, WA__SCOPE_GROUP);
    *out = tg;
    return 0;
}

int wa_taskgroup_enter(wa_taskgroup_t **out) {
    if (!out) return WA_EINVAL;
    wa_task_impl_t *t = wa__loop.current;
    if (!t) return WA_ENOTASK;
    return enter(out, t);
}

int wa_taskgroup_enter_in(wa_taskgroup_t **out, wa_task_t *owner) {
    if (!out || !wa_is_task(owner)) return WA_EINVAL;
    if (wa_future_done(owner)) return WA_ESTATE;
    return enter(out, TASK(owner));
}

/* Exit calls come from the owner, or from outside any task (the JS
 * bindings driving an async-function owner). */
static bool owner_context(const wa_taskgroup_t *tg) {
    wa_task_t *cur = wa_current_task();
    return !cur || cur == tg->owner;
}

/* The owner was cancelled while awaiting the exit future (asyncio: the
 * CancelledError caught in __aexit__'s wait loop). Keep waiting. */
static int exit_cancel(wa_future_t *f, const char *msg) {
    (void)msg;
    wa_taskgroup_t *tg = ((tgexit_t *)f)->tg;
    if (tg && !tg->aborting) {
        tg->propagate_cancel = true;
        tg_abort(tg);
    }
    return 1;
}

/* One turn of __aexit__'s wait loop ended with status st (the wait on ocf):
 * a cancellation aborts the group (once). Returns true while children
 * remain (wait again, on a new ocf). */
static bool exit_waited(wa_taskgroup_t *tg, int st) {
    wa_release(tg->ocf);
    tg->ocf = NULL;
    if (st == WA_ECANCELLED && !tg->aborting) {
        tg->propagate_cancel = true;
        tg_abort(tg);
    }
    return tg->nchildren > 0;
}

static wa_future_t *new_ocf(wa_taskgroup_t *tg) {
    if (!tg->ocf && wa_future_new(&tg->ocf) != 0) tg->ocf = NULL;
    return tg->ocf;
}

static wa_future_t *exit_adopt(wa_future_t *f, wa_task_impl_t *t) {
    tgexit_t *x = (tgexit_t *)f;
    wa_taskgroup_t *tg = x->tg;
    if (!tg || f->state != FUT_PENDING || &t->fut != tg->owner || !tg->nchildren ||
        f->ncb_inline || (f->cbs && f->cbs->n))
        return NULL;
    wa_future_t *ocf = new_ocf(tg);
    if (ocf) x->adopted = true;
    return ocf;
}

static int exit_adopted_step(wa_future_t *f, wa_future_t *w, wa_task_impl_t *t, wa_future_t **next) {
    tgexit_t *x = (tgexit_t *)f;
    wa_taskgroup_t *tg = x->tg;
    int st = wa_future_status(w);
    if (t->must_cancel) { /* thrown in at `await self._on_completed_fut` */
        t->must_cancel = 0;
        st = WA_ECANCELLED;
    }
    *next = NULL;
    if (exit_waited(tg, st) && (*next = new_ocf(tg)) != NULL) return WA_PENDING;
    x->adopted = false;
    if (tg->nchildren == 0) wa__future_complete(f, FUT_OK, 0, NULL, NULL, NULL);
    else wa__future_complete(f, FUT_ERROR, WA_ENOMEM, NULL, NULL, NULL);
    return wa_future_status(f);
}

static void exit_unadopt(wa_future_t *f) {
    tgexit_t *x = (tgexit_t *)f;
    x->adopted = false;
    if (x->tg && x->tg->nchildren == 0 && f->state == FUT_PENDING)
        wa__future_complete(f, FUT_OK, 0, NULL, NULL, NULL);
}

static const wa_inline_vt_t exit_ivt = {exit_adopt, exit_adopted_step, exit_unadopt};

int wa_taskgroup_exit_start(wa_taskgroup_t *tg, int body_status, wa_future_t **out) {
    if (!tg || !out) return WA_EINVAL;
    if (tg->state != TG_ENTERED || !owner_context(tg)) return WA_ESTATE;
    tgexit_t *x = malloc(sizeof *x);
    if (!x) return WA_ENOMEM;
    wa__future_init(&x->fut, KIND_FUTURE);
    x->fut.cancel_hook = exit_cancel;
    x->fut.flags |= FFLAG_INLINE;
    x->ivt = &exit_ivt;
    x->adopted = false;
    x->tg = tg;
    tg->exit = x;
    tg->state = TG_EXITING;
    tg->body_status = body_status;
    if (body_status == WA_ECANCELLED) tg->propagate_cancel = true;
    if (body_status != 0 && !tg->aborting) tg_abort(tg);
    if (tg->nchildren == 0) wa__future_complete(&x->fut, FUT_OK, 0, NULL, NULL, NULL);
    *out = wa_ref(&x->fut);
    return 0;
}

int wa_taskgroup_exit_finish(wa_taskgroup_t *tg, int wait_status) {
    if (!tg) return WA_EINVAL;
    if (tg->state != TG_EXITING || tg->exit->fut.state == FUT_PENDING || !owner_context(tg))
        return WA_ESTATE;
    if (wait_status == WA_ECANCELLED && !tg->aborting) {
        /* cancelled after the children were all done, before resuming */
        tg->propagate_cancel = true;
        tg->aborting = true;
    }
    tg->state = TG_FINISHED;
    wa__scope_unlink(&tg->link);
    wa_task_t *owner = tg->owner;
    bool propagate = tg->propagate_cancel;
    if (tg->parent_cancel_requested && wa_task_uncancel(owner) == 0) propagate = false;
    if (propagate && tg->nerrs == 0) return WA_ECANCELLED;
    int body = tg->body_status;
    if (body != 0 && body != WA_ECANCELLED) {
        const char *m = TASK(owner)->fail_msg;
        char *copy = m ? wa__strdup(m) : NULL;
        if (add_error(tg, body, copy, owner) != 0) free(copy);
    }
    if (tg->nerrs == 0) return 0;
    /* An outside cancellation of the owner stays pending (3.13: uncancel and
     * re-cancel, which keeps the count and re-arms delivery). */
    if (wa_task_cancelling(owner) > 0) {
        wa_task_uncancel(owner);
        wa__scope_cancel_task(&tg->link, owner, WA__CANCEL_KEPT, NULL);
    }
    if (wa_current_task() != owner) return WA_EGROUP;
    return wa_fail(WA_EGROUP, "unhandled errors in a TaskGroup (%zu sub-exception%s)", tg->nerrs,
                   tg->nerrs == 1 ? "" : "s");
}

int wa_taskgroup_exit(wa_taskgroup_t *tg, int body_status) {
    if (!tg) return WA_EINVAL;
    wa_task_impl_t *cur = wa__current_coro();
    if (!cur) return WA_ENOTASK;
    if (&cur->fut != tg->owner) return WA_ESTATE;
    wa_future_t *x;
    int rc = wa_taskgroup_exit_start(tg, body_status, &x);
    if (rc) return rc;
    /* `while self._tasks: ... await self._on_completed_fut` */
    while (tg->nchildren) {
        wa_future_t *ocf = new_ocf(tg);
        if (!ocf) break;
        exit_waited(tg, wa_await(ocf));
    }
    if (x->state == FUT_PENDING) { /* out of memory arranging the wait */
        wa_release(x);
        return WA_ENOMEM;
    }
    wa_release(x);
    return wa_taskgroup_exit_finish(tg, 0);
}

/* ---- queries and freeing ------------------------------------------------------ */

size_t wa_taskgroup_error_count(const wa_taskgroup_t *tg) { return tg ? tg->nerrs : 0; }

int wa_taskgroup_error(const wa_taskgroup_t *tg, size_t i, int *code, const char **message,
                       wa_task_t **task) {
    if (!tg || i >= tg->nerrs) return WA_EINVAL;
    const tgerror_t *e = &tg->errs[i];
    if (code) *code = e->code;
    if (message) *message = e->own_msg ? e->own_msg : wa_future_message(e->task);
    if (task) *task = e->task;
    return 0;
}

size_t wa_taskgroup_size(const wa_taskgroup_t *tg) { return tg ? tg->nchildren : 0; }

double wa_taskgroup_deadline(const wa_taskgroup_t *tg) {
    if (!tg || !tg->link.task_) return WA_NO_TIMEOUT;
    return wa__deadline_chain((wa_scope_link_t *)&tg->link, TASK(tg->link.task_));
}

int wa_taskgroup_free(wa_taskgroup_t *tg) {
    if (!tg) return 0;
    if (tg->nchildren) return WA_ESTATE;
    if (tg->state != TG_FINISHED && tg->link.task_) return WA_ESTATE;
    wa__scope_unlink(&tg->link);
    for (size_t i = 0; i < tg->nerrs; i++) {
        free(tg->errs[i].own_msg);
        wa_release(tg->errs[i].task);
    }
    free(tg->errs);
    if (tg->exit) {
        tg->exit->tg = NULL;
        wa_release(&tg->exit->fut);
    }
    wa_release(tg->ocf);
    wa_release(tg->owner);
    free(tg);
    return 0;
}
