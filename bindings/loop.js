// The loop seen from JS: time, callSoon / callLater / callAt (C's
// wa_call_soon / wa_call_later / wa_call_at with a JS function), and
// running user callbacks so that a throw never reaches C.
import { errorFromStatus } from './errors.js';
import { contextSnapshot, enterContext, leaveContext } from './context_vars.js';

const MODE_SOON = 0;
const MODE_LATER = 1;
const MODE_AT = 2;

/** A scheduled callback (callSoon / callLater / callAt). */
export class Handle {
  /** @internal */
  constructor(loop, id, lo, hi, when) {
    /** @internal */ this._loop = loop;
    /** @internal */ this._id = id;
    /** @internal the C wa_handle_t as two 32-bit halves */ this._lo = lo;
    /** @internal */ this._hi = hi;
    /** @internal */ this._cancelled = false;
    /** @internal the callback runs in a copy of its scheduler's context (asyncio Handle) */
    this._ctx = contextSnapshot();
    /** Scheduled time (ms, runtime.time() clock) for timers, else undefined. */
    this.when = when;
  }

  /** Cancel the callback if it has not run yet. */
  cancel() {
    if (this._cancelled) return;
    this._cancelled = true;
    this._loop.cancelHandle(this);
  }

  /** True if cancel() was called. */
  cancelled() {
    return this._cancelled;
  }
}

export class Loop {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._c = rt._c;
    /** @internal callback id -> [fn, args, C handle lo, hi, Handle] */ this._callbacks = new Map();
    /** @internal */ this._nextId = 1;
    /** @internal where errors of callbacks go */
    this._onError = rt._onError;
  }

  /** Callbacks scheduled and not yet run (leak checks). */
  get size() {
    return this._callbacks.size;
  }

  time() {
    return this._c.wa_time();
  }

  callSoon(fn, args) {
    return this._schedule(MODE_SOON, 0, fn, args, 'callSoon');
  }

  callLater(ms, fn, args) {
    if (typeof ms !== 'number') throw new TypeError('callLater(ms, fn): ms must be a number');
    if (!(ms >= 0)) throw new RangeError(`callLater(ms, fn): ms must be >= 0, got ${ms}`);
    return this._schedule(MODE_LATER, ms, fn, args, 'callLater');
  }

  callAt(when, fn, args) {
    if (typeof when !== 'number') throw new TypeError('callAt(when, fn): when must be a number');
    if (Number.isNaN(when)) throw new RangeError('callAt(when, fn): when must not be NaN');
    return this._schedule(MODE_AT, when, fn, args, 'callAt');
  }

  /** @internal */
  _schedule(mode, t, fn, args, where) {
    if (typeof fn !== 'function') throw new TypeError(`${where}(...): fn must be a function`);
    const mem = this._rt._mem;
    const id = this._nextId++;
    const rc = this._c.wa__js_schedule(id, mode, t, mem.cell);
    if (rc !== 0) throw errorFromStatus(rc, `${where} failed`);
    const lo = mem.u32(mem.cell);
    const hi = mem.u32(mem.cell + 4);
    const handle = new Handle(this, id, lo, hi, mode === MODE_SOON ? undefined : mode === MODE_LATER ? this.time() + t : t);
    this._callbacks.set(id, [fn, args, lo, hi, handle]);
    return handle;
  }

  /** @internal */
  cancelHandle(h) {
    if (this._callbacks.delete(h._id)) this._c.wa__js_handle_cancel(h._lo, h._hi);
  }

  /** Cancel every callback not yet run (Runtime.close). */
  cancelAll() {
    for (const [, , lo, hi] of this._callbacks.values()) this._c.wa__js_handle_cancel(lo, hi);
    this._callbacks.clear();
  }

  /** C: callback id is due. */
  callback(id) {
    const cb = this._callbacks.get(id);
    if (!cb) return;
    this._callbacks.delete(id);
    const prevContext = enterContext(cb[4]);
    try {
      const debug = this._rt._debug;
      if (!debug.on) return this.safeCall(cb[0], ...cb[1]);
      debug.begin();
      this.safeCall(cb[0], ...cb[1]);
      debug.end(() => `callback ${cb[0].name || '(anonymous)'}`);
    } finally {
      leaveContext(prevContext);
    }
  }

  /** Run user code from the loop without letting it break C. */
  safeCall(fn, ...args) {
    try {
      fn(...args);
    } catch (err) {
      this.report(err, { message: 'exception in callback ' + (fn.name || '(anonymous)') });
    }
  }

  /** Hand err to the runtime's onError (never throws). */
  report(err, context) {
    try {
      this._onError(err, context);
    } catch (e) {
      console.error('wasyncio: onError threw', e);
    }
  }
}
