// Operations awaited from async code (`await op`, `op.then(...)`): the
// handlers given to then() — for an await, the engine's own resolving
// functions — are kept and called by the runtime when the operation
// completes, in the loop's order. No promise is made per operation; what
// then() returns is a Tail, a promise-like that becomes a real promise only
// if someone uses it. This is the one place where async code resumes after
// a runtime operation.
//
// Cancellation without signals: an operation belongs to the async task that
// was current when it was created (ops.js). The runtime makes task T current
// while T's own code runs: its first synchronous part (tasks.js), and the
// continuation after an `await op` the runtime resolves here — the
// continuation runs exactly one microtask after the handler is called, so
// one microtask queued just before and one just after bracket it, and
// nothing else runs in between. The same for `await future` (Tasks, gather
// ...): the engine reads `future.then` at the await, while T is current, and
// gets a then() whose handlers are bracketed for T. Cancelling T withdraws
// the operation it awaits, or cancels the future it awaits (the await
// throws CancelledError); a cancellation that finds neither is delivered
// when T next starts an operation.
import { CancelledError, errorFromStatus } from './errors.js';
import {
  Future, SIGNAL_OWNER, KIND_ASYNC, KIND_NEW, STATES, ASYNC_DELIVERED, ASYNC_WAITS_MANY,
} from './futures.js';
import { NOT_NOW } from './ops.js';
import { futureState } from './constants.js';

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

// Queue fn as a microtask (fn never throws). Node's queueMicrotask wraps
// every callback in an AsyncResource (async_hooks), about three times the
// cost of a reaction on a settled promise, and it runs up to three per await
// here; the two are the same FIFO queue. Browsers' queueMicrotask is native.
const SETTLED = Promise.resolve();
const microtask = typeof process === 'object' && typeof process.versions?.node === 'string'
  ? (fn) => { SETTLED.then(fn); }
  : queueMicrotask;

/**
 * What op.then() returns: settles with what the handler returned (or
 * threw), like the promise then() returns. A real promise is made only when
 * it is used (then/catch/finally), or when it rejects (so an unhandled
 * rejection is reported as for any promise).
 */
export class Tail {
  constructor() {
    /** @internal */ this._state = PENDING;
    /** @internal */ this._value = undefined;
    /** @internal */ this._promise = null;
    /** @internal its resolve/reject while pending */ this._settle = null;
  }

  then(onFulfilled, onRejected) {
    return this._toPromise().then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this._toPromise().catch(onRejected);
  }

  finally(onFinally) {
    return this._toPromise().finally(onFinally);
  }

  get [Symbol.toStringTag]() {
    return 'Tail';
  }

  /** @internal */
  _toPromise() {
    if (!this._promise) {
      if (this._state === FULFILLED) this._promise = Promise.resolve(this._value);
      else this._promise = new Promise((resolve, reject) => { this._settle = [resolve, reject]; });
    }
    return this._promise;
  }

  /** @internal */
  _fulfill(v) {
    this._state = FULFILLED;
    this._value = v;
    if (this._settle) this._settle[0](v);
    this._settle = null;
  }

  /** @internal */
  _reject(e) {
    this._state = REJECTED;
    this._value = e;
    if (this._settle) this._settle[1](e);
    else if (!this._promise) this._promise = Promise.reject(e);
    this._settle = null;
  }
}

/**
 * One run of an operation awaited from async code, and who waits for it;
 * also the Tail the first then() returns (one object per await).
 * @internal
 */
class AsyncWait extends Tail {
  constructor(op, onFulfilled, onRejected) {
    super();
    this.op = op;
    /** the handlers of the first then() (null once called) */
    this.onFulfilled = onFulfilled;
    this.onRejected = onRejected;
    /** further then() calls: [onFulfilled, onRejected, tail] ... */
    this.more = null;
    /** C future while pending (0: none, e.g. a sleep) */
    this.ptr = 0;
    /** slot in the table while the loop may call back */
    this.slot = 0;
    /** the operation's outcome once known: PENDING, FULFILLED, REJECTED */
    this.state = PENDING;
    this.value = undefined;
    /** first handlers still to call */
    this.first = true;
    this.onAbort = null;
    /** its op's signal is its task's own (task.signal): no listener, the
     * task tells us when that signal aborts (signalAborted) */
    this.ownSignal = false;
    /** the signal aborted: the outcome becomes its CancelledError */
    this.aborted = false;
    /** the async task the operation belongs to (null: none) */
    this.task = null;
    /** that task was cancelled while this waited: its CancelledError */
    this.cancelError = null;
    /** a resumption's timer (wa__js_resume_after), 0: none */
    this.timer = 0;
  }
}

