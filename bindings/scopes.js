// Scopes run by timeout()/timeoutAt()/taskGroup() (timeout.js,
// taskgroup.js): the block that runs the body (ScopeRun), what Timeout and
// TaskGroup share (Scope), and how a task's cancellation reaches the
// scopes open in it (Scopes). Which scopes are open in a task, and which
// scope (if any) a cancellation comes from, are C's (the task's scope list,
// runtime/src/timeout.c); JS only maps a C scope to its object.
//
// A timeout scope or task group belongs to a task (asyncio: it cancels that
// task). In a generator task it is the running task; in async code name it
// with { task } or with the signal of the task or of an enclosing scope
// ({ signal: task.signal } / { signal: scope.signal }). Any other AbortSignal
// given as { signal } cancels the scope from outside: the scope then ends
// with a CancelledError (cause: the signal's reason) and the task goes on.
//
// Each scope has an AbortSignal (scope.signal, tg.signal) that aborts when
// the scope is cancelled: its deadline, the group's first failure, an outer
// scope, the task's cancellation or the external signal. The task's own
// signal (task.signal) aborts only when the task itself is cancelled, not
// for a scope's own cancellation, which the scope takes back at its exit.
import { CancelledError, InvalidStateError } from './errors.js';
import { Task, SIGNAL_OWNER } from './futures.js';
import { BIND } from './awaitables.js';
import { abortError, abortMessage, bindThen } from './async_ops.js';
import { isGenerator, isThenable } from './kinds.js';
import { checkOptions } from './wait.js';

/** A scope's AbortSignal points back to its scope. */
export const SCOPE_OF = Symbol('wasyncio.scope');

/**
 * A block run by timeout()/timeoutAt()/taskGroup(): `yield*` it in a
 * generator task, `await` it in async code. Runs once.
 * @internal
 */
export class ScopeRun {
  constructor(rt, make, body, options, where) {
    if (typeof body !== 'function') throw new TypeError(`${where}: body must be a function`);
    options = checkOptions(options, where);
    if (options.task !== undefined && !(options.task instanceof Task && options.task._rt === rt)) {
      throw new TypeError(`${where}: options.task must be a Task of this runtime`);
    }
    this._rt = rt;
    this._make = make;
    this._body = body;
    this._options = options;
    this._where = where;
    /** the task running when the block was made (reliable in steps only) */
    this._caller = rt._tasks.current;
    this._used = false;
    this._promise = null;
  }

  _claim() {
    if (this._used) throw new TypeError(`${this._where} was already run; make a new one`);
    this._used = true;
  }

  /** Generator tasks: `yield* timeout(ms, function* (scope) { ... })`. */
  * [Symbol.iterator]() {
    this._claim();
    const rt = this._rt;
    const task = rt._tasks.current;
    if (!(task instanceof Task) || !rt._tasks.isGeneratorTask(task)) {
      throw new InvalidStateError(`${this._where}: yield* it in a generator task; in async code, await it`);
    }
    if (this._options.task !== undefined && this._options.task !== task) {
      throw new TypeError(`${this._where}: options.task must be the running task`);
    }
    const scope = this._make(task, rt._scopes.innermost(task), false);
    let out;
    try {
      const ret = this._body.call(undefined, scope);
      if (isThenable(ret)) throw new TypeError(`${this._where}: in a generator task the body must be a generator function (function*)`);
      out = { ok: true, value: isGenerator(ret) ? yield* ret : ret };
    } catch (e) {
      out = { ok: false, error: e };
    }
    return yield* scope._leaveGen(out);
  }

  /** Async code: `await timeout(ms, async (scope) => { ... }, { task })`. */
  then(onFulfilled, onRejected) {
    if (!this._promise) {
      try {
        this._claim();
        this._promise = this._runAsync();
      } catch (e) {
        this._promise = Promise.reject(e);
      }
    }
    return this._promise.then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.then(undefined, onRejected);
  }

  finally(onFinally) {
    return this.then().finally(onFinally);
  }

  /** Yielded (without the star) or gathered: only async owners can. */
  [BIND]() {
    const owner = this._options.task ?? this._caller;
    if (owner && this._rt._tasks.isGeneratorTask(owner)) {
      throw new TypeError(`${this._where}: in a generator task use yield* (with the star), not yield`);
    }
    return Promise.resolve(this);
  }

