// Structured concurrency on the runtime (issue 4): wait, waitFor,
// asCompleted, shield, timeout scopes (timeout / timeoutAt) and TaskGroup,
// seen from JS. Every one of them is the C implementation
// (runtime/src/{wait,wait_for,as_completed,shield,timeout,taskgroup}.c)
// driven through its non-suspending form; this file only turns C futures
// into JS values and keeps JS objects (results, errors, tasks) as they are.
//
// Two task styles (README "Two styles of JS task"):
//
//   generator tasks: asyncio's exact model
//     const v = yield waitFor(t, 100);
//     const { done, pending } = yield wait([a, b], { returnWhen: FIRST_COMPLETED });
//     const r = yield* timeout(50, function* (scope) { ... });     // note the star
//     yield* taskGroup(function* (tg) { tg.createTask(...); });
//     const it = asCompleted(tasks); for (;;) { const { value, done } = yield it.next(); ... }
//
//   async-function tasks: the task's or the scope's AbortSignal reaches the work
//     const v = await waitFor(t, 100, { signal: task.signal });
//     const r = await timeout(50, async (scope) => {
//       return await fetch(url, { signal: scope.signal });
//     }, { task });
//     await taskGroup(async (tg) => { tg.createTask(...); }, { task });
//     for await (const t of asCompleted(tasks, { timeout: 100 })) ...
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
import { Runtime } from './runtime.js';
import { Op } from './ops.js';
import { Future, Task, STATES, SIGNAL_OWNER } from './futures.js';
import {
  CancelledError, TimeoutError, InvalidStateError, codes, errorFromStatus, statusOf,
} from './errors.js';

/** asyncio.wait's return_when values. */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
const RETURN_WHEN = new Map([[ALL_COMPLETED, 0], [FIRST_COMPLETED, 1], [FIRST_EXCEPTION, 2]]);

const BIND_HOOK = Symbol.for('wasyncio.bind');
const DEFAULT_RUNTIME = Symbol.for('wasyncio.defaultRuntime');
/** A scope's AbortSignal points back to its scope. */
const SCOPE_OF = Symbol('wasyncio.scope');
const FUT_OK = 1;
const FUT_CANCELLED = 3;
const KIND_GENERATOR = 1;

/** Task -> scopes (timeouts and groups) open in it, in the order entered. */
const openScopes = new WeakMap();

function isThenable(v) {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
}

function isGenerator(v) {
  return v !== null && typeof v === 'object' && typeof v.next === 'function' && typeof v.throw === 'function';
}

function isAwaitable(v) {
  return v instanceof Future || v instanceof Op || isThenable(v) || isGenerator(v) ||
    (v !== null && typeof v === 'object' && typeof v[BIND_HOOK] === 'function');
}

function checkOptions(options, where) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object`);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`${where}: options.signal must be an AbortSignal`);
  }
  return options;
}

/** ms (relative) or a deadline: a number, or null/undefined for none. */
function checkTime(v, where, name) {
  if (v === undefined || v === null) return Infinity;
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a number (ms) or null`);
  if (Number.isNaN(v)) throw new RangeError(`${where}: ${name} must not be NaN`);
  return v;
}

function toList(aws, where) {
  if (aws === null || typeof aws !== 'object' || typeof aws[Symbol.iterator] !== 'function' || isThenable(aws)) {
    throw new TypeError(`${where}: aws must be an iterable (an array or a Set) of awaitables`);
  }
  return [...new Set(aws)]; // a set, as asyncio: duplicates count once
}

/** A C reference to the future behind a view, without retrieving its error. */
function refView(rt, f) {
  if (f._ptr) return rt.M._wa_ref(f._ptr);
  const ptr = rt._materialize(f); // already done and fired: a done C stand-in
  rt.M._wa_future_status(ptr); // its error stays the view's to report
  return ptr;
}

/** Write pointers into a fresh wasm array; returns its address (free it). */
function ptrArray(M, ptrs) {
  const arr = M._wa_js_malloc(4 * Math.max(1, ptrs.length));
  if (!arr) throw new RangeError('out of wasm memory');
  for (let i = 0; i < ptrs.length; i++) M.HEAPU32[(arr >> 2) + i] = ptrs[i];
  return arr;
}

function jsTaskKind(rt, task) {
  const r = task._jsid ? rt._jsTasks.get(task._jsid) : undefined;
  return r ? r._kind : -1;
}

// ---------------------------------------------------------------------------
// wait
// ---------------------------------------------------------------------------

