// Lock, Event, Condition, Semaphore, BoundedSemaphore and Barrier: the C
// primitives of wasyncio.h (section "sync") seen from JS, and what the
// queues (queue.js) share with them. Each JS object is one C object, so C
// tasks and JS tasks can share it; every blocking call is a runtime
// operation (lazy, like an asyncio coroutine):
//
//   const lock = new Lock();                         // default runtime
//   const ev = new Event({ runtime: rt });           // a runtime of your own
//   createTask(function* () { yield lock.acquire(); ... });          // generator task
//   createTask(async (task) => { await lock.acquire({ signal: task.signal }); ... });
//
// Cancellation never loses anything: a cancelled operation that is still
// pending is withdrawn from its C object atomically; one that completed
// before the cancellation reached its task gives its outcome back (generator
// tasks: the scheduler's rollback) or delivers it (async code: an abort that
// arrives after completion resolves with the value). Objects hold C memory:
// destroy() them (or `using`); a FinalizationRegistry destroys forgotten ones.
import { Op, NOT_NOW } from './ops.js';
import { runtimeOf } from './defaults.js';
import {
  CancelledError, WasyncioError, codes, errorFromStatus,
} from './errors.js';
import { isGeneratorFunction } from './kinds.js';

const INT_MAX = 0x7fffffff;
const MAXSIZE_MAX = 0xffffffff;

/** Destroys C objects whose JS object was garbage-collected undestroyed. */
const forgotten = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((token) => destroyToken(token))
  : null;

function destroyToken(token) {
  if (!token.ptr) return;
  const p = token.ptr;
  token.ptr = 0;
  token.rt._sync.live--;
  token.rt._c[token.destroy](p);
}

/**
 * What a runtime keeps for its synchronization objects: how many are
 * alive, and the predicates of pending Condition.waitFor calls (C asks for
 * them by number).
 */
export class SyncRegistry {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** Objects not yet destroyed. */
    this.live = 0;
    /** @internal id -> CondWaitForOp */ this._preds = new Map();
    /** @internal */ this._nextPred = 1;
  }

  /** @internal a number for op's predicate */
  addPredicate(op) {
    const id = this._nextPred++;
    if (this._nextPred > INT_MAX) this._nextPred = 1;
    this._preds.set(id, op);
    return id;
  }

  /** @internal */
  removePredicate(id) {
    this._preds.delete(id);
  }

  /** C: check predicate #id (with the lock held); 1 to stop waiting. */
  predicate(id) {
    const op = this._preds.get(id);
    return op ? op._check() : 1;
  }

  /** runtime.syncStats() */
  stats() {
    return { objects: this.live, heapBytes: this._rt._c.wa__js_heap_used() };
  }
}

