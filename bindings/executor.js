// The executor of a runtime: runInExecutor / toThread as runtime
// operations, C futures for pool jobs, and the C side's pools
// (wa_pool_new, wa_run_in_executor ... in wasyncio.h, section executor).
//
// A pool job awaited by a task is a C future whose cancellation cancels the
// job; when the job settles, the future completes: C and JS tasks await,
// gather and cancel executor jobs like anything else.
import { Op, keepOutcome } from './ops.js';
import { isRuntime } from './defaults.js';
import { WasyncioError, codes, statusOf } from './errors.js';
import { WorkerPool, PoolOp, Job as JobHandle, defaultPool, cpuCount, BIND, setCurrentAsyncTask } from './pool.js';
import { KIND_ASYNC, KIND_NEW } from './futures.js';
import { isTransfer } from './transfer.js';
import { futureState } from './constants.js';

const MODE_JS = 0; // the future's result is the JS value itself (a handle)
const MODE_C = 1;  // the future's result is bytes in wasm memory (C reads them)

/** A pool job as a runtime operation (what runInExecutor/toThread return). */
export class ExecOp extends Op {
  /** @internal */
  constructor(rt, make, mode, opts) {
    super(rt, opts);
    /** @internal */ this._make = make;
    /** @internal 'run' | 'submit' | 'result' */ this._mode = mode;
  }

  /** @internal */
  _start() {
    const rec = this._make();
    return this._rt._exec.bind(rec, this._mode);
  }
}
// A result that arrives as the task is cancelled cannot go back to the job:
// the task keeps it, and the cancellation comes at its next wait.
ExecOp.prototype._lateCancel = keepOutcome;

/** The runtimes whose async tasks may make pool operations (weakly held). */
const runtimes = [];

/** The async task current now, in any runtime, or null. */
function currentAsyncTask() {
  for (const ref of runtimes) {
    const t = ref.deref()?._tasks.current;
    if (t && (t._kind === KIND_ASYNC || t._kind === KIND_NEW)) return t;
  }
  return null;
}
setCurrentAsyncTask(currentAsyncTask);

function bytesInput(bytes, where) {
  if (bytes === undefined) return new ArrayBuffer(0);
  if (isTransfer(bytes)) {
    const v = bytes.value;
    if (v instanceof ArrayBuffer) return v;
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) {
      return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
    }
    throw new TypeError(`${where}: bytes must be an ArrayBuffer, a typed array or a DataView`);
  }
  if (bytes instanceof ArrayBuffer) return bytes.slice(0);
  if (ArrayBuffer.isView(bytes)) return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  throw new TypeError(`${where}: bytes must be an ArrayBuffer, a typed array, a DataView or transfer(buffer)`);
}

function poolOf(pool, where) {
  if (pool === null || pool === undefined) return defaultPool();
  if (!(pool instanceof WorkerPool)) throw new TypeError(`${where}: pool must be a WorkerPool or null (the default pool)`);
  return pool;
}

