// The views of C futures: which JS object stands for which pending C future,
// and reading outcomes across. A watched view has a slot in one table; C
// keeps the slot with the future (its done callback's argument), so the
// done callback, the cancel notification and "the view of this pointer"
// need no map keyed by pointer.
//
// Tasks, gathers and shields are held by the table until they are done.
// A plain Future is held weakly while it has no done callbacks: if JS drops
// it while pending, nothing can observe it any more, and its C future (our
// reference, our done callback) is given back when it is collected.
import { CancelledError, InvalidStateError, codes, errorFromStatus, messageOf, statusOf } from './errors.js';
import { Future, Task, STATES } from './futures.js';
import { futureState } from './constants.js';

/** A slot holding a plain Future weakly. @internal */
class WeakEntry {
  constructor(view, ptr, slot) {
    this.ref = new WeakRef(view);
    this.ptr = ptr;
    this.slot = slot;
  }
}

export class Views {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._c = rt._c;
    /** @internal slot -> view (slot 0 unused) */ this._slots = [null];
    /** @internal free slots */ this._free = [];
    /** @internal */ this._live = 0;
    /** @internal gives back the C future of a weakly held view that was collected */
    this._forgotten = typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((entry) => this._collected(entry)) : null;
  }

  /** Views watched now (leak checks). */
  get size() {
    return this._live;
  }

  /** @internal a slot for view (its C future is watched under it) */
  alloc(view) {
    const slot = this._free.length ? this._free.pop() : this._slots.length;
    this._slots[slot] = view;
    view._slot = slot;
    this._live++;
    return slot;
  }

  /** @internal */
  _freeSlot(view) {
    const slot = view._slot;
    if (!slot) return;
    view._slot = 0;
    this._release(slot);
  }

  /** @internal */
  _release(slot) {
    this._slots[slot] = null;
    this._free.push(slot);
    if (--this._live === 0 && this._slots.length > 1024) {
      // nothing watched: give the table's memory back
      this._slots = [null];
      this._free = [];
    }
  }

  /** The view in slot (JS tasks: their step state is their slot). */
  at(slot) {
    const x = this._slots[slot];
    return x instanceof WeakEntry ? x.ref.deref() : x;
  }

  /** Watch pending C future ptr through view (the view owns one reference). */
  watch(view, ptr) {
    const slot = this.alloc(view);
    const rc = this._c.wa__js_watch(ptr, slot);
    if (rc !== 0) {
      this._freeSlot(view);
      throw errorFromStatus(rc);
    }
    if (this._forgotten && view.constructor === Future) {
      const entry = new WeakEntry(view, ptr, slot);
      this._slots[slot] = entry;
      this._forgotten.register(view, entry); // no unregister token: its table would keep growing
    }
  }

  /** Hold view strongly from now on (it has done callbacks to run). */
  hold(view) {
    const entry = this._slots[view._slot];
    if (view._slot && entry instanceof WeakEntry) this._slots[view._slot] = view;
  }

  /** @internal a weakly held pending view was collected: give back its C future */
  _collected(entry) {
    if (this._slots[entry.slot] !== entry) return; // done meanwhile
    this._release(entry.slot);
    this._c.wa__js_unwatch(entry.ptr, entry.slot);
    this._c.wa_release(entry.ptr);
  }

  /** A view for a C future we were handed a reference to. */
  wrapNew(ptr, isTask) {
    const rt = this._rt;
    const view = isTask ? new Task(rt, ptr, undefined) : new Future(rt, ptr);
    if (this._c.wa__js_future_state(ptr) !== futureState.PENDING) {
      // already done: read the outcome now
      this.sync(view);
      view._fire();
      this._c.wa_release(ptr);
      return view;
    }
    this.watch(view, ptr);
    return view;
  }

  /** The view of a live C future (borrowed pointer): its own, or a new one. */
  wrap(ptr) {
    const slot = this._c.wa__js_view_slot(ptr);
    const view = slot > 0 ? this.at(slot) : null;
    if (view && view._ptr === ptr) return view;
    return this.wrapNew(this._c.wa_ref(ptr), this._c.wa_is_task(ptr) !== 0);
  }

  /** C: the future watched under slot is done (C marks it retrieved, as
   * the view reports unretrieved failures, and drops the view's reference
   * when this returns). */
  done(ptr, slot) {
    const entry = this._slots[slot];
    if (entry instanceof WeakEntry) {
      if (!entry.ref.deref()) {
        // collected, its finalizer not yet run: C drops the reference
        this._release(slot);
        return;
      }
    }
    const view = this.at(slot);
    if (!view || view._ptr !== ptr) return;
    this._freeSlot(view);
    if (view instanceof Task) this._rt._tasks.forget(view);
    if (view._state === STATES.PENDING) this.sync(view);
    view._fire();
  }

  /** Record the outcome of a view whose C future is done. */
  sync(view) {
    const ptr = view._ptr;
    if (this._c.wa__js_future_state(ptr) === futureState.PENDING) return;
    const out = view._outcomeFromC(ptr);
    view._record(out.ok, out.value, out.error, !!out.cancelled);
  }

  /**
   * Outcome of a done C future as JS values.
   * @returns {{ ok: boolean, value?: unknown, error?: unknown, cancelled?: boolean }}
   */
  readOutcome(ptr) {
    const c = this._c;
    const rt = this._rt;
    const st = c.wa_future_status(ptr);
    if (st === 0) {
      const vp = c.wa_future_value(ptr);
      if (vp) return { ok: true, value: rt._codec.fromC(vp) };
      const raw = c.wa__js_future_raw(ptr);
      return { ok: true, value: raw === 0 ? undefined : raw };
    }
    const msg = rt._mem.str(c.wa_future_message(ptr));
    if (st === codes.ECANCELLED) return { ok: false, error: new CancelledError(msg), cancelled: true };
    const ev = c.wa__js_future_error_value(ptr);
    return { ok: false, error: ev ? rt._codec.fromC(ev) : errorFromStatus(st, msg) };
  }

  /** Complete C future ptr with a JS error (kept as is for JS readers). */
  failPtr(ptr, err) {
    const mem = this._rt._mem;
    if (err instanceof CancelledError) {
      mem.withString(err.message, (mp) => this._c.wa__js_future_fail(ptr, codes.ECANCELLED, mp, 0));
      return;
    }
    const vp = this._rt._codec.toC(err);
    mem.withString(messageOf(err), (mp) => this._c.wa__js_future_fail(ptr, statusOf(err) || codes.EHOST, mp, vp));
  }

  /** Complete C future ptr (if still pending) with a JS outcome. */
  settlePtr(ptr, ok, v) {
    if (this._c.wa__js_future_state(ptr) !== futureState.PENDING) return;
    if (ok) this._c.wa_future_set_value(ptr, this._rt._codec.toC(v));
    else this.failPtr(ptr, v);
  }

  /** A done C future standing for a settled view (one reference for the caller). */
  materialize(f) {
    const ptr = this._c.wa__js_future_new();
    if (!ptr) throw new RangeError('out of wasm memory');
    if (f._state === STATES.FULFILLED) this._c.wa_future_set_value(ptr, this._rt._codec.toC(f._result));
    else this.failPtr(ptr, f._result);
    return ptr;
  }

  /** A C reference to the future behind a view, without retrieving its error. */
  ref(f) {
    if (f._ptr) return this._c.wa_ref(f._ptr);
    const ptr = this.materialize(f); // already done and fired: a done C stand-in
    this._c.wa_future_status(ptr); // its error stays the view's to report
    return ptr;
  }

  /** wa_cancel(ptr, msg): 1 if the request was made. */
  cancel(ptr, msg) {
    if (!ptr) return 0;
    return this._rt._mem.withString(msg, (mp) => this._c.wa_cancel(ptr, mp));
  }

  /** future.setResult(value) */
  setResult(f, value) {
    if (f instanceof Task) throw new InvalidStateError('a task sets its own result');
    if (f.done()) throw new InvalidStateError('the future is already done');
    const codec = this._rt._codec;
    const vp = codec.toC(value);
    const rc = this._c.wa_future_set_value(f._ptr, vp);
    if (rc !== 0) {
      codec.free(vp);
      throw errorFromStatus(rc, 'setResult failed');
    }
    f._record(true, value);
  }

  /** future.setException(error) */
  setError(f, error) {
    if (f instanceof Task) throw new InvalidStateError('a task sets its own exception');
    if (f.done()) throw new InvalidStateError('the future is already done');
    this.failPtr(f._ptr, error);
    f._record(false, undefined, error, error instanceof CancelledError);
  }

  /** A new pending Future. */
  createFuture() {
    const ptr = this._c.wa__js_future_new();
    if (!ptr) throw new RangeError('createFuture: out of wasm memory');
    const f = new Future(this._rt, ptr);
    this.watch(f, ptr);
    return f;
  }
}
