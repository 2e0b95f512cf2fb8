// "exception was never retrieved": a failed future or task whose error
// nobody looked at is reported (to the runtime's onError) when its view is
// garbage-collected, or at the end of run(); C reports C-only futures.
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
  }

  /** A view failed and nobody has looked at the error yet. */
  add(view) {
    const rec = { error: view._result, name: view instanceof Task ? view.name : undefined, done: false };
    this._recs.set(view, rec);
    this._finalizer?.register(view, rec, rec);
    this._refs.add(new WeakRef(view));
  }

  /** Someone looked at the view's error. */
  retrieved(view) {
    const rec = this._recs.get(view);
    if (!rec) return;
    this._recs.delete(view);
    rec.done = true;
    this._finalizer?.unregister(rec);
  }

  /** Report failures still unretrieved (end of run). */
  flush() {
    for (const ref of this._refs) {
      const v = ref.deref();
      const rec = v && this._recs.get(v);
      if (rec && !rec.done) {
        this._finalizer?.unregister(rec);
        this._report(rec);
      }
    }
    this._refs.clear();
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