/** `wait(aws, { timeout, returnWhen })`: resolves to { done, pending }. */
class WaitOp extends Op {
  constructor(rt, aws, options) {
    const where = 'wait(aws, options)';
    options = checkOptions(options, where);
    super(rt, { signal: options.signal });
    const list = toList(aws, where);
    if (!list.length) throw new RangeError(`${where}: aws must not be empty`);
    list.forEach((f, i) => {
      if (!(f instanceof Future)) {
        throw new TypeError(`${where}: aws[${i}] must be a Task or Future (wrap other awaitables with createTask)`);
      }
      if (f._rt !== rt) throw new TypeError(`${where}: aws[${i}] belongs to another runtime`);
    });
    const rw = options.returnWhen ?? ALL_COMPLETED;
    if (!RETURN_WHEN.has(rw)) {
      throw new RangeError(`${where}: options.returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${String(rw)}`);
    }
    /** @internal */ this._list = list;
    /** @internal */ this._timeout = checkTime(options.timeout, where, 'options.timeout');
    /** @internal */ this._rw = RETURN_WHEN.get(rw);
    /** @internal C future -> view */ this._byPtr = null;
  }

  /** @internal */
  _start() {
    const rt = this._rt;
    const M = rt.M;
    const ptrs = this._list.map((f) => refView(rt, f));
    const arr = ptrArray(M, ptrs);
    try {
      const rc = M._wa_wait_start(rt._cell, arr, ptrs.length, this._timeout, this._rw);
      if (rc !== 0) throw errorFromStatus(rc, 'wait failed');
      this._byPtr = new Map(ptrs.map((p, i) => [p, this._list[i]]));
      return M.HEAPU32[rt._cell >> 2];
    } finally {
      M._wa_js_free(arr);
      for (const p of ptrs) M._wa_release(p); // the wait future holds its own
    }
  }

  /** @internal */
  _outcome(rt, ptr) {
    const M = rt.M;
    if (M._wa_future_status(ptr) !== 0) return rt._readOutcome(ptr);
    const n = this._list.length;
    const buf = M._wa_js_malloc(8 * n + 8);
    if (!buf) return { ok: false, error: new RangeError('out of wasm memory') };
    try {
      const dp = buf;
      const pp = buf + 4 * n;
      const counts = buf + 8 * n;
      M._wa_wait_sets(ptr, dp, counts, pp, counts + 4);
      const nd = M.HEAPU32[counts >> 2];
      const np = M.HEAPU32[(counts + 4) >> 2];
      const done = new Set();
      const pending = new Set();
      for (let i = 0; i < nd; i++) done.add(this._byPtr.get(M.HEAPU32[(dp >> 2) + i]));
      for (let i = 0; i < np; i++) pending.add(this._byPtr.get(M.HEAPU32[(pp >> 2) + i]));
      return { ok: true, value: { done, pending } };
    } finally {
      M._wa_js_free(buf);
      this._byPtr = null;
    }
  }
}

// ---------------------------------------------------------------------------
// waitFor
// ---------------------------------------------------------------------------

/** `waitFor(aw, ms)`: aw's outcome, or TimeoutError once aw is cancelled. */
class WaitForOp extends Op {
  constructor(rt, aw, ms, options) {
    const where = 'waitFor(aw, ms)';
    options = checkOptions(options, where);
    super(rt, { signal: options.signal });
    if (!isAwaitable(aw)) throw new TypeError(`${where}: aw is not awaitable (expected a Task, Future, runtime operation, promise or generator)`);
    if ((aw instanceof Future || aw instanceof Op) && aw._rt !== rt) throw new TypeError(`${where}: aw belongs to another runtime`);
    /** @internal */ this._aw = aw;
    /** @internal */ this._ms = checkTime(ms, where, 'ms');
    /** @internal */ this._k = null;
  }

  /** @internal */
  _start() {
    const rt = this._rt;
    const M = rt.M;
    const k = rt._startAwaitable(this._aw, 'waitFor: aw');
    this._aw = null;
    try {
      const rc = M._wa_wait_for_start(rt._cell, k.ptr, this._ms);
      if (rc !== 0) {
        if (k.aw instanceof Op) M._wa_cancel(k.ptr, 0);
        throw errorFromStatus(rc, 'waitFor failed');
      }
      this._k = k;
      return M.HEAPU32[rt._cell >> 2];
    } finally {
      M._wa_release(k.ptr); // the wait_for future holds the inner
    }
  }

