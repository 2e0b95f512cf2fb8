// Future and Task: JS views of C futures and tasks (one source of truth: the
// C scheduler). A view holds one C reference and a slot in the runtime's
// view table (views.js) while the future is pending; when it completes, the
// outcome is read once into JS and both are dropped, so finished tasks cost
// no wasm memory however long JS keeps them.
import { CancelledError, InvalidStateError, codes } from './errors.js';
import { taskContext } from './context_vars.js';

/** Marks a task's AbortSignal with its task. @internal */
export const SIGNAL_OWNER = Symbol('wasyncio.task');

/** Task._kind: how the task's steps run (tasks.js). */
export const KIND_NEW = 0;        // a JS task whose first step has not run
export const KIND_GEN = 1;        // a generator (any object with next/throw)
export const KIND_NATIVE_GEN = 2; // a native generator: the intrinsic next/throw
export const KIND_ASYNC = 3;      // a promise (async function)
export const KIND_C = 4;          // a C coroutine or step task (not driven by JS)

/** AsyncTaskState.flags: its body saw its cancellation (through its signal or an operation). */
export const ASYNC_DELIVERED = 1;
/** AsyncTaskState.flags: it may await several operations at once (async_ops.js searches its table). */
export const ASYNC_WAITS_MANY = 2;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const CANCELLED = 3;
const STATE_NAMES = ['pending', 'finished', 'failed', 'cancelled'];
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

// Future._flags
const RETRIEVED = 1; // someone looked at the outcome (result(), await ...)
const FIRED = 2;     // callbacks ran, the C reference was dropped
const AWAITED = 4;   // a task or combinator awaits it: its error is retrieved

/**
 * What an async-function task's awaits keep (async_ops.js), apart from the
 * Task: generator and C tasks never need it (a Task is made per task, and
 * its bytes count in W6, memory per waiting task).
 * @internal
 */
