// Runtime operations as lazy awaitables, like asyncio coroutines: calling
// `sleep(10)` or `queue.get()` creates the operation; it starts when a task
// awaits it (`yield op` in a generator task, `await op` in async code) and
// can be awaited once. Started from async code, an operation belongs to the
// async task current when it was created (async_ops.js): cancelling that
// task withdraws it. It also honours `{ signal }`: an abort withdraws it (a
// queue item or a lock slot is never lost) and the await rejects with
// CancelledError.
//
// The contract between an operation and the task machinery (tasks.js,
// awaitables.js, gather.js, wait.js) is the set of hooks below: a subclass
// implements _start() and overrides the others where the default does not
// fit.

/** What Op._tryNow returns when the operation would have to wait. */
export const NOT_NOW = Symbol('wasyncio.notNow');

/** Base class of runtime operations. */
export class Op {
  /**
   * @param {import('./runtime.js').Runtime} rt
   * @param {{ signal?: AbortSignal }} [opts]
   */
  constructor(rt, opts) {
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
      throw new TypeError('options must be an object');
    }
    const signal = opts?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError('options.signal must be an AbortSignal');
    }
    /** @internal */ this._rt = rt;
    /** @internal aborting it withdraws the operation (async code) */ this._signal = signal;
    /** @internal its run when awaited from async code (async_ops.js) */ this._wait = null;
    /** @internal claimed: it runs once */ this._started = false;
    /** @internal the task current at creation: an async task's await of it
     * is withdrawn when that task is cancelled (async_ops.js) */
    this._task = rt._tasks.current;
    /** @internal debug mode's record of it (debug.js), else null */ this._debugRec = null;
    if (rt._debug.on) rt._debug.opCreated(this);
  }

  // ---- the contract ---------------------------------------------------------

  /**
   * Start the operation; returns a C future (the caller owns one
   * reference). Required.
   * @internal
   * @returns {number}
   */
  _start() {
    throw new Error('not implemented');
  }

  /**
   * Awaited from async code, the operation is only a place in the loop's
   * order: the delay (ms, >= 0) after which it completes with
   * _convert(undefined), no C future made (nothing can cancel it). -1
   * (default): start it.
   * @internal
   */
  _resumeWithoutFuture() {
    return -1;
  }

  /**
   * Complete now, without a C future, if nothing would wait (asyncio's
   * path that does not suspend: a free lock, an item in the queue): the
   * result, or NOT_NOW to start the operation instead. Throwing is the
   * operation failing now. Called once, after _claim. Default: NOT_NOW.
   * @internal
   */
  _tryNow() {
    return NOT_NOW;
  }

  /**
   * The JS outcome of the operation's done C future, read once, before the
   * future is released: { ok, value } or { ok: false, error, cancelled }.
   * Operations that hand out resources (a response, a buffer) take them
   * here, and free them in _discard if the outcome is thrown away.
   * Default: the future's value through _convert.
   * @internal
   */
  _outcome(rt, ptr) {
    const out = rt._views.readOutcome(ptr);
    if (out.ok) out.value = this._convert(out.value);
    return out;
  }

  /**
   * Map the C future's value to the operation's result (used by the
   * default _outcome). Default: as is.
   * @internal
   */
  _convert(value) {
    return value;
  }

  /**
   * An outcome the task will never see (it was cancelled meanwhile, and C
   * could not give the outcome back): free what it holds. Default: nothing.
   * @internal
   */
  _discard(value) {} // eslint-disable-line no-unused-vars

  /**
   * Claim the operation before it starts: it runs once (TypeError the
   * second time). Operations that may be awaited any number of times
   * (`_shared`) skip the check.
   * @internal
   */
  _claim() {
    if (this._shared) return;
    if (this._debugRec !== null) this._debugRec.started = true;
    if (this._started) throw new TypeError(`${this.constructor.name} was already awaited; create a new one`);
    this._started = true;
  }

  /**
   * Thenable: starts the operation the first time it is awaited (async
   * code); later calls get the same outcome. Returns a promise-like Tail.
   */
  then(onFulfilled, onRejected) {
    return this._rt._asyncOps.then(this, onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.then(undefined, onRejected);
  }

  finally(onFinally) {
    return this.then().finally(onFinally);
  }
}

/**
 * Done at once (a free lock, an item in the queue): the task goes on
 * without suspending, as an asyncio coroutine and the C forms do. Default:
 * false (a done future is still awaited through the loop).
 * @internal
 */
Op.prototype._eager = false;
/**
 * May be awaited any number of times (it holds nothing): `sleep(0)`.
 * @internal
 */
Op.prototype._shared = false;
/**
 * (task) => void, or null. The operation completed for a task that was
 * cancelled before it resumed, and C could not roll the outcome back (a put
 * item a getter already took): instead of dropping the outcome, the task
 * keeps it and the cancellation is delivered at its next wait, as C
 * coroutines do. null (default): the outcome is discarded (_discard) and
 * the task gets CancelledError.
 * @internal
 */
Op.prototype._lateCancel = null;

/**
 * An Op._lateCancel for operations whose outcome cannot be given back (a
 * job's result, bytes read from a body): the task keeps it and gets the
 * cancellation at its next wait.
 * @this {Op}
 * @internal
 */
export function keepOutcome(task) {
  this._rt._c.wa__js_defer_cancel(task._ptr);
}

/** `sleep(ms, value)`: resolves with value after ms. */
export class SleepOp extends Op {
  /** @internal */
  constructor(rt, ms, value, opts) {
    super(rt, opts);
    if (typeof ms !== 'number') throw new TypeError('sleep(ms): ms must be a number');
    if (!(ms >= 0)) throw new RangeError(`sleep(ms): ms must be >= 0, got ${ms}`);
    /** @internal */ this._ms = ms;
    /** @internal */ this._value = value;
  }

  /** @internal */
  _start() {
    return this._rt._awaitables.sleepFuture(this._ms);
  }

  /** @internal */
  _convert() {
    return this._value;
  }

  /** @internal without a signal nothing can cancel it: no C future */
  _resumeWithoutFuture() {
    return this._signal ? -1 : this._ms;
  }
}

/**
 * An operation over an existing C future-returning call: `start()` returns
 * a C future pointer, `convert(value)` maps its result.
 * @internal
 */
export class CallOp extends Op {
  constructor(rt, start, convert, opts) {
    super(rt, opts);
    this._startFn = start;
    this._convertFn = convert;
  }

  _start() {
    return this._startFn();
  }

  _convert(value) {
    return this._convertFn ? this._convertFn(value) : value;
  }
}

/** Awaits a C future we hold a reference to (handed over). @internal */
export class PtrOp extends Op {
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
    return rt._views.readOutcome(ptr);
  }
}
