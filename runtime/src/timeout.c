/* Timeout scopes: asyncio.timeout / timeout_at (3.13 asyncio.Timeout) as
 * enter/exit calls, plus effective deadlines (Trio's idea).
 *
 * Entering records the task and its cancelling() count and arms a handle at
 * the deadline (a past deadline: call_soon, as asyncio does, so it fires
 * before the task next resumes). When it fires the task is cancelled
 * (Task.cancel) and the scope is EXPIRING. Exiting an EXPIRING scope calls
 * uncancel(); if the count is back at (or below) what it was on entry and
 * the status is WA_ECANCELLED, that cancellation was the scope's own and
 * becomes WA_ETIMEDOUT; otherwise (an outer cancellation, or an enclosing
 * scope that expired as well) it passes through.
 *
 * Every task keeps a list of the scopes and task groups open in it,
 * innermost first (wa_task_impl_t.scopes). The effective deadline is the
 * minimum over that list and, for a task of a group, over the scopes that
 * enclose the group in its owner, and so on up. */
#include "comb.h"

#include <stdlib.h>
#include <string.h>

/* Scope states (wa_timeout_t.state_). Anything else: never entered. */
enum {
    TO_ENTERED = 0x5c01,
    TO_EXPIRING = 0x5c02,
    TO_EXPIRED = 0x5c03,
    TO_EXITED = 0x5c04,
};

/* ---- the per-task scope list ---------------------------------------------- */

void wa__scope_push(wa_task_impl_t *t, wa_scope_link_t *s, int kind) {
    s->kind_ = kind;
    s->task_ = &t->fut;
    s->outer_ = t->scopes;
    s->entry_cancels_ = t->num_cancels;
    s->ext_cancels_ = 0;
    t->scopes = s;
}

int wa__scope_cancel_task(wa_scope_link_t *s, wa_task_t *task, int why, const char *msg) {
    wa_scope_link_t *origin = wa__loop.cancel_origin;
    int prev_why = wa__loop.cancel_why;
    wa__loop.cancel_origin = s;
    wa__loop.cancel_why = why;
    int rc = wa_cancel(task, msg);
    wa__loop.cancel_origin = origin;
    wa__loop.cancel_why = prev_why;
    return rc;
}

void wa__scope_unlink(wa_scope_link_t *s) {
    if (!s->task_) return;
    wa_task_impl_t *t = TASK(s->task_);
    wa_scope_link_t **pp = &t->scopes;
    while (*pp && *pp != s) pp = &(*pp)->outer_;
    if (*pp) *pp = s->outer_;
    s->outer_ = NULL;
    s->task_ = NULL;
}

double wa__deadline_chain(wa_scope_link_t *s, wa_task_impl_t *t) {
    double d = WA_NO_TIMEOUT;
    /* The hop count bound only guards against a corrupted chain. */
    for (int hops = 0; t && hops < 4096; hops++) {
        for (; s; s = s->outer_)
            if (s->kind_ == WA__SCOPE_TIMEOUT) {
                double w = ((wa_timeout_t *)s)->when_;
                if (w < d) d = w;
            }
        wa_scope_link_t *g = (wa_scope_link_t *)t->group;
        if (!g || !g->task_) break;
        s = g->outer_;
        t = TASK(g->task_);
    }
    return d;
}

void wa__scopes_task_done(wa_task_impl_t *t) {
    wa_scope_link_t *s = t->scopes;
    t->scopes = NULL;
    while (s) {
        wa_scope_link_t *next = s->outer_;
        if (s->kind_ == WA__SCOPE_TIMEOUT) {
            wa_timeout_t *to = (wa_timeout_t *)s;
            wa_handle_cancel(to->handle_);
            to->handle_ = 0;
            to->state_ = to->state_ == TO_EXPIRING ? TO_EXPIRED : TO_EXITED;
        }
        /* A group whose owner ended without exiting: no longer open. */
        s->outer_ = NULL;
        s->task_ = NULL;
        s = next;
    }
}

/* ---- timeout scopes --------------------------------------------------------- */

static bool entered(const wa_timeout_t *s) {
    return s->state_ == TO_ENTERED || s->state_ == TO_EXPIRING;
}

