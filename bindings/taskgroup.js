// asyncio.TaskGroup over C's wa_taskgroup_* (runtime/src/taskgroup.c):
// membership, the first failure cancelling the others, waiting at the exit
// and the errors collected are C's; this file keeps the JS error objects.
//
//   yield* taskGroup(function* (tg) { tg.createTask(...); });
//   await taskGroup(async (tg) => { tg.createTask(...); }, { task });
import { CancelledError, InvalidStateError, codes, errorFromStatus, statusOf } from './errors.js';
import { Task, STATES, SIGNAL_OWNER } from './futures.js';
import { PtrOp } from './ops.js';
import { isRuntime, runtimeOf } from './defaults.js';
import { Scope, ScopeRun, SCOPE_OF } from './scopes.js';
import { checkOptions } from './wait.js';
import { futureState } from './constants.js';

/**
 * asyncio.TaskGroup. Run a body in it with `taskGroup(body, options)` (or
 * `new TaskGroup(options).run(body)`): `yield*` it in a generator task,
 * `await` it in async code. Tasks created with `tg.createTask()` belong
 * to it; leaving waits for all of them; the first failure cancels the
 * others and the body; failures are thrown together as an AggregateError
 * (errors: the original error objects, children's in completion order,
 * then the body's); a cancellation from outside propagates. In async code
 * a group can also be entered by hand: `await using tg = new
 * TaskGroup({ task }).enter()` (leaving with Symbol.asyncDispose, or
 * `await tg.exit(error)`).
 */
export class TaskGroup extends Scope {
  /**
   * @param {{ task?: Task, signal?: AbortSignal, runtime?: Runtime }} [options]
   *   task: the task it belongs to (in async code); signal: that of the
   *   task or of an enclosing scope (the owner), or any other AbortSignal,
   *   which cancels the group; runtime: default the package's.
   */
  constructor(options) {
    const where = 'new TaskGroup(options)';
    options = checkOptions(options, where);
    if (options.task !== undefined && !(options.task instanceof Task)) throw new TypeError(`${where}: options.task must be a Task`);
    if (options.runtime !== undefined && !isRuntime(options.runtime)) throw new TypeError(`${where}: options.runtime must be a Runtime`);
    const rt = options.runtime ?? options.task?._rt ?? runtimeOf(undefined, where);
    if (options.task !== undefined && options.task._rt !== rt) throw new TypeError(`${where}: options.task belongs to another runtime`);
    super(rt, null, null, false, {});
    /** @internal */ this._options = options;
    /** @internal C group, 0 before enter and after exit */ this._ptr = 0;
    /** @internal 'new' | 'entered' | 'exiting' | 'finished' */ this._state = 'new';
    /** @internal the C group is aborting (it cancelled the owner, or will not) */ this._cAborting = false;
    /** @internal async owner cancelled from outside during the body */ this._pendingCancel = false;
    /** @internal exit future while exiting (async owners) */ this._xptr = 0;
    /** @internal task number -> child Task (failed or running) */ this._children = new Map();
  }

  /**
   * Run body(tg) in the group: `yield* tg.run(function* (tg) {...})` or
   * `await tg.run(async (tg) => {...})`. Resolves to the body's value.
   */
  run(body) {
    if (this._state !== 'new') throw new InvalidStateError('TaskGroup: already entered');
    return new ScopeRun(this._rt, (task, parent, isAsync) => this._enter(task, parent, isAsync), body, this._options, 'TaskGroup.run(body)');
  }

  /**
   * Enter now, in async code (the owner: options.task, or the task of
   * options.signal); leave with `await tg.exit()` or Symbol.asyncDispose.
   * @returns {this}
   */
  enter() {
    if (this._state !== 'new') throw new InvalidStateError('TaskGroup: already entered');
    const rt = this._rt;
    const { task: given, signal } = this._options;
    const sigScope = signal?.[SCOPE_OF];
    const task = given ?? rt._tasks.current ?? signal?.[SIGNAL_OWNER] ?? sigScope?._task;
    if (!(task instanceof Task) || !rt._tasks.isRunningJsTask(task)) {
      throw new InvalidStateError('TaskGroup.enter(): no task to enter it in: pass { task } or { signal: task.signal }');
    }
    if (rt._tasks.isGeneratorTask(task)) throw new TypeError('TaskGroup.enter(): in a generator task use yield* taskGroup(...)');
    const parent = sigScope && sigScope._task === task && sigScope._open ? sigScope : null;
    return this._enter(task, parent, true);
  }