  async _runAsync() {
    const rt = this._rt;
    const { task: given, signal } = this._options;
    const sigScope = signal?.[SCOPE_OF];
    const sigTask = signal?.[SIGNAL_OWNER] ?? sigScope?._task;
    const task = given ?? this._caller ?? sigTask;
    if (!(task instanceof Task) || task._rt !== rt) {
      throw new InvalidStateError(`${this._where}: no task to run it in: pass { task } or { signal: task.signal } (or the signal of an enclosing scope)`);
    }
    if (rt._tasks.isGeneratorTask(task)) {
      throw new TypeError(`${this._where}: in a generator task use yield* (with the star)`);
    }
    if (!rt._tasks.isRunningJsTask(task)) {
      throw new InvalidStateError(`${this._where}: the task must be a running JS task`);
    }
    const parent = sigScope && sigScope._task === task && sigScope._open ? sigScope : null;
    const scope = this._make(task, parent, true);
    let out;
    try {
      const ret = this._body.call(undefined, scope);
      if (isGenerator(ret)) throw new TypeError(`${this._where}: a generator function body needs a generator task (yield*)`);
      out = { ok: true, value: await ret };
    } catch (e) {
      out = { ok: false, error: e };
    }
    return scope._leaveAsync(out);
  }
}

// `await timeout(...)` in an async task: the body runs as the task's code
// (the rule in async_ops.js).
bindThen(ScopeRun, 'thenScope');

/**
 * What Timeout and TaskGroup share: the owning task, the scope's
 * AbortSignal, the external signal, the link in the task's open scopes.
 * @internal
 */
export class Scope {
  constructor(rt, task, parent, isAsync, options) {
    this._rt = rt;
    this._task = task;
    this._parent = parent;
    this._async = isAsync;
    this._open = false;
    this._controller = null;
    this._abortReason = undefined;
    this._outsideAbort = false;
    // an external AbortSignal that cancels this scope
    const sig = options.signal;
    this._ext = sig && !(sig[SIGNAL_OWNER] === task || sig[SCOPE_OF]?._task === task) ? sig : null;
    this._extListener = null;
    /** the C scope (wa_timeout_t / wa_taskgroup_t) while open */
    this._key = 0;
  }

  /** Aborts when the scope is cancelled (reason: a CancelledError). */
  get signal() {
    if (!this._controller) {
      this._controller = new AbortController();
      this._controller.signal[SCOPE_OF] = this;
      if (this._abortReason !== undefined) this._abortController();
    }
    return this._controller.signal;
  }

  /** The task the scope belongs to. */
  get task() {
    return this._task;
  }

  /**
   * @internal abort the scope's signal. `outside`: the task itself was
   * cancelled, so an operation withdrawn through this signal counts as the
   * task's body having seen its cancellation (async_ops.js), as through
   * task.signal.
   */
  _abort(reason, outside = false) {
    if (this._abortReason !== undefined) return;
    this._abortReason = reason;
    this._outsideAbort = outside;
    if (this._controller) this._abortController();
  }

  /** @internal */
  _abortController() {
    if (this._outsideAbort) this._controller.signal[SIGNAL_OWNER] = this._task;
    this._controller.abort(this._abortReason);
  }

  /** @internal link in (after the C enter succeeded; this._ptr is the C scope) */
  _link() {
    const rt = this._rt;
    this._open = true;
    this._key = this._ptr;
    rt._scopes.open(this);
    if (this._parent?._abortReason !== undefined) this._abort(this._parent._abortReason);
    if (this._ext) {
      this._extListener = () => this._cancelFromSignal();
      if (this._ext.aborted) this._cancelFromSignal();
      else this._ext.addEventListener('abort', this._extListener, { once: true });
    }
  }

  /** @internal */
  _unlink() {
    this._open = false;
    this._rt._scopes.close(this);
    if (this._extListener) this._ext.removeEventListener('abort', this._extListener);
    this._extListener = null;
  }

