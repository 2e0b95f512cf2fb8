/* Entry points only the JS bindings and the hosts call. They are exported
 * from the wasm module like the C API (JS calls them as Module._name), but
 * they are not part of it: a C program has no reason to call them, so they
 * stay out of wasyncio.h. Not installed.
 *
 * Other entry points the JS host calls are declared next to their area:
 * wa__host_turn and wa__value_alloc (internal.h), wa__fetch_* (fetch_host.h),
 * wa__exec_future_new and wa__job_start (executor.c), wa__run_deadlock
 * (run.c), wa__js_run_start and wa__js_run_active (js_bridge.c), wa__fault_reset and wa__fault_report (coro_asyncify.c). */
#ifndef WASYNCIO_BRIDGE_API_H
#define WASYNCIO_BRIDGE_API_H

#include "wasyncio.h"

#include <stddef.h>
#include <stdint.h>

/* ---- scopes and groups of tasks that run outside the scheduler's steps ----
 * (timeout.c, taskgroup.c) An async-function JS task runs between the
 * scheduler's steps, so it cannot be "the running task" these calls
 * otherwise use. */

/* Like wa_timeout_enter_at for a given task instead of the running one (the
 * JS bindings: an async-function task runs outside the scheduler's steps).
 * WA_EINVAL if task is not a task, WA_ESTATE if it is done. */
WA_API int wa_timeout_enter_in(wa_timeout_t *s, wa_task_t *task, double when_ms);

/* Allocate / free a zeroed scope, for callers that cannot place one
 * themselves (JS bindings). Freeing an entered scope returns WA_ESTATE and
 * changes nothing. */
WA_API int wa_timeout_new(wa_timeout_t **out);
WA_API int wa_timeout_free(wa_timeout_t *s);

/* Create a group owned by the given (not done) task, for callers outside
 * the scheduler's steps (the JS bindings' async-function tasks). */
WA_API int wa_taskgroup_enter_in(wa_taskgroup_t **out, wa_task_t *owner);

/* Adopt a task created elsewhere (e.g. by the JS bindings), not yet in a
 * group; the group takes a reference. Same states as spawn; WA_EINVAL if t
 * is not a task or already belongs to a group. */
WA_API int wa_taskgroup_add(wa_taskgroup_t *tg, wa_task_t *t);

/* ---- the JS bridge (runtime/host/emscripten/js_bridge.c, js_sync.c) -------
 * Helpers that keep the JS calling convention to plain i32/f64 values. */

/* malloc/free for JS (wa_js_malloc(0) returns a valid 1-byte block). */
void *wa_js_malloc(size_t n);
void wa_js_free(void *p);

/* Spawn a JS task (a step task whose step is a JS function) whose view is
 * in JS view slot `slot` (> 0): its steps and done callback carry the
 * slot. Returns the task (one reference for JS) or NULL. */
wa_task_t *wa__js_spawn(int32_t slot, const char *name);

/* Watch f for the JS view in `slot` (> 0): JS is told when f is done
 * (wa_js_import_done(f, slot)) and, for a task, when it gets a cancel
 * request (wa_js_import_cancelled(t, slot)). */
int wa__js_watch(wa_future_t *f, int32_t slot);

/* Stop watching f for the view in slot (a view garbage-collected while f
 * is pending: JS then drops its reference). */
int wa__js_unwatch(wa_future_t *f, int32_t slot);

/* The slot of the JS view watching f, else 0 (once the view's done
 * callback ran, the slot may be another view's: JS checks). */
int32_t wa__js_view_slot(const wa_future_t *f);

/* From inside JS task t's step: suspend until wa__js_wake(t) (the promise
 * of an async-function body settles). A cancel request meanwhile only marks
 * the task. */
int wa__js_park(wa_task_t *t);
int wa__js_wake(wa_task_t *t);

/* Call JS resumption #id (wa_js_import_resume) after the callbacks ready now
 * (ms 0) or after ms: `await sleep(ms)` in async code, without a future.
 * *timer (optional) receives what wa__js_resume_cancel takes (0 for ms 0:
 * it cannot be withdrawn, it runs in this turn). */
int wa__js_resume_after(int32_t id, double ms, uint32_t *timer);
/* Withdraw a resumption before it runs (its task was cancelled). */
void wa__js_resume_cancel(uint32_t timer);

/* Start coroutine fn with arg (owned: freed when fn returns; left with the
 * caller if NULL is returned). */
wa_task_t *wa__js_spawn_c(wa_coro_fn fn, wa_value_t *arg, const char *name, uint32_t stack);

/* A new pending future, or NULL. */
wa_future_t *wa__js_future_new(void);

/* Tell JS when f is done: wa_js_import_done(f, id), id < 0 (an operation
 * awaited from async code; views use wa__js_watch). */
int wa__js_on_done(wa_future_t *f, int32_t id);

/* Fail f with code/message and keep `value` (the JS error object, as a
 * WA_VALUE_JS) with it, so JS sees the very same error object. */
int wa__js_future_fail(wa_future_t *f, int code, const char *msg, wa_value_t *value);

/* The value kept with a failed future by wa__js_future_fail, else NULL. */
const wa_value_t *wa__js_future_error_value(const wa_future_t *f);

/* Raw result pointer of a successful future (whatever it is). */
void *wa__js_future_raw(const wa_future_t *f);

/* A future's state (pending, ok, error, cancelled), -1 for NULL. */
int wa__js_future_state(const wa_future_t *f);

