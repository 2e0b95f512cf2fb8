/* The C side of the JS bindings (bindings/runtime.js): trampolines that
 * let JS tasks, callbacks and done callbacks run on the C scheduler, and a
 * few helpers that keep the JS calling convention to plain i32/f64 values.
 * The JS side is reached through the imports in library_js.js. The entry
 * points JS calls are declared and documented in src/bridge_api.h. */
#include "../../src/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Imports (library_js.js), dispatched to Module.wasyncioBridge (the table
 * in bindings/bridge.js). */
extern int wa_js_import_step(int32_t slot, int status);
extern void wa_js_import_done(wa_future_t *f, int32_t id);
extern void wa_js_import_callback(int32_t id);
extern void wa_js_import_cancelled(wa_task_t *t, int32_t slot);
extern int wa_js_import_call(const char *name, const wa_value_t *arg, wa_future_t *f);
extern void wa_js_import_resume(int32_t id);
extern void wa_js_import_run_done(int status, const char *message, int how);

WA_EXPORT void *wa_js_malloc(size_t n) { return malloc(n ? n : 1); }
WA_EXPORT void wa_js_free(void *p) { free(p); }

/* ---- views: JS objects watching C futures ---------------------------------
 * A view watches its future with one done callback (js_done) whose
 * argument is the view's slot in the JS view table (> 0); ops awaited from
 * async code use negative ids. The slot is found again from the future
 * (wa__js_view_slot), so JS needs no map keyed by pointer. */

static void js_done(wa_future_t *f, void *arg) {
    int32_t id = (int32_t)(intptr_t)arg;
    if (id > 0) f->flags |= FFLAG_RETRIEVED | FFLAG_VIEW_REPORTS; /* its view reports an unretrieved failure */
    wa_js_import_done(f, id);
    if (id > 0) wa_release(f); /* the view's reference: its outcome is read */
}

/* The argument of f's js_done callback with a positive id, else 0. */
static int32_t view_slot(const wa_future_t *f) {
    if (f->ncb_inline && f->cb0.fn == js_done && (intptr_t)f->cb0.arg > 0) return (int32_t)(intptr_t)f->cb0.arg;
    for (uint32_t i = 0; f->cbs && i < f->cbs->n; i++)
        if (f->cbs->at[i].fn == js_done && (intptr_t)f->cbs->at[i].arg > 0) return (int32_t)(intptr_t)f->cbs->at[i].arg;
    return 0;
}

static void js_cancel_notify(wa_task_impl_t *t) { wa_js_import_cancelled(&t->fut, view_slot(&t->fut)); }

/* The slot may be stale once the callback ran (JS checks the view in it
 * still watches f). */
WA_EXPORT int32_t wa__js_view_slot(const wa_future_t *f) { return f ? view_slot(f) : 0; }

WA_EXPORT int wa__js_watch(wa_future_t *f, int32_t slot) {
    if (!f || slot <= 0) return WA_EINVAL;
    int rc = wa_future_add_done_callback(f, js_done, (void *)(intptr_t)slot);
    if (rc == 0 && wa_is_task(f) && !TASK(f)->cancel_notify) TASK(f)->cancel_notify = js_cancel_notify;
    return rc;
}

/* Stop watching f for the view in slot (the view was garbage-collected). */
WA_EXPORT int wa__js_unwatch(wa_future_t *f, int32_t slot) {
    return f ? wa_future_remove_done_callback(f, js_done, (void *)(intptr_t)slot) : WA_EINVAL;
}

/* ---- JS tasks: stackless step tasks whose step is a JS function ---------- */

static int js_step(void *state, int status) {
    return wa_js_import_step((int32_t)(intptr_t)state, status);
}

WA_EXPORT wa_task_t *wa__js_spawn(int32_t slot, const char *name) {
    wa_task_t *t = NULL;
    wa_task_opts_t o = {.name = name, .stack_size = 0};
    if (slot <= 0 || wa_spawn_step(&t, js_step, (void *)(intptr_t)slot, &o) != 0) return NULL;
    if (wa__js_watch(t, slot) != 0) {
        wa_cancel(t, NULL); /* before its first step: it never runs */
        wa_release(t);
        return NULL;
    }
    return t;
}

/* From inside JS task t's step: suspend until wa__js_wake(t) (an async
 * function's body runs on promises, outside the scheduler). A cancel request
 * meanwhile cannot reach the body: it marks the task (must_cancel), and the
 * body learns of it through its AbortSignal. */
WA_EXPORT int wa__js_park(wa_task_t *t) {
    if (!wa_is_task(t) || TASK(t) != wa__loop.current) return WA_EINVAL;
    TASK(t)->tstate = TASK_WAIT_FUTURE; /* waiting on nothing C can cancel */
    TASK(t)->waiting_on = NULL;
    return 0;
}

/* Resume JS task t parked by wa__js_park (its body's promise settled). */
WA_EXPORT int wa__js_wake(wa_task_t *t) {
    if (!wa_is_task(t) || TASK(t)->tstate != TASK_WAIT_FUTURE || TASK(t)->waiting_on) return WA_ESTATE;
    int rc = wa__ready_push(wa__task_step, TASK(t), NULL);
    if (rc) return rc;
    TASK(t)->tstate = TASK_READY;
    TASK(t)->wake_status = 0;
    return 0;
}

