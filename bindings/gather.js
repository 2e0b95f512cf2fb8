// asyncio.gather on the runtime: C's wa_gather over the children's C
// futures; the result is read from the children's JS views, so values and
// errors keep their identity.
import { errorFromStatus, codes } from './errors.js';
import { Future } from './futures.js';
import { splitArgs } from './awaitables.js';
import { WA } from './constants.js';

const RETURN_EXCEPTIONS = WA.RETURN_EXCEPTIONS;

/** A future whose result is computed from its children (gather). */
export class GatheringFuture extends Future {
  /** @internal */
  constructor(rt, ptr, kids, kidPtrs, cPtrs) {
    super(rt, ptr);
    /** @internal the children as awaited (views, operations, promises), until settled */
    this._kids = kids;
    /** @internal Int32Array: their C futures where we hold a reference (not views), else 0; null: none */
    this._kidPtrs = kidPtrs;
    /** @internal Int32Array: the C futures wa_gather got (identities: the gather holds them) */
    this._cPtrs = cPtrs;
  }

  /** @internal results of a gather, in order, from its children */
  _outcomeFromC(ptr) {
    const rt = this._rt;
    const c = rt._c;
    const st = c.wa_future_status(ptr);
    if (st === codes.ECANCELLED) return rt._views.readOutcome(ptr);
    const kids = this._kids;
    if (st !== 0) {
      // the child whose failure completed the gather, with its own error object
      const failed = c.wa__gather_failed(ptr);
      for (let i = 0; i < kids.length; i++) {
        if (this._cPtrs[i] !== failed) continue;
        const o = this._kidOutcome(i);
        if (o && !o.ok) return o;
      }
      return rt._views.readOutcome(ptr);
    }
    const values = new Array(kids.length);
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i];
      if (k instanceof Future) {
        // a view: its own outcome (no C call, no record)
        k._sync();
        values[i] = k._result;
      } else {
        const o = rt._awaitables.outcomeOf(k, this._kidPtrs ? this._kidPtrs[i] : 0);
        values[i] = o.ok ? o.value : o.error;
      }
    }
    return { ok: true, value: values };
  }

  /** @internal */
  _kidOutcome(i) {
    const k = this._kids[i];
    return this._rt._awaitables.outcomeOf(k, k instanceof Future || !this._kidPtrs ? k._ptr : this._kidPtrs[i]);
  }

  /** @internal drop our references to the children */
  _fire() {
    const ptrs = this._kidPtrs;
    this._kids = this._kidPtrs = this._cPtrs = null;
    if (ptrs) for (let i = 0; i < ptrs.length; i++) if (ptrs[i]) this._rt._c.wa_release(ptrs[i]);
    super._fire();
  }
}

/**
 * gather(a, b, c, options?) or gather([a, b, c], options?): see Runtime.gather
 * (the rule: splitArgs). Every argument is checked before any is started.
 * @param {import('./runtime.js').Runtime} rt
 * @param {unknown[]} args
 */
export function gather(rt, args) {
  const { aws, options: opts } = splitArgs(args, 'gather', ['returnExceptions']);
  const flags = opts.returnExceptions ? RETURN_EXCEPTIONS : 0;
  const awaitables = rt._awaitables;
  const c = rt._c;
  const n = aws.length;
  for (let i = 0; i < n; i++) {
    const aw = aws[i];
    if (!(aw instanceof Future && aw._rt === rt)) awaitables.check(aw, `gather: argument ${i}`);
  }
  // typed arrays: no GC scanning of two more arrays as long as the children
  const kids = new Array(n);
  const ptrs = new Int32Array(n); // what wa_gather gets
  let owned = null; // where we hold a reference (made when the first one is)
  let i = 0;
  let arr = 0;
  try {
    for (; i < n; i++) {
      const aw = aws[i];
      const k = aw instanceof Future ? aw : awaitables.adopt(aw);
      kids[i] = k;
      if (k instanceof Future && k._ptr) {
        // a pending view: the gather takes its own reference, the view keeps its outcome
        k._markAwaited();
        ptrs[i] = k._ptr;
      } else {
        owned ??= new Int32Array(n);
        ptrs[i] = owned[i] = awaitables.start(k, `gather: argument ${i}`);
      }
    }
    arr = c.wa_js_malloc(4 * Math.max(1, n));
    if (!arr) throw new RangeError('out of wasm memory');
    rt._mem.M.HEAPU32.set(ptrs, arr >> 2);
    const rc = c.wa_gather(rt._mem.cell, arr, n, flags);
    if (rc !== 0) throw errorFromStatus(rc, 'gather failed');
  } catch (e) {
    // roll back: what gather started is withdrawn (operations, tasks made
    // for generators), our references dropped
    for (let j = 0; j < i; j++) {
      if (kids[j] !== aws[j] || !(kids[j] instanceof Future)) c.wa_cancel(ptrs[j], 0);
      if (owned && owned[j]) c.wa_release(owned[j]);
    }
    throw e;
  } finally {
    rt._mem.free(arr);
  }
  const outer = rt._mem.out();
  const g = new GatheringFuture(rt, outer, kids, owned, ptrs);
  rt._views.watch(g, outer);
  return g;
}