export function checkOptions(options, where) {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${where}: options must be an object`);
  }
}

/** options.runtime or the default runtime (options checked). */
export function syncRuntime(options, where) {
  checkOptions(options, where);
  return runtimeOf(options, where);
}

/** Create a C object with fn(cell) (a wa_X_new call); returns its pointer. */
function createC(rt, where, fn) {
  const rc = fn(rt._mem.cell);
  if (rc !== 0) {
    if (rc === codes.ENOMEM) throw new RangeError(`${where}: out of wasm memory`);
    throw errorFromStatus(rc, `${where} failed`);
  }
  return rt._mem.out();
}

export function checkInt(v, where, name, min, max) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a number`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${where}: ${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

/**
 * An operation on a primitive: `_begin(M, ptr, cell)` calls the C `_start`
 * function; `_ok(raw)` maps the op's raw result. Ops that own an outcome
 * the C side can roll back (a lock, a slot, an item) keep it when the
 * rollback could not happen, and take the cancellation at the task's next
 * wait instead (`_lateCancel`), as the C coroutine forms do.
 * @internal
 */
export class SyncOp extends Op {
  constructor(obj, options) {
    super(obj._rt, options);
    /** @internal */ this._obj = obj;
  }

  _start() {
    const rt = this._rt;
    const rc = this._begin(rt._c, this._obj._live(), rt._mem.cell);
    if (rc !== 0) throw this._obj._error(rc, rc === codes.ESTATE ? this._stateMsg : null);
    return rt._mem.out();
  }

  _outcome(rt, ptr) {
    const c = rt._c;
    const st = c.wa_future_status(ptr);
    if (st === 0) return { ok: true, value: this._ok(c.wa__js_future_raw(ptr)) };
    this._failed();
    const mp = c.wa_future_message(ptr);
    const msg = mp ? rt._mem.str(mp) : null;
    if (st === codes.ECANCELLED) return { ok: false, error: new CancelledError(msg ?? ''), cancelled: true };
    return { ok: false, error: this._obj._error(st, msg) };
  }

  /** @internal done now if the C object need not wait (see Op._tryNow) */
  _tryNow() {
    const p = this._obj._ptr;
    return p && this._try !== null && this._try(this._rt._c, p) === 1 ? this._ok(0) : NOT_NOW;
  }

  /** @internal success value from the op's raw result */
  _ok() {
    return true;
  }

  /** @internal the op failed or was cancelled */
  _failed() {}
}
/** @internal message for WA_ESTATE at start */
SyncOp.prototype._stateMsg = null;
/** @internal (c, ptr) => 1 if done now without a future (wa__js_*_try), else 0; null: always start */
SyncOp.prototype._try = null;
/** @internal done at once (a free lock, an item there): tasks go on without suspending */
SyncOp.prototype._eager = true;

/** Ops owning a resource a rollback gives back (lock, slot, item). @internal */
export class OwningOp extends SyncOp {
  /** @internal the outcome stands (it could not be handed back): keep it */
  _lateCancel(task) {
    this._rt._c.wa__js_defer_cancel(task._ptr);
  }
}

class LockAcquireOp extends OwningOp {
  _try(c, p) { return c.wa__js_lock_try(p); }
  _begin(c, p, cell) { return c.wa_lock_acquire_start(p, cell); }
}

class EventWaitOp extends SyncOp {
  _try(c, p) { return c.wa__js_event_try(p); }
  _begin(c, p, cell) { return c.wa_event_wait_start(p, cell); }
}

class CondAcquireOp extends OwningOp {
  _begin(c, p, cell) { return c.wa_cond_acquire_start(p, cell); }
}

class CondWaitOp extends OwningOp {
  _begin(c, p, cell) { return c.wa_cond_wait_start(p, cell); }
}
CondWaitOp.prototype._stateMsg = 'cannot wait on un-acquired lock';

class CondWaitForOp extends OwningOp {
  constructor(cond, predicate, options) {
    super(cond, options);
    /** @internal */ this._pred = predicate;
    /** @internal */ this._id = 0;
    /** @internal last truthy value of the predicate */ this._value = undefined;
    /** @internal */ this._threw = false;
    /** @internal */ this._thrown = undefined;
  }

  _begin(c, p, cell) {
    const id = this._rt._sync.addPredicate(this);
    this._id = id;
    const rc = c.wa__js_cond_wait_for_start(p, id, cell);
    if (rc !== 0) this._forget();
    return rc;
  }

  /** @internal called from C (with the lock held): 1 to stop waiting */
  _check() {
    try {
      const v = this._pred();
      if (!v) return 0;
      this._value = v;
    } catch (e) {
      this._threw = true;
      this._thrown = e;
    }
    return 1;
  }

  _outcome(rt, ptr) {
    this._forget();
    const out = super._outcome(rt, ptr);
    // Python: an exception from the predicate propagates with the lock held
    if (out.ok && this._threw) return { ok: false, error: this._thrown };
    return out;
  }

  _ok() {
    return this._value;
  }

  /** @internal */
  _forget() {
    if (this._id) this._rt._sync.removePredicate(this._id);
    this._id = 0;
  }
}

CondWaitForOp.prototype._stateMsg = 'cannot wait on un-acquired lock';

class SemAcquireOp extends OwningOp {
  _try(c, p) { return c.wa__js_sem_try(p); }
  _begin(c, p, cell) { return c.wa_sem_acquire_start(p, cell); }
}

class BarrierWaitOp extends SyncOp {
  _begin(c, p, cell) { return c.wa_barrier_wait_start(p, cell); }
  _ok(raw) { return raw >>> 0; }
}

// ---------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------

/**
 * `lock.with(fn)` / `semaphore.with(fn)` / `condition.with(fn)`.
 * @internal
 */
function withHeld(obj, fn, options, where) {
  if (typeof fn !== 'function') throw new TypeError(`${where}: fn must be a function`);
  checkOptions(options, where);
  if (isGeneratorFunction(fn)) return withGen(obj, fn);
  return withAsync(obj, fn, options);
}

function* withGen(obj, fn) {
  yield obj.acquire();
  try {
    return yield* fn();
  } finally {
    if (obj._ptr) obj.release();
  }
}

async function withAsync(obj, fn, options) {
  await obj.acquire(options);
  try {
    return await fn();
  } finally {
    if (obj._ptr) obj.release();
  }
}

/**
 * Base of the primitives: one C object on one runtime.
 * @internal
 */
export class SyncObject {
  constructor(rt, ptr, destroyFn) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._ptr = ptr;
    /** @internal */ this._token = { rt, ptr, destroy: destroyFn };
    rt._sync.live++;
    forgotten?.register(this, this._token, this._token);
  }

  /** The runtime this object lives on. */
  get runtime() {
    return this._rt;
  }

  /**
   * Address of the C object (wa_lock_t *, wa_queue_t * ...), to hand to C
   * code of the same module (e.g. as a number argument of spawnC). 0 once
   * destroyed. The JS object owns it: C must not destroy it, and must stop
   * using it when JS destroys it.
   */
  get ptr() {
    return this._ptr;
  }

  /** True once destroy() was called. */
  get destroyed() {
    return this._ptr === 0;
  }

  /**
   * Free the C object. Pending operations on it (of JS or C tasks) end at
   * once: queue operations with QueueShutDown, the others with a
   * WasyncioError whose code is ESHUTDOWN. Later use throws the same way;
   * queries answer as for an empty, unlocked, unset object. Idempotent.
   */
  destroy() {
    if (!this._ptr) return;
    this._ptr = 0;
    forgotten?.unregister(this._token);
    destroyToken(this._token);
  }

  [Symbol.dispose]() {
    this.destroy();
  }

  async [Symbol.asyncDispose]() {
    this.destroy();
  }

  /** @internal the live C pointer, or throw */
  _live() {
    if (!this._ptr) throw this._error(codes.ESHUTDOWN, `the ${this.constructor.name} was destroyed`);
    return this._ptr;
  }

  /** @internal the JS error for a C status of this object */
  _error(code, msg) {
    if (code === codes.ESHUTDOWN) return new WasyncioError(msg || `the ${this.constructor.name} was destroyed`, code);
    if (code === codes.ENOMEM) return new RangeError('out of wasm memory');
    return errorFromStatus(code, msg);
  }

  get [Symbol.toStringTag]() {
    return this.constructor.name;
  }

  /** `<Lock>`, `<Queue qsize=2 maxsize=10>`, `<Lock destroyed>` ... */
  toString() {
    const detail = this._ptr ? this._describe() : 'destroyed';
    return `<${this.constructor.name}${detail ? ' ' + detail : ''}>`;
  }

  /** What console.log shows in Node (not the C pointer and runtime). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  /** @internal details for toString() of a live object */
  _describe() {
    return '';
  }
}

/**
 * asyncio.Lock: a FIFO mutex for tasks, not owned by a task (any code may
 * release it). A newcomer never takes it while others wait.
 */
export class Lock extends SyncObject {
  /**
   * @param {{ runtime?: Runtime }} [options] runtime: where the lock lives
   *   (default: the default runtime)
   */
  constructor(options) {
    const rt = syncRuntime(options, 'new Lock(options)');
    super(rt, createC(rt, 'new Lock()', (cell) => rt._c.wa_lock_new(cell)), 'wa_lock_destroy');
  }

  /**
   * Acquire the lock (resolves true once held). A runtime operation.
   * @param {{ signal?: AbortSignal }} [options]
   */
  acquire(options) {
    return new LockAcquireOp(this, options);
  }

  /** Release the lock; the first waiter gets it. InvalidStateError if not locked. */
  release() {
    const rc = this._rt._c.wa_lock_release(this._live());
    if (rc !== 0) throw this._error(rc, rc === codes.ESTATE ? 'Lock is not acquired.' : null);
  }

  /** True if the lock is held (or handed to a waiter that has not run yet). */
  locked() {
    return this._ptr !== 0 && this._rt._c.wa_lock_locked(this._ptr) !== 0;
  }

  /**
   * Run fn holding the lock, and release it however fn ends (asyncio's
   * `async with lock:`). fn a generator function: returns a generator for
   * `yield*` in a generator task (the same task holds the lock). Otherwise
   * returns a promise of fn's result (options.signal withdraws the acquire).
   * @template T
   * @param {() => T} fn
   * @param {{ signal?: AbortSignal }} [options]
   */
  with(fn, options) {
    return withHeld(this, fn, options, 'lock.with(fn)');
  }
}

/** asyncio.Event: a flag tasks wait for. */
export class Event extends SyncObject {
  /** @param {{ runtime?: Runtime }} [options] */
  constructor(options) {
    const rt = syncRuntime(options, 'new Event(options)');
    super(rt, createC(rt, 'new Event()', (cell) => rt._c.wa_event_new(cell)), 'wa_event_destroy');
  }

  /**
   * Wait until the event is set (resolves true; at once if it is set).
   * @param {{ signal?: AbortSignal }} [options]
   */
  wait(options) {
    return new EventWaitOp(this, options);
  }

  /** Set the event: every waiter wakes, in the order they started waiting. */
  set() {
    this._rt._c.wa_event_set(this._live());
  }

  /** Reset the event to not set. */
  clear() {
    this._rt._c.wa_event_clear(this._live());
  }

  /** True if set. */
  isSet() {
    return this._ptr !== 0 && this._rt._c.wa_event_is_set(this._ptr) !== 0;
  }
}

/**
 * asyncio.Condition over a Lock (its own, or one you pass and keep
 * ownership of).
 */
export class Condition extends SyncObject {
  /**
   * @param {Lock | null} [lock] a lock to share (destroy it yourself), or none
   * @param {{ runtime?: Runtime }} [options] runtime (default: the lock's, or the default runtime)
   */
  constructor(lock, options) {
    if (options === undefined && lock !== null && typeof lock === 'object' && !(lock instanceof Lock)) {
      options = lock; // new Condition({ runtime })
      lock = undefined;
    }
    if (lock !== undefined && lock !== null && !(lock instanceof Lock)) {
      throw new TypeError('new Condition(lock): lock must be a Lock');
    }
    let rt;
    if (lock) {
      checkOptions(options, 'new Condition(lock, options)');
      rt = lock._rt;
      if (options?.runtime !== undefined && options.runtime !== rt) {
        throw new TypeError('new Condition(lock, options): the lock belongs to another runtime');
      }
    } else {
      rt = syncRuntime(options, 'new Condition(lock, options)');
    }
    const lp = lock ? lock._live() : 0;
    super(rt, createC(rt, 'new Condition()', (cell) => rt._c.wa_cond_new(cell, lp)), 'wa_cond_destroy');
    /** @internal keeps a shared lock alive while the condition is */
    this._lock = lock ?? null;
  }

  /**
   * Acquire the underlying lock (resolves true).
   * @param {{ signal?: AbortSignal }} [options]
   */
  acquire(options) {
    return new CondAcquireOp(this, options);
  }

  /** Release the underlying lock. InvalidStateError if not locked. */
  release() {
    const rc = this._rt._c.wa_cond_release(this._live());
    if (rc !== 0) throw this._error(rc, rc === codes.ESTATE ? 'Lock is not acquired.' : null);
  }

  /** True if the underlying lock is held. */
  locked() {
    return this._ptr !== 0 && this._rt._c.wa_cond_locked(this._ptr) !== 0;
  }

  /**
   * Release the lock, wait to be notified, re-acquire the lock (resolves
   * true). The lock must be held (InvalidStateError). Cancelled, it still
   * re-acquires the lock before rejecting, as in asyncio.
   * @param {{ signal?: AbortSignal }} [options]
   */
  wait(options) {
    return new CondWaitOp(this, options);
  }

  /**
   * Wait until predicate() is truthy (checked now, then each time the lock
   * is re-acquired after a notification); resolves with its value, lock
   * held. The predicate runs synchronously inside the scheduler with the
   * lock held: keep it short, and do not use the condition or its lock in
   * it. If it throws, the error propagates (lock held).
   * @template T
   * @param {() => T} predicate
   * @param {{ signal?: AbortSignal }} [options]
   */
  waitFor(predicate, options) {
    if (typeof predicate !== 'function') throw new TypeError('condition.waitFor(predicate): predicate must be a function');
    return new CondWaitForOp(this, predicate, options);
  }

  /**
   * Wake up to n waiters (FIFO); the lock must be held. Returns how many
   * were woken.
   * @param {number} [n]
   */
  notify(n = 1) {
    checkInt(n, 'condition.notify(n)', 'n', 0, MAXSIZE_MAX);
    const rc = this._rt._c.wa_cond_notify(this._live(), n);
    if (rc < 0) throw this._error(rc, rc === codes.ESTATE ? 'cannot notify on un-acquired lock' : null);
    return rc;
  }

  /** Wake every waiter; the lock must be held. Returns how many were woken. */
  notifyAll() {
    const rc = this._rt._c.wa_cond_notify_all(this._live());
    if (rc < 0) throw this._error(rc, rc === codes.ESTATE ? 'cannot notify on un-acquired lock' : null);
    return rc;
  }

  /**
   * Run fn holding the lock (see Lock#with).
   * @param {Function} fn
   * @param {{ signal?: AbortSignal }} [options]
   */
  with(fn, options) {
    return withHeld(this, fn, options, 'condition.with(fn)');
  }
}

/** asyncio.Semaphore: `value` slots; waiters are served in FIFO order. */
export class Semaphore extends SyncObject {
  /**
   * @param {number} [value] initial slots, an integer >= 0 (default 1)
   * @param {{ runtime?: Runtime }} [options]
   */
  constructor(value = 1, options) {
    const where = `new ${new.target.name}(value, options)`;
    checkInt(value, where, 'value', 0, INT_MAX);
    const rt = syncRuntime(options, where);
    const bounded = new.target === BoundedSemaphore || BoundedSemaphore.prototype.isPrototypeOf(new.target.prototype);
    const ptr = createC(rt, where, (cell) => (bounded ? rt._c.wa_bounded_sem_new(cell, value) : rt._c.wa_sem_new(cell, value)));
    super(rt, ptr, 'wa_sem_destroy');
  }

  /**
   * Take a slot (resolves true), waiting while none is free.
   * @param {{ signal?: AbortSignal }} [options]
   */
  acquire(options) {
    return new SemAcquireOp(this, options);
  }

  /** Give a slot back; the first waiter gets it. */
  release() {
    const rc = this._rt._c.wa_sem_release(this._live());
    if (rc !== 0) throw this._error(rc, rc === codes.EVALUE ? `${this.constructor.name} released too many times` : null);
  }

  /** True if acquire() would wait. */
  locked() {
    return this._ptr !== 0 && this._rt._c.wa_sem_locked(this._ptr) !== 0;
  }

  /** Slots free now. */
  get value() {
    return this._ptr ? this._rt._c.wa_sem_value(this._ptr) : 0;
  }

  /**
   * Run fn holding a slot (see Lock#with).
   * @param {Function} fn
   * @param {{ signal?: AbortSignal }} [options]
   */
  with(fn, options) {
    return withHeld(this, fn, options, 'semaphore.with(fn)');
  }
}

/** asyncio.BoundedSemaphore: releasing above the initial value throws ValueError. */
export class BoundedSemaphore extends Semaphore {}

/** asyncio.Barrier: `parties` tasks meet; each gets its arrival index. */
export class Barrier extends SyncObject {
  /**
   * @param {number} parties tasks that must arrive, an integer >= 1
   * @param {{ runtime?: Runtime }} [options]
   */
  constructor(parties, options) {
    checkInt(parties, 'new Barrier(parties)', 'parties', 1, INT_MAX);
    const rt = syncRuntime(options, 'new Barrier(parties, options)');
    super(rt, createC(rt, 'new Barrier()', (cell) => rt._c.wa_barrier_new(cell, parties)), 'wa_barrier_destroy');
  }

  /**
   * Wait until `parties` tasks have arrived; resolves with this task's
   * arrival index (0 .. parties-1). Rejects with BrokenBarrierError if the
   * barrier is or gets broken (abort) or is reset meanwhile.
   * @param {{ signal?: AbortSignal }} [options]
   */
  wait(options) {
    return new BarrierWaitOp(this, options);
  }

  /** Back to the empty state; tasks waiting get BrokenBarrierError. */
  reset() {
    this._rt._c.wa_barrier_reset(this._live());
  }

  /** Break the barrier: current and later waits fail until reset(). */
  abort() {
    this._rt._c.wa_barrier_abort(this._live());
  }

  /** Tasks required to pass. */
  get parties() {
    return this._ptr ? this._rt._c.wa_barrier_parties(this._ptr) >>> 0 : 0;
  }

  /** Tasks waiting while it fills. */
  get nWaiting() {
    return this._ptr ? this._rt._c.wa_barrier_n_waiting(this._ptr) >>> 0 : 0;
  }

  /** True if broken. */
  get broken() {
    return this._ptr !== 0 && this._rt._c.wa_barrier_broken(this._ptr) !== 0;
  }
}