static void on_timeout(void *arg) {
    wa_timeout_t *s = arg;
    s->handle_ = 0;
    if (s->state_ != TO_ENTERED || !s->link_.task_) return;
    s->state_ = TO_EXPIRING;
    wa__scope_cancel_task(&s->link_, s->link_.task_, WA__CANCEL_BY_DEADLINE, NULL);
}

/* Arm the handle for when_ (none for +inf). */
static int arm(wa_timeout_t *s) {
    s->handle_ = 0;
    if (isinf(s->when_) && s->when_ > 0) return 0;
    if (s->when_ <= wa_time()) return wa_call_soon(on_timeout, s, &s->handle_);
    return wa_call_at(s->when_, on_timeout, s, &s->handle_);
}

static int enter(wa_timeout_t *s, wa_task_impl_t *t, double when) {
    if (entered(s)) return WA_ESTATE;
    memset(s, 0, sizeof *s);
    s->when_ = when;
    s->cancelling_ = t->num_cancels;
    int rc = arm(s);
    if (rc) return rc;
    s->state_ = TO_ENTERED;
    wa__scope_push(t, &s->link_, WA__SCOPE_TIMEOUT);
    return 0;
}

int wa_timeout_enter_at(wa_timeout_t *s, double when) {
    if (!s || isnan(when)) return WA_EINVAL;
    wa_task_impl_t *t = wa__loop.current;
    if (!t) return WA_ENOTASK;
    return enter(s, t, when);
}

int wa_timeout_enter_in(wa_timeout_t *s, wa_task_t *task, double when) {
    if (!s || !wa_is_task(task) || isnan(when)) return WA_EINVAL;
    if (wa_future_done(task)) return WA_ESTATE;
    return enter(s, TASK(task), when);
}

int wa_timeout_enter(wa_timeout_t *s, double delay) {
    if (!s || isnan(delay)) return WA_EINVAL;
    if (isinf(delay) && delay > 0) return wa_timeout_enter_at(s, WA_NO_TIMEOUT);
    return wa_timeout_enter_at(s, wa_time() + delay);
}

int wa_timeout_exit(wa_timeout_t *s, int status) {
    if (!s) return WA_EINVAL;
    if (!entered(s)) return WA_ESTATE;
    wa_handle_cancel(s->handle_);
    s->handle_ = 0;
    wa_task_t *task = s->link_.task_;
    wa__scope_unlink(&s->link_);
    if (s->state_ == TO_EXPIRING) {
        s->state_ = TO_EXPIRED;
        if (task && wa_task_uncancel(task) <= s->cancelling_ && status == WA_ECANCELLED)
            return WA_ETIMEDOUT;
    } else {
        s->state_ = TO_EXITED;
    }
    return status;
}

int wa_timeout_reschedule(wa_timeout_t *s, double when) {
    if (!s || isnan(when)) return WA_EINVAL;
    if (s->state_ != TO_ENTERED) return WA_ESTATE;
    wa_handle_t old = s->handle_;
    double old_when = s->when_;
    s->when_ = when;
    int rc = arm(s);
    if (rc) { /* keep the old deadline armed */
        s->when_ = old_when;
        s->handle_ = old;
        return rc;
    }
    wa_handle_cancel(old);
    return 0;
}

bool wa_timeout_expired(const wa_timeout_t *s) {
    return s && (s->state_ == TO_EXPIRING || s->state_ == TO_EXPIRED);
}

double wa_timeout_when(const wa_timeout_t *s) { return s ? s->when_ : NAN; }

double wa_timeout_deadline(const wa_timeout_t *s) {
    if (!s || !entered(s) || !s->link_.task_) return NAN;
    return wa__deadline_chain((wa_scope_link_t *)&s->link_, TASK(s->link_.task_));
}

double wa_current_deadline(void) {
    wa_task_impl_t *t = wa__loop.current;
    if (!t) return WA_NO_TIMEOUT;
    return wa__deadline_chain(t->scopes, t);
}

int wa_timeout_new(wa_timeout_t **out) {
    if (!out) return WA_EINVAL;
    wa_timeout_t *s = calloc(1, sizeof *s);
    if (!s) return WA_ENOMEM;
    *out = s;
    return 0;
}

int wa_timeout_free(wa_timeout_t *s) {
    if (!s) return 0;
    if (entered(s)) return WA_ESTATE;
    free(s);
    return 0;
}
