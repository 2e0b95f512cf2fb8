// WorkerPool: the executor pool. One implementation for browsers (Web
// Workers) and Node (worker_threads), with a thin adapter per host.
//
// - min..max workers; workers above min exit after idleTimeout idle.
// - A bounded queue (maxQueue): a job waits for a worker in the queue; a
//   submission beyond the queue waits for room (backpressure), in order.
// - Jobs: JS functions exported by a module (module URL + export name,
//   structured-cloned arguments, transfer() to move buffers), and C
//   functions of a wasm module (run by the runtime's executor API: every
//   worker instantiates the same compiled WebAssembly.Module; buffers are
//   transferred both ways).
// - Cancellation: a queued job is removed (the worker never sees it); a
//   running job is told (C: wa_job_cancelled(), JS: this.signal) and its
//   worker is terminated and replaced if it has not stopped after
//   cancelGrace ms. The job's awaiter is told at once.
// - A crashed worker (wasm trap, uncaught error, process.exit, self.close,
//   terminate) fails only the job it was running (WasyncioError EABORTED)
//   and is replaced; jobs queued behind it are not lost.
// - Node: idle workers are unref'd, so a pool never keeps Node alive when
//   it has nothing to do. No SharedArrayBuffer, no cross-origin isolation.
import { CancelledError, WasyncioError, codes } from './errors.js';
import { unwrapArgs } from './transfer.js';
import { isNode, cpuCount, WorkerHost, workerHref, baseHref, pathHref } from '#platform';

export { cpuCount };

// A worker that ends before it is ready is started again after 100 ms, then
// 200 ms; after START_TRIES such failures in a row the pool's waiting jobs
// fail with an error naming the worker's URL, and no worker is started
// again until the next submission.
const START_TRIES = 3;
const START_BACKOFF_MS = 100;
const BIND = Symbol.for('wasyncio.bind');

/**
 * Workers of the default pool: asyncio's default executor size,
 * min(32, cores + 4). Its jobs are mostly blocking calls (a sync read, a
 * sleep, a wait on a lock), which hold a worker without using a core; CPU-
 * bound work belongs in a pool of its own (`new WorkerPool()`: one worker
 * per core).
 */
export function blockingWorkers() {
  return Math.min(32, cpuCount() + 4);
}

// ---------------------------------------------------------------------------
// A small FIFO with removal (queue of jobs)
// ---------------------------------------------------------------------------

class Fifo {
  constructor() { this.a = []; this.h = 0; }
  get length() { return this.a.length - this.h; }
  push(x) { this.a.push(x); }
  peek() { return this.h < this.a.length ? this.a[this.h] : undefined; }
  shift() {
    if (this.h >= this.a.length) return undefined;
    const x = this.a[this.h];
    this.a[this.h++] = undefined;
    if (this.h > 1024 && this.h * 2 > this.a.length) { this.a = this.a.slice(this.h); this.h = 0; }
    return x;
  }
  unshiftAll(xs) { this.a = xs.concat(this.a.slice(this.h)); this.h = 0; }
  remove(x) {
    const i = this.a.indexOf(x, this.h);
    if (i < 0) return false;
    this.a.splice(i, 1);
    return true;
  }
  drain() { const out = this.a.slice(this.h); this.a = []; this.h = 0; return out; }
}

// ---------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------

let nextJobId = 1;
const W_WAITING = 'waiting'; // for room in the queue
const W_QUEUED = 'queued';   // in the queue, waiting for a worker
const W_RUNNING = 'running'; // sent to a worker
const W_DONE = 'done';

/**
 * The pool's record of one job. Settles exactly once; listeners (the
 * runtime's C futures) are told synchronously, the promise lazily.
 * @internal
 */
export class PoolJob {
  constructor(pool, spec) {
    this.id = nextJobId++;
    this.pool = pool;
    this.spec = spec;
    this.state = W_WAITING;
    this.outcome = null;
    this.worker = null;
    this.listeners = null;
    this.acceptListeners = null;
    this.signal = null;
    this.onAbort = null;
    this._promise = null;
    this._resolve = null;
    this._reject = null;
  }

  /** @returns {Promise<unknown>} settles with the job's outcome */
  get promise() {
    if (!this._promise) {
      const o = this.outcome;
      if (o) this._promise = o.ok ? Promise.resolve(o.value) : Promise.reject(o.error);
      else this._promise = new Promise((res, rej) => { this._resolve = res; this._reject = rej; });
    }
    return this._promise;
  }

