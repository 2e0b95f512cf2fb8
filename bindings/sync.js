// Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier and the
// queues (Queue, LifoQueue, PriorityQueue): the C primitives of wasyncio.h
// (sections "sync" and "queue") seen from JS. Each JS object is one C
// object, so C tasks and JS tasks can share it; every blocking call is a
// runtime operation (lazy, like an asyncio coroutine):
//
//   const q = new Queue({ maxsize: 100 });           // default runtime
//   const lock = new Lock({ runtime: rt });          // a runtime of your own
//   createTask(function* () { const item = yield q.get(); ... });   // generator task
//   createTask(async (task) => { await lock.acquire({ signal: task.signal }); ... });
//
// Cancellation never loses anything: a cancelled operation that is still
// pending is withdrawn from its C object atomically; one that completed
// before the cancellation reached its task gives its outcome back (generator
// tasks: the scheduler's rollback) or delivers it (async code: an abort that
// arrives after completion resolves with the value). Objects hold C memory:
// destroy() them (or `using`); a FinalizationRegistry destroys forgotten ones.
import { Runtime } from './runtime.js';
import { Op } from './ops.js';
import {
  CancelledError, QueueShutDown, ValueError, WasyncioError, codes, errorFromStatus,
} from './errors.js';

const KIND_FIFO = 0;
const KIND_LIFO = 1;
const KIND_PRIORITY = 2;
const INT_MAX = 0x7fffffff;
const MAXSIZE_MAX = 0xffffffff;

let defaultRuntime = null;

/**
 * Set the runtime used when no `runtime` option is given (index.js does, with
 * its default runtime).
 * @internal
 * @param {Runtime} rt
 */
