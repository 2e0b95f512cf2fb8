// Adapting what JS code awaits to C futures: runtime operations, Futures and
// Tasks, promises, generators (wrapped in tasks, as asyncio wraps
// coroutines); and operations awaited from async code (`await op`), which
// settle a promise when their C future is done.
import { CancelledError, errorFromStatus } from './errors.js';
import { Future, SIGNAL_OWNER, STATES } from './futures.js';
import { Op } from './ops.js';
import { isGenerator, isThenable } from './kinds.js';
import { futureState } from './constants.js';

/** Awaitables that become runtime operations when a task awaits them
 * (executor pool jobs, scope blocks): `aw[BIND](rt)` gives the awaitable. */
export const BIND = Symbol.for('wasyncio.bind');

const NOT_AWAITABLE = 'is not awaitable (expected a Task, Future, runtime operation, promise or generator)';

export class Awaitables {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._c = rt._c;
    /** @internal slot -> waiter of an op awaited from async code (slot 0 unused) */ this._waiters = [null];
    /** @internal */ this._free = [];
    /** @internal */ this._live = 0;
  }

  /** Ops awaited from async code now (leak checks). */
  get size() {
    return this._live;
  }

  /**
   * Check aw without starting anything (combinators check every argument
   * before they start one). Throws TypeError naming `where`.
   */
  check(aw, where) {
    if (aw instanceof Op || aw instanceof Future) {
      if (aw._rt !== this._rt) throw new TypeError(`${where}: the ${aw instanceof Op ? 'operation' : 'future'} belongs to another runtime`);
      if (aw instanceof Op && aw._started && !aw._shared) throw new TypeError(`${where}: ${aw.constructor.name} was already awaited; create a new one`);
      return;
    }
    if (aw !== null && typeof aw === 'object' && typeof aw[BIND] === 'function') return;
    if (isThenable(aw) || isGenerator(aw)) return;
    throw new TypeError(`${where} ${NOT_AWAITABLE}`);
  }

  /**
   * Start a checked awaitable: a C future for it (the caller owns one
   * reference). Generators become tasks: `toView` (if given) receives the
   * Task that stands for one.
   * @returns {number}
   */
  start(aw, where) {
    if (aw instanceof Op) {
      if (aw._rt !== this._rt) throw new TypeError(`${where}: the operation belongs to another runtime`);
      aw._claim();
      return aw._start();
    }
    if (aw instanceof Future) {
      if (aw._rt !== this._rt) throw new TypeError(`${where}: the future belongs to another runtime`);
      // whoever awaits it now sees its error: not "never retrieved"
      aw._markAwaited();
      if (aw._ptr) return this._c.wa_ref(aw._ptr);
      return this._rt._views.materialize(aw);
    }
    if (aw !== null && typeof aw === 'object' && typeof aw[BIND] === 'function') return this.start(aw[BIND](this._rt), where);
    if (isThenable(aw)) return this.promiseFuture(aw);
    if (isGenerator(aw)) return this.start(this._rt._tasks.create(aw), where);
    throw new TypeError(`${where} ${NOT_AWAITABLE}`);
  }

  /** What start() makes of aw, as an object to read the outcome from:
   * generators become tasks, BIND hooks are resolved. */
  adopt(aw) {
    if (aw !== null && typeof aw === 'object' && !(aw instanceof Op) && !(aw instanceof Future)) {
      if (typeof aw[BIND] === 'function') return this.adopt(aw[BIND](this._rt));
      if (!isThenable(aw) && isGenerator(aw)) return this._rt._tasks.create(aw);
    }
    return aw;
  }

  /**
   * The outcome of started awaitable aw whose C future is ptr, read once:
   * a view's own (identity of values and errors kept), an operation's
   * through its _outcome hook, else the C future's. null while pending.
   */
  outcomeOf(aw, ptr) {
    if (aw instanceof Future) {
      aw._sync();
      if (aw._state !== STATES.PENDING) {
        return aw._state === STATES.FULFILLED
          ? { ok: true, value: aw._result }
          : { ok: false, error: aw._result, cancelled: aw._state === STATES.CANCELLED };
      }
    }
    if (this._c.wa__js_future_state(ptr) === futureState.PENDING) return null;
    if (aw instanceof Op) {
      try {
        return aw._outcome(this._rt, ptr);
      } catch (e) {
        return { ok: false, error: e };
      }
    }
    return this._rt._views.readOutcome(ptr);
  }

  /** A C future completed by a promise (one reference for the caller). */
  promiseFuture(p) {
    const c = this._c;
    const views = this._rt._views;
    const ptr = c.wa__js_future_new();
    if (!ptr) throw new RangeError('out of wasm memory');
    c.wa_ref(ptr); // held until the promise settles
    Promise.resolve(p).then(
      (v) => {
        views.settlePtr(ptr, true, v);
        c.wa_release(ptr);
      },
      (e) => {
        views.settlePtr(ptr, false, e);
        c.wa_release(ptr);
      },
    );
    return ptr;
  }

  /** A C sleep future (one reference for the caller). */
  sleepFuture(ms) {
    const mem = this._rt._mem;
    const rc = this._c.wa_sleep_start(ms, mem.cell);
    if (rc !== 0) throw errorFromStatus(rc, 'sleep failed');
    return mem.out();
  }

  // ---- operations awaited from async code -----------------------------------

  /** Await op from async code: start it, honour its signal; a promise. */
  runOp(op) {
    const signal = op._signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let ptr;
    try {
      ptr = op._start();
    } catch (e) {
      return Promise.reject(e);
    }
    const c = this._c;
    if (op._eager && c.wa__js_future_state(ptr) !== futureState.PENDING) {
      // done at once: settle without a trip through the loop
      let out;
      try {
        out = op._outcome(this._rt, ptr);
      } catch (e) {
        out = { ok: false, error: e };
      }
      c.wa_release(ptr);
      return out.ok ? Promise.resolve(out.value) : Promise.reject(out.error);
    }
    return new Promise((resolve, reject) => {
      const w = { op, ptr, resolve, reject, signal, onAbort: null, abortReason: undefined };
      const slot = this._free.length ? this._free.pop() : this._waiters.length;
      this._waiters[slot] = w;
      this._live++;
      if (signal) {
        w.onAbort = () => {
          // the cancellation of the task owning this signal reached its body
          const owner = signal[SIGNAL_OWNER];
          if (owner && owner._rt === this._rt) owner._delivered = true;
          w.abortReason = signal.reason;
          this._rt._mem.withString(abortMessage(signal), (mp) => c.wa_cancel(ptr, mp));
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      const rc = c.wa__js_on_done(ptr, -slot);
      if (rc !== 0) {
        this._release(slot, w);
        c.wa_cancel(ptr, 0);
        c.wa_release(ptr);
        reject(errorFromStatus(rc));
      }
    });
  }

  /** @internal */
  _release(slot, w) {
    this._waiters[slot] = null;
    this._free.push(slot);
    this._live--;
    if (w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
  }

  /** C: the future of the op awaited under slot is done. */
  done(ptr, slot) {
    const w = this._waiters[slot];
    if (!w || w.ptr !== ptr) return;
    this._release(slot, w);
    let out;
    try {
      out = w.op._outcome(this._rt, ptr);
    } catch (e) {
      out = { ok: false, error: e };
    }
    this._c.wa_release(ptr);
    if (out.ok) w.resolve(out.value);
    else if (out.cancelled && w.abortReason !== undefined) w.reject(abortError(w.signal));
    else w.reject(out.error);
  }
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