/**
 * `await sleep(0)`: a turn of the loop for nobody's operation (the shared
 * sleep(0) holds nothing and belongs to no task: nothing can withdraw it).
 * A third of an AsyncWait, for the commonest await of async code.
 * @internal
 */
class Resumption extends Tail {
  constructor(onFulfilled, onRejected) {
    super();
    this.onFulfilled = onFulfilled;
    this.onRejected = onRejected;
    /** slot in the table until the loop reaches it */
    this.slot = 0;
  }
}

/** The resolve function the executor keepResolve was last given (turn()). */
let kept = null;
/** One executor for every turn() promise: no closure per promise. */
const keepResolve = (resolve) => { kept = resolve; };

export class AsyncOps {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._c = rt._c;
    /** @internal slot -> AsyncWait or Resumption the loop will complete, or a turn()'s resolve (slot 0 unused) */ this._waits = [null];
    /** @internal */ this._free = [];
    /** @internal */ this._live = 0;
    /** @internal settled without the loop: delivered in one microtask */ this._ready = [];
    /** @internal */ this._flushing = false;
    /** @internal */ this._flush = () => this._flushReady();
    /** @internal tasks to make current, in the order of the microtasks queued for them */
    this._enterQ = [];
    /** @internal */ this._enterAt = 0;
    /** @internal before a bound continuation: its task is current */
    this._enter = () => {
      const q = this._enterQ;
      const t = rt._tasks.current = q[this._enterAt++];
      if (rt._debug.on) {
        this._timed = t;
        rt._debug.begin();
      }
      if (this._enterAt === q.length) {
        q.length = 0;
        this._enterAt = 0;
      }
    };
    /** @internal after it: no task is current */
    this._leave = () => {
      rt._tasks.current = null;
      const t = this._timed;
      if (t !== null) {
        this._timed = null;
        rt._debug.end(() => `a continuation of task "${t.name}"`);
      }
    };
    /** @internal debug: the task whose continuation is timed */ this._timed = null;
  }

  /** Operations awaited now (leak checks). */
  get size() {
    return this._live;
  }

  /**
   * then(onFulfilled, onRejected) of op: the first call starts it (shared
   * ops start each time); returns a Tail.
   */
  then(op, onFulfilled, onRejected) {
    if (op === this._rt._sleep0) {
      const y = this._yieldOnce(onFulfilled, onRejected);
      if (y !== null) return y;
    }
    if (!op._shared && op._wait !== null) return this._another(op._wait, onFulfilled, onRejected);
    op._claim();
    const w = new AsyncWait(op, onFulfilled, onRejected);
    if (!op._shared) op._wait = w;
    const t = op._task;
    if (t !== null && t._kind === KIND_ASYNC && t._state === STATES.PENDING) {
      w.task = t;
      const a = t._async;
      if (a !== null && a.cancelPending !== null) {
        // cancelled while it awaited something else: delivered here
        const e = a.cancelPending;
        a.cancelPending = null;
        a.flags |= ASYNC_DELIVERED;
        this._settleSoon(w, false, e);
        return w;
      }
    }
    this._begin(w);
    return w;
  }

  /**
   * Task t (async) got a cancel request: withdraw the operations it awaits
   * (their awaits throw CancelledError), or keep the request for the next
   * one it starts.
   */
  cancelTask(t, msg) {
    const error = new CancelledError(msg ?? '');
    let found = false;
    const a = t._asyncState();
    const f = a.futWait;
    if (f !== null) {
      // asyncio: cancelling a task cancels the future it awaits (again, if
      // asked again: the await ends when the future does)
      if (f.cancel(msg ?? '') || f.done()) {
        a.flags |= ASYNC_DELIVERED;
        found = true;
      }
    }
    if (a.opWait !== null && this._cancelWait(a.opWait, error)) found = true;
    if (a.flags & ASYNC_WAITS_MANY) {
      for (const w of this._waits) if (w !== null && w.task === t && this._cancelWait(w, error)) found = true;
    }
    if (!found) {
      a.cancelPending = error;
      if (this._rt._debug.on) this._rt._debug.unreachable(t);
    }
  }

  /** @internal */
  _cancelWait(w, error) {
    if (w.cancelError !== null) return true; // a cancellation is on its way there
    if (w.slot === 0 || w.state !== PENDING) return false;
    w.cancelError = error;
    if (w.ptr) {
      // its outcome arrives through done(): cancelled, or a result the
      // operation could not give back (then kept; the cancellation waits
      // for the task's next operation)
      this._rt._mem.withString(error.message, (mp) => this._c.wa_cancel(w.ptr, mp));
      return true;
    }
    // a resumption without a future: withdraw its timer (a resumption
    // already queued stays in the table until the loop reaches it)
    if (w.timer) {
      this._c.wa__js_resume_cancel(w.timer);
      w.timer = 0;
      this._untrack(w);
    }
    w.task._asyncState().flags |= ASYNC_DELIVERED;
    this._settleSoon(w, false, error);
    return true;
  }

  /** @internal start w's operation, honouring its signal */
  _begin(w) {
    const op = w.op;
    const signal = op._signal;
    if (signal?.aborted) return this._settleSoon(w, false, abortError(signal));
    const c = this._c;
    let ptr;
    try {
      const delay = op._resumeWithoutFuture();
      if (delay >= 0) {
        // only its place in the loop's order: no future
        this._track(w);
        const cell = w.task !== null && delay > 0 ? this._rt._mem.cell : 0;
        const rc = c.wa__js_resume_after(w.slot, delay, cell);
        if (rc !== 0) {
          this._untrack(w);
          throw errorFromStatus(rc, 'the loop is out of memory');
        }
        if (cell) w.timer = this._rt._mem.out();
        return undefined;
      }
      const now = op._tryNow();
      if (now !== NOT_NOW) return this._settleSoon(w, true, now);
      ptr = op._start();
    } catch (e) {
      return this._settleSoon(w, false, e);
    }
    if (op._eager && c.wa__js_future_state(ptr) !== futureState.PENDING) {
      // done at once: no trip through the loop
      const out = this._outcome(op, ptr);
      c.wa_release(ptr);
      return this._settleSoon(w, out.ok, out.ok ? out.value : out.error);
    }
    w.ptr = ptr;
    this._track(w);
    if (signal) {
      // the awaiting task's own signal (`{ signal: task.signal }`, the
      // common case) needs no listener: the task calls signalAborted when
      // it aborts (an EventTarget listener costs ~700 B and two slow calls)
      if (w.task !== null && signal[SIGNAL_OWNER] === w.task) w.ownSignal = true;
      else {
        w.onAbort = () => this._aborted(w);
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
    }
    const rc = c.wa__js_on_done(ptr, -w.slot);
    if (rc !== 0) {
      this._untrack(w);
      c.wa_cancel(ptr, 0);
      c.wa_release(ptr);
      this._settleSoon(w, false, errorFromStatus(rc));
    }
    return undefined;
  }

  /** @internal w's signal aborted: withdraw its operation */
  _aborted(w) {
    const signal = w.op._signal;
    // the cancellation of the task owning this signal reached its body
    const owner = signal[SIGNAL_OWNER];
    if (owner && owner._rt === this._rt) owner._asyncState().flags |= ASYNC_DELIVERED;
    w.aborted = true;
    this._rt._mem.withString(abortMessage(signal), (mp) => this._c.wa_cancel(w.ptr, mp));
  }

  /**
   * Async task t's own signal aborted: what its abort listener would do,
   * for the operations t awaits with that signal (ownSignal: none has one).
   */
  signalAborted(t) {
    const a = t._async;
    if (a === null) return;
    const w = a.opWait;
    if (w !== null && w.ownSignal && w.ptr) this._aborted(w);
    if (a.flags & ASYNC_WAITS_MANY) {
      for (const x of this._waits) if (x !== null && x !== w && x.task === t && x.ownSignal && x.ptr) this._aborted(x);
    }
  }

  /** C: the future of the wait in slot is done. */
  done(ptr, slot) {
    const w = this._waits[slot];
    if (!w || w.ptr !== ptr) return;
    this._untrack(w);
    w.ptr = 0;
    const out = this._outcome(w.op, ptr);
    this._c.wa_release(ptr);
    if (!out.ok && out.cancelled && w.aborted) this._deliver(w, false, abortError(w.op._signal));
    else if (w.cancelError !== null) {
      if (!out.ok && out.cancelled) {
        w.task._asyncState().flags |= ASYNC_DELIVERED;
        this._deliver(w, false, w.cancelError);
      } else {
        // the operation completed anyway: the task keeps the outcome and
        // gets the cancellation at its next operation
        w.task._asyncState().cancelPending = w.cancelError;
        this._deliver(w, out.ok, out.ok ? out.value : out.error);
      }
    } else this._deliver(w, out.ok, out.ok ? out.value : out.error);
  }

  /** @internal `await sleep(0)`: a Resumption in the loop's order (null: the loop is out of memory) */
  _yieldOnce(onFulfilled, onRejected) {
    const y = new Resumption(onFulfilled, onRejected);
    const slot = this._free.length ? this._free.pop() : this._waits.length;
    this._waits[slot] = y;
    y.slot = slot;
    this._live++;
    if (this._c.wa__js_resume_after(slot, 0, 0) === 0) return y;
    this._releaseSlot(slot);
    return null; // the general path reports it
  }

  /**
   * `sleep(0)` from async code: a native promise that the loop fulfils at
   * its turn, taken now. `await` adopts a native promise directly (one
   * reaction); a thenable costs V8 a promise, its two resolving functions
   * and a PromiseResolveThenableJob per await, and us a Resumption. Its
   * slot holds the promise's resolve function. Like the shared sleep(0) it
   * belongs to no task: nothing can withdraw it.
   * @returns {PromiseLike<undefined>}
   */
  turn() {
    const p = new Promise(keepResolve);
    const resolve = kept;
    kept = null;
    const slot = this._free.length ? this._free.pop() : this._waits.length;
    this._waits[slot] = resolve;
    this._live++;
    if (this._c.wa__js_resume_after(slot, 0, 0) === 0) return p;
    this._releaseSlot(slot);
    return this._rt._sleep0; // the loop is out of memory: its then() reports it
  }

  /** C: the wait in slot (wa__js_resume_after) is due. */
  resume(slot) {
    const w = this._waits[slot];
    if (!w) return;
    if (typeof w === 'function') {
      // turn(): fulfil its promise
      this._releaseSlot(slot);
      w(undefined);
      return;
    }
    if (w instanceof Resumption) {
      this._releaseSlot(slot);
      settleTail(w, w.onFulfilled, true, undefined);
      return;
    }
    this._untrack(w);
    if (w.cancelError !== null) return; // withdrawn (its outcome is delivered)
    w.timer = 0;
    this._deliver(w, true, w.op._convert(undefined));
  }

  /**
   * Call h(v), a handler of task t's then() on future f (bindThen), with t
   * current in it and in the await's continuation.
   * @internal
   */
  _resumeIn(t, f, h, v) {
    const a = t._async;
    if (a !== null && a.futWait === f) a.futWait = null;
    const tasks = this._rt._tasks;
    const prev = tasks.current;
    this._enterQ.push(t);
    microtask(this._enter);
    tasks.current = t;
    try {
      return h(v);
    } finally {
      tasks.current = prev;
      microtask(this._leave);
    }
  }

  /** @internal another then() of a started operation */
  _another(w, onFulfilled, onRejected) {
    const tail = new Tail();
    (w.more ??= []).push([onFulfilled, onRejected, tail]);
    if (w.state !== PENDING && !this._ready.includes(w)) this._queue(w);
    return tail;
  }

  /** @internal the outcome of op's done future (its hook, never throwing) */
  _outcome(op, ptr) {
    try {
      return op._outcome(this._rt, ptr);
    } catch (e) {
      return { ok: false, error: e };
    }
  }

  /** @internal */
  _track(w) {
    const slot = this._free.length ? this._free.pop() : this._waits.length;
    this._waits[slot] = w;
    w.slot = slot;
    this._live++;
    const t = w.task;
    if (t !== null) {
      const a = t._asyncState();
      if (a.opWait === null) a.opWait = w;
      else a.flags |= ASYNC_WAITS_MANY;
    }
  }

  /** @internal */
  _untrack(w) {
    const a = w.task !== null ? w.task._async : null;
    if (a !== null && a.opWait === w) a.opWait = null;
    this._releaseSlot(w.slot);
    w.slot = 0;
    if (w.onAbort) w.op._signal.removeEventListener('abort', w.onAbort);
    w.onAbort = null;
  }

  /** @internal */
  _releaseSlot(slot) {
    this._waits[slot] = null;
    this._free.push(slot);
    if (--this._live === 0 && this._waits.length > 1024) {
      // nothing awaited: give the table's memory back
      this._waits = [null];
      this._free = [];
    }
  }

  /** @internal settled outside the loop: handlers run in a microtask, never inside then() */
  _settleSoon(w, ok, value) {
    w.state = ok ? FULFILLED : REJECTED;
    w.value = value;
    this._queue(w);
  }

  /** @internal */
  _queue(w) {
    this._ready.push(w);
    if (!this._flushing) {
      this._flushing = true;
      microtask(this._flush);
    }
  }

  /** @internal */
  _flushReady() {
    this._flushing = false;
    const ready = this._ready;
    this._ready = [];
    for (const w of ready) this._deliver(w, w.state === FULFILLED, w.value);
  }

  /** @internal call the handlers of every then() of w with the outcome */
  _deliver(w, ok, value) {
    w.state = ok ? FULFILLED : REJECTED;
    w.value = value;
    const t = w.task;
    const tasks = this._rt._tasks;
    const prev = tasks.current;
    if (t !== null) {
      // t is current in the handlers, and in the await's continuation,
      // which runs one microtask after them: between these two
      this._enterQ.push(t);
      microtask(this._enter);
      tasks.current = t;
    }
    if (w.first) {
      const h = ok ? w.onFulfilled : w.onRejected;
      w.first = false;
      w.onFulfilled = w.onRejected = null;
      settleTail(w, h, ok, value);
    }
    const more = w.more;
    w.more = null;
    if (more) for (const [f, r, tail] of more) settleTail(tail, ok ? f : r, ok, value);
    if (t !== null) {
      tasks.current = prev;
      microtask(this._leave);
    }
  }
}