export function _setDefaultRuntime(rt) {
  defaultRuntime = rt;
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;

/** Destroys C objects whose JS object was garbage-collected undestroyed. */
const forgotten = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((token) => destroyToken(token))
  : null;

function destroyToken(token) {
  if (!token.ptr) return;
  const p = token.ptr;
  token.ptr = 0;
  token.rt._syncLive--;
  token.rt.M[token.destroy](p);
}

function checkOptions(options, where) {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${where}: options must be an object`);
  }
}

function runtimeOf(options, where) {
  checkOptions(options, where);
  const rt = options?.runtime ?? defaultRuntime;
  if (!(rt instanceof Runtime)) {
    throw new TypeError(options?.runtime !== undefined
      ? `${where}: options.runtime must be a Runtime`
      : `${where}: no default runtime; pass options.runtime`);
  }
  return rt;
}

/** Create a C object with fn(cell) (a wa_X_new call); returns its pointer. */
function createC(rt, where, fn) {
  const rc = fn(rt._cell);
  if (rc !== 0) {
    if (rc === codes.ENOMEM) throw new RangeError(`${where}: out of wasm memory`);
    throw errorFromStatus(rc, `${where} failed`);
  }
  return rt.M.HEAPU32[rt._cell >> 2];
}

function checkInt(v, where, name, min, max) {
  if (typeof v !== 'number') throw new TypeError(`${where}: ${name} must be a number`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${where}: ${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

function checkPriority(p, where) {
  if (p === undefined) return 0;
  if (typeof p !== 'number') throw new TypeError(`${where}: priority must be a number`);
  if (Number.isNaN(p)) throw new RangeError(`${where}: priority must not be NaN`);
  return p;
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
class SyncOp extends Op {
  constructor(obj, options) {
    super(obj._rt, options);
    /** @internal */ this._obj = obj;
  }

  _start() {
    const rt = this._rt;
    const rc = this._begin(rt.M, this._obj._live(), rt._cell);
    if (rc !== 0) throw this._obj._error(rc, rc === codes.ESTATE ? this._stateMsg : null);
    return rt.M.HEAPU32[rt._cell >> 2];
  }

  _outcome(rt, ptr) {
    const M = rt.M;
    const st = M._wa_future_status(ptr);
    if (st === 0) return { ok: true, value: this._ok(M._wa__js_future_raw(ptr)) };
    this._failed();
    const mp = M._wa_future_message(ptr);
    const msg = mp ? M.UTF8ToString(mp) : null;
    if (st === codes.ECANCELLED) return { ok: false, error: new CancelledError(msg ?? ''), cancelled: true };
    return { ok: false, error: this._obj._error(st, msg) };
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
/** @internal done at once (a free lock, an item there): tasks go on without suspending */
SyncOp.prototype._eager = true;

/** Ops owning a resource a rollback gives back (lock, slot, item). @internal */
class OwningOp extends SyncOp {
  /** @internal the outcome stands (it could not be handed back): keep it */
  _lateCancel(task) {
    this._rt.M._wa__js_defer_cancel(task._ptr);
  }
}

class LockAcquireOp extends OwningOp {
  _begin(M, p, cell) { return M._wa_lock_acquire_start(p, cell); }
}

class EventWaitOp extends SyncOp {
  _begin(M, p, cell) { return M._wa_event_wait_start(p, cell); }
}

class CondAcquireOp extends OwningOp {
  _begin(M, p, cell) { return M._wa_cond_acquire_start(p, cell); }
}

class CondWaitOp extends OwningOp {
  _begin(M, p, cell) { return M._wa_cond_wait_start(p, cell); }
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

  _begin(M, p, cell) {
    const rt = this._rt;
    rt._condPreds ??= new Map();
    rt._condPredNext ??= 1;
    const id = rt._condPredNext++;
    if (rt._condPredNext > INT_MAX) rt._condPredNext = 1;
    this._id = id;
    rt._condPreds.set(id, this);
    const rc = M._wa__js_cond_wait_for_start(p, id, cell);
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
    if (this._id) this._rt._condPreds.delete(this._id);
    this._id = 0;
  }
}

CondWaitForOp.prototype._stateMsg = 'cannot wait on un-acquired lock';

class SemAcquireOp extends OwningOp {
  _begin(M, p, cell) { return M._wa_sem_acquire_start(p, cell); }
}

class BarrierWaitOp extends SyncOp {
  _begin(M, p, cell) { return M._wa_barrier_wait_start(p, cell); }
  _ok(raw) { return raw >>> 0; }
}

class QueueGetOp extends OwningOp {
  _begin(M, p, cell) { return M._wa_queue_get_start(p, cell); }

  _ok(vp) {
    return this._obj._take(vp);
  }
}

class QueuePutOp extends OwningOp {
  constructor(queue, item, priority, options) {
    super(queue, options);
    /** @internal */ this._item = item;
    /** @internal */ this._prio = priority;
    /** @internal the item's value in wasm while the queue may own it */ this._vp = 0;
  }

  _begin(M, p, cell) {
    const codec = this._rt._codec;
    const vp = codec.toC(this._item);
    this._item = undefined;
    const rc = this._prio === undefined
      ? M._wa_queue_put_start(p, vp, cell)
      : M._wa_queue_put_prio_start(p, vp, this._prio, cell);
    if (rc !== 0) codec.free(vp); // nothing was created: the item is still ours
    else this._vp = vp;
    return rc;
  }

  _ok() {
    this._vp = 0; // the queue owns it now
    return undefined;
  }

  _failed() {
    // not put (failed, cancelled, or taken out again by a rollback): ours to free
    this._rt._codec.free(this._vp);
    this._vp = 0;
  }
}

class QueueJoinOp extends SyncOp {
  _begin(M, p, cell) { return M._wa_queue_join_start(p, cell); }
  _ok() { return undefined; }
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
  if (fn instanceof GeneratorFunction) return withGen(obj, fn);
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
class SyncObject {
  constructor(rt, ptr, destroyFn) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._ptr = ptr;
    /** @internal */ this._token = { rt, ptr, destroy: destroyFn };
    rt._syncLive = (rt._syncLive ?? 0) + 1;
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
    const rt = runtimeOf(options, 'new Lock(options)');
    super(rt, createC(rt, 'new Lock()', (cell) => rt.M._wa_lock_new(cell)), '_wa_lock_destroy');
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
    const rc = this._rt.M._wa_lock_release(this._live());
    if (rc !== 0) throw this._error(rc, rc === codes.ESTATE ? 'Lock is not acquired.' : null);
  }

  /** True if the lock is held (or handed to a waiter that has not run yet). */
  locked() {
    return this._ptr !== 0 && this._rt.M._wa_lock_locked(this._ptr) !== 0;
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
    const rt = runtimeOf(options, 'new Event(options)');
    super(rt, createC(rt, 'new Event()', (cell) => rt.M._wa_event_new(cell)), '_wa_event_destroy');
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
    this._rt.M._wa_event_set(this._live());
  }

  /** Reset the event to not set. */
  clear() {
    this._rt.M._wa_event_clear(this._live());
  }

  /** True if set. */
  isSet() {
    return this._ptr !== 0 && this._rt.M._wa_event_is_set(this._ptr) !== 0;
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
      rt = runtimeOf(options, 'new Condition(lock, options)');
    }
    const lp = lock ? lock._live() : 0;
    super(rt, createC(rt, 'new Condition()', (cell) => rt.M._wa_cond_new(cell, lp)), '_wa_cond_destroy');
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
    const rc = this._rt.M._wa_cond_release(this._live());
    if (rc !== 0) throw this._error(rc, rc === codes.ESTATE ? 'Lock is not acquired.' : null);
  }

  /** True if the underlying lock is held. */
  locked() {
    return this._ptr !== 0 && this._rt.M._wa_cond_locked(this._ptr) !== 0;
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
    const rc = this._rt.M._wa_cond_notify(this._live(), n);
    if (rc < 0) throw this._error(rc, rc === codes.ESTATE ? 'cannot notify on un-acquired lock' : null);
    return rc;
  }

  /** Wake every waiter; the lock must be held. Returns how many were woken. */
  notifyAll() {
    const rc = this._rt.M._wa_cond_notify_all(this._live());
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
    const rt = runtimeOf(options, where);
    const bounded = new.target === BoundedSemaphore || BoundedSemaphore.prototype.isPrototypeOf(new.target.prototype);
    const ptr = createC(rt, where, (cell) => (bounded ? rt.M._wa_bounded_sem_new(cell, value) : rt.M._wa_sem_new(cell, value)));
    super(rt, ptr, '_wa_sem_destroy');
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
    const rc = this._rt.M._wa_sem_release(this._live());
    if (rc !== 0) throw this._error(rc, rc === codes.EVALUE ? `${this.constructor.name} released too many times` : null);
  }

  /** True if acquire() would wait. */
  locked() {
    return this._ptr !== 0 && this._rt.M._wa_sem_locked(this._ptr) !== 0;
  }

  /** Slots free now. */
  get value() {
    return this._ptr ? this._rt.M._wa_sem_value(this._ptr) : 0;
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
    const rt = runtimeOf(options, 'new Barrier(parties, options)');
    super(rt, createC(rt, 'new Barrier()', (cell) => rt.M._wa_barrier_new(cell, parties)), '_wa_barrier_destroy');
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
    this._rt.M._wa_barrier_reset(this._live());
  }

  /** Break the barrier: current and later waits fail until reset(). */
  abort() {
    this._rt.M._wa_barrier_abort(this._live());
  }

  /** Tasks required to pass. */
  get parties() {
    return this._ptr ? this._rt.M._wa_barrier_parties(this._ptr) >>> 0 : 0;
  }

  /** Tasks waiting while it fills. */
  get nWaiting() {
    return this._ptr ? this._rt.M._wa_barrier_n_waiting(this._ptr) >>> 0 : 0;
  }

  /** True if broken. */
  get broken() {
    return this._ptr !== 0 && this._rt.M._wa_barrier_broken(this._ptr) !== 0;
  }
}

// ---------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------

function queueOptions(options, where) {
  if (typeof options === 'number') return { maxsize: options };
  checkOptions(options, where);
  return options ?? {};
}

/**
 * asyncio.Queue (Python 3.13, with shutdown): FIFO. Items are any JS values
 * (copied as wasyncio values: numbers, strings, bytes ... are copied; other
 * objects cross as handles and come back as the same object), so C tasks of
 * the same module can put and get them too (as wa_value_t *).
 */
export class Queue extends SyncObject {
  /**
   * @param {{ maxsize?: number, runtime?: Runtime } | number} [options]
   *   maxsize: 0 or Infinity for unbounded (default), else an integer >= 1
   */
  constructor(options) {
    const where = `new ${new.target.name}(options)`;
    const o = queueOptions(options, where);
    let maxsize = o.maxsize ?? 0;
    if (maxsize === Infinity) maxsize = 0;
    checkInt(maxsize, where, 'options.maxsize', 0, MAXSIZE_MAX);
    const rt = runtimeOf(o, where);
    const kind = new.target._kind ?? KIND_FIFO;
    const ptr = rt.M._wa__js_queue_new(kind, maxsize);
    if (!ptr) throw new RangeError(`${where}: out of wasm memory`);
    super(rt, ptr, '_wa_queue_destroy');
  }

  /** @internal */
  static _kind = KIND_FIFO;

  /** Maximum size (0: unbounded). */
  get maxsize() {
    return this._ptr ? this._rt.M._wa_queue_maxsize(this._ptr) >>> 0 : 0;
  }

  /**
   * Put item, waiting while the queue is full. A runtime operation.
   * Rejects with QueueShutDown once the queue is shut down.
   * @param {unknown} item
   * @param {{ signal?: AbortSignal }} [options]
   */
  put(item, options) {
    return new QueuePutOp(this, item, undefined, options);
  }

  /**
   * Put item now; QueueFull if full, QueueShutDown if shut down.
   * @param {unknown} item
   */
  putNowait(item) {
    return this._putNowait(item, undefined);
  }

  /** @internal */
  _putNowait(item, prio) {
    const p = this._live();
    const M = this._rt.M;
    const codec = this._rt._codec;
    const vp = codec.toC(item);
    const rc = prio === undefined ? M._wa_queue_put_nowait(p, vp) : M._wa_queue_put_prio_nowait(p, vp, prio);
    if (rc !== 0) {
      codec.free(vp);
      throw this._error(rc, null);
    }
  }

  /**
   * Remove and return the next item, waiting while the queue is empty.
   * Rejects with QueueShutDown once the queue is shut down and empty.
   * @param {{ signal?: AbortSignal }} [options]
   */
  get(options) {
    return new QueueGetOp(this, options);
  }

  /** Remove and return the next item now; QueueEmpty, or QueueShutDown if shut down and empty. */
  getNowait() {
    const p = this._live();
    const rt = this._rt;
    const rc = rt.M._wa_queue_get_nowait(p, rt._cell);
    if (rc !== 0) throw this._error(rc, null);
    return this._take(rt.M.HEAPU32[rt._cell >> 2]);
  }

  /** One item taken earlier is processed; ValueError if called more often than items were put. */
  taskDone() {
    const rc = this._rt.M._wa_queue_task_done(this._live());
    if (rc !== 0) throw this._error(rc, rc === codes.EVALUE ? 'taskDone() called too many times' : null);
  }

  /**
   * Wait until every item put has been taskDone()'d.
   * @param {{ signal?: AbortSignal }} [options]
   */
  join(options) {
    return new QueueJoinOp(this, options);
  }

  /** Number of items in the queue. */
  qsize() {
    return this._ptr ? this._rt.M._wa_queue_qsize(this._ptr) >>> 0 : 0;
  }

  /** True if empty. */
  empty() {
    return this._ptr === 0 || this._rt.M._wa_queue_empty(this._ptr) !== 0;
  }

  /** True if bounded and holding maxsize items. */
  full() {
    return this._ptr !== 0 && this._rt.M._wa_queue_full(this._ptr) !== 0;
  }

  /**
   * Shut the queue down (Python 3.13): later puts reject with
   * QueueShutDown, gets too once the queue is empty; waiting putters and
   * getters end with QueueShutDown. immediate: the items still queued are
   * dropped and count as done for join(). Idempotent.
   * @param {boolean} [immediate]
   */
  shutdown(immediate = false) {
    if (typeof immediate !== 'boolean') throw new TypeError('queue.shutdown(immediate): immediate must be a boolean');
    if (!this._ptr) return;
    this._rt.M._wa_queue_shutdown(this._ptr, immediate ? 1 : 0);
  }

  /**
   * The items as they come, for `for await`: ends when the queue is shut
   * down and empty (or destroyed). Does not call taskDone(). With a
   * signal, a pending get is withdrawn when it aborts.
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {AsyncGenerator<unknown, void, undefined>}
   */
  async *iter(options) {
    checkOptions(options, 'queue.iter(options)');
    for (;;) {
      let item;
      try {
        item = await this.get(options);
      } catch (e) {
        if (e instanceof QueueShutDown) return;
        throw e;
      }
      yield item;
    }
  }

  /** `for await (const item of queue)`: see iter(). */
  [Symbol.asyncIterator]() {
    return this.iter();
  }

  /** @internal an item handed to us: read it, free its C value */
  _take(vp) {
    if (!vp) return undefined;
    const codec = this._rt._codec;
    const v = codec.fromC(vp);
    codec.free(vp);
    return v;
  }

  /** @internal */
  _error(code, msg) {
    if (code === codes.ESHUTDOWN) return new QueueShutDown(msg || 'the queue is shut down');
    if (code === codes.EFULL) return errorFromStatus(code, msg || 'the queue is full');
    if (code === codes.EEMPTY) return errorFromStatus(code, msg || 'the queue is empty');
    return super._error(code, msg);
  }
}

/** asyncio.LifoQueue: the most recently put item first. */
export class LifoQueue extends Queue {
  /** @internal */
  static _kind = KIND_LIFO;
}

/**
 * asyncio.PriorityQueue: the item with the lowest priority first; equal
 * priorities keep insertion order. `put(item, priority)`, priority a number
 * (default 0); get() returns the item.
 */
export class PriorityQueue extends Queue {
  /** @internal */
  static _kind = KIND_PRIORITY;

  /**
   * Put item with a priority (lower first; default 0), waiting while full.
   * `put(item, { signal })` puts with priority 0.
   * @param {unknown} item
   * @param {number} [priority]
   * @param {{ signal?: AbortSignal }} [options]
   */
  put(item, priority, options) {
    if (priority !== null && typeof priority === 'object' && options === undefined) {
      options = priority; // put(item, { signal }): as a plain Queue, priority 0
      priority = undefined;
    }
    return new QueuePutOp(this, item, checkPriority(priority, 'priorityQueue.put(item, priority)'), options);
  }

  /**
   * Put item with a priority now; QueueFull / QueueShutDown.
   * @param {unknown} item
   * @param {number} [priority]
   */
  putNowait(item, priority) {
    return this._putNowait(item, checkPriority(priority, 'priorityQueue.putNowait(item, priority)'));
  }
}

// ---------------------------------------------------------------------------
// Runtime hooks
// ---------------------------------------------------------------------------

/** @internal called by C (js_sync.c): check Condition.waitFor predicate #id */
Runtime.prototype._condPred = function _condPred(id) {
  const op = this._condPreds?.get(id);
  return op ? op._check() : 1;
};

/**
 * Live synchronization objects of this runtime (not yet destroyed) and
 * bytes of the C heap in use, for leak checks.
 * @returns {{ objects: number, heapBytes: number }}
 */
Runtime.prototype.syncStats = function syncStats() {
  return { objects: this._syncLive ?? 0, heapBytes: this.M._wa__js_heap_used() };
};

export { ValueError };