export class AsyncTaskState {
  constructor() {
    /** ASYNC_DELIVERED | ASYNC_WAITS_MANY */ this.flags = 0;
    /** the operation it awaits, or null */ this.opWait = null;
    /** a CancelledError for the next operation it starts */ this.cancelPending = null;
    /** the future it awaits, or null */ this.futWait = null;
    /** its then() of futures and of scope blocks (bindThen) */
    this.thenFuture = undefined;
    this.thenScope = undefined;
  }
}

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
    /** @internal C future while pending, 0 once fired */ this._ptr = ptr;
    /** @internal slot in the view table while watched, else 0 */ this._slot = 0;
    /** @internal PENDING | FULFILLED | REJECTED | CANCELLED */ this._state = PENDING;
    /** @internal the value, or the error */ this._result = undefined;
    /** @internal RETRIEVED | FIRED | AWAITED */ this._flags = 0;
    /** @internal done callbacks (null: none) */ this._callbacks = null;
    /** @internal the promise behind then() (lazy) */ this._promise = null;
    /** @internal its resolve/reject while pending */ this._settle = null;
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
    if (this._state === FULFILLED) return this._result;
    throw this._result;
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
    if (this._state === CANCELLED) throw this._result;
    return this._state === REJECTED ? this._result : null;
  }

  /**
   * Request cancellation. Returns false if already done.
   * @param {string} [msg]
   */
  cancel(msg) {
    this._sync();
    if (this._state !== PENDING) return false;
    if (msg !== undefined && typeof msg !== 'string') throw new TypeError('cancel(msg): msg must be a string');
    return this._rt._views.cancel(this._ptr, msg) === 1;
  }

  /**
   * Call fn(future) through the loop once done (soon, if it already is).
   * @param {(f: this) => void} fn
   */
  addDoneCallback(fn) {
    if (typeof fn !== 'function') throw new TypeError('addDoneCallback(fn): fn must be a function');
    if (this._flags & FIRED) {
      this._rt.callSoon(fn, this);
      return;
    }
    if (!this._callbacks) {
      this._callbacks = [];
      this._rt._views.hold(this); // kept until done: fn must run
    }
    this._callbacks.push(fn);
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
    this._rt._views.setResult(this, value);
  }

  /**
   * Complete with an error (futures made by createFuture only).
   * @param {unknown} error
   */
  setException(error) {
    this._rt._views.setError(this, error);
  }

  /** Thenable: `await future` (in async tasks a getter wraps it: async_ops.js). */
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

  /** `<Future pending>`, `<Future finished>` ... */
  toString() {
    this.done(); // brings the state up to date
    return `<${this.constructor.name} ${STATE_NAMES[this._state]}>`;
  }

  /** What console.log shows in Node (not the view's internals). */
  [INSPECT]() {
    return this.toString();
  }

  // ---- internal: the view's side of views.js ------------------------------

  /** @internal */
  _getPromise() {
    this._markRetrieved();
    if (!this._promise) {
      if (this._flags & FIRED) {
        this._promise = this._state === FULFILLED ? Promise.resolve(this._result) : Promise.reject(this._result);
      } else {
        this._promise = new Promise((resolve, reject) => {
          this._settle = [resolve, reject];
        });
      }
    }
    return this._promise;
  }

  /** @internal the outcome was looked at */
  _markRetrieved() {
    if (!(this._flags & RETRIEVED)) {
      this._flags |= RETRIEVED;
      if (this._state === REJECTED) this._rt._unretrieved.retrieved(this);
    }
  }

  /** @internal a task or combinator awaits it: its error goes there */
  _markAwaited() {
    this._flags |= AWAITED;
    this._markRetrieved();
  }

  /** @internal */
  get _fired() {
    return (this._flags & FIRED) !== 0;
  }

  /**
   * The C future may be done before its done callback reached us (asyncio
   * changes a future's state at once and runs callbacks later): record the
   * outcome now so state queries are exact.
   * @internal
   */
  _sync() {
    if (this._state === PENDING && this._ptr) this._rt._views.sync(this);
  }

  /**
   * The outcome of this view's done C future (views.js reads it once).
   * Subclasses whose outcome is not the C future's (gather, shield) override it.
   * @internal
   * @returns {{ ok: boolean, value?: unknown, error?: unknown, cancelled?: boolean }}
   */
  _outcomeFromC(ptr) {
    return this._rt._views.readOutcome(ptr);
  }

  /** @internal record the outcome (once) */
  _record(ok, value, error, cancelled) {
    if (this._state !== PENDING) return;
    if (ok) {
      this._state = FULFILLED;
      this._result = value;
    } else {
      this._state = cancelled ? CANCELLED : REJECTED;
      this._result = error;
    }
  }

  /**
   * Settle the awaiting promise and run done callbacks. Called from the C
   * done callback, i.e. through the loop, after _record.
   * @internal
   */
  _fire() {
    if (this._flags & FIRED) return;
    this._flags |= FIRED;
    this._ptr = 0;
    const settle = this._settle;
    if (settle) {
      this._settle = null;
      if (this._state === FULFILLED) settle[0](this._result);
      else settle[1](this._result);
    }
    if (this._state === REJECTED && !(this._flags & (RETRIEVED | AWAITED))) this._rt._unretrieved.add(this);
    const cbs = this._callbacks;
    this._callbacks = null;
    if (cbs) for (const fn of cbs) this._rt._loop.safeCall(fn, this);
  }
}

/**
 * A task: a JS function or a C coroutine run by the C scheduler. Awaitable.
 * Create with `createTask(fn)` (JS) or `runtime.spawnC(name, arg)` (C).
 */