  /**
   * Leave a group entered with enter(): waits for every task; `error` (if
   * given) is the body's failure. Resolves, or rejects with the
   * AggregateError / CancelledError.
   * @param {unknown} [error]
   */
  exit(error) {
    if (this._state !== 'entered' || !this._async) return Promise.reject(new InvalidStateError('TaskGroup.exit(): not entered with enter()'));
    return this._leaveAsync(arguments.length ? { ok: false, error } : { ok: true, value: undefined });
  }

  [Symbol.asyncDispose]() {
    return this.exit();
  }

  /**
   * Start a task in the group (as runtime.createTask). InvalidStateError if
   * the group is not entered, is finished or is shutting down (a failure
   * or a cancellation is being handled): the task then never runs.
   * @param {Function | Generator | PromiseLike<any>} fn
   * @param {{ name?: string, signal?: AbortSignal }} [options]
   * @returns {Task}
   */
  createTask(fn, options) {
    if (this._state === 'new') throw new InvalidStateError('TaskGroup: not entered');
    if (this._state === 'finished') throw new InvalidStateError('TaskGroup: finished');
    const rt = this._rt;
    const t = rt.createTask(fn, options);
    const rc = rt._c.wa_taskgroup_add(this._ptr, t._ptr);
    if (rc !== 0) {
      t.cancel(); // before its first step: its body never runs
      if (rc === codes.ESTATE) throw new InvalidStateError(`TaskGroup: ${this._state === 'exiting' && !this._cAborting ? 'finished' : 'shutting down'}`);
      throw errorFromStatus(rc, 'TaskGroup: cannot add the task');
    }
    const id = rt._c.wa__js_task_number(t._ptr);
    this._children.set(id, t);
    // keep failed ones for the AggregateError (without retrieving anything)
    t.addDoneCallback(() => { if (t._state !== STATES.REJECTED) this._children.delete(id); });
    return t;
  }

  /** Tasks of the group not yet done. */
  get size() {
    return this._ptr ? this._rt._c.wa_taskgroup_size(this._ptr) : 0;
  }

  /**
   * Effective deadline of the group (that of the scopes around it; its
   * tasks inherit it). Infinity: none; NaN when not entered.
   */
  get deadline() {
    return this._ptr && this._state !== 'finished' ? this._rt._c.wa_taskgroup_deadline(this._ptr) : NaN;
  }

  /** @internal */
  _enter(task, parent, isAsync) {
    const rt = this._rt;
    if (task._rt !== rt) throw new TypeError('TaskGroup: the task belongs to another runtime');
    this._task = task;
    this._parent = parent;
    this._async = isAsync;
    const sig = this._options.signal;
    this._ext = sig && !(sig[SIGNAL_OWNER] === task || sig[SCOPE_OF]?._task === task) ? sig : null;
    const rc = rt._c.wa_taskgroup_enter_in(rt._mem.cell, task._ptr);
    if (rc !== 0) throw errorFromStatus(rc, 'TaskGroup: cannot enter (is the task done?)');
    this._ptr = rt._mem.out();
    this._state = 'entered';
    this._link();
    return this;
  }

  /** @internal */
  _alreadyCancelled() {
    return this._cAborting;
  }

  /** @internal a task of the group failed: the owner's cancellation is the group's */
  _ownCancellation() {
    if (this._cAborting || !this._ptr || this._rt._c.wa_taskgroup_error_count(this._ptr) <= 0) return null;
    this._cAborting = true;
    return new CancelledError('TaskGroup: a task of the group failed');
  }

  /**
   * @internal a cancellation of the owner reached the group. A generator
   * owner waiting to exit has it routed by C (the exit future's cancel
   * hook); an async owner never awaits that future in C, so it is routed
   * here, or at exit if it came during the body (asyncio would deliver it
   * at the exit's wait if the body did not take it).
   */
  _onCancelled() {
    if (this._state === 'exiting') this._cAborting = true;
    if (!this._async || this._state === 'finished') return;
    if (this._state === 'exiting' && this._xptr && this._rt._c.wa__js_future_state(this._xptr) === futureState.PENDING) {
      this._rt._c.wa_cancel(this._xptr, 0);
    } else {
      this._pendingCancel = true; // delivered at the exit (its wait, or its finish)
    }
  }

