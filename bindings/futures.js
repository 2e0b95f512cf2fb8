// Future and Task: JS views of C futures and tasks (one source of truth: the
// C scheduler). A view holds one C reference while the future is pending;
// when it completes, the outcome is read once into JS and the reference is
// dropped, so finished tasks cost no wasm memory however long JS keeps them.
import { CancelledError, InvalidStateError, codes } from './errors.js';

/** Marks a task's AbortSignal with its task. @internal */
export const SIGNAL_OWNER = Symbol('wasyncio.task');

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const CANCELLED = 3;

/**
 * A pending-then-done value, asyncio.Future's twin. Awaitable (a thenable).
 * Create with `runtime.createFuture()`.
 */
export class Future {
  /**
   * @param {import('./runtime.js').Runtime} rt
   * @param {number} ptr C future (the view takes over one reference)
   * @internal
   */
  constructor(rt, ptr) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._ptr = ptr;
    /** @internal */ this._state = PENDING;
    /** @internal */ this._value = undefined;
    /** @internal */ this._error = undefined;
    /** @internal */ this._callbacks = null;
    /** @internal */ this._promise = null;
    /** @internal */ this._retrieved = false;
    /** @internal callbacks ran and the reference was dropped */
    this._fired = false;
    /** @internal a task or combinator awaits it: its error is retrieved */
    this._awaited = false;
  }

  /** True once the future has a result, an error, or was cancelled. */
  done() {
    this._sync();
    return this._state !== PENDING;
  }

  /** True if the future was cancelled. */
  cancelled() {
    this._sync();
    return this._state === CANCELLED;
  }

  /**
   * The result. Throws the error (or CancelledError) if it failed,
   * InvalidStateError while pending.
   */
  result() {
    this._sync();
    if (this._state === PENDING) throw new InvalidStateError('Result is not set.');
    this._markRetrieved();
    if (this._state === FULFILLED) return this._value;
    throw this._error;
  }

  /**
   * The error, or null if it succeeded. Throws CancelledError if cancelled,
   * InvalidStateError while pending.
   * @returns {unknown}
   */
  exception() {
    this._sync();
    if (this._state === PENDING) throw new InvalidStateError('Exception is not set.');
    this._markRetrieved();
    if (this._state === CANCELLED) throw this._error;
    return this._state === REJECTED ? this._error : null;
  }

  /**
   * Request cancellation. Returns false if already done.
   * @param {string} [msg]
   */
  cancel(msg) {
    this._sync();
    if (this._state !== PENDING) return false;
    if (msg !== undefined && typeof msg !== 'string') throw new TypeError('cancel(msg): msg must be a string');
    return this._rt._cancelPtr(this._ptr, msg) === 1;
  }

  /**
   * Call fn(future) through the loop once done (soon, if it already is).
   * @param {(f: this) => void} fn
   */
  addDoneCallback(fn) {
    if (typeof fn !== 'function') throw new TypeError('addDoneCallback(fn): fn must be a function');
    if (this._fired) {
      this._rt.callSoon(fn, this);
      return;
    }
    (this._callbacks ??= []).push(fn);
  }

  /**
   * Remove every registration of fn; returns how many there were.
   * @param {Function} fn
   */
  removeDoneCallback(fn) {
    if (!this._callbacks) return 0;
    const before = this._callbacks.length;
    this._callbacks = this._callbacks.filter((f) => f !== fn);
    return before - this._callbacks.length;
  }

  /**
   * Complete with a value (futures made by createFuture only).
   * @param {unknown} value
   */
  setResult(value) {
    this._rt._setFutureResult(this, value);
  }

  /**
   * Complete with an error (futures made by createFuture only).
   * @param {unknown} error
   */
  setException(error) {
    this._rt._setFutureError(this, error);
  }

  /** Thenable: `await future`. */
  then(onFulfilled, onRejected) {
    return this._getPromise().then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this._getPromise().catch(onRejected);
  }

  finally(onFinally) {
    return this._getPromise().finally(onFinally);
  }

  get [Symbol.toStringTag]() {
    return this.constructor.name;
  }

  /** @internal */
  _getPromise() {
    this._markRetrieved();
    if (!this._promise) {
      if (this._fired && this._state === FULFILLED) this._promise = Promise.resolve(this._value);
      else if (this._fired) this._promise = Promise.reject(this._error);
      else {
        this._promise = new Promise((resolve, reject) => {
          this._resolve = resolve;
          this._reject = reject;
        });
      }
    }
    return this._promise;
  }

  /** @internal */
  _markRetrieved() {
    if (!this._retrieved) {
      this._retrieved = true;
      if (this._state === REJECTED) this._rt._retrieved(this);
    }
  }

  /**
   * The C future may be done before its done callback reached us (asyncio
   * changes a future's state at once and runs callbacks later): record the
   * outcome now so state queries are exact.
   * @internal
   */
  _sync() {
    if (this._state === PENDING && this._ptr) this._rt._syncView(this);
  }

  /** @internal record the outcome (once) */
  _record(ok, value, error, cancelled) {
    if (this._state !== PENDING) return;
    if (ok) {
      this._state = FULFILLED;
      this._value = value;
    } else {
      this._state = cancelled ? CANCELLED : REJECTED;
      this._error = error;
    }
  }

  /**
   * Settle the awaiting promise and run done callbacks. Called from the C
   * done callback, i.e. through the loop, after _record.
   * @internal
   */
  _fire() {
    if (this._fired) return;
    this._fired = true;
    this._ptr = 0;
    if (this._resolve) {
      if (this._state === FULFILLED) this._resolve(this._value);
      else this._reject(this._error);
      this._resolve = this._reject = null;
    }
    if (this._state === REJECTED && !this._retrieved && !this._awaited) this._rt._unretrieved(this);
    const cbs = this._callbacks;
    this._callbacks = null;
    if (cbs) for (const fn of cbs) this._rt._safeCall(fn, this);
  }
}