  /** @internal the external signal aborted: C cancels the task for this scope (and counts it) */
  _cancelFromSignal() {
    if (!this._open || !this._task._ptr || this._alreadyCancelled()) return;
    const rt = this._rt;
    rt._mem.withString(abortMessage(this._ext), (mp) => rt._c.wa__js_scope_cancel(this._key, mp));
  }

  /** @internal the scope's own cancellation is already under way */
  _alreadyCancelled() {
    return false;
  }

  /**
   * @internal at the exit, before the C scope is freed: C takes back the
   * external signal's cancellations; the error to throw instead, if any
   */
  _takeBackExternal(status) {
    if (!this._ext || !this._key) return null;
    return this._rt._c.wa__js_scope_take_back(this._key, this._task._ptr, status) ? abortError(this._ext) : null;
  }

  /** @internal a cancellation of the task reached this scope */
  _onCancelled() {}

  /** @internal C says this scope cancelled its task (its deadline, its
   * group's failure): the reason its signal aborts with */
  _ownCancellation() {
    return new CancelledError('');
  }
}

/** Abort scope s and every scope nested in it (of the same task). */
function abortTree(list, s, reason) {
  for (const x of list) {
    for (let p = x; p; p = p._parent) {
      if (p === s) {
        x._abort(reason);
        x._onCancelled();
        break;
      }
    }
  }
}

// Why a scope cancels its own task (wa__js_cancel_origin, runtime/src/comb.h).
const BY_SIGNAL = 3;
const KEPT = 4;

/**
 * How a cancellation of a task reaches the scopes open in it. C keeps the
 * list of open scopes of each task and says which scope a cancellation
 * comes from; this maps C scopes to their objects.
 */
export class Scopes {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal C scope pointer -> the open Timeout / TaskGroup */
    this._byPtr = new Map();
  }

  /**
   * @internal the scopes open in task, in the order entered (C's list), and,
   * with `origin`, the scope a cancellation being announced comes from
   * and why ({ scope, why }; scope undefined: not a scope's own)
   */
  _list(task, origin, cap = 32) {
    if (!task._ptr || !this._byPtr.size) return [];
    const c = this._rt._c;
    // a buffer of our own: the C call that is announcing a cancellation
    // may be using the runtime's scratch cell
    const buf = c.wa_js_malloc(4 * (cap + 1));
    if (!buf) throw new RangeError('out of wasm memory');
    try {
      const n = c.wa__js_task_scopes(task._ptr, buf + 4, cap);
      if (n > cap) return this._list(task, origin, n);
      const out = [];
      const { HEAPU32, HEAP32 } = this._rt.M;
      for (let i = n; i >= 1; i--) { // C lists innermost first
        const s = this._byPtr.get(HEAPU32[(buf >> 2) + i]);
        if (s) out.push(s);
      }
      if (origin) {
        origin.scope = this._byPtr.get(c.wa__js_cancel_origin(buf));
        origin.why = HEAP32[buf >> 2];
      }
      return out;
    } finally {
      c.wa_js_free(buf);
    }
  }

  /** The innermost scope open in task, or null. */
  innermost(task) {
    return this._list(task).at(-1) ?? null;
  }

  /** @internal */
  open(scope) {
    this._byPtr.set(scope._key, scope);
  }

  /** @internal */
  close(scope) {
    if (this._byPtr.get(scope._key) === scope) this._byPtr.delete(scope._key);
    scope._key = 0;
  }

  /**
   * A cancellation request reached `task`. A scope's own (its deadline,
   * its group's first failure, its external signal: C names the scope)
   * aborts that scope's signal and the scopes inside it, and returns true
   * so that the task's signal stays as it is; anything else aborts every
   * scope of the task (and the task's signal, by returning false).
   */
  cancelRequested(task, msg) {
    const from = { scope: undefined, why: 0 };
    const list = this._list(task, from);
    const origin = from.scope;
    if (origin && origin._task === task) {
      if (from.why === KEPT) return true; // a group exit keeping a cancellation pending: nothing new
      abortTree(list, origin, from.why === BY_SIGNAL ? abortError(origin._ext) : origin._ownCancellation());
      return true;
    }
    if (!list.length) return false;
    const reason = new CancelledError(msg);
    for (const s of list) {
      s._abort(reason, true);
      s._onCancelled();
    }
    return false;
  }
}
