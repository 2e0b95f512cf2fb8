// asyncio.wait and asyncio.wait_for as runtime operations over C's
// wa_wait_start / wa_wait_for_start (runtime/src/wait.c, wait_for.c): this
// file only turns C futures into JS values and keeps JS objects as they are.
//
//   const { done, pending } = yield wait([a, b], { returnWhen: FIRST_COMPLETED });
//   const v = await waitFor(t, 100, { signal: task.signal });
import { Op } from './ops.js';
import { Future } from './futures.js';
import { TimeoutError, errorFromStatus } from './errors.js';
import { isAwaitable, isCollection } from './awaitables.js';
import { WA, futureState } from './constants.js';

/** asyncio.wait's return_when values. */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
const RETURN_WHEN = new Map([
  [ALL_COMPLETED, WA.ALL_COMPLETED], [FIRST_COMPLETED, WA.FIRST_COMPLETED], [FIRST_EXCEPTION, WA.FIRST_EXCEPTION],
]);

const FUT_OK = futureState.OK;
const FUT_CANCELLED = futureState.CANCELLED;

/** Options of a combinator: an object (or undefined) with an optional AbortSignal. */
export function checkOptions(options, where) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object`);
  if (isAwaitable(options) || isCollection(options)) throw new TypeError(`${where}: options must be an options object, got an awaitable or a collection (one more argument than it takes)`);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`${where}: options.signal must be an AbortSignal`);
  }
  return options;
}

/** ms (relative) or a deadline: a number, or null/undefined for none. */
export function checkTime(v, where, name) {
  if (v === undefined || v === null) return Infinity;
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a number (ms) or null`);
  if (Number.isNaN(v)) throw new RangeError(`${where}: ${name} must not be NaN`);
  return v;
}

/** An iterable of awaitables as a list without duplicates (asyncio: a set).
 * A generator object is iterable, but it is an awaitable: not a list. */
export function toList(aws, where) {
  if (!isCollection(aws)) {
    const what = isAwaitable(aws) ? 'an awaitable (put it in an array: [aw])' : aws === null ? 'null' : typeof aws;
    throw new TypeError(`${where}: aws must be an iterable (an array or a Set) of awaitables, got ${what}`);
  }
  return [...new Set(aws)];
}

/** No arguments after (aws, options). */
export function checkNoMore(rest, where) {
  if (rest.length) throw new TypeError(`${where}: takes no more arguments; got ${rest.length} more argument${rest.length === 1 ? '' : 's'} (pass several awaitables in one array)`);
}

/** `wait(aws, { timeout, returnWhen })`: resolves to { done, pending }. */
export class WaitOp extends Op {
  constructor(rt, aws, options) {
    const where = 'wait(aws, options)';
    options = checkOptions(options, where);
    super(rt, { signal: options.signal });
    const given = toList(aws, where);
    if (!given.length) throw new RangeError(`${where}: aws must not be empty`);
    // every awaitable is checked before any task is made for one; other
    // awaitables than Tasks and Futures are wrapped in tasks (the sets
    // then hold those tasks)
    given.forEach((aw, i) => rt._awaitables.check(aw, `${where}: aws[${i}]`));
    const list = given.map((aw) => (aw instanceof Future ? aw : rt.createTask(aw)));
    const rw = options.returnWhen ?? ALL_COMPLETED;
    if (!RETURN_WHEN.has(rw)) {
      throw new RangeError(`${where}: options.returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${String(rw)}`);
    }
    /** @internal */ this._list = list;
    /** @internal */ this._timeout = checkTime(options.timeout, where, 'options.timeout');
    /** @internal */ this._rw = RETURN_WHEN.get(rw);
    /** @internal C futures of the list, in order, while waiting */ this._ptrs = null;
  }

  /** @internal */
  _start() {
    const rt = this._rt;
    const c = rt._c;
    const ptrs = this._list.map((f) => rt._views.ref(f));
    const arr = rt._mem.ptrArray(ptrs);
    try {
      const rc = c.wa_wait_start(rt._mem.cell, arr, ptrs.length, this._timeout, this._rw);
      if (rc !== 0) throw errorFromStatus(rc, 'wait failed');
      this._ptrs = ptrs;
      // the wait will hand out what fails meanwhile: not reported as unretrieved
      for (const f of this._list) rt._unretrieved.watch(f);
      return rt._mem.out();
    } finally {
      rt._mem.free(arr);
      for (const p of ptrs) c.wa_release(p); // the wait future holds its own
    }
  }

