// Operations awaited from async code (`await op`, `op.then(...)`): the
// handlers given to then() — for an await, the engine's own resolving
// functions — are kept and called by the runtime when the operation
// completes, in the loop's order. No promise is made per operation; what
// then() returns is a Tail, a promise-like that becomes a real promise only
// if someone uses it. This is the one place where async code resumes after
// a runtime operation.
import { CancelledError, errorFromStatus } from './errors.js';
import { SIGNAL_OWNER } from './futures.js';
import { NOT_NOW } from './ops.js';
import { futureState } from './constants.js';

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

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
    /** the signal aborted: the outcome becomes its CancelledError */
    this.aborted = false;
  }
}

export class AsyncOps {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._c = rt._c;
    /** @internal slot -> AsyncWait the loop will complete (slot 0 unused) */ this._waits = [null];
    /** @internal */ this._free = [];
    /** @internal */ this._live = 0;
    /** @internal settled without the loop: delivered in one microtask */ this._ready = [];
    /** @internal */ this._flushing = false;
    /** @internal */ this._flush = () => this._flushReady();
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
    if (!op._shared && op._wait !== null) return this._another(op._wait, onFulfilled, onRejected);
    op._claim();
    const w = new AsyncWait(op, onFulfilled, onRejected);
    if (!op._shared) op._wait = w;
    this._begin(w);
    return w;
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
        const rc = c.wa__js_resume_after(w.slot, delay);
        if (rc !== 0) {
          this._untrack(w);
          throw errorFromStatus(rc, 'the loop is out of memory');
        }
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
      w.onAbort = () => {
        // the cancellation of the task owning this signal reached its body
        const owner = signal[SIGNAL_OWNER];
        if (owner && owner._rt === this._rt) owner._delivered = true;
        w.aborted = true;
        this._rt._mem.withString(abortMessage(signal), (mp) => c.wa_cancel(ptr, mp));
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
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

  /** C: the future of the wait in slot is done. */
  done(ptr, slot) {
    const w = this._waits[slot];
    if (!w || w.ptr !== ptr) return;
    this._untrack(w);
    w.ptr = 0;
    const out = this._outcome(w.op, ptr);
    this._c.wa_release(ptr);
    if (!out.ok && out.cancelled && w.aborted) this._deliver(w, false, abortError(w.op._signal));
    else this._deliver(w, out.ok, out.ok ? out.value : out.error);
  }

  /** C: the wait in slot (wa__js_resume_after) is due. */
  resume(slot) {
    const w = this._waits[slot];
    if (!w) return;
    this._untrack(w);
    this._deliver(w, true, w.op._convert(undefined));
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
  }

  /** @internal */
  _untrack(w) {
    this._waits[w.slot] = null;
    this._free.push(w.slot);
    w.slot = 0;
    if (--this._live === 0 && this._waits.length > 1024) {
      // nothing awaited: give the table's memory back
      this._waits = [null];
      this._free = [];
    }
    if (w.onAbort) w.op._signal.removeEventListener('abort', w.onAbort);
    w.onAbort = null;
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
      queueMicrotask(this._flush);
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
    if (w.first) {
      const h = ok ? w.onFulfilled : w.onRejected;
      w.first = false;
      w.onFulfilled = w.onRejected = null;
      settleTail(w, h, ok, value);
    }
    const more = w.more;
    w.more = null;
    if (more) for (const [f, r, tail] of more) settleTail(tail, ok ? f : r, ok, value);
  }
}

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