  /** fn(outcome) once the job settles (at once if it has). */
  listen(fn) {
    if (this.outcome) { fn(this.outcome); return; }
    (this.listeners ??= []).push(fn);
  }

  unlisten(fn) {
    if (this.listeners) this.listeners = this.listeners.filter((f) => f !== fn);
  }

  /** fn(null) when the job enters the queue, fn(outcome) if it settles first. */
  whenAccepted(fn) {
    if (this._wasAccepted) { fn(null); return; }
    if (this.outcome) { fn(this.outcome); return; }
    (this.acceptListeners ??= []).push(fn);
  }

  /** @internal */
  _accept() {
    this._wasAccepted = true;
    const ls = this.acceptListeners;
    this.acceptListeners = null;
    if (ls) for (const fn of ls) fn(null);
  }

  /** Cancel the job; false if it was already done. */
  cancel(msg) {
    return this.pool._cancel(this, msg);
  }

  /** @internal */
  _settle(outcome) {
    if (this.outcome) return false;
    this.outcome = outcome;
    this.state = W_DONE;
    if (this.onAbort) {
      this.signal.removeEventListener('abort', this.onAbort);
      this.onAbort = null;
    }
    if (this._resolve) {
      if (outcome.ok) this._resolve(outcome.value);
      else this._reject(outcome.error);
      this._resolve = this._reject = null;
    }
    const acc = this.acceptListeners;
    this.acceptListeners = null;
    if (acc) for (const fn of acc) fn(outcome);
    const ls = this.listeners;
    this.listeners = null;
    if (ls) for (const fn of ls) fn(outcome);
    return true;
  }
}

/**
 * A handle on a submitted job (what `pool.submit()` gives once the job is
 * accepted into the queue). Not a thenable: await `job.result()`.
 */
export class Job {
  /** @internal */
  constructor(rec) { /** @internal */ this._rec = rec; }
  /** Pool-wide job number. */
  get id() { return this._rec.id; }
  /** 'queued' | 'running' | 'done'. */
  get state() { return this._rec.state; }
  /** True once settled. */
  done() { return this._rec.state === W_DONE; }
  /** True if the job was cancelled. */
  cancelled() { return !!this._rec.outcome?.cancelled; }
  /**
   * Cancel the job (see WorkerPool). Returns false if it was already done.
   * @param {string} [msg]
   */
  cancel(msg) {
    if (msg !== undefined && typeof msg !== 'string') throw new TypeError('job.cancel(msg): msg must be a string');
    return this._rec.cancel(msg);
  }
  /**
   * The job's result as an awaitable: `await job.result()` or, in a
   * generator task, `yield job.result()` (cancelling the task cancels the job).
   * @returns {PoolOp}
   */
  result() {
    return new PoolOp(this._rec, 'run');
  }
}

/** @internal () => the async task current now (of any runtime), or null: set by executor.js */
let currentAsyncTask = () => null;
/** @internal */
export function setCurrentAsyncTask(fn) { currentAsyncTask = fn; }

/**
 * What `pool.run()`, `pool.submit()` and `job.result()` return: the job is
 * already submitted (as with piscina); this is how to await it. Made in an
 * async task's code, it belongs to that task like a runtime operation
 * (cancelling the task cancels the job); yielded in a generator task or
 * given to gather(), it becomes a runtime operation too. Elsewhere,
 * awaiting it is awaiting a plain promise (the `{ signal }` given to run()
 * cancels the job). It may be awaited any number of times.
 */
export class PoolOp {
  /** @internal */
  constructor(rec, mode) {
    /** @internal */ this._rec = rec;
    /** @internal 'run' | 'submit' */ this._mode = mode;
    /** @internal */ this._promise = null;
    /** @internal the async task it belongs to (awaits go through its runtime: executor.js) */
    this._task = currentAsyncTask();
  }

  /** @internal the job record (for the runtime binding) */
  _claim() {
    return this._rec;
  }

  /** Thenable. */
  then(onFulfilled, onRejected) {
    // a pending (state 0) async task: through its runtime (executor.js)
    if (this._task !== null && this._task._state === 0) return this._awaitIn(this._task, onFulfilled, onRejected);
    if (!this._promise) this._promise = this._plain(this._rec);
    return this._promise.then(onFulfilled, onRejected);
  }

