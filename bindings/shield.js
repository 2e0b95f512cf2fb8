// asyncio.shield over C's wa_shield (runtime/src/shield.c): a Future that
// mirrors aw; cancelling it leaves aw running.
import { Future } from './futures.js';
import { errorFromStatus } from './errors.js';
import { futureState } from './constants.js';
import { checkOptions } from './wait.js';

const FUT_CANCELLED = futureState.CANCELLED;

/** The outer future of shield(): its outcome is the inner's. @internal */
export class ShieldFuture extends Future {
  /** @internal */
  constructor(rt, ptr, inner, innerPtr) {
    super(rt, ptr);
    /** @internal the shielded view, until the outcome is read */ this._inner = inner;
    /** @internal its C future (held by the outer's C future) */ this._innerPtr = innerPtr;
  }

  /** @internal */
  _outcomeFromC(ptr) {
    const rt = this._rt;
    const inner = this._inner;
    this._inner = null;
    if (rt._c.wa__js_future_state(ptr) === FUT_CANCELLED) return rt._views.readOutcome(ptr);
    inner._markRetrieved(); // its outcome travels on in the outer
    return rt._awaitables.outcomeOf(inner, this._innerPtr);
  }
}

/**
 * shield(aw, options): see Runtime.shield.
 * @param {import('./runtime.js').Runtime} rt
 */
export function shield(rt, aw, options) {
  const where = 'shield(aw)';
  options = checkOptions(options, where);
  rt._awaitables.check(aw, `${where}: aw`);
  const inner = aw instanceof Future ? aw : rt.createTask(aw);
  const c = rt._c;
  const ip = rt._views.ref(inner);
  let outer;
  try {
    const rc = c.wa_shield(rt._mem.cell, ip);
    if (rc !== 0) throw errorFromStatus(rc, 'shield failed');
    outer = rt._mem.out();
  } finally {
    c.wa_release(ip); // the outer holds the inner
  }
  if (outer === ip && inner === aw) {
    c.wa_release(outer);
    return aw; // asyncio: a done future is returned as it is
  }
  const view = new ShieldFuture(rt, outer, inner, ip);
  if (c.wa__js_future_state(outer) !== futureState.PENDING) {
    rt._views.sync(view);
    view._fire();
    c.wa_release(outer);
  } else {
    rt._views.watch(view, outer);
  }
  if (options.signal) rt._tasks.linkSignal(view, options.signal);
  return view;
}