  /** @internal */
  _outcome(rt, ptr) {
    const M = rt.M;
    const k = this._k;
    this._k = null;
    const st = M._wa__js_future_state(ptr);
    if (st === FUT_CANCELLED) {
      // the waiter was cancelled; an operation that completed meanwhile
      // gives its outcome back (a queue item, a lock) rather than lose it
      if (k.aw instanceof Op && M._wa__js_future_state(k.ptr) === FUT_OK) M._wa_op_rollback(k.ptr);
      const inner = rt._outcomeOf(k);
      if (inner && inner.ok && k.aw instanceof Op) k.aw._discard?.(inner.value);
      return rt._readOutcome(ptr);
    }
    const inner = rt._outcomeOf(k);
    M._wa_future_status(ptr);
    if (inner && (inner.ok || !inner.cancelled)) return inner; // in time (or swallowed), or its own failure
    const ms = this._ms;
    return { ok: false, error: new TimeoutError(`waitFor: timed out after ${ms} ms`) };
  }
}

// ---------------------------------------------------------------------------
// shield
// ---------------------------------------------------------------------------

/** The outer future of shield(): its outcome is the inner's. @internal */
class ShieldFuture extends Future {
  /** @internal outcome of the done C future (runtime._syncView hook) */
  _customOutcome(ptr) {
    const rt = this._rt;
    const k = this._kid;
    this._kid = null;
    if (rt.M._wa__js_future_state(ptr) === FUT_CANCELLED) return rt._readOutcome(ptr);
    k.aw._markRetrieved(); // its outcome travels on in the outer
    return rt._outcomeOf(k);
  }
}

// ---------------------------------------------------------------------------
// asCompleted
// ---------------------------------------------------------------------------

const forgottenIterators = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ M, cell }) => { if (cell.ptr) M._wa_as_completed_free(cell.ptr); })
  : null;

/**
 * asyncio.as_completed: the futures in the order they complete. An async
 * iterable (`for await (const t of it)`) whose next() is also a runtime
 * operation (`yield it.next()` in a generator task). Items are the Tasks
 * and Futures given (other awaitables are wrapped in tasks, as asyncio
 * does); await an item for its result. With a timeout, next() rejects with
 * TimeoutError once the time is up and nothing done is left to yield;
 * the iterator is then closed (as a JS iterator is after it throws).
 */
export class AsCompleted {
  /** @internal */
  constructor(rt, aws, options) {
    const where = 'asCompleted(aws, options)';
    options = checkOptions(options, where);
    const list = toList(aws, where);
    const timeoutMs = checkTime(options.timeout, where, 'options.timeout');
    const items = list.map((aw, i) => {
      if (aw instanceof Future) {
        if (aw._rt !== rt) throw new TypeError(`${where}: aws[${i}] belongs to another runtime`);
        return aw;
      }
      if (!isAwaitable(aw)) throw new TypeError(`${where}: aws[${i}] is not awaitable`);
      if (aw instanceof Op && aw._rt !== rt) throw new TypeError(`${where}: aws[${i}] belongs to another runtime`);
      return null;
    }).map((f, i) => f ?? rt.createTask(list[i]));
    const M = rt.M;
    const ptrs = items.map((f) => refView(rt, f));
    const arr = ptrArray(M, ptrs);
    let it;
    try {
      const rc = M._wa_as_completed_new(rt._cell, arr, ptrs.length, timeoutMs);
      if (rc !== 0) throw errorFromStatus(rc, 'asCompleted failed');
      it = M.HEAPU32[rt._cell >> 2];
    } finally {
      M._wa_js_free(arr);
      for (const p of ptrs) M._wa_release(p); // the iterator holds its own
    }
    /** @internal */ this._rt = rt;
    /** @internal C iterator, 0 once closed */ this._cell = { ptr: it };
    /** @internal */ this._byPtr = new Map(ptrs.map((p, i) => [p, items[i]]));
    /** @internal */ this._signal = options.signal;
    forgottenIterators?.register(this, { M, cell: this._cell }, this);
  }

  /**
   * The next done item: an operation resolving to { value, done } (await it
   * or yield it). Rejects with TimeoutError at the timeout.
   * @returns {Op}
   */
  next() {
    return new NextOp(this);
  }

  /** Futures still to come (or time out). */
  get remaining() {
    return this._cell.ptr ? this._rt.M._wa_as_completed_remaining(this._cell.ptr) : 0;
  }

  /** Stop: withdraws everything from the futures (cancels none of them). */
  close() {
    const p = this._cell.ptr;
    if (!p) return;
    this._cell.ptr = 0;
    forgottenIterators?.unregister(this);
    this._rt.M._wa_as_completed_free(p); // pending nexts end: { done: true }
  }