/**
 * A task: a JS function or a C coroutine run by the C scheduler. Awaitable.
 * Create with `createTask(fn)` (JS) or `runtime.spawnC(name, arg)` (C).
 */
export class Task extends Future {
  /** @internal */
  constructor(rt, ptr, name) {
    super(rt, ptr);
    /** @internal */ this._name = name;
    /** @internal */ this._controller = null;
    // JS tasks: the state their steps work on (runtime.js)
    /** @internal */ this._jsid = 0;
    /** @internal */ this._fn = null;
    /** @internal */ this._gen = null;
    /** @internal 0 not started, 1 generator, 2 async function */ this._kind = 0;
    /** @internal */ this._native = false;
    /** @internal */ this._awaiting = null;
    /** @internal */ this._delivered = false;
    /** @internal */ this._body = 0;
    /** @internal */ this._bodyOutcome = null;
  }

  /** The task's name (asyncio get_name/set_name). */
  get name() {
    if (this._ptr) return this._rt._taskName(this._ptr);
    return typeof this._name === 'number' ? `Task-${this._name}` : this._name;
  }

  set name(v) {
    if (typeof v !== 'string') throw new TypeError('task.name must be a string');
    if (this._ptr) this._rt._setTaskName(this._ptr, v);
    this._name = v;
  }

  /** Number of pending cancellation requests (asyncio Task.cancelling()). */
  cancelling() {
    return this._ptr ? this._rt._cancelling(this._ptr) : 0;
  }

  /** Decrement the cancellation count; returns the new count (Task.uncancel()). */
  uncancel() {
    return this._ptr ? this._rt._uncancel(this._ptr) : 0;
  }

  /**
   * Aborts when the task is asked to cancel (reason: a CancelledError). Pass
   * it to runtime operations (`{ signal }`), fetch, or anything that takes
   * an AbortSignal, so an async function task stops where it waits.
   * @returns {AbortSignal}
   */
  get signal() {
    if (!this._controller) {
      this._controller = new AbortController();
      this._controller.signal[SIGNAL_OWNER] = this;
      if (this._state === CANCELLED) this._controller.abort(this._error);
    }
    return this._controller.signal;
  }

  /** @internal a cancellation was requested (from C or JS) */
  _onCancelRequested(msg) {
    if (this._controller && !this._controller.signal.aborted) {
      this._controller.abort(new CancelledError(msg ?? ''));
    }
  }

  /** @internal */
  _record(ok, value, error, cancelled) {
    if (this._state !== 0) return;
    if (this._ptr && this._name === undefined) this._name = this._rt._finalTaskName(this._ptr);
    super._record(ok, value, error, cancelled);
    if (cancelled) this._onCancelRequested(error?.message);
  }

  toString() {
    const st = ['pending', 'finished', 'failed', 'cancelled'][this._state];
    return `<Task ${JSON.stringify(this.name)} ${st}>`;
  }
}

/** A scheduled callback (callSoon / callLater / callAt). */
export class Handle {
  /** @internal */
  constructor(rt, id, lo, hi, when) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._id = id;
    /** @internal */ this._lo = lo;
    /** @internal */ this._hi = hi;
    /** @internal */ this._cancelled = false;
    /** Scheduled time (ms, runtime.time() clock) for timers, else undefined. */
    this.when = when;
  }

  /** Cancel the callback if it has not run yet. */
  cancel() {
    if (this._cancelled) return;
    this._cancelled = true;
    this._rt._cancelHandle(this);
  }

  /** True if cancel() was called. */
  cancelled() {
    return this._cancelled;
  }
}

export const STATES = { PENDING, FULFILLED, REJECTED, CANCELLED };
export { codes };