/** The executor side of one runtime (runtime._exec). */
export class Executor {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal C future -> its link to a pool job, while pending */ this._bindings = new Map();
    /** @internal C pool id -> WorkerPool (wa_pool_new) */ this._pools = new Map();
    /** @internal */ this._nextPool = 1;
    for (let i = runtimes.length - 1; i >= 0; i--) if (!runtimes[i].deref()) runtimes.splice(i, 1);
    runtimes.push(new WeakRef(rt));
  }

  /**
   * asyncio's loop.run_in_executor for C: run C job `fn` (a function
   * exported with WA_EXPORT_JOB(fn), by name, or its table index) of this
   * runtime's module on bytes in a worker of pool (null: the default
   * pool). Resolves to the output bytes (Uint8Array). The input is copied
   * (wrap it in transfer() to move it instead).
   * @param {WorkerPool | null} pool
   * @param {string | number} fn
   * @param {ArrayBuffer | ArrayBufferView} [bytes]
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {ExecOp}
   */
  runInExecutor(pool, fn, bytes, options) {
    const where = 'runInExecutor(pool, fn, bytes)';
    const p = poolOf(pool, where);
    let index;
    if (typeof fn === 'string') {
      const getter = this._rt.M['_wa_job__' + fn];
      if (typeof getter !== 'function') throw new TypeError(`${where}: no C job "${fn}" in this module (export it with WA_EXPORT_JOB(${fn}))`);
      index = getter();
    } else if (typeof fn === 'number') {
      if (!Number.isInteger(fn) || fn <= 0 || fn > 0x7fffffff) throw new RangeError(`${where}: fn must be a positive function table index, got ${fn}`);
      index = fn;
    } else {
      throw new TypeError(`${where}: fn must be the name of a C job (WA_EXPORT_JOB) or a function table index`);
    }
    let input = bytesInput(bytes, where);
    const spec = () => {
      const s = p._cSpec(this._rt.M, index, input);
      input = null;
      return s;
    };
    return new ExecOp(this._rt, () => p._submit(spec()), 'run', options);
  }

  /**
   * asyncio.to_thread for JS: run the function exported as `name` by
   * `module` in a worker of the default pool with args (structured clone;
   * transfer(x) moves a buffer). The function is called with
   * `this = { signal, id }`: the signal aborts when the job is cancelled.
   * @param {string | URL} module
   * @param {string} name
   * @param {...unknown} args
   * @returns {ExecOp}
   */
  toThread(module, name, ...args) {
    const p = defaultPool();
    const spec = p._jsSpec(name, args, { module }, 'toThread');
    return new ExecOp(this._rt, () => p._submit(spec), 'run');
  }

  /** @internal C future for pool job rec; returns it with one reference for the caller */
  bind(rec, mode = 'run') {
    const c = this._rt._c;
    const ptr = c.wa__exec_future_new();
    if (!ptr) {
      rec.cancel();
      throw new RangeError('out of wasm memory');
    }
    if (mode === 'submit') this._linkAccepted(rec, ptr);
    else this._link(rec, ptr, MODE_JS);
    return ptr;
  }

  /** @internal complete C future ptr when rec settles (holds a reference until then) */
  _link(rec, ptr, mode) {
    const c = this._rt._c;
    c.wa_ref(ptr);
    const b = { rec, ptr, fn: null };
    b.fn = (o) => {
      this._bindings.delete(ptr);
      if (c.wa__js_future_state(ptr) === futureState.PENDING) this._complete(ptr, o, mode);
      c.wa_release(ptr);
    };
    this._bindings.set(ptr, b);
    rec.listen(b.fn);
  }

  /** @internal ptr completes (with a Job) once rec is accepted into the queue */
  _linkAccepted(rec, ptr) {
    const c = this._rt._c;
    c.wa_ref(ptr);
    const b = { rec, ptr, fn: null };
    b.fn = (o) => {
      if (!this._bindings.has(ptr)) return;
      this._bindings.delete(ptr);
      if (c.wa__js_future_state(ptr) === futureState.PENDING) {
        if (!o || o.ok) this._complete(ptr, { ok: true, value: new JobHandle(rec) }, MODE_JS);
        else this._complete(ptr, o, MODE_JS);
      }
      c.wa_release(ptr);
    };
    this._bindings.set(ptr, b);
    rec.whenAccepted(b.fn);
  }

  /** @internal */
  _complete(ptr, o, mode) {
    const c = this._rt._c;
    if (o.ok) {
      let vp;
      const v = o.value;
      if (mode === MODE_C) {
        vp = this._rt._codec.toC(v instanceof Uint8Array ? v : new Uint8Array(0));
      } else if (v !== null && typeof v === 'object') {
        // keep the very object (no copy through wasm memory)
        vp = this._rt._codec.handleToC(v);
      } else {
        vp = this._rt._codec.toC(v);
      }
      c.wa_future_set_value(ptr, vp);
    } else if (o.error instanceof WasyncioError && !o.cancelled) {
      // a C job's (or the pool's) own message, without the JS class name
      const vp = this._rt._codec.toC(o.error);
      this._rt._mem.withString(o.error.message, (mp) => c.wa__js_future_fail(ptr, o.error.code || codes.EFAILED, mp, vp));
    } else {
      this._rt._views.failPtr(ptr, o.error);
    }
  }

  /** @internal called by C (cancel hook of an executor future) */
  cancelFuture(ptr) {
    const b = this._bindings.get(ptr);
    if (!b) return;
    this._bindings.delete(ptr);
    b.rec.unlisten(b.fn);
    if (b.rec.acceptListeners) b.rec.acceptListeners = b.rec.acceptListeners.filter((f) => f !== b.fn);
    b.rec.cancel();
    this._rt._c.wa_release(ptr); // the caller of wa_cancel holds its own reference
  }

  /** @internal wa_host_exec_submit */
  submitC(poolId, fn, inPtr, len, resPtr, accPtr) {
    const pool = poolId === 0 ? defaultPool() : this._pools.get(poolId);
    if (!pool) return codes.EINVAL;
    if (pool.closed) return codes.ESHUTDOWN;
    const input = this._rt.M.HEAPU8.slice(inPtr, inPtr + len).buffer;
    let rec;
    try {
      rec = pool._submit(pool._cSpec(this._rt.M, fn, input));
    } catch (e) {
      return statusOf(e) === codes.EHOST ? codes.EINVAL : statusOf(e);
    }
    this._link(rec, resPtr, MODE_C);
    if (accPtr) {
      const c = this._rt._c;
      c.wa_ref(accPtr);
      rec.whenAccepted((o) => {
        if (c.wa__js_future_state(accPtr) === futureState.PENDING) {
          if (!o || o.ok) c.wa_future_set_result(accPtr, 0, 0);
          else this._rt._views.failPtr(accPtr, o.error);
        }
        c.wa_release(accPtr);
      });
    }
    return 0;
  }

  /** @internal wa_host_exec_pool_new */
  poolNew(min, max, idle, maxQueue, grace, stack) {
    let pool;
    try {
      pool = new WorkerPool({
        min, max: max || Math.max(min, cpuCount()),
        idleTimeout: idle || 10000, maxQueue: maxQueue || Infinity, cancelGrace: grace || 1000,
        stackSize: stack || 256 * 1024,
      });
    } catch (e) {
      return codes.EINVAL;
    }
    const id = this._nextPool++;
    this._pools.set(id, pool);
    return id;
  }

  /** @internal wa_host_exec_pool_shutdown */
  poolShutdown(poolId, flags, fut) {
    const pool = poolId === 0 ? defaultPool() : this._pools.get(poolId);
    if (!pool) return codes.EINVAL;
    const c = this._rt._c;
    if (fut) c.wa_ref(fut);
    pool.shutdown({ cancelPending: (flags & 1) !== 0 }).then(() => {
      if (fut) {
        if (c.wa__js_future_state(fut) === futureState.PENDING) c.wa_future_set_result(fut, 0, 0);
        c.wa_release(fut);
      }
    });
    return 0;
  }

  /** @internal wa_host_exec_pool_free */
  poolFree(poolId) {
    const pool = this._pools.get(poolId);
    if (!pool) return;
    this._pools.delete(poolId);
    pool.shutdown({ wait: false });
  }
}

// Pool operations become runtime operations when a task awaits them
// (`yield pool.run(...)`, gather(...)), so cancelling the task cancels the
// job (awaitables.js looks for this hook).
PoolOp.prototype[BIND] = function bind(rt) {
  if (!isRuntime(rt)) throw new TypeError('not a Runtime');
  return new ExecOp(rt, () => this._claim(), this._mode);
};

// Awaited in the code of the async task it belongs to: a runtime operation
// of that task (the async-style rule), so cancelling the task cancels the job.
PoolOp.prototype._awaitIn = function awaitIn(t, onFulfilled, onRejected) {
  const op = new ExecOp(t._rt, () => this._claim(), this._mode);
  op._task = t;
  return op.then(onFulfilled, onRejected);
};
