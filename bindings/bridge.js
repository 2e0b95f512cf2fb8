// The bridge between the JS bindings and the C runtime of one module
// instance, in one place:
//
//  - fromC(rt): every call C makes into JS. The imports of
//    runtime/host/emscripten/library_js.js forward wa_js_import_<name>(...)
//    to Module.wasyncioBridge.<name>(...); each entry says which part of
//    the runtime owns it.
//  - cFunctions(M): every C function the bindings call (JS -> C), by its C
//    name, checked when a runtime is created (a module built without one
//    fails there, not in the middle of a run).
//
// Everything else in bindings/ is a view of C objects: futures, tasks,
// locks, queues ... live in C (C is the source of truth for state and
// order); the JS objects read them and keep JS values (results, errors)
// as they are.

/**
 * The C -> JS entry points of runtime `rt` (an object literal, so every
 * name is here and property access stays fast).
 * @param {import('./runtime.js').Runtime} rt
 */
export function fromC(rt) {
  const { _tasks: tasks, _views: views, _loop: loop, _asyncOps: asyncOps, _calls: calls } = rt;
  return {
    /** A JS task's step is due: returns WA_PENDING or the task's final status (tasks.js). */
    step: (slot, status) => tasks.step(slot, status),
    /** A watched C future is done: id > 0 a view slot, id < 0 an op awaited from async code (views.js, async_ops.js). */
    done: (ptr, id) => (id > 0 ? views.done(ptr, id) : asyncOps.done(ptr, -id)),
    /** The wait in slot `id` is due (wa__js_resume_after: `await sleep()` in async code, async_ops.js). */
    resume: (id) => asyncOps.resume(id),
    /** The run (run.c) is over, cleanup included (run.js). */
    runDone: (status, msg, how) => rt._run.done(status, msg, how),
    /** A scheduled callback (callSoon/callLater/callAt) is due (loop.js). */
    callback: (id) => loop.callback(id),
    /** Task `ptr`, seen by view `slot` (0: none), got a cancel request (tasks.js). */
    cancelled: (ptr, slot) => tasks.cancelRequested(ptr, slot),
    /** wa_js_call(name, arg, future): C calls a registered JS function (calls.js). */
    call: (name, arg, fptr) => calls.fromC(name, arg, fptr),
    /** A task event while tracing is on (trace.js). */
    taskEvent: (ev, ptr, status) => rt._trace.event(ev, ptr, status),
    /** The predicate of a Condition.waitFor (sync.js): 1 to stop waiting. */
    condPred: (id) => rt._sync.predicate(id),
    /** A WA_VALUE_JS value died in C: drop its handle (values.js). */
    releaseValue: (handle) => rt._codec.release(handle),
    /** C reports a failed future nobody retrieved, as text (unretrieved.js). */
    hostReport: (textPtr) => rt._unretrieved.fromC(textPtr),
    // executor.js: C's wa_pool_* and wa_run_in_executor* (executor_host.h)
    execPoolNew: (min, max, idle, maxQueue, grace, stack) => rt._exec.poolNew(min, max, idle, maxQueue, grace, stack),
    execPoolShutdown: (pool, flags, fut) => rt._exec.poolShutdown(pool, flags, fut),
    execPoolFree: (pool) => rt._exec.poolFree(pool),
    execSubmit: (pool, fn, input, len, result, accepted) => rt._exec.submitC(pool, fn, input, len, result, accepted),
    execCancel: (result) => rt._exec.cancelFuture(result),
  };
}

/**
 * The C functions the bindings call, by C name.
 * @param {any} M the Emscripten module
 */