  /** @internal the done and pending sets, as the objects given */
  _outcome(rt, ptr) {
    const c = rt._c;
    if (c.wa_future_status(ptr) !== 0) {
      for (const f of this._list) rt._unretrieved.unwatch(f, false);
      return rt._views.readOutcome(ptr);
    }
    const n = this._list.length;
    const buf = c.wa_js_malloc(8 * n + 8);
    if (!buf) return { ok: false, error: new RangeError('out of wasm memory') };
    const byPtr = new Map(this._ptrs.map((p, i) => [p, this._list[i]]));
    const viewOf = (p) => byPtr.get(p);
    try {
      const dp = buf;
      const pp = buf + 4 * n;
      const counts = buf + 8 * n;
      c.wa_wait_sets(ptr, dp, counts, pp, counts + 4);
      const nd = rt._mem.u32(counts);
      const np = rt._mem.u32(counts + 4);
      const done = new Set();
      const pending = new Set();
      for (let i = 0; i < nd; i++) done.add(viewOf(rt._mem.u32(dp + 4 * i)));
      for (let i = 0; i < np; i++) pending.add(viewOf(rt._mem.u32(pp + 4 * i)));
      // handed out in done: retrieved (the caller looks at them)
      for (const f of this._list) rt._unretrieved.unwatch(f, done.has(f));
      return { ok: true, value: { done, pending } };
    } finally {
      c.wa_js_free(buf);
      this._ptrs = null;
    }
  }
}

/** `waitFor(aw, ms)`: aw's outcome, or TimeoutError once aw is cancelled. */
export class WaitForOp extends Op {
  constructor(rt, aw, ms, options) {
    const where = 'waitFor(aw, ms)';
    options = checkOptions(options, where);
    super(rt, { signal: options.signal });
    rt._awaitables.check(aw, `${where}: aw`);
    /** @internal */ this._aw = aw;
    /** @internal */ this._ms = checkTime(ms, where, 'ms');
    /** @internal the inner awaitable, started */ this._inner = null;
    /** @internal its C future (the wait_for future holds it) */ this._innerPtr = 0;
  }

  /** @internal */
  _start() {
    const rt = this._rt;
    const c = rt._c;
    const inner = rt._awaitables.adopt(this._aw);
    const ip = rt._awaitables.start(inner, 'waitFor: aw');
    this._aw = null;
    try {
      const rc = c.wa_wait_for_start(rt._mem.cell, ip, this._ms);
      if (rc !== 0) {
        if (inner instanceof Op) c.wa_cancel(ip, 0);
        throw errorFromStatus(rc, 'waitFor failed');
      }
      this._inner = inner;
      this._innerPtr = ip;
      return rt._mem.out();
    } finally {
      c.wa_release(ip); // the wait_for future holds the inner
    }
  }

  /** @internal */
  _outcome(rt, ptr) {
    const c = rt._c;
    const inner = this._inner;
    const ip = this._innerPtr;
    this._inner = null;
    this._innerPtr = 0;
    const st = c.wa__js_future_state(ptr);
    if (st === FUT_CANCELLED) {
      // the waiter was cancelled; an operation that completed meanwhile
      // gives its outcome back (a queue item, a lock) rather than lose it
      if (inner instanceof Op && c.wa__js_future_state(ip) === FUT_OK) c.wa_op_rollback(ip);
      const o = rt._awaitables.outcomeOf(inner, ip);
      if (o && o.ok && inner instanceof Op) inner._discard(o.value);
      return rt._views.readOutcome(ptr);
    }
    const o = rt._awaitables.outcomeOf(inner, ip);
    c.wa_future_status(ptr);
    if (o && (o.ok || !o.cancelled)) return o; // in time (or swallowed), or its own failure
    return { ok: false, error: new TimeoutError(`waitFor: timed out after ${this._ms} ms`) };
  }
}
