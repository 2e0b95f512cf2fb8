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
    /** @internal their C futures where we hold a reference (not views), else 0 */
    this._kidPtrs = kidPtrs;
    /** @internal the C futures wa_gather got (identities: the gather holds them) */
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
        const o = rt._awaitables.outcomeOf(k, this._kidPtrs[i]);
        values[i] = o.ok ? o.value : o.error;
      }
    }
    return { ok: true, value: values };
  }

  /** @internal */
  _kidOutcome(i) {
    const k = this._kids[i];
    return this._rt._awaitables.outcomeOf(k, k instanceof Future ? k._ptr : this._kidPtrs[i]);
  }

  /** @internal drop our references to the children */
  _fire() {
    const ptrs = this._kidPtrs;
    if (ptrs) {
      this._kids = this._kidPtrs = this._cPtrs = null;
      for (let i = 0; i < ptrs.length; i++) if (ptrs[i]) this._rt._c.wa_release(ptrs[i]);
    }
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
  for (let i = 0; i < aws.length; i++) awaitables.check(aws[i], `gather: argument ${i}`);
  const kids = new Array(aws.length);
  const ptrs = new Array(aws.length).fill(0); // what wa_gather gets
  const owned = new Array(aws.length).fill(0); // where we hold a reference
  let n = 0;
  let arr = 0;
  try {
    for (; n < aws.length; n++) {
      const k = awaitables.adopt(aws[n]);
      kids[n] = k;
      if (k instanceof Future && k._ptr) {
        // a pending view: the gather takes its own reference, the view keeps its outcome
        k._markAwaited();
        ptrs[n] = k._ptr;
      } else {
        ptrs[n] = owned[n] = awaitables.start(k, `gather: argument ${n}`);
      }
    }
    arr = rt._mem.ptrArray(ptrs);
    const rc = c.wa_gather(rt._mem.cell, arr, ptrs.length, flags);
    if (rc !== 0) throw errorFromStatus(rc, 'gather failed');
  } catch (e) {
    // roll back: what gather started is withdrawn (operations, tasks made
    // for generators), our references dropped
    for (let i = 0; i < n; i++) {
      if (kids[i] !== aws[i] || !(kids[i] instanceof Future)) c.wa_cancel(ptrs[i], 0);
      if (owned[i]) c.wa_release(owned[i]);
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