export function cFunctions(M) {
  const c = {
    // memory and strings
    wa_js_malloc: M._wa_js_malloc, wa_js_free: M._wa_js_free, wa__js_heap_used: M._wa__js_heap_used,
    // loop
    wa_time: M._wa_time, wa__js_schedule: M._wa__js_schedule, wa__js_handle_cancel: M._wa__js_handle_cancel,
    wa_get_stats: M._wa_get_stats, wa__js_trace: M._wa__js_trace, wa_loop_set_clock: M._wa_loop_set_clock,
    // futures
    wa_ref: M._wa_ref, wa_release: M._wa_release, wa_cancel: M._wa_cancel, wa_is_task: M._wa_is_task,
    wa__js_future_new: M._wa__js_future_new, wa__js_future_state: M._wa__js_future_state,
    wa_future_status: M._wa_future_status, wa_future_value: M._wa_future_value,
    wa_future_message: M._wa_future_message, wa__js_future_raw: M._wa__js_future_raw,
    wa__js_future_error_value: M._wa__js_future_error_value, wa_future_set_result: M._wa_future_set_result,
    wa_future_set_value: M._wa_future_set_value, wa__js_future_fail: M._wa__js_future_fail,
    wa__js_watch: M._wa__js_watch, wa__js_unwatch: M._wa__js_unwatch, wa__js_on_done: M._wa__js_on_done,
    wa__js_view_slot: M._wa__js_view_slot,
    wa_op_rollback: M._wa_op_rollback,
    // tasks
    wa__js_spawn: M._wa__js_spawn, wa__js_spawn_c: M._wa__js_spawn_c, wa__js_park: M._wa__js_park,
    wa__js_wake: M._wa__js_wake, wa__js_resume_after: M._wa__js_resume_after, wa__js_resume_cancel: M._wa__js_resume_cancel,
    wa_step_await: M._wa_step_await, wa_step_sleep: M._wa_step_sleep, wa_return_value: M._wa_return_value,
    wa__js_fail: M._wa__js_fail, wa__js_defer_cancel: M._wa__js_defer_cancel, wa_current_task: M._wa_current_task,
    wa__js_all_tasks: M._wa__js_all_tasks, wa__js_cancel_msg: M._wa__js_cancel_msg,
    wa__js_cancel_pending: M._wa__js_cancel_pending, wa__js_return: M._wa__js_return, wa__gather_failed: M._wa__gather_failed,
    wa_task_name: M._wa_task_name, wa_task_set_name: M._wa_task_set_name, wa__js_task_name_raw: M._wa__js_task_name_raw,
    wa__js_task_number: M._wa__js_task_number, wa_task_cancelling: M._wa_task_cancelling,
    wa_task_uncancel: M._wa_task_uncancel, wa__js_task_deadline: M._wa__js_task_deadline,
    // scopes (scopes.js): C's per-task list of open scopes and why a task was cancelled
    wa__js_task_scopes: M._wa__js_task_scopes, wa__js_cancel_origin: M._wa__js_cancel_origin,
    wa__js_scope_cancel: M._wa__js_scope_cancel, wa__js_scope_take_back: M._wa__js_scope_take_back,
    // run()
    wa__js_run_start: M._wa__js_run_start, wa__js_run_active: M._wa__js_run_active,
    // values
    wa__value_alloc: M._wa__value_alloc, wa_value_free: M._wa_value_free, wa_value_null: M._wa_value_null,
    wa_value_bool: M._wa_value_bool, wa_value_number: M._wa_value_number,
    // combinators
    wa_sleep_start: M._wa_sleep_start, wa_gather: M._wa_gather, wa_shield: M._wa_shield,
    wa_wait_start: M._wa_wait_start, wa_wait_sets: M._wa_wait_sets, wa_wait_for_start: M._wa_wait_for_start,
    wa_as_completed_new: M._wa_as_completed_new, wa_as_completed_next_start: M._wa_as_completed_next_start,
    wa_as_completed_remaining: M._wa_as_completed_remaining, wa_as_completed_free: M._wa_as_completed_free,
    wa_timeout_new: M._wa_timeout_new, wa_timeout_free: M._wa_timeout_free, wa_timeout_enter_in: M._wa_timeout_enter_in,
    wa_timeout_exit: M._wa_timeout_exit, wa_timeout_reschedule: M._wa_timeout_reschedule,
    wa_timeout_expired: M._wa_timeout_expired, wa_timeout_when: M._wa_timeout_when,
    wa_timeout_deadline: M._wa_timeout_deadline,
    wa_taskgroup_enter_in: M._wa_taskgroup_enter_in, wa_taskgroup_add: M._wa_taskgroup_add,
    wa_taskgroup_exit_start: M._wa_taskgroup_exit_start, wa_taskgroup_exit_finish: M._wa_taskgroup_exit_finish,
    wa_taskgroup_error_count: M._wa_taskgroup_error_count, wa_taskgroup_error: M._wa_taskgroup_error,
    wa_taskgroup_free: M._wa_taskgroup_free, wa_taskgroup_size: M._wa_taskgroup_size,
    wa_taskgroup_deadline: M._wa_taskgroup_deadline,
    // sync primitives and queues
    wa_lock_new: M._wa_lock_new, wa_lock_acquire_start: M._wa_lock_acquire_start, wa_lock_release: M._wa_lock_release,
    wa_lock_locked: M._wa_lock_locked, wa_lock_destroy: M._wa_lock_destroy, wa__js_lock_try: M._wa__js_lock_try,
    wa_event_new: M._wa_event_new, wa_event_wait_start: M._wa_event_wait_start, wa_event_set: M._wa_event_set,
    wa_event_clear: M._wa_event_clear, wa_event_is_set: M._wa_event_is_set, wa_event_destroy: M._wa_event_destroy,
    wa__js_event_try: M._wa__js_event_try,
    wa_cond_new: M._wa_cond_new, wa_cond_acquire_start: M._wa_cond_acquire_start, wa_cond_release: M._wa_cond_release,
    wa_cond_locked: M._wa_cond_locked, wa_cond_wait_start: M._wa_cond_wait_start,
    wa__js_cond_wait_for_start: M._wa__js_cond_wait_for_start, wa_cond_notify: M._wa_cond_notify,
    wa_cond_notify_all: M._wa_cond_notify_all, wa_cond_destroy: M._wa_cond_destroy,
    wa_sem_new: M._wa_sem_new, wa_bounded_sem_new: M._wa_bounded_sem_new, wa_sem_acquire_start: M._wa_sem_acquire_start,
    wa_sem_release: M._wa_sem_release, wa_sem_locked: M._wa_sem_locked, wa_sem_value: M._wa_sem_value,
    wa_sem_destroy: M._wa_sem_destroy, wa__js_sem_try: M._wa__js_sem_try,
    wa_barrier_new: M._wa_barrier_new, wa_barrier_wait_start: M._wa_barrier_wait_start,
    wa_barrier_reset: M._wa_barrier_reset, wa_barrier_abort: M._wa_barrier_abort,
    wa_barrier_parties: M._wa_barrier_parties, wa_barrier_n_waiting: M._wa_barrier_n_waiting,
    wa_barrier_broken: M._wa_barrier_broken, wa_barrier_destroy: M._wa_barrier_destroy,
    wa__js_queue_new: M._wa__js_queue_new, wa_queue_put_start: M._wa_queue_put_start,
    wa_queue_put_prio_start: M._wa_queue_put_prio_start, wa_queue_put_nowait: M._wa_queue_put_nowait,
    wa_queue_put_prio_nowait: M._wa_queue_put_prio_nowait, wa_queue_get_start: M._wa_queue_get_start,
    wa_queue_get_nowait: M._wa_queue_get_nowait, wa_queue_task_done: M._wa_queue_task_done,
    wa_queue_join_start: M._wa_queue_join_start, wa_queue_qsize: M._wa_queue_qsize, wa_queue_empty: M._wa_queue_empty,
    wa_queue_full: M._wa_queue_full, wa_queue_maxsize: M._wa_queue_maxsize, wa_queue_shutdown: M._wa_queue_shutdown,
    wa_queue_destroy: M._wa_queue_destroy,
    // fetch
    wa_fetch_start: M._wa_fetch_start, wa_fetch_finish: M._wa_fetch_finish, wa_fetch_get_stats: M._wa_fetch_get_stats,
    wa_response_status: M._wa_response_status, wa_response_status_text: M._wa_response_status_text,
    wa_response_url: M._wa_response_url, wa_response_type: M._wa_response_type,
    wa_response_redirected: M._wa_response_redirected, wa_response_header_count: M._wa_response_header_count,
    wa_response_header_at: M._wa_response_header_at, wa_response_body_start: M._wa_response_body_start,
    wa_response_body_finish: M._wa_response_body_finish, wa_response_read_start: M._wa_response_read_start,
    wa_response_read_finish: M._wa_response_read_finish, wa_response_free: M._wa_response_free,
    // files (fs.h)
    wa_file_open_start: M._wa_file_open_start, wa_file_open_finish: M._wa_file_open_finish,
    wa_file_read_start: M._wa_file_read_start, wa_file_read_finish: M._wa_file_read_finish,
    wa_file_write_start: M._wa_file_write_start, wa_file_close_start: M._wa_file_close_start,
    wa_fs_read_file_start: M._wa_fs_read_file_start, wa_fs_write_file_start: M._wa_fs_write_file_start,
    wa_fs_stat_start: M._wa_fs_stat_start, wa_fs_list_start: M._wa_fs_list_start,
    wa_fs_remove_start: M._wa_fs_remove_start, wa_fs_mkdir_start: M._wa_fs_mkdir_start,
    wa_fs_rename_start: M._wa_fs_rename_start,
    // executor
    wa__exec_future_new: M._wa__exec_future_new,
  };
  const missing = Object.keys(c).filter((k) => typeof c[k] !== 'function');
  if (missing.length) {
    throw new TypeError(`Runtime: the module lacks ${missing.join(', ')} (rebuild it with this version's build.sh)`);
  }
  return c;
}

