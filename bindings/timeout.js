// Timeout scopes (asyncio.timeout / timeout_at) over C's wa_timeout_*
// (runtime/src/timeout.c): the deadline, the cancellation at the deadline
// and turning it into a TimeoutError at the exit are C's.
//
//   const r = yield* timeout(50, function* (scope) { ... });     // note the star
//   const r = await timeout(50, async (scope) => { ... }, { task });
import { CancelledError, InvalidStateError, TimeoutError, codes, errorFromStatus, statusOf } from './errors.js';
import { Scope, ScopeRun } from './scopes.js';
import { checkTime } from './wait.js';

/**
 * A timeout scope (asyncio.Timeout), passed to the body of timeout() /
 * timeoutAt(). When its deadline passes, the task running the body is
 * cancelled; the scope turns that cancellation (and only its own) into a
 * TimeoutError at its exit. Times are runtime.time() values (ms).
 */
export class Timeout extends Scope {
  /** @internal */
  constructor(rt, task, parent, isAsync, options, when, relative) {
    super(rt, task, parent, isAsync, options);
    const c = rt._c;
    const rc0 = c.wa_timeout_new(rt._mem.cell);
    if (rc0 !== 0) throw errorFromStatus(rc0, 'timeout: out of wasm memory');
    /** @internal C scope, 0 once exited */ this._ptr = rt._mem.out();
    /** @internal */ this._expirySeen = false;
    /** @internal after exit */ this._final = null;
    const deadline = relative && Number.isFinite(when) ? c.wa_time() + when : when;
    const rc = c.wa_timeout_enter_in(this._ptr, task._ptr, deadline);
    if (rc !== 0) {
      c.wa_timeout_free(this._ptr);
      this._ptr = 0;
      throw errorFromStatus(rc, 'timeout: cannot enter the scope (is the task done?)');
    }
    this._link();
  }

  /** The scope's own deadline (Infinity: none). */
  when() {
    return this._ptr ? this._rt._c.wa_timeout_when(this._ptr) : this._final.when;
  }

  /**
   * Move the deadline to `when` (a runtime.time() value; null or Infinity:
   * none; a past time expires at once). InvalidStateError once expired or
   * exited.
   * @param {number | null} when
   */
  reschedule(when) {
    const w = checkTime(when, 'reschedule(when)', 'when');
    if (!this._ptr) throw new InvalidStateError('reschedule: the timeout scope has been exited');
    const rc = this._rt._c.wa_timeout_reschedule(this._ptr, w);
    if (rc === codes.ESTATE) throw new InvalidStateError('reschedule: the timeout has expired');
    if (rc !== 0) throw errorFromStatus(rc, 'reschedule failed');
  }

  /** True if the deadline passed while the scope was entered. */
  expired() {
    return this._ptr ? !!this._rt._c.wa_timeout_expired(this._ptr) : this._final.expired;
  }

  /**
   * Effective deadline of the code in the scope: the earliest of this
   * scope's and every enclosing scope's, including those around the task
   * group the task belongs to. NaN once exited.
   */
  get deadline() {
    return this._ptr ? this._rt._c.wa_timeout_deadline(this._ptr) : NaN;
  }

  /** @internal */
  _alreadyCancelled() {
    return this.expired();
  }

  /** @internal the deadline passed: the task's cancellation is this scope's */
  _ownCancellation() {
    if (this._expirySeen || !this._ptr || !this._rt._c.wa_timeout_expired(this._ptr)) return null;
    this._expirySeen = true;
    return new CancelledError('the timeout expired');
  }

  /** @internal leave: returns the body's value or throws */
  _leave(out) {
    const c = this._rt._c;
    const status = out.ok ? 0 : out.error instanceof CancelledError ? codes.ECANCELLED : (statusOf(out.error) || codes.EHOST);
    let rc = c.wa_timeout_exit(this._ptr, status);
    if (rc === codes.ESTATE) rc = status; // the task ended first: the scope was disarmed
    this._final = { when: c.wa_timeout_when(this._ptr), expired: !!c.wa_timeout_expired(this._ptr) };
    c.wa_timeout_free(this._ptr);
    this._ptr = 0;
    this._unlink();
    const aborted = this._takeBackExternal(status);
    if (aborted) throw aborted;
    if (rc === codes.ETIMEDOUT && status === codes.ECANCELLED) {
      throw new TimeoutError('the timeout expired', { cause: out.error });
    }
    if (out.ok) return out.value;
    throw out.error;
  }

  /** @internal */
  * _leaveGen(out) {
    return this._leave(out);
  }

  /** @internal */
  _leaveAsync(out) {
    return this._leave(out);
  }
}

/** @internal timeouts are asked first (Scopes.cancelRequested) */
Timeout.prototype._cancelPass = 0;

/**
 * timeout(ms, body) / timeoutAt(when, body): the block to run.
 * @param {import('./runtime.js').Runtime} rt
 */
export function timeoutRun(rt, t, body, options, relative) {
  const where = relative ? 'timeout(ms, body)' : 'timeoutAt(when, body)';
  const at = checkTime(t, where, relative ? 'ms' : 'when');
  return new ScopeRun(rt, (task, parent, isAsync) => new Timeout(rt, task, parent, isAsync, options ?? {}, at, relative),
    body, options, where);
}