  /** `break` out of `for await`: closes the iterator. */
  return(value) {
    this.close();
    return Promise.resolve({ value, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  [Symbol.dispose]() {
    this.close();
  }

  [Symbol.asyncDispose]() {
    this.close();
    return Promise.resolve();
  }
}

/** One next() of an AsCompleted. @internal */
class NextOp extends Op {
  constructor(it) {
    super(it._rt, { signal: it._signal });
    this._it = it;
  }

  _start() {
    const rt = this._rt;
    const M = rt.M;
    const p = this._it._cell.ptr;
    if (!p) { // closed: the end, at once
      const f = M._wa__js_future_new();
      if (!f) throw new RangeError('out of wasm memory');
      M._wa_future_set_result(f, 0, 0);
      return f;
    }
    const rc = M._wa_as_completed_next_start(p, rt._cell);
    if (rc !== 0) throw errorFromStatus(rc, 'asCompleted: next failed');
    return M.HEAPU32[rt._cell >> 2];
  }

  _outcome(rt, ptr) {
    const M = rt.M;
    const st = M._wa_future_status(ptr);
    if (st === 0) {
      const item = M._wa__js_future_raw(ptr);
      if (!item) {
        // the end for this next; close once nothing is promised to another
        const p = this._it._cell.ptr;
        if (p && M._wa_as_completed_remaining(p) === 0) this._it.close();
        return { ok: true, value: { value: undefined, done: true } };
      }
      return { ok: true, value: { value: this._it._byPtr.get(item), done: false } };
    }
    if (st === codes.ETIMEDOUT) {
      this._it.close();
      return { ok: false, error: new TimeoutError('asCompleted: timed out') };
    }
    if (st === codes.ESHUTDOWN) return { ok: true, value: { value: undefined, done: true } }; // closed meanwhile
    return rt._readOutcome(ptr);
  }
}

// ---------------------------------------------------------------------------
// Scopes: the common part of Timeout and TaskGroup
// ---------------------------------------------------------------------------

/**
 * A block run by timeout()/timeoutAt()/taskGroup(): `yield*` it in a
 * generator task, `await` it in async code. Runs once.
 * @internal
 */
class ScopeRun {
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
    this._caller = rt._current;
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
    const task = rt._current;
    if (!(task instanceof Task) || jsTaskKind(rt, task) !== KIND_GENERATOR) {
      throw new InvalidStateError(`${this._where}: yield* it in a generator task; in async code, await it`);
    }
    if (this._options.task !== undefined && this._options.task !== task) {
      throw new TypeError(`${this._where}: options.task must be the running task`);
    }
    const list = openScopes.get(task);
    const scope = this._make(task, list?.length ? list[list.length - 1] : null, false);
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
  [BIND_HOOK]() {
    const owner = this._options.task ?? this._caller;
    if (owner && jsTaskKind(this._rt, owner) === KIND_GENERATOR) {
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
    if (jsTaskKind(rt, task) === KIND_GENERATOR) {
      throw new TypeError(`${this._where}: in a generator task use yield* (with the star)`);
    }
    if (jsTaskKind(rt, task) < 0 || task.done()) {
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

/**
 * What Timeout and TaskGroup share: the owning task, the scope's
 * AbortSignal, the external signal, the link in the task's open scopes.
 * @internal
 */
class Scope {
  constructor(rt, task, parent, isAsync, options) {
    this._rt = rt;
    this._task = task;
    this._parent = parent;
    this._async = isAsync;
    this._open = false;
    this._controller = null;
    this._abortReason = undefined;
    // an external AbortSignal that cancels this scope
    const sig = options.signal;
    this._ext = sig && !(sig[SIGNAL_OWNER] === task || sig[SCOPE_OF]?._task === task) ? sig : null;
    this._extListener = null;
    this._extCancels = 0; // cancellations of the task made for the external signal
    this._c0 = 0; // the task's cancelling() when entered
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
   * task's body having seen its cancellation (runtime._runOp), as through
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

  /** @internal link in (after the C enter succeeded) */
  _link() {
    const rt = this._rt;
    this._open = true;
    this._c0 = rt.M._wa_task_cancelling(this._task._ptr);
    let list = openScopes.get(this._task);
    if (!list) openScopes.set(this._task, (list = []));
    list.push(this);
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
    const list = openScopes.get(this._task);
    const i = list ? list.lastIndexOf(this) : -1;
    if (i >= 0) list.splice(i, 1);
    if (list && !list.length) openScopes.delete(this._task);
    if (this._extListener) this._ext.removeEventListener('abort', this._extListener);
    this._extListener = null;
  }

  /** @internal the external signal aborted: cancel the task for this scope */
  _cancelFromSignal() {
    const rt = this._rt;
    const task = this._task;
    if (!this._open || !task._ptr || this._alreadyCancelled()) return;
    this._extCancels++;
    const prev = rt._combOwnCancel;
    rt._combOwnCancel = this;
    try {
      rt._cancelPtr(task._ptr, rt._abortMessage(this._ext));
    } finally {
      rt._combOwnCancel = prev;
    }
  }

  /** @internal the scope's own cancellation is already under way */
  _alreadyCancelled() {
    return false;
  }

  /** @internal settle the external signal's cancellations; the error to throw instead, if any */
  _takeBackExternal(status) {
    if (!this._extCancels) return null;
    const M = this._rt.M;
    let n = Infinity;
    for (let i = 0; i < this._extCancels && this._task._ptr; i++) n = M._wa_task_uncancel(this._task._ptr);
    this._extCancels = 0;
    if (n <= this._c0 && status === codes.ECANCELLED) return this._rt._abortError(this._ext);
    return null;
  }

  /** @internal a cancellation of the task reached this scope */
  _onCancelled() {}
}

/** Abort scope s and every scope nested in it. */
function abortTree(list, s, reason) {
  for (const x of [...list]) {
    for (let p = x; p; p = p._parent) {
      if (p === s) {
        x._abort(reason);
        x._onCancelled();
        break;
      }
    }
  }
}

/**
 * runtime._cancelled hook: a cancellation request reached `task`. A scope's
 * own (its deadline, its group's first failure, its external signal)
 * aborts that scope's signal and the scopes inside it, and returns true so
 * that the task's signal stays as it is; anything else aborts every scope
 * of the task (and the task's signal, by returning false).
 * @this {Runtime}
 */
function scopeCancelHook(task, msg) {
  const list = openScopes.get(task);
  if (!list || !list.length) return false;
  // TaskGroup exit keeping a pending cancellation pending: nothing new
  if (this._combRecancel) return true;
  const M = this.M;
  const own = this._combOwnCancel;
  if (own && own._task === task) {
    abortTree(list, own, this._abortError(own._ext));
    return true;
  }
  for (const s of list) {
    if (s instanceof Timeout && !s._expirySeen && s._ptr && M._wa_timeout_expired(s._ptr)) {
      s._expirySeen = true;
      abortTree(list, s, new CancelledError('the timeout expired'));
      return true;
    }
  }
  for (const s of list) {
    if (s instanceof TaskGroup && !s._cAborting && s._ptr && M._wa_taskgroup_error_count(s._ptr) > 0) {
      s._cAborting = true;
      abortTree(list, s, new CancelledError('TaskGroup: a task of the group failed'));
      return true;
    }
  }
  const reason = new CancelledError(msg);
  for (const s of [...list]) {
    s._abort(reason, true);
    s._onCancelled();
  }
  return false;
}

Runtime.prototype._scopeCancel = scopeCancelHook;

// ---------------------------------------------------------------------------
// Timeout scopes
// ---------------------------------------------------------------------------

/**
 * A timeout scope (asyncio.Timeout), passed to the body of timeout() /
 * timeoutAt(). When its deadline passes, the task running the body is
 * cancelled; the scope turns that cancellation (and only its own) into a
 * TimeoutError at its exit. Times are runtime.time() values (ms).
 */
export class Timeout extends Scope {
  /** @internal */
  constructor(rt, task, parent, isAsync, options, when, relative) {
    super(rt, task, parent, isAsync, options);
    const M = rt.M;
    const rc0 = M._wa_timeout_new(rt._cell);
    if (rc0 !== 0) throw errorFromStatus(rc0, 'timeout: out of wasm memory');
    /** @internal C scope, 0 once exited */ this._ptr = M.HEAPU32[rt._cell >> 2];
    /** @internal */ this._expirySeen = false;
    /** @internal after exit */ this._final = null;
    const deadline = relative && Number.isFinite(when) ? M._wa_time() + when : when;
    const rc = M._wa_timeout_enter_in(this._ptr, task._ptr, deadline);
    if (rc !== 0) {
      M._wa_timeout_free(this._ptr);
      this._ptr = 0;
      throw errorFromStatus(rc, 'timeout: cannot enter the scope (is the task done?)');
    }
    this._link();
  }

  /** The scope's own deadline (Infinity: none). */
  when() {
    return this._ptr ? this._rt.M._wa_timeout_when(this._ptr) : this._final.when;
  }

  /**
   * Move the deadline to `when` (a runtime.time() value; null or Infinity:
   * none; a past time expires at once). InvalidStateError once expired or
   * exited.
   * @param {number | null} when
   */
  reschedule(when) {
    const w = checkTime(when, 'reschedule(when)', 'when');
    if (!this._ptr) throw new InvalidStateError('reschedule: the timeout scope has been exited');
    const rc = this._rt.M._wa_timeout_reschedule(this._ptr, w);
    if (rc === codes.ESTATE) throw new InvalidStateError('reschedule: the timeout has expired');
    if (rc !== 0) throw errorFromStatus(rc, 'reschedule failed');
  }

  /** True if the deadline passed while the scope was entered. */
  expired() {
    return this._ptr ? !!this._rt.M._wa_timeout_expired(this._ptr) : this._final.expired;
  }

  /**
   * Effective deadline of the code in the scope: the earliest of this
   * scope's and every enclosing scope's, including those around the task
   * group the task belongs to. NaN once exited.
   */
  get deadline() {
    return this._ptr ? this._rt.M._wa_timeout_deadline(this._ptr) : NaN;
  }

  /** @internal */
  _alreadyCancelled() {
    return this.expired();
  }

  /** @internal leave: returns the body's value or throws */
  _leave(out) {
    const rt = this._rt;
    const M = rt.M;
    const status = out.ok ? 0 : out.error instanceof CancelledError ? codes.ECANCELLED : (statusOf(out.error) || codes.EHOST);
    let rc = M._wa_timeout_exit(this._ptr, status);
    if (rc === codes.ESTATE) rc = status; // the task ended first: the scope was disarmed
    this._final = { when: M._wa_timeout_when(this._ptr), expired: !!M._wa_timeout_expired(this._ptr) };
    M._wa_timeout_free(this._ptr);
    this._ptr = 0;
    this._unlink();
    const aborted = this._takeBackExternal(status);
    if (aborted) throw aborted;
    if (rc === codes.ETIMEDOUT && status === codes.ECANCELLED) {
      throw new TimeoutError('the timeout expired', { cause: out.error });
    }
    if (out.ok) return out.value;
    throw out.error;
  }

  /** @internal */
  * _leaveGen(out) {
    return this._leave(out);
  }

  /** @internal */
  _leaveAsync(out) {
    return this._leave(out);
  }
}

// ---------------------------------------------------------------------------
// TaskGroup
// ---------------------------------------------------------------------------

/** Awaits a C future we hold a reference to (handed over). @internal */
class PtrOp extends Op {
  constructor(rt, ptr) {
    super(rt);
    this._ptr = ptr;
  }

  _start() {
    const p = this._ptr;
    this._ptr = 0;
    return p;
  }

  _outcome(rt, ptr) {
    return rt._readOutcome(ptr);
  }
}

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
    const rt = options.runtime ?? options.task?._rt ?? TaskGroup[DEFAULT_RUNTIME];
    if (!(rt instanceof Runtime)) throw new TypeError(`${where}: options.runtime must be a Runtime`);
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
    const task = given ?? rt._current ?? signal?.[SIGNAL_OWNER] ?? sigScope?._task;
    if (!(task instanceof Task) || jsTaskKind(rt, task) < 0 || task.done()) {
      throw new InvalidStateError('TaskGroup.enter(): no task to enter it in: pass { task } or { signal: task.signal }');
    }
    if (jsTaskKind(rt, task) === KIND_GENERATOR) throw new TypeError('TaskGroup.enter(): in a generator task use yield* taskGroup(...)');
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
    const rc = rt.M._wa_taskgroup_add(this._ptr, t._ptr);
    if (rc !== 0) {
      t.cancel(); // before its first step: its body never runs
      if (rc === codes.ESTATE) throw new InvalidStateError(`TaskGroup: ${this._state === 'exiting' && !this._cAborting ? 'finished' : 'shutting down'}`);
      throw errorFromStatus(rc, 'TaskGroup: cannot add the task');
    }
    const id = rt.M._wa__js_task_number(t._ptr);
    this._children.set(id, t);
    // keep failed ones for the AggregateError (without retrieving anything)
    t.addDoneCallback(() => { if (t._state !== STATES.REJECTED) this._children.delete(id); });
    return t;
  }

  /** Tasks of the group not yet done. */
  get size() {
    return this._ptr ? this._rt.M._wa_taskgroup_size(this._ptr) : 0;
  }

  /**
   * Effective deadline of the group (that of the scopes around it; its
   * tasks inherit it). Infinity: none; NaN when not entered.
   */
  get deadline() {
    return this._ptr && this._state !== 'finished' ? this._rt.M._wa_taskgroup_deadline(this._ptr) : NaN;
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
    const rc = rt.M._wa_taskgroup_enter_in(rt._cell, task._ptr);
    if (rc !== 0) throw errorFromStatus(rc, 'TaskGroup: cannot enter (is the task done?)');
    this._ptr = rt.M.HEAPU32[rt._cell >> 2];
    this._state = 'entered';
    this._link();
    return this;
  }

  /** @internal */
  _alreadyCancelled() {
    return this._cAborting;
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
    if (this._state === 'exiting' && this._xptr && this._rt.M._wa__js_future_state(this._xptr) === 0) {
      this._rt.M._wa_cancel(this._xptr, 0);
    } else {
      this._pendingCancel = true; // delivered at the exit (its wait, or its finish)
    }
  }

  /** @internal start leaving; returns the exit future (our reference) */
  _exitStart(out) {
    const rt = this._rt;
    const M = rt.M;
    const status = out.ok ? 0 : out.error instanceof CancelledError ? codes.ECANCELLED : (statusOf(out.error) || codes.EHOST);
    const rc = M._wa_taskgroup_exit_start(this._ptr, status, rt._cell);
    if (rc !== 0) throw errorFromStatus(rc, 'TaskGroup: cannot exit');
    const x = M.HEAPU32[rt._cell >> 2];
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
    this._xptr = rt.M._wa_ref(x);
    try {
      // a cancellation the body did not take is delivered at the exit's
      // wait, as asyncio does
      if (this._pendingCancel && rt.M._wa__js_future_state(x) === 0) {
        this._pendingCancel = false;
        rt.M._wa_cancel(x, 0);
      }
      await new PtrOp(rt, x);
    } finally {
      rt.M._wa_release(this._xptr);
      this._xptr = 0;
    }
    // ... or, when there was nothing left to wait for, at the finish
    return this._finish(this._pendingCancel ? codes.ECANCELLED : 0, out);
  }

  /** @internal */
  _finish(wait, out) {
    const rt = this._rt;
    const M = rt.M;
    // exit_finish re-cancels the owner when a cancellation must stay pending
    rt._combRecancel = (rt._combRecancel ?? 0) + 1;
    let rc;
    try {
      rc = M._wa_taskgroup_exit_finish(this._ptr, wait);
    } finally {
      rt._combRecancel--;
    }
    let errors = null;
    if (rc === codes.EGROUP) {
      const n = M._wa_taskgroup_error_count(this._ptr);
      const cell = M._wa_js_malloc(12);
      errors = [];
      try {
        for (let i = 0; i < n; i++) {
          M._wa_taskgroup_error(this._ptr, i, cell, cell + 4, cell + 8);
          errors.push(this._errorOf(M.HEAP32[cell >> 2], M.HEAPU32[(cell + 4) >> 2], M.HEAPU32[(cell + 8) >> 2], out));
        }
      } finally {
        M._wa_js_free(cell);
      }
    }
    M._wa_taskgroup_free(this._ptr);
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
      const mp = this._task._ptr ? M._wa__js_cancel_msg(this._task._ptr) : 0;
      throw new CancelledError(mp ? M.UTF8ToString(mp) : '');
    }
    if (rc !== 0) throw errorFromStatus(rc, 'TaskGroup: exit failed');
    if (out.ok) return out.value;
    throw out.error;
  }

  /** @internal the JS error object of error entry i */
  _errorOf(code, msgPtr, taskPtr, out) {
    const rt = this._rt;
    const M = rt.M;
    if (taskPtr === this._task._ptr && !out.ok) return out.error;
    const child = this._children.get(M._wa__js_task_number(taskPtr));
    if (child) {
      child._sync();
      if (child._state === STATES.REJECTED) {
        child._markRetrieved();
        return child._error;
      }
    }
    const o = rt._readOutcome(taskPtr);
    return o.ok ? errorFromStatus(code, msgPtr ? M.UTF8ToString(msgPtr) : '') : o.error;
  }
}

// ---------------------------------------------------------------------------
// On the runtime
// ---------------------------------------------------------------------------

Object.assign(Runtime.prototype, {
  /**
   * asyncio.wait: wait for Tasks/Futures until returnWhen holds or timeout
   * ms pass; resolves to { done: Set, pending: Set } (the same objects).
   * Cancels nothing, not even on timeout. A runtime operation.
   * @param {Iterable<Future>} aws
   * @param {{ timeout?: number | null, returnWhen?: string, signal?: AbortSignal }} [options]
   */
  wait(aws, options) {
    return new WaitOp(this, aws, options);
  },

  /**
   * asyncio.wait_for: aw's result, or a TimeoutError after ms, once aw
   * (cancelled at the deadline) has finished; a result that arrives with
   * the deadline is kept; if aw swallows the cancellation its value is
   * returned. ms null: no limit. A runtime operation.
   * @param {unknown} aw
   * @param {number | null} ms
   * @param {{ signal?: AbortSignal }} [options]
   */
  waitFor(aw, ms, options) {
    return new WaitForOp(this, aw, ms, options);
  },

  /**
   * asyncio.as_completed: iterate the awaitables in the order they finish.
   * @param {Iterable<unknown>} aws
   * @param {{ timeout?: number | null, signal?: AbortSignal }} [options]
   * @returns {AsCompleted}
   */
  asCompleted(aws, options) {
    return new AsCompleted(this, aws, options);
  },

  /**
   * asyncio.shield: a Future that mirrors aw; cancelling it (or the task
   * awaiting it) leaves aw running. A done aw is returned as it is. Other
   * awaitables than Tasks/Futures are wrapped in a task.
   * @param {unknown} aw
   * @param {{ signal?: AbortSignal }} [options]  aborting cancels the outer future
   * @returns {Future}
   */
  shield(aw, options) {
    const where = 'shield(aw)';
    options = checkOptions(options, where);
    if (!isAwaitable(aw)) throw new TypeError(`${where}: aw is not awaitable (expected a Task, Future, runtime operation, promise or generator)`);
    if ((aw instanceof Future || aw instanceof Op) && aw._rt !== this) throw new TypeError(`${where}: aw belongs to another runtime`);
    const inner = aw instanceof Future ? aw : this.createTask(aw);
    const M = this.M;
    const ip = refView(this, inner);
    let outer;
    try {
      const rc = M._wa_shield(this._cell, ip);
      if (rc !== 0) throw errorFromStatus(rc, 'shield failed');
      outer = M.HEAPU32[this._cell >> 2];
    } finally {
      M._wa_release(ip); // the outer holds the inner
    }
    if (outer === ip && inner === aw) {
      M._wa_release(outer);
      return aw; // asyncio: a done future is returned as it is
    }
    const view = new ShieldFuture(this, outer);
    view._kid = { ptr: ip, aw: inner, outcome: null };
    if (M._wa__js_future_state(outer) !== 0) {
      this._syncView(view);
      view._fire();
      M._wa_release(outer);
    } else {
      this._watch(view, outer);
    }
    if (options.signal) this._linkSignal(view, options.signal);
    return view;
  },

  /**
   * asyncio.timeout: run body(scope) with a deadline ms from now (null: none
   * until rescheduled). `yield*` it in a generator task, `await` it in async
   * code (with { task } or { signal: task.signal }). At the deadline the
   * task is cancelled; the scope turns that into a TimeoutError.
   * @param {number | null} ms
   * @param {(scope: Timeout) => unknown} body
   * @param {{ task?: Task, signal?: AbortSignal }} [options]
   */
  timeout(ms, body, options) {
    const delay = checkTime(ms, 'timeout(ms, body)', 'ms');
    return new ScopeRun(this, (task, parent, isAsync) => new Timeout(this, task, parent, isAsync, options ?? {}, delay, true),
      body, options, 'timeout(ms, body)');
  },

  /**
   * asyncio.timeout_at: as timeout(), with a deadline in runtime.time() ms.
   * @param {number | null} when
   * @param {(scope: Timeout) => unknown} body
   * @param {{ task?: Task, signal?: AbortSignal }} [options]
   */
  timeoutAt(when, body, options) {
    const at = checkTime(when, 'timeoutAt(when, body)', 'when');
    return new ScopeRun(this, (task, parent, isAsync) => new Timeout(this, task, parent, isAsync, options ?? {}, at, false),
      body, options, 'timeoutAt(when, body)');
  },

  /**
   * Run body(tg) in a new TaskGroup: `yield* taskGroup(function* (tg) {...})`
   * or `await taskGroup(async (tg) => {...}, { task })`.
   * @param {(tg: TaskGroup) => unknown} body
   * @param {{ task?: Task, signal?: AbortSignal }} [options]
   */
  taskGroup(body, options) {
    if (typeof body !== 'function') throw new TypeError('taskGroup(body): body must be a function');
    return new TaskGroup({ ...checkOptions(options, 'taskGroup(body, options)'), runtime: this }).run(body);
  },

  /**
   * Effective deadline of a task (default: the running one): the earliest
   * deadline of the timeout scopes around the code it runs, including
   * those around the task group it belongs to. Infinity: none (also
   * outside tasks: in async code after an await, pass the task).
   * @param {Task} [task]
   */
  currentDeadline(task) {
    if (task !== undefined && !(task instanceof Task && task._rt === this)) {
      throw new TypeError('currentDeadline(task): task must be a Task of this runtime');
    }
    const t = task ?? this.currentTask();
    return t && t._ptr ? this.M._wa__js_task_deadline(t._ptr) : Infinity;
  },
});

export { WaitOp, WaitForOp, ShieldFuture };