export class Task extends Future {
  /** @internal */
  constructor(rt, ptr, name, kind = KIND_C) {
    super(rt, ptr);
    /** @internal the name given, then the final one (string, or the task number) */ this._name = name;
    /** @internal behind `signal` (lazy) */ this._controller = null;
    // JS tasks: the state their steps work on (tasks.js)
    /** @internal the body: the function (or the generator given), then its generator */ this._body = null;
    /** @internal KIND_* */ this._kind = kind;
    /** @internal JS tasks: its ContextVar values (context_vars.js) */ this._ctx = null;
    /** @internal what createTask was given (getCoro) */ this._coro = null;
    /** @internal what a generator task awaits (an op, a view, or a C future's awaitable) */ this._awaiting = null;
    /** @internal generator: the C future it awaits (one reference); async: BODY_OK / BODY_FAILED once the body settled */ this._awaitPtr = 0;
    /** @internal async-function tasks: what their awaits keep (AsyncTaskState), made on first use */ this._async = null;
  }

  /** @internal the AsyncTaskState of this task (made on first use) */
  _asyncState() {
    return this._async ??= new AsyncTaskState();
  }

  /** The task's name (asyncio get_name/set_name). */
  get name() {
    if (this._ptr) return this._rt._tasks.name(this._ptr);
    return typeof this._name === 'number' ? `Task-${this._name}` : this._name;
  }

  set name(v) {
    if (typeof v !== 'string') throw new TypeError('task.name must be a string');
    if (this._ptr) this._rt._tasks.setName(this._ptr, v);
    this._name = v;
  }

  /**
   * What the task waits on, as an await chain of descriptions, outermost
   * first (`Task "main" (async) awaits Task "worker"`, ...): asyncio's
   * Task.get_stack() for JS and C tasks.
   * @returns {string[]}
   */
  getStack() {
    return this._rt._stackOf(this);
  }

  /**
   * What the task runs, as given to createTask: the function, generator
   * object or awaitable (asyncio Task.get_coro()); null for a C task (its
   * function is C's: wa_task_get_coro).
   * @returns {unknown}
   */
  getCoro() {
    return this._coro ?? null;
  }

  /**
   * The context the task runs in (asyncio Task.get_context()): its
   * ContextVar values, live; `getContext().run(fn)` runs fn in it. null for
   * a C task (its context is C's: wa_task_get_context).
   * @returns {import('./context_vars.js').Context | null}
   */
  getContext() {
    return taskContext(this);
  }

  /** Number of pending cancellation requests (asyncio Task.cancelling()). */
  cancelling() {
    return this._ptr ? this._rt._tasks.cancelling(this._ptr) : 0;
  }

  /** Decrement the cancellation count; returns the new count (Task.uncancel()). */
  uncancel() {
    return this._ptr ? this._rt._tasks.uncancel(this._ptr) : 0;
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
      if (this._state === CANCELLED) this._controller.abort(this._result);
      // asked to cancel before anyone looked at the signal
      else if (this._state === PENDING && this.cancelling() > 0) this._controller.abort(new CancelledError(this._rt._tasks.cancelMessage(this._ptr)));
    }
    return this._controller.signal;
  }

  /** @internal a cancellation was requested (from C or JS) */
  _onCancelRequested(msg) {
    if (this._controller && !this._controller.signal.aborted) {
      this._controller.abort(new CancelledError(msg ?? ''));
      // operations it awaits with this signal listen through the task
      if (this._kind === KIND_ASYNC) this._rt._asyncOps.signalAborted(this);
    }
  }

  /** @internal */
  _record(ok, value, error, cancelled) {
    if (this._state !== PENDING) return;
    if (this._ptr && this._name === undefined) this._name = this._rt._tasks.finalName(this._ptr);
    super._record(ok, value, error, cancelled);
    if (cancelled) this._onCancelRequested(error?.message);
  }

  /** `<Task "name" pending>` ... */
  toString() {
    this.done(); // brings the state up to date
    return `<Task ${JSON.stringify(this.name)} ${STATE_NAMES[this._state]}>`;
  }
}

export const STATES = { PENDING, FULFILLED, REJECTED, CANCELLED };
export { codes };