  catch(onRejected) { return this.then(undefined, onRejected); }
  finally(onFinally) { return this.then().finally(onFinally); }

  /** @internal */
  _plain(rec) {
    if (this._mode === 'submit') {
      return new Promise((resolve, reject) => rec.whenAccepted((o) => {
        if (o && !o.ok) reject(o.error);
        else resolve(new Job(rec)); // accepted (or already done): a handle
      }));
    }
    return rec.promise;
  }
}

// ---------------------------------------------------------------------------
// The pool
// ---------------------------------------------------------------------------

let nextPoolId = 1;
const wasmKeys = new WeakMap();
let nextWasmKey = 1;

function checkCount(v, name, min) {
  if (typeof v !== 'number') throw new TypeError(`WorkerPool: options.${name} must be a number`);
  if (!Number.isInteger(v) || v < min) throw new RangeError(`WorkerPool: options.${name} must be an integer >= ${min}, got ${v}`);
}

function checkMs(v, name) {
  if (typeof v !== 'number') throw new TypeError(`WorkerPool: options.${name} must be a number (ms)`);
  if (!(v >= 0)) throw new RangeError(`WorkerPool: options.${name} must be >= 0, got ${v}`);
}

/** Resolve a module location for a worker's import(). */
export function moduleHref(m, where) {
  if (m instanceof URL) return m.href;
  if (typeof m !== 'string' || !m) throw new TypeError(`${where}: module must be a URL or a non-empty string`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(m)) return m;
  if (isNode && m.startsWith('/')) return pathHref(m);
  return new URL(m, baseHref()).href;
}

/**
 * A pool of Web Workers (browsers) or worker_threads (Node) running jobs.
 */