  /** @internal start leaving; returns the exit future (our reference) */
  _exitStart(out) {
    const rt = this._rt;
    const status = out.ok ? 0 : out.error instanceof CancelledError ? codes.ECANCELLED : (statusOf(out.error) || codes.EHOST);
    const rc = rt._c.wa_taskgroup_exit_start(this._ptr, status, rt._mem.cell);
    if (rc !== 0) throw errorFromStatus(rc, 'TaskGroup: cannot exit');
    const x = rt._mem.out();
    this._state = 'exiting';
    if (status !== 0) {
      this._cAborting = true;
      this._abort(out.error instanceof CancelledError ? out.error : new CancelledError('TaskGroup: the body failed'));
    }
    return x;
  }

  /** @internal */
  * _leaveGen(out) {
    const x = this._exitStart(out);
    let wait = 0;
    try {
      yield new PtrOp(this._rt, x);
    } catch (e) {
      // cancelled after every task was done, before the owner resumed
      wait = e instanceof CancelledError ? codes.ECANCELLED : codes.EHOST;
    }
    return this._finish(wait, out);
  }

  /** @internal */
  async _leaveAsync(out) {
    const rt = this._rt;
    const x = this._exitStart(out);
    this._xptr = rt._c.wa_ref(x);
    try {
      // a cancellation the body did not take is delivered at the exit's
      // wait, as asyncio does
      if (this._pendingCancel && rt._c.wa__js_future_state(x) === futureState.PENDING) {
        this._pendingCancel = false;
        rt._c.wa_cancel(x, 0);
      }
      await new PtrOp(rt, x);
    } finally {
      rt._c.wa_release(this._xptr);
      this._xptr = 0;
    }
    // ... or, when there was nothing left to wait for, at the finish
    return this._finish(this._pendingCancel ? codes.ECANCELLED : 0, out);
  }

  /** @internal */
  _finish(wait, out) {
    const rt = this._rt;
    const c = rt._c;
    // exit_finish re-cancels the owner when a cancellation must stay pending
    const rc = rt._scopes.recancelling(() => c.wa_taskgroup_exit_finish(this._ptr, wait));
    let errors = null;
    if (rc === codes.EGROUP) {
      const n = c.wa_taskgroup_error_count(this._ptr);
      const cell = c.wa_js_malloc(12);
      errors = [];
      try {
        for (let i = 0; i < n; i++) {
          c.wa_taskgroup_error(this._ptr, i, cell, cell + 4, cell + 8);
          errors.push(this._errorOf(rt.M.HEAP32[cell >> 2], rt._mem.u32(cell + 4), rt._mem.u32(cell + 8), out));
        }
      } finally {
        c.wa_js_free(cell);
      }
    }
    c.wa_taskgroup_free(this._ptr);
    this._ptr = 0;
    this._state = 'finished';
    this._children.clear();
    this._unlink();
    const status = out.ok ? 0 : out.error instanceof CancelledError ? codes.ECANCELLED : codes.EHOST;
    const aborted = this._takeBackExternal(rc === codes.ECANCELLED ? codes.ECANCELLED : status);
    if (errors) {
      throw new AggregateError(errors, `unhandled errors in a TaskGroup (${errors.length} sub-exception${errors.length === 1 ? '' : 's'})`);
    }
    if (aborted) throw aborted;
    if (rc === codes.ECANCELLED) {
      if (!out.ok && out.error instanceof CancelledError) throw out.error;
      throw new CancelledError(this._task._ptr ? rt._tasks.cancelMessage(this._task._ptr) : '');
    }
    if (rc !== 0) throw errorFromStatus(rc, 'TaskGroup: exit failed');
    if (out.ok) return out.value;
    throw out.error;
  }

  /** @internal the JS error object of error entry i */
  _errorOf(code, msgPtr, taskPtr, out) {
    const rt = this._rt;
    if (taskPtr === this._task._ptr && !out.ok) return out.error;
    const child = this._children.get(rt._c.wa__js_task_number(taskPtr));
    if (child) {
      child._sync();
      if (child._state === STATES.REJECTED) {
        child._markRetrieved();
        return child._result;
      }
    }
    const o = rt._views.readOutcome(taskPtr);
    return o.ok ? errorFromStatus(code, rt._mem.str(msgPtr)) : o.error;
  }
}

/** @internal groups are asked after timeouts (Scopes.cancelRequested) */
TaskGroup.prototype._cancelPass = 1;

/**
 * taskGroup(body, options): the block to run in a new TaskGroup.
 * @param {import('./runtime.js').Runtime} rt
 */
export function taskGroupRun(rt, body, options) {
  if (typeof body !== 'function') throw new TypeError('taskGroup(body): body must be a function');
  return new TaskGroup({ ...checkOptions(options, 'taskGroup(body, options)'), runtime: rt }).run(body);
}