/* Schedule JS callback #id. mode 0: call_soon, 1: call_later(t), 2:
 * call_at(t). The handle is written to cell[0..1] as two 32-bit halves (no
 * i64 across the JS boundary). */
int wa__js_schedule(int32_t id, int mode, double t, uint32_t *cell);

/* wa_handle_cancel of the handle lo | hi << 32. */
int wa__js_handle_cancel(uint32_t lo, uint32_t hi);

/* wa_all_tasks into a JS-provided array; returns the count. */
size_t wa__js_all_tasks(wa_task_t **out, size_t cap);

/* The current task's error message, unformatted (wa_fail with "%s"). */
int wa__js_fail(int code, const char *msg);

/* The child of gather `outer` whose failure (or cancellation) completed it
 * (borrowed; the gather holds it), or NULL. Several children may have
 * failed by the time the outcome is read: this is the one asyncio reports. */
WA_API wa_future_t *wa__gather_failed(const wa_future_t *outer);

/* 1 if task t has a cancellation pending (requested, not yet delivered):
 * a body returning now ends cancelled (asyncio). */
int wa__js_cancel_pending(const wa_task_t *t);

/* From inside running JS task t's step, its body returned v (a value with
 * no side effects to make: the call owns it): the three questions of a
 * task's end in one crossing. A cancellation pending: v is freed and
 * WA_ECANCELLED returned (the task ends cancelled). Else v is the task's
 * result, and the return is its number if it has the default name
 * ("Task-<n>"), 0 if it has its own (wa__js_task_name_raw). WA_ENOTASK
 * (v freed) if t is not the running task. */
double wa__js_return(wa_task_t *t, wa_value_t *v);

/* The cancel message of task t (NULL if none): while a cancel request is
 * being told to the bindings (cancel_notify), that request's; else the
 * message of the cancellation the task sees (asyncio's rules: the first
 * request's if it cancelled what the task awaited, else the latest's). */
const char *wa__js_cancel_msg(const wa_task_t *t);

/* A task's own name if one was given (NULL for the default "Task-<n>"),
 * and its number: lets JS name finished tasks without building strings. */
const char *wa__js_task_name_raw(const wa_task_t *t);
double wa__js_task_number(const wa_task_t *t);

/* Turn the forwarding of task events to JS on (1) or off (0). */
void wa__js_trace(int on);

/* Effective deadline of task t, as wa_current_deadline() gives it while t
 * runs: for an async-function JS task, which runs between the scheduler's
 * steps. WA_NO_TIMEOUT if t has none, is done, or is not a task. */
double wa__js_task_deadline(const wa_task_t *t);

/* The timeout scopes and task groups open in task t, innermost first, into
 * out[0..cap); returns how many are open (more than cap: call again with a
 * larger out). Each is the scope's own pointer (wa_timeout_t * or
 * wa_taskgroup_t *). */
size_t wa__js_task_scopes(const wa_task_t *t, wa_scope_link_t **out, size_t cap);

/* While a cancellation request is announced to JS: the scope whose own it
 * is (NULL: none, the request came from elsewhere), and in *why what made
 * it (1 its deadline, 2 a failure in the group, 3 its external signal
 * through wa__js_scope_cancel, 4 a group exit keeping an outside
 * cancellation pending; 0 with NULL). */
wa_scope_link_t *wa__js_cancel_origin(int *why);

/* Cancel scope s's task for s's external signal (counted in s; message
 * msg). WA_ESTATE if s is not open. */
int wa__js_scope_cancel(wa_scope_link_t *s, const char *msg);

/* At s's exit (before it is freed): take back the cancellations
 * wa__js_scope_cancel made (uncancel each on task). Returns 1 if they were
 * the task's only ones since s was entered and status is WA_ECANCELLED: the
 * scope ends with its external signal's error; else 0. */
int wa__js_scope_take_back(wa_scope_link_t *s, wa_task_t *task, int status);

/* A queue whose items are wa_value_t (JS values, shared with C tasks):
 * items it drops (shutdown(immediate), destroy) are freed with
 * wa_value_free. Returns the queue, or NULL (bad kind / out of memory). */
wa_queue_t *wa__js_queue_new(int kind, uint32_t maxsize);

/* wa_cond_wait_for_start with JS predicate #id (called from the loop with
 * the lock held; it must not suspend). */
int wa__js_cond_wait_for_start(wa_cond_t *c, int32_t id, wa_future_t **out);

/* From inside JS task t's step: an operation it was woken for completed
 * before a cancellation reached it, and its outcome could not be handed back
 * (a put item a getter already took): the task keeps the outcome and the
 * cancellation is delivered at its next suspension instead, as the
 * coroutine forms do (wa__op_await). */
int wa__js_defer_cancel(wa_task_t *t);

/* Done at once without an operation future, as the coroutine forms: take a
 * free lock / a free semaphore slot, pass a set event. 1 done, 0 the call
 * would wait (use the _start form). wa__sem_try_acquire: semaphore.c. */
int wa__js_lock_try(wa_lock_t *l);
int wa__js_sem_try(wa_sem_t *s);
int wa__js_event_try(wa_event_t *e);
int wa__sem_try_acquire(wa_sem_t *s);

/* Bytes of the C heap in use (dlmalloc's mallinfo): leak checks and the
 * W6 memory benchmark. */
double wa__js_heap_used(void);

#endif