/**
 * Memory helpers over one module: a scratch cell for out-parameters, C
 * strings, pointer arrays. Reads M.HEAP* each time (they are replaced when
 * wasm memory grows).
 */
export class Memory {
  /** @param {any} M @param {ReturnType<typeof cFunctions>} c */
  constructor(M, c) {
    this.M = M;
    this.c = c;
    /** 16 bytes for out-parameters (wa_X_start(&out, ...) writes here). */
    this.cell = c.wa_js_malloc(16);
    if (!this.cell) throw new RangeError('Runtime: out of wasm memory');
  }

  /** The pointer a C call wrote to the cell. */
  out() {
    return this.M.HEAPU32[this.cell >> 2];
  }

  u32(p) {
    return this.M.HEAPU32[p >> 2];
  }

  /** A C string as JS ('' for NULL). */
  str(p) {
    return p ? this.M.UTF8ToString(p) : '';
  }

  /**
   * A new C string (0 for undefined/null); free it with free().
   * @param {string | undefined | null} s
   */
  cstr(s) {
    if (s === undefined || s === null) return 0;
    const M = this.M;
    const n = M.lengthBytesUTF8(s) + 1;
    const p = this.c.wa_js_malloc(n);
    if (!p) throw new RangeError('out of wasm memory');
    M.stringToUTF8(s, p, n);
    return p;
  }

  /** Call fn(p) with a temporary C string p (0 for undefined/null). */
  withString(s, fn) {
    const p = this.cstr(s);
    try {
      return fn(p);
    } finally {
      if (p) this.c.wa_js_free(p);
    }
  }

  /** A new array of pointers in wasm memory; free it with free(). */
  ptrArray(ptrs) {
    const p = this.c.wa_js_malloc(4 * Math.max(1, ptrs.length));
    if (!p) throw new RangeError('out of wasm memory');
    const u32 = this.M.HEAPU32;
    for (let i = 0; i < ptrs.length; i++) u32[(p >> 2) + i] = ptrs[i];
    return p;
  }

  free(p) {
    if (p) this.c.wa_js_free(p);
  }
}