/* ---- resuming JS code from the loop without a future ------------------------
 * What `await sleep(ms)` in async code needs: JS resumption #id runs after
 * the ready callbacks queued before it (ms == 0) or at a deadline, in the
 * loop's order, with no future and no handle (nothing can cancel it). */

static void js_resume(void *a, void *b) {
    (void)b;
    wa_js_import_resume((int32_t)(intptr_t)a);
}

static void js_resume_timer(void *a) { wa_js_import_resume((int32_t)(intptr_t)a); }

WA_EXPORT int wa__js_resume_after(int32_t id, double ms, uint32_t *timer) {
    if (!(ms >= 0)) return WA_EINVAL;
    if (timer) *timer = 0;
    if (ms == 0) return wa__ready_push(js_resume, (void *)(intptr_t)id, NULL);
    uint32_t slot;
    int rc = wa__timer_add(wa_host_now() + ms, js_resume_timer, (void *)(intptr_t)id, &slot);
    if (rc == 0 && timer) *timer = slot + 1;
    return rc;
}

/* Withdraw a resumption whose timer wa__js_resume_after gave (not yet run):
 * the task that awaited it was cancelled. */
WA_EXPORT void wa__js_resume_cancel(uint32_t timer) {
    if (timer) wa__timer_cancel(timer - 1);
}

/* ---- run(): the JS bindings' main task run by run.c ------------------------ */

static void js_run_done(int status, const char *message, void *user) {
    (void)user;
    wa_js_import_run_done(status, message, wa__loop.run.ended);
}

/* Run JS task main as the run's main; wa_js_import_run_done(status,
 * message, how) when the run is over (cleanup included; how: 0, or
 * WA_RUN_DEADLOCK / WA_RUN_GAVE_UP when the run ended it). cleanup_ms < 0: no
 * limit for the leftovers' cleanup. */
WA_EXPORT int wa__js_run_start(wa_task_t *main, double cleanup_ms) {
    return wa__run_start_task(main, cleanup_ms < 0 ? INFINITY : cleanup_ms, true, js_run_done, NULL);
}

WA_EXPORT int wa__js_run_active(void) { return wa__run_active(); }

/* ---- C coroutines started from JS ---------------------------------------- */

typedef struct {
    wa_coro_fn fn;
    wa_value_t *arg;
} c_call_t;

static int c_entry(void *p) {
    c_call_t *c = p;
    return c->fn(c->arg);
}

static void c_call_free(void *p) {
    c_call_t *c = p;
    wa_value_free(c->arg);
    free(c);
}

WA_EXPORT wa_task_t *wa__js_spawn_c(wa_coro_fn fn, wa_value_t *arg, const char *name, uint32_t stack) {
    c_call_t *c = malloc(sizeof *c);
    if (!c) return NULL;
    c->fn = fn;
    c->arg = arg;
    wa_task_t *t = NULL;
    wa_task_opts_t o = {.name = name, .stack_size = stack, .arg_free = c_call_free};
    if (wa_spawn(&t, c_entry, c, &o) != 0) {
        free(c); /* arg stays with the caller on failure */
        return NULL;
    }
    return t;
}

/* ---- futures -------------------------------------------------------------- */

WA_EXPORT wa_future_t *wa__js_future_new(void) {
    wa_future_t *f = NULL;
    return wa_future_new(&f) == 0 ? f : NULL;
}

WA_EXPORT int wa__js_on_done(wa_future_t *f, int32_t id) {
    return wa_future_add_done_callback(f, js_done, (void *)(intptr_t)id);
}

WA_EXPORT int wa__js_future_fail(wa_future_t *f, int code, const char *msg, wa_value_t *value) {
    if (!f || code == 0) {
        wa_value_free(value);
        return WA_EINVAL;
    }
    if (f->state != FUT_PENDING) {
        wa_value_free(value);
        return WA_ESTATE;
    }
    if (code == WA_ECANCELLED) {
        wa_value_free(value);
        return wa__future_cancel_plain(f, msg) ? 0 : WA_ESTATE;
    }
    char *m = wa__strdup(msg);
    wa__future_complete(f, FUT_ERROR, code, value, value ? wa_value_free : NULL, m);
    return 0;
}

WA_EXPORT const wa_value_t *wa__js_future_error_value(const wa_future_t *f) {
    return f && f->state == FUT_ERROR && f->dtor == wa_value_free ? f->result : NULL;
}

WA_EXPORT void *wa__js_future_raw(const wa_future_t *f) { return wa_future_result(f); }

WA_EXPORT int wa__js_future_state(const wa_future_t *f) { return f ? f->state : -1; }

/* ---- loop callbacks ------------------------------------------------------- */

static void js_callback(void *arg) { wa_js_import_callback((int32_t)(intptr_t)arg); }