export class WorkerPool {
  /**
   * @param {object} [options]
   * @param {number} [options.min=0] workers kept even when idle
   * @param {number} [options.max] most workers (default: number of cores)
   * @param {number} [options.idleTimeout=10000] ms an idle worker above min
   *   lives (Infinity: forever)
   * @param {number} [options.maxQueue=Infinity] jobs that may wait for a
   *   worker; further submissions wait for room (0: no queue)
   * @param {number} [options.cancelGrace=1000] ms a cancelled running job
   *   has to stop before its worker is terminated and replaced
   * @param {string | URL} [options.module] default module of JS jobs
   * @param {(string | URL)[]} [options.preload] modules every worker
   *   imports when it starts (warm-up)
   * @param {number} [options.stackSize=262144] C stack of a C job (bytes)
   * @param {string} [options.name='wasyncio'] worker name prefix
   * @param {number} [options.memoryLimitMb] per worker: its wasm memories
   *   cannot grow past this (malloc in a C job returns NULL), and in Node its
   *   JS heap is capped too (worker_threads resourceLimits; past it the
   *   worker ends and its job fails with EABORTED). Browsers offer no JS
   *   heap limit per worker.
   * @param {(error: Error) => void} [options.onStrayError] called with an
   *   error a job left behind (a timer that threw, an unhandled rejection);
   *   no job fails for it, the worker is replaced. Default: console.error.
   */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('WorkerPool(options): options must be an object');
    const {
      min = 0, max = Math.max(min, cpuCount()), idleTimeout = 10000, maxQueue = Infinity, cancelGrace = 1000,
      module, preload = [], stackSize = 256 * 1024, name = 'wasyncio', memoryLimitMb, onStrayError,
    } = options;
    if (memoryLimitMb !== undefined && !(Number.isInteger(memoryLimitMb) && memoryLimitMb >= 16 && memoryLimitMb <= 65536)) {
      throw new RangeError('WorkerPool: options.memoryLimitMb must be an integer in [16, 65536]');
    }
    if (onStrayError !== undefined && typeof onStrayError !== 'function') throw new TypeError('WorkerPool: options.onStrayError must be a function');
    checkCount(min, 'min', 0);
    checkCount(max, 'max', 1);
    if (max < min) throw new RangeError(`WorkerPool: options.max (${max}) must be >= options.min (${min})`);
    checkMs(idleTimeout, 'idleTimeout');
    if (maxQueue !== Infinity) checkCount(maxQueue, 'maxQueue', 0);
    checkMs(cancelGrace, 'cancelGrace');
    if (!Number.isInteger(stackSize) || stackSize < 4096 || stackSize > 0x40000000) throw new RangeError('WorkerPool: options.stackSize must be an integer in [4096, 2^30]');
    if (typeof name !== 'string') throw new TypeError('WorkerPool: options.name must be a string');
    if (!Array.isArray(preload)) throw new TypeError('WorkerPool: options.preload must be an array of module URLs');
    /** @internal */ this._id = nextPoolId++;
    /** @internal */ this._o = {
      min, max, idleTimeout, maxQueue, cancelGrace, stackSize, name, memoryLimitMb, onStrayError,
      module: module === undefined ? undefined : moduleHref(module, 'WorkerPool: options.module'),
      preload: preload.map((m, i) => moduleHref(m, `WorkerPool: options.preload[${i}]`)),
    };
    /** @internal */ this._waiting = new Fifo();
    /** @internal */ this._queue = new Fifo();
    /** @internal */ this._workers = new Set();
    /** @internal */ this._nextWorker = 1;
    /** @internal */ this._closed = false;
    /** @internal */ this._shutdown = null;
    /** @internal */ this._startFailures = 0;
    /** @internal no worker start before this time (Date.now() ms): backoff after a failed start */ this._spawnAfter = 0;
    /** @internal a timer that pumps once the backoff is over */ this._spawnTimer = null;
    /** @internal the last start sequence failed: start workers only for new submissions */ this._startGaveUp = false;
    /** @internal */ this._pumping = false;
    /** @internal */ this._counts = { completed: 0, failed: 0, cancelled: 0, crashed: 0, started: 0, strayErrors: 0 };
    this._pump();
  }

  /** The options in force (read-only copy). */
  get options() { return { ...this._o, preload: [...this._o.preload] }; }

  /** True after shutdown(). */
  get closed() { return this._closed; }

  /**
   * Run the JS function exported as `name` by a module in a worker:
   * `fn.apply({ signal, id }, args)`; its (awaited) result comes back by
   * structured clone. Wrap an argument in transfer() to move its buffer.
   * @param {string} name export name
   * @param {unknown[]} [args]
   * @param {{ module?: string | URL, signal?: AbortSignal }} [options]
   *   module: default options.module of the pool
   * @returns {PoolOp}
   */
  run(name, args = [], options = {}) {
    const spec = this._jsSpec(name, args, options, 'run');
    return new PoolOp(this._submitOrFail(spec, options.signal), 'run');
  }

  /**
   * Like run(), but the awaitable resolves to a Job as soon as the job is
   * accepted into the queue: while the queue is full, it waits
   * (backpressure). `await job.result()` for the outcome.
   * @param {string} name
   * @param {unknown[]} [args]
   * @param {{ module?: string | URL, signal?: AbortSignal }} [options]
   * @returns {PoolOp}
   */
  submit(name, args = [], options = {}) {
    const spec = this._jsSpec(name, args, options, 'submit');
    return new PoolOp(this._submitOrFail(spec, options.signal), 'submit');
  }

  /** @internal submit; a job refused (pool shut down) is a failed job */
  _submitOrFail(spec, signal) {
    try {
      return this._submit(spec, signal);
    } catch (e) {
      const rec = new PoolJob(this, spec);
      rec._settle({ ok: false, error: e });
      return rec;
    }
  }

  /** @internal */
  _jsSpec(name, args, options, where) {
    if (typeof name !== 'string' || !name) throw new TypeError(`pool.${where}(name, args): name must be a non-empty string`);
    if (!Array.isArray(args)) throw new TypeError(`pool.${where}(name, args): args must be an array`);
    if (options === null || typeof options !== 'object') throw new TypeError(`pool.${where}: options must be an object`);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError(`pool.${where}: options.signal must be an AbortSignal`);
    const mod = options.module !== undefined ? moduleHref(options.module, `pool.${where}: options.module`) : this._o.module;
    if (!mod) throw new TypeError(`pool.${where}: no module: pass options.module or create the pool with options.module`);
    return { kind: 'js', module: mod, name, args };
  }

  /**
   * Shut the pool down: no new jobs (submissions fail with a WasyncioError
   * whose code is ESHUTDOWN); with cancelPending, jobs not yet running are
   * cancelled; the others finish; then the workers exit. Every job settles.
   * @param {{ wait?: boolean, cancelPending?: boolean }} [options]
   *   wait (default true): resolve once every job is done and every worker
   *   has exited; false: resolve at once.
   * @returns {Promise<void>}
   */
  shutdown(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('shutdown(options): options must be an object');
    const { wait = true, cancelPending = false } = options;
    if (!this._closed) {
      this._closed = true;
      let resolve;
      const p = new Promise((r) => (resolve = r));
      this._shutdown = { promise: p, resolve };
      for (const w of this._workers) this._clearIdle(w);
    }
    if (cancelPending) {
      const err = () => new CancelledError('the WorkerPool was shut down');
      for (const rec of this._waiting.drain()) this._finish(rec, { ok: false, error: err(), cancelled: true });
      for (const rec of this._queue.drain()) this._finish(rec, { ok: false, error: err(), cancelled: true });
    }
    this._pump();
    return wait ? this._shutdown.promise : Promise.resolve();
  }

  /** `await using pool = new WorkerPool()`: shutdown() on dispose. */
  [Symbol.asyncDispose]() { return this.shutdown(); }

  /** `<WorkerPool "name" workers=2 busy=1 queued=0>` */
  toString() {
    const s = this.stats();
    return `<WorkerPool ${JSON.stringify(this._o.name)}${this._closed ? ' closed' : ''} workers=${s.workers} busy=${s.busy} queued=${s.queued}>`;
  }

  /** What console.log shows in Node (not the workers' internals). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  /** Counts for monitoring and leak checks. */
  stats() {
    let idle = 0, busy = 0, starting = 0, running = 0;
    for (const w of this._workers) {
      if (w.state === 'starting') starting++;
      else if (w.jobs.length) busy++;
      else idle++;
      running += w.jobs.length;
    }
    return {
      workers: this._workers.size, idle, busy, starting,
      queued: this._queue.length, waiting: this._waiting.length, running,
      ...this._counts,
    };
  }

  // ---------------------------------------------------------------------
  // Internals
  // ---------------------------------------------------------------------

  /** @internal spec for a C job of a runtime's wasm module */
  _cSpec(M, fn, input) {
    const module = M.wasyncioWasmModule;
    const glue = M.wasyncioGlueUrl;
    if (!(module instanceof WebAssembly.Module) || typeof glue !== 'string') {
      throw new TypeError('runInExecutor: the runtime\'s module was not loaded with loadModule() (no compiled module to send to workers)');
    }
    let key = wasmKeys.get(module);
    if (!key) wasmKeys.set(module, (key = nextWasmKey++));
    return { kind: 'c', wasm: { key, module, glue }, fn, input };
  }

  /** @internal create a job record and queue it (throws if closed) */
  _submit(spec, signal) {
    if (this._closed) throw new WasyncioError('the WorkerPool was shut down: it takes no new jobs', codes.ESHUTDOWN);
    this._startGaveUp = false; // a new submission may try to start workers again
    const rec = new PoolJob(this, spec);
    if (signal) {
      const reason = () => {
        const r = signal.reason;
        return r instanceof CancelledError ? r.message : r instanceof Error ? r.message : String(r ?? '');
      };
      if (signal.aborted) {
        rec._settle({ ok: false, error: new CancelledError(reason()), cancelled: true });
        this._counts.cancelled++;
        return rec;
      }
      rec.signal = signal;
      rec.onAbort = () => rec.cancel(reason());
      signal.addEventListener('abort', rec.onAbort, { once: true });
    }
    this._waiting.push(rec);
    this._pump();
    return rec;
  }

  /** @internal */
  _cancel(rec, msg) {
    if (rec.state === W_DONE) return false;
    const err = new CancelledError(msg ?? '');
    if (rec.state === W_WAITING) {
      this._waiting.remove(rec);
      this._finish(rec, { ok: false, error: err, cancelled: true });
    } else if (rec.state === W_QUEUED) {
      this._queue.remove(rec);
      this._finish(rec, { ok: false, error: err, cancelled: true });
    } else {
      const w = rec.worker;
      this._finish(rec, { ok: false, error: err, cancelled: true });
      rec.state = W_DONE;
      if (w && w.state !== 'dead') {
        rec.cancelledRunning = true;
        try { w.host.post({ t: 'cancel', id: rec.id }); } catch { /* ended */ }
        if (!w.killTimer) {
          w.killTimer = setTimeout(() => {
            w.killTimer = null;
            if (w.jobs.some((j) => j.cancelledRunning)) this._kill(w, null);
          }, this._o.cancelGrace);
          if (isNode) w.killTimer.unref?.();
        }
      }
    }
    this._pump();
    return true;
  }

  /** @internal settle a job and count it */
  _finish(rec, outcome) {
    if (!rec._settle(outcome)) return;
    if (outcome.ok) this._counts.completed++;
    else if (outcome.cancelled) this._counts.cancelled++;
    else this._counts.failed++;
  }

  /** @internal match jobs with workers; spawn and retire workers */
  _pump() {
    if (this._pumping) return;
    this._pumping = true;
    try {
      const o = this._o;
      // 1. give free workers work: queued jobs first, then waiting ones (a
      //    job that cannot be sent leaves its worker free for the next one)
      for (const w of this._workers) {
        while (w.state === 'ready' && !w.jobs.length && (this._queue.length || this._waiting.length)) {
          let rec = this._queue.shift();
          if (!rec) {
            rec = this._waiting.shift();
            rec._accept();
          }
          this._dispatch(w, rec);
        }
      }
      // 2. admit waiting submissions while there is room in the queue
      while (this._waiting.length && this._queue.length < o.maxQueue) {
        const rec = this._waiting.shift();
        rec.state = W_QUEUED;
        this._queue.push(rec);
        rec._accept();
      }
      // 3. spawn workers for work that has none (not during a backoff)
      const pending = this._queue.length + this._waiting.length;
      let starting = 0;
      for (const w of this._workers) if (w.state === 'starting') starting++;
      const wait = this._spawnAfter - Date.now();
      if (wait > 0) {
        if (pending > starting || this._workers.size < o.min) this._armSpawnTimer(wait);
      } else {
        while (pending > starting && this._workers.size < o.max) {
          this._spawn();
          starting++;
        }
        // bounded: a worker that cannot even be created must not loop forever
        for (let n = o.min; n > 0 && !this._closed && !this._startGaveUp && this._workers.size < o.min; n--) this._spawn();
      }
      // 4. idle workers: timers, refs; shutdown when nothing is left
      const nothingLeft = this._closed && !pending;
      for (const w of this._workers) {
        if (nothingLeft && (w.state === 'ready' || w.state === 'starting') && !w.jobs.length) this._retire(w);
        else if (w.state === 'ready' && !w.jobs.length) this._armIdle(w);
        this._syncRef(w, pending);
      }
      if (nothingLeft && this._workers.size === 0 && this._shutdown && !this._shutdown.done) {
        this._shutdown.done = true;
        this._shutdown.resolve();
      }
    } finally {
      this._pumping = false;
    }
  }

  /** @internal */
  _spawn() {
    const id = this._nextWorker++;
    const w = { id, state: 'starting', jobs: [], sent: new Set(), idleTimer: null, killTimer: null, refd: true, crash: null, retiring: false, host: null };
    this._workers.add(w);
    this._counts.started++;
    const sink = {
      message: (m) => this._onMessage(w, m),
      error: (e) => this._onError(w, e),
      exit: (code) => this._onExit(w, code),
    };
    try {
      w.host = new WorkerHost(`${this._o.name}-${this._id}.${id}`, sink, this._o.memoryLimitMb);
      w.host.post({ t: 'init', preload: this._o.preload, memoryLimitMb: this._o.memoryLimitMb });
    } catch (e) {
      this._workers.delete(w);
      this._startFailed(e);
    }
  }

  /**
   * @internal a worker ended before it was ready: start the next one after
   * a growing delay; after START_TRIES in a row, fail the jobs waiting for
   * a worker (no respawn loop)
   */
  _startFailed(err) {
    const n = ++this._startFailures;
    if (n < START_TRIES) {
      const delay = START_BACKOFF_MS * 2 ** (n - 1);
      this._spawnAfter = Date.now() + delay;
      this._armSpawnTimer(delay); // pump once the backoff is over
      return;
    }
    this._startFailures = 0;
    this._spawnAfter = 0;
    this._startGaveUp = true;
    const error = new WasyncioError(
      `WorkerPool: the worker ${workerHref()} could not start (${START_TRIES} tries): ${err?.message ?? err}`,
      codes.EABORTED, { cause: err });
    for (const rec of this._waiting.drain()) this._finish(rec, { ok: false, error });
    for (const rec of this._queue.drain()) this._finish(rec, { ok: false, error });
  }

  /** @internal pump again once a start backoff is over */
  _armSpawnTimer(ms) {
    if (this._spawnTimer) return;
    this._spawnTimer = setTimeout(() => {
      this._spawnTimer = null;
      this._pump();
    }, ms);
  }

  /** @internal */
  _syncRef(w, pending) {
    if (!isNode || !w.host || w.state === 'dead') return;
    // busy, starting for queued work, or ending (so Node waits for the
    // 'exit' that settles shutdown() and replaces crashed workers)
    const want = w.jobs.length > 0 || (w.state === 'starting' && pending > 0) ||
      w.state === 'retiring' || w.state === 'killing';
    if (want === w.refd) return;
    w.refd = want;
    if (want) w.host.ref();
    else w.host.unref();
  }

  /** @internal */
  _armIdle(w) {
    if (w.idleTimer || this._workers.size <= this._o.min || this._o.idleTimeout === Infinity) return;
    w.idleTimer = setTimeout(() => {
      w.idleTimer = null;
      if (w.state === 'ready' && !w.jobs.length && this._workers.size > this._o.min) {
        this._retire(w);
        this._pump();
      }
    }, this._o.idleTimeout);
    if (isNode) w.idleTimer.unref?.();
  }

  /** @internal */
  _clearIdle(w) {
    if (w.idleTimer) {
      clearTimeout(w.idleTimer);
      w.idleTimer = null;
    }
  }

  /** @internal end a worker that has nothing to do */
  _retire(w) {
    if (w.state === 'dead' || w.retiring) return;
    w.retiring = true;
    this._clearIdle(w);
    w.state = 'retiring';
    this._syncRef(w, 0);
    w.host.terminate();
  }

  /** @internal terminate a worker (cancelled job past its grace, or crashed) */
  _kill(w, reason) {
    if (w.state === 'dead') return;
    if (reason && !w.crash) w.crash = reason;
    w.state = 'killing';
    this._syncRef(w, 0);
    w.host.terminate();
  }

  /** @internal */
  _dispatch(w, rec) {
    this._clearIdle(w);
    rec.state = W_RUNNING;
    rec.worker = w;
    w.jobs.push(rec);
    const s = rec.spec;
    try {
      if (s.kind === 'js') {
        const [args, transfer] = unwrapArgs(s.args);
        w.host.post({ t: 'job', id: rec.id, kind: 'js', module: s.module, name: s.name, args }, transfer);
      } else {
        if (!w.sent.has(s.wasm.key)) {
          w.host.post({ t: 'wasm', key: s.wasm.key, module: s.wasm.module, glue: s.wasm.glue });
          w.sent.add(s.wasm.key);
        }
        const input = s.input;
        if (!input) {
          // moved to a worker that ended before starting it: cannot resend
          w.jobs.pop();
          this._finish(rec, { ok: false, error: new WasyncioError('the job\'s input was lost with its worker', codes.EABORTED) });
          return;
        }
        s.input = null; // moved to the worker
        w.host.post({ t: 'job', id: rec.id, kind: 'c', key: s.wasm.key, fn: s.fn, input, stack: this._o.stackSize }, [input]);
      }
    } catch (e) {
      // not cloneable (DataCloneError): the job fails, the worker is fine
      w.jobs.pop();
      const err = e instanceof Error && e.name === 'DataCloneError'
        ? new TypeError(`job arguments could not be sent to a worker: ${e.message}`, { cause: e }) : e;
      this._finish(rec, { ok: false, error: err });
    }
  }

  /** @internal */
  _onMessage(w, m) {
    if (w.state === 'dead') return;
    switch (m?.t) {
      case 'ready':
        if (w.state === 'starting') w.state = 'ready';
        w.ready = true;
        this._startFailures = 0;
        this._startGaveUp = false;
        break;
      case 'result': {
        const i = w.jobs.findIndex((j) => j.id === m.id);
        if (i < 0) break;
        const rec = w.jobs[i];
        w.jobs.splice(i, 1);
        if (!rec.outcome) this._finish(rec, this._outcome(m));
        if (w.killTimer && !w.jobs.some((j) => j.cancelledRunning)) {
          clearTimeout(w.killTimer);
          w.killTimer = null;
        }
        break;
      }
      case 'fatal':
        this._kill(w, m.message || 'the worker crashed');
        return;
      case 'closing':
        this._kill(w, 'the worker closed itself (self.close())');
        return;
      case 'stray': { // a job's leftover failed: report; no new job goes to w
        this._counts.strayErrors++;
        const job = m.running ? `while job ${m.running} ran` : `after job ${m.previous} ended`;
        const err = new WasyncioError(`WorkerPool: ${m.kind} in a worker ${job} (no job failed for it; the worker is replaced): ${m.message}`, codes.EFAILED);
        if (w.state === 'ready') w.state = 'retiring';
        try {
          (this._o.onStrayError ?? console.error)(err);
        } catch { /* a reporter's own failure is not ours */ }
        break;
      }
      case 'recycle': // its running job is done; the jobs it holds never started
        w.recycled = true;
        w.retiring = true;
        w.state = 'retiring';
        this._syncRef(w, 0);
        w.host.terminate();
        return;
      default:
        break;
    }
    this._pump();
  }

  /** @internal a worker's reply as an outcome */
  _outcome(m) {
    if (m.cancelled) return { ok: false, error: new CancelledError(''), cancelled: true };
    if (m.ok) return { ok: true, value: m.value };
    if (m.code !== undefined) return { ok: false, error: new WasyncioError(m.message || `C job failed with status ${m.code}`, m.code) };
    let e = m.error;
    if (!(e instanceof Error)) {
      const info = m.info || {};
      e = new Error(info.message ?? String(e));
      if (info.name) e.name = info.name;
      if (info.stack) e.stack = info.stack;
    }
    return { ok: false, error: e };
  }

  /** @internal */
  _onError(w, e) {
    if (w.state === 'dead') return;
    if (!w.crash) w.crash = `uncaught ${e?.name || 'Error'}: ${e?.message ?? e}`;
    // Browsers keep a worker alive after an uncaught error; Node ends it.
    // Either way it is not trusted again.
    this._kill(w, null);
  }

  /** @internal */
  _onExit(w, code) {
    if (w.state === 'dead') return;
    const wasStarting = !w.ready; // ended before it was ready (killed after a load error too)
    const intended = w.retiring || (w.state === 'killing' && !w.crash);
    w.state = 'dead';
    this._workers.delete(w);
    this._clearIdle(w);
    if (w.killTimer) {
      clearTimeout(w.killTimer);
      w.killTimer = null;
    }
    const jobs = w.jobs;
    w.jobs = [];
    if (!intended) {
      this._counts.crashed++;
      const why = w.crash || (code != null ? `the worker exited with code ${code}` : 'the worker was terminated');
      const running = jobs.shift();
      if (running && !running.outcome) {
        this._finish(running, {
          ok: false,
          error: new WasyncioError(`worker crashed while running the job: ${why}`, codes.EABORTED),
        });
      }
      if (wasStarting) this._startFailed(new Error(why));
      else this._startFailures = 0;
    } else if (!w.recycled) {
      jobs.shift(); // the cancelled job it was running, if any
    }
    // jobs sent after the one that was running never started: run them again
    const again = jobs.filter((j) => !j.outcome);
    for (const j of again) { j.state = W_QUEUED; j.worker = null; }
    if (again.length) this._queue.unshiftAll(again);
    this._pump();
  }
}

// ---------------------------------------------------------------------------
// The default pool
// ---------------------------------------------------------------------------

let theDefault = null;

/**
 * The default pool, behind toThread(), runInExecutor(null, ...) and C's
 * wa_to_thread() / wa_run_in_executor(NULL, ...): for blocking calls, sized
 * like asyncio's default executor (min 0, max = blockingWorkers() =
 * min(32, cores + 4)). Made on first use; after it is shut down, the next
 * use makes a new one.
 * @returns {WorkerPool}
 */
export function defaultPool() {
  if (!theDefault || theDefault.closed) theDefault = new WorkerPool({ name: 'wasyncio-default', max: blockingWorkers() });
  return theDefault;
}

/**
 * Replace the default pool (e.g. with other limits). The previous one is
 * not shut down.
 * @param {WorkerPool} pool
 */
export function setDefaultPool(pool) {
  if (!(pool instanceof WorkerPool)) throw new TypeError('setDefaultPool(pool): pool must be a WorkerPool');
  theDefault = pool;
}

export { BIND };
