// "exception was never retrieved": a failed future or task whose error
// nobody looked at is reported (to the runtime's onError) once: when its view
// is garbage-collected, or at the end of run(); outside run() (a task made
// from an event handler, the loop driven by the host), at the end of the
// loop turn in which it failed: after the turn and the JS code it resumed
// (its microtasks) have run, so code that awaits it in that turn keeps it;
// a turn the loop's time budget cut short counts as going on until no
// callback is left ready (they may be what retrieves it).
// C reports C-only futures.
import { WasyncioError, codes } from './errors.js';
import { Task } from './futures.js';

export class Unretrieved {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal view -> its report record, while unretrieved */ this._recs = new WeakMap();
    /** @internal views to report at the end of run() */ this._refs = new Set();
    /** @internal */
    this._finalizer = typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((rec) => this._report(rec)) : null;
    /** @internal view -> how many pending wait()s watch it (they will hand it out) */
    this._watched = new Map();
    /** @internal an end-of-turn check is queued */ this._armed = false;
    /** @internal */
    this._endOfTurn = () => {
      this._armed = false;
      if (this._rt._run._running !== null) return;
      // callbacks still ready (a turn cut short by the loop's time budget
      // goes on in the next one): they may be the ones that retrieve it
      // (a TaskGroup's or gather's done callback): after them
      if (this._rt.stats().ready > 0) this._arm();
      else this.flush(true);
    };
  }

  /** A view failed and nobody has looked at the error yet. */
  add(view) {
    const rec = { error: view._result, name: view instanceof Task ? view.name : undefined, done: false };
    this._recs.set(view, rec);
    this._finalizer?.register(view, rec, rec);
    this._refs.add(new WeakRef(view));
    this._arm();
  }

  /** @internal check at the end of this turn (outside run()) */
  _arm() {
    if (!this._armed && this._rt._run._running === null) {
      this._armed = true;
      afterTurn(this._endOfTurn);
    }
  }

  /** A pending wait() watches view: its failure is not reported at the end of a turn meanwhile. */
  watch(view) {
    this._watched.set(view, (this._watched.get(view) ?? 0) + 1);
  }

  /** The wait() ended (done: it handed view out, which retrieves it). */
  unwatch(view, done) {
    const n = this._watched.get(view);
    if (n === undefined) return;
    if (n > 1) this._watched.set(view, n - 1);
    else this._watched.delete(view);
    if (done) view._markRetrieved();
    else if (this._recs.has(view)) this._arm();
  }

  /** Someone looked at the view's error. */
  retrieved(view) {
    const rec = this._recs.get(view);
    if (!rec) return;
    this._recs.delete(view);
    rec.done = true;
    this._finalizer?.unregister(rec);
  }

  /**
   * Report failures still unretrieved (end of run; endOfTurn: outside
   * run(), those no pending wait() watches).
   */
  flush(endOfTurn = false) {
    for (const ref of this._refs) {
      const v = ref.deref();
      const rec = v && this._recs.get(v);
      if (rec && !rec.done) {
        if (endOfTurn && this._watched.has(v)) continue;
        this._finalizer?.unregister(rec);
        this._report(rec);
      }
      this._refs.delete(ref);
    }
  }

  /** C reports a failure nobody retrieved (a C-only future), as text. */
  fromC(textPtr) {
    const text = this._rt._mem.str(textPtr);
    this._rt._loop.report(new WasyncioError(text.replace(/^wasyncio: /, ''), codes.EFAILED), { message: 'C runtime report' });
  }

  /** @internal */
  _report(rec) {
    if (rec.done) return;
    rec.done = true;
    const what = rec.name !== undefined ? `Task "${rec.name}"` : 'Future';
    this._rt._loop.report(rec.error, { message: `${what} exception was never retrieved` });
  }
}

let channel = null;
const queued = [];

/**
 * Call fn in a later macrotask, once the current one and its microtasks are
 * done (setImmediate in Node; a MessageChannel in browsers: never
 * setTimeout(0), which browsers clamp).
 */
function afterTurn(fn) {
  if (typeof setImmediate === 'function') {
    setImmediate(fn);
    return;
  }
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => queued.shift()();
  }
  queued.push(fn);
  channel.port2.postMessage(null);
}