WA_EXPORT int wa__js_schedule(int32_t id, int mode, double t, uint32_t *cell) {
    wa_handle_t h = 0;
    void *arg = (void *)(intptr_t)id;
    int rc = mode == 0 ? wa_call_soon(js_callback, arg, &h)
           : mode == 1 ? wa_call_later(t, js_callback, arg, &h)
                       : wa_call_at(t, js_callback, arg, &h);
    if (rc == 0 && cell) {
        cell[0] = (uint32_t)h;
        cell[1] = (uint32_t)(h >> 32);
    }
    return rc;
}

WA_EXPORT int wa__js_handle_cancel(uint32_t lo, uint32_t hi) {
    return wa_handle_cancel(((wa_handle_t)hi << 32) | lo);
}

/* ---- C calling JS ----------------------------------------------------------- */

int wa_js_call(const char *name, const wa_value_t *arg, wa_future_t **out) {
    if (!name || !out) return WA_EINVAL;
    wa_future_t *f;
    int rc = wa_future_new(&f);
    if (rc) return rc;
    rc = wa_js_import_call(name, arg, f);
    if (rc) {
        wa_release(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* ---- introspection for the bindings ----------------------------------------- */

WA_EXPORT size_t wa__js_all_tasks(wa_task_t **out, size_t cap) { return wa_all_tasks(out, cap); }

WA_EXPORT int wa__js_fail(int code, const char *msg) { return wa_fail(code, "%s", msg ? msg : ""); }

WA_EXPORT int wa__js_cancel_pending(const wa_task_t *t) {
    return wa_is_task(t) && TASK(t)->must_cancel;
}

WA_EXPORT double wa__js_return(wa_task_t *t, wa_value_t *v) {
    if (!wa_is_task(t) || TASK(t) != wa__loop.current) {
        wa_value_free(v);
        return WA_ENOTASK;
    }
    if (TASK(t)->must_cancel) {
        wa_value_free(v);
        return WA_ECANCELLED;
    }
    (void)wa_return_value(v); /* t is the current task: it cannot fail */
    return TASK(t)->name ? 0 : (double)TASK(t)->number;
}

WA_EXPORT const char *wa__js_cancel_msg(const wa_task_t *t) {
    /* while a cancel request is being told: its message */
    if (!wa_is_task(t)) return NULL;
    return TASK(t)->req_msg ? TASK(t)->req_msg : TASK(t)->cancel_msg;
}

WA_EXPORT const char *wa__js_task_name_raw(const wa_task_t *t) { return wa_is_task(t) ? TASK(t)->name : NULL; }
WA_EXPORT double wa__js_task_number(const wa_task_t *t) { return wa_is_task(t) ? (double)TASK(t)->number : 0; }

/* ---- task events for the JS bindings (timelines) ---------------------------- */

extern void wa_js_import_task_event(int event, wa_task_t *t, int status);

static void js_task_hook(int event, wa_task_t *t, int status, void *arg) {
    (void)arg;
    wa_js_import_task_event(event, t, status);
}

WA_EXPORT void wa__js_trace(int on) { wa_set_task_hook(on ? js_task_hook : NULL, NULL); }

/* ---- scopes (bindings/scopes.js, timeout.js, taskgroup.js) ------------------ */

#include "../../src/comb.h"

WA_EXPORT double wa__js_task_deadline(const wa_task_t *t) {
    if (!wa_is_task(t) || wa_future_done(t)) return WA_NO_TIMEOUT;
    wa_task_impl_t *ti = TASK(t);
    return wa__deadline_chain(ti->scopes, ti);
}

/* Timeout scopes and task groups both begin with their link, so a link is
 * the scope's own pointer. */
WA_EXPORT size_t wa__js_task_scopes(const wa_task_t *t, wa_scope_link_t **out, size_t cap) {
    if (!wa_is_task(t) || !out) return 0;
    size_t n = 0;
    for (wa_scope_link_t *s = TASK(t)->scopes; s; s = s->outer_, n++)
        if (n < cap) out[n] = s;
    return n;
}

WA_EXPORT wa_scope_link_t *wa__js_cancel_origin(int *why) {
    if (why) *why = wa__loop.cancel_origin ? wa__loop.cancel_why : 0;
    return wa__loop.cancel_origin;
}

WA_EXPORT int wa__js_scope_cancel(wa_scope_link_t *s, const char *msg) {
    if (!s || !s->task_) return WA_ESTATE;
    wa_task_impl_t *t = TASK(s->task_);
    int before = t->num_cancels;
    int rc = wa__scope_cancel_task(s, s->task_, WA__CANCEL_BY_SIGNAL, msg);
    s->ext_cancels_ += t->num_cancels - before; /* taken back at the exit */
    return rc;
}

WA_EXPORT int wa__js_scope_take_back(wa_scope_link_t *s, wa_task_t *task, int status) {
    if (!s || !s->ext_cancels_) return 0;
    int n = INT32_MAX;
    for (; s->ext_cancels_ > 0; s->ext_cancels_--)
        if (wa_is_task(task) && !wa_future_done(task)) n = wa_task_uncancel(task);
    return n <= s->entry_cancels_ && status == WA_ECANCELLED;
}
