// C calling JS: functions registered with runtime.register(name, fn) are
// what C's wa_js_call(name, arg, &future) runs; the future completes with
// what fn returns (or the promise it returns settles with).
import { codes } from './errors.js';
import { isThenable } from './kinds.js';

export class Calls {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal name -> JS function callable from C */ this._registry = new Map();
  }

  register(name, fn) {
    if (typeof name !== 'string' || !name) throw new TypeError('register(name, fn): name must be a non-empty string');
    if (typeof fn !== 'function') throw new TypeError('register(name, fn): fn must be a function');
    this._registry.set(name, fn);
  }

  /** C: wa_js_call(name, arg, future); returns a status (0: the call is under way). */
  fromC(namePtr, argPtr, fptr) {
    const rt = this._rt;
    const c = rt._c;
    const fn = this._registry.get(rt._mem.str(namePtr));
    if (!fn) return codes.EINVAL;
    const arg = rt._codec.fromC(argPtr);
    c.wa_ref(fptr);
    const settle = (ok, v) => {
      rt._views.settlePtr(fptr, ok, v);
      c.wa_release(fptr);
    };
    let ret;
    try {
      ret = fn(arg);
    } catch (e) {
      settle(false, e);
      return 0;
    }
    if (isThenable(ret)) Promise.resolve(ret).then((v) => settle(true, v), (e) => settle(false, e));
    else settle(true, ret);
    return 0;
  }
}