/**
 * `then` of cls (Future and its subclasses: Task, gather's future ...;
 * ScopeRun: timeout(), taskGroup()) as a getter, which the engine reads at
 * `await x` while the awaiting code runs. With an async task t current it
 * gives t's then(): x's own then() runs with t current (a scope's body
 * starts in it), a pending Future becomes what t awaits (cancelling t
 * cancels it), and the handlers run with t current (AsyncOps._resumeIn).
 * @param {Function} cls
 * @param {'thenFuture' | 'thenScope'} key the AsyncTaskState field that keeps t's then() for cls
 */
export function bindThen(cls, key) {
  const plain = cls.prototype.then;
  Object.defineProperty(cls.prototype, 'then', {
    configurable: true,
    get() {
      const t = this._rt._tasks.current;
      // KIND_NEW: the first part of an async body runs before the task
      // knows it is one
      if (t === null || (t._kind !== KIND_ASYNC && t._kind !== KIND_NEW)) return plain;
      const a = t._asyncState();
      return a[key] ??= taskThen(t, plain);
    },
  });
}

function taskThen(t, plain) {
  return function then(onFulfilled, onRejected) {
    const rt = this._rt;
    const ops = rt._asyncOps;
    const tasks = rt._tasks;
    if (this instanceof Future && t._state === STATES.PENDING && !this.done()) {
      t._asyncState().futWait = this;
    }
    const prev = tasks.current;
    tasks.current = t;
    try {
      return plain.call(
        this,
        typeof onFulfilled === 'function' ? (v) => ops._resumeIn(t, this, onFulfilled, v) : onFulfilled,
        typeof onRejected === 'function' ? (e) => ops._resumeIn(t, this, onRejected, e) : onRejected,
      );
    } finally {
      tasks.current = prev;
    }
  };
}

bindThen(Future, 'thenFuture');

/** Run handler h with the outcome and settle tail with what it gives. */
function settleTail(tail, h, ok, value) {
  if (typeof h !== 'function') {
    if (ok) tail._fulfill(value);
    else tail._reject(value);
    return;
  }
  let r;
  try {
    r = h(value);
  } catch (e) {
    tail._reject(e);
    return;
  }
  tail._fulfill(r);
}

/** The CancelledError for an aborted signal (its reason, if it is one). */
export function abortError(signal) {
  const r = signal.reason;
  return r instanceof CancelledError ? r : new CancelledError(abortMessage(signal), { cause: r });
}

/** The cancel message for an aborted signal. */
export function abortMessage(signal) {
  const r = signal.reason;
  if (r instanceof Error) return r.message;
  return r === undefined ? '' : String(r);
}
