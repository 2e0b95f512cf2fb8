// Runtime operations as lazy awaitables, like asyncio coroutines: calling
// `sleep(10)` or `queue.get()` creates the operation; it starts when a task
// awaits it (`yield op` in a generator task, `await op` in async code) and
// can be awaited once. Started from async code, an operation honours
// `{ signal }`: an abort withdraws it (a queue item or a lock slot is never
// lost) and the await rejects with CancelledError.

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
    /** @internal */ this._signal = signal;
    /** @internal */ this._promise = null;
    /** @internal */ this._started = false;
  }

  /**
   * Start the operation; returns a C future (the caller owns one reference).
   * @internal
   * @returns {number}
   */
  _start() {
    throw new Error('not implemented');
  }

  /**
   * Turn the C outcome into the operation's JS result.
   * @internal
   */
  _convert(value) {
    return value;
  }

  /**
   * The JS outcome of the operation's done C future, read once, before the
   * future is released: { ok, value } or { ok: false, error, cancelled }.
   * Operations that hand out resources (a response, a buffer) take them
   * here, and free them if the outcome is thrown away.
   * @internal
   */
  _outcome(rt, ptr) {
    const out = rt._readOutcome(ptr);
    if (out.ok) out.value = this._convert(out.value);
    return out;
  }

  /** @internal claim the operation (it runs once) */
  _claim() {
    if (this._started) throw new TypeError(`${this.constructor.name} was already awaited; create a new one`);
    this._started = true;
  }

  /** Thenable: starts the operation the first time it is awaited. */
  then(onFulfilled, onRejected) {
    if (!this._promise) {
      this._claim();
      this._promise = this._rt._runOp(this);
    }
    return this._promise.then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.then(undefined, onRejected);
  }

  finally(onFinally) {
    return this.then().finally(onFinally);
  }
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
    return this._rt._sleepStart(this._ms);
  }

  /** @internal `sleep(0)` is one shared operation: it holds nothing, so
   * every await of it simply yields once (no allocation per switch). */
  _claim() {
    if (!this._shared) super._claim();
  }

  then(onFulfilled, onRejected) {
    if (this._shared) return this._rt._runOp(this).then(onFulfilled, onRejected);
    return super.then(onFulfilled, onRejected);
  }

  /** @internal */
  _convert() {
    return this._value;
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
