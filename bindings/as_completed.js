// asyncio.as_completed over C's wa_as_completed_* (runtime/src/as_completed.c).
import { Op } from './ops.js';
import { Future } from './futures.js';
import { TimeoutError, codes, errorFromStatus } from './errors.js';
import { checkOptions, checkTime, toList } from './wait.js';

const forgottenIterators = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ c, cell }) => { if (cell.ptr) c.wa_as_completed_free(cell.ptr); })
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
    // every argument is checked before any task is made for one
    list.forEach((aw, i) => rt._awaitables.check(aw, `${where}: aws[${i}]`));
    const items = list.map((aw) => (aw instanceof Future ? aw : rt.createTask(aw)));
    const c = rt._c;
    const ptrs = items.map((f) => rt._views.ref(f));
    const arr = rt._mem.ptrArray(ptrs);
    let it;
    try {
      const rc = c.wa_as_completed_new(rt._mem.cell, arr, ptrs.length, timeoutMs);
      if (rc !== 0) throw errorFromStatus(rc, 'asCompleted failed');
      it = rt._mem.out();
    } finally {
      rt._mem.free(arr);
      for (const p of ptrs) c.wa_release(p); // the iterator holds its own
    }
    /** @internal */ this._rt = rt;
    /** @internal C iterator, 0 once closed */ this._cell = { ptr: it };
    /** @internal */ this._byPtr = new Map(ptrs.map((p, i) => [p, items[i]]));
    /** @internal */ this._signal = options.signal;
    forgottenIterators?.register(this, { c, cell: this._cell }, this);
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
    return this._cell.ptr ? this._rt._c.wa_as_completed_remaining(this._cell.ptr) : 0;
  }

  /** Stop: withdraws everything from the futures (cancels none of them). */
  close() {
    const p = this._cell.ptr;
    if (!p) return;
    this._cell.ptr = 0;
    forgottenIterators?.unregister(this);
    this._rt._c.wa_as_completed_free(p); // pending nexts end: { done: true }
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
    const c = rt._c;
    const p = this._it._cell.ptr;
    if (!p) { // closed: the end, at once
      const f = c.wa__js_future_new();
      if (!f) throw new RangeError('out of wasm memory');
      c.wa_future_set_result(f, 0, 0);
      return f;
    }
    const rc = c.wa_as_completed_next_start(p, rt._mem.cell);
    if (rc !== 0) throw errorFromStatus(rc, 'asCompleted: next failed');
    return rt._mem.out();
  }

  _outcome(rt, ptr) {
    const c = rt._c;
    const st = c.wa_future_status(ptr);
    if (st === 0) {
      const item = c.wa__js_future_raw(ptr);
      if (!item) {
        // the end for this next; close once nothing is promised to another
        const p = this._it._cell.ptr;
        if (p && c.wa_as_completed_remaining(p) === 0) this._it.close();
        return { ok: true, value: { value: undefined, done: true } };
      }
      return { ok: true, value: { value: this._it._byPtr.get(item), done: false } };
    }
    if (st === codes.ETIMEDOUT) {
      this._it.close();
      return { ok: false, error: new TimeoutError('asCompleted: timed out') };
    }
    if (st === codes.ESHUTDOWN) return { ok: true, value: { value: undefined, done: true } }; // closed meanwhile
    return rt._views.readOutcome(ptr);
  }
}

