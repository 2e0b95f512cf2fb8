// The JS face of the wasyncio runtime: one Runtime per wasm module instance.
// JS tasks are stackless C tasks whose step is a JS function, so C and JS
// tasks share one scheduler, one ready queue, one notion of cancellation.
//
// Two styles of JS task (see README "JS tasks"):
//  - generator functions (`function*`, `yield op`): asyncio's exact model.
//    The current task is known, cancellation is thrown in at the yield as a
//    CancelledError, and the pending operation is withdrawn.
//  - async functions (`async (task) => ...`): the task's AbortSignal
//    (`task.signal`) aborts on cancellation; operations given that signal
//    are withdrawn and reject with CancelledError.
import { compileWasm, instantiate, loadModule } from './loader.js';
import {
  CancelledError, InvalidStateError, WasyncioError, codes, errorFromStatus, messageOf, statusOf,
} from './errors.js';
import { Future, Handle, Task, STATES, SIGNAL_OWNER } from './futures.js';
import { Op, SleepOp, CallOp } from './ops.js';
import { ValueCodec } from './values.js';

const PENDING_STEP = 0x7fffffff;
const DEFAULT_GLUE = new URL('../dist/wasyncio.mjs', import.meta.url);
/** Runtime.create option (internal): the default module's factory, already imported. */
export const DEFAULT_FACTORY = Symbol.for('wasyncio.defaultFactory');
const ID_WRAPPER = 1;
const ID_OP = 2;
const RETURN_EXCEPTIONS = 1;
const BIND_HOOK = Symbol.for('wasyncio.bind');

const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);

function isThenable(v) {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
}

// The intrinsic %GeneratorPrototype%. Every `function*` literal has its own
// prototype object, so reading gen.next on generators from many different
// functions is a megamorphic lookup; calling the shared intrinsic methods
// directly is not.
const GeneratorFunctionPrototype = Object.getPrototypeOf(function* () {});
const GeneratorPrototype = GeneratorFunctionPrototype.prototype;
const genNext = GeneratorPrototype.next;
const genThrow = GeneratorPrototype.throw;

/** A native generator object (made by calling a function*). */
function isNativeGenerator(v) {
  return v !== null && typeof v === 'object' && GeneratorPrototype.isPrototypeOf(v);
}

function isGenerator(v) {
  if (v === null || typeof v !== 'object') return false;
  return isNativeGenerator(v) || (typeof v.next === 'function' && typeof v.throw === 'function');
}

function checkName(name, where) {
  if (name !== undefined && typeof name !== 'string') throw new TypeError(`${where}: options.name must be a string`);
}

/** A future whose result is computed from its children (gather). */
class GatheringFuture extends Future {}

/**
 * One runtime: a wasm module instance with the wasyncio loop in it.
 */
export class Runtime {
  /**
   * Load a module and attach a runtime to it.
   * @param {{ module?: string | URL, onError?: (err: unknown, context: object) => void,
   *           moduleOptions?: object, clock?: 'host' | 'virtual' }} [options]
   *   module: URL of the Emscripten glue (X.mjs next to X.wasm) of a module
   *   built by build.sh (default: the runtime in dist/); onError: where
   *   unretrieved task failures and callback errors go (default console.error);
   *   clock: 'virtual' for tests: time starts at 0 and, whenever nothing is
   *   ready, jumps to the next timer at once (see wa_loop_set_clock).
   * @returns {Promise<Runtime>}
   */
  static async create(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('Runtime.create(options): options must be an object');
    const { module, onError, moduleOptions, clock = 'host' } = options;
    if (onError !== undefined && typeof onError !== 'function') throw new TypeError('options.onError must be a function');
    if (clock !== 'host' && clock !== 'virtual') throw new RangeError("options.clock must be 'host' or 'virtual'");
    const url = module ?? DEFAULT_GLUE;
    if (!(typeof url === 'string' || url instanceof URL)) throw new TypeError('options.module must be a URL or a string');
    let M;
    if (url === DEFAULT_GLUE && options[DEFAULT_FACTORY]) {
      // the default runtime's glue is bundled with index.js: only the .wasm loads
      const mod = await compileWasm(new URL('../dist/wasyncio.wasm', import.meta.url));
      M = await instantiate(options[DEFAULT_FACTORY], mod, { wasyncioGlueUrl: DEFAULT_GLUE.href, ...moduleOptions });
    } else {
      M = await loadModule(url, { ...moduleOptions });
    }
    const rt = new Runtime(M, { onError });
    // wa_loop_set_clock: on 'virtual', time jumps to the next timer whenever
    // nothing is ready (and no fetch or worker job is in flight)
    if (clock === 'virtual') M._wa_loop_set_clock(1);
    return rt;
  }

  /**
   * @param {any} M an instantiated Emscripten module built by build.sh
   * @param {{ onError?: Function }} [options]
   */
  constructor(M, { onError } = {}) {
    if (!M || typeof M._wa__js_spawn !== 'function') {
      throw new TypeError('Runtime: not a wasyncio module (build it with build.sh)');
    }
    if (M.wasyncio) throw new InvalidStateError('this module already has a Runtime');
    /** The Emscripten module (exports are M._wa_...). */
    this.M = M;
    M.wasyncio = this;
    /** @internal */
    this._codec = new ValueCodec(M, {
      isFutureLike: (v) => v instanceof Future || v instanceof Op || isThenable(v),
      futureToC: (v) => this._startAwaitable(v, 'value').ptr,
      futureFromC: (ptr) => this._wrapPtr(ptr),
    });
    /** @internal */ this._cell = M._wa_js_malloc(16);
    /** @internal */ this._onError = onError || ((err, ctx) => console.error(`wasyncio: ${ctx.message}`, err));
    /** @internal jsid -> task record */ this._jsTasks = new Map();
    /** @internal */ this._nextJsid = 1;
    /** @internal C future -> Future view (while pending) */ this._wrappers = new Map();
    /** @internal C future -> op waiter (while pending) */ this._opWaiters = new Map();
    /** @internal callback id -> [fn, args] */ this._callbacks = new Map();
    /** @internal */ this._nextCallback = 1;
    /** @internal name -> JS function callable from C */ this._registry = new Map();
    /** @internal */ this._current = null;
    /** @internal failed futures nobody has looked at yet */ this._unretrievedRefs = new Set();
    /** @internal */
    this._finalizer = typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((rec) => this._reportUnretrieved(rec)) : null;
    /** @internal */ this._running = null;
  }

  // ---------------------------------------------------------------------
  // Loop
  // ---------------------------------------------------------------------

  /** Monotonic time in ms (performance.now() clock; with `clock: 'virtual'`, virtual time from 0). */
  time() {
    return this.M._wa_time();
  }

  /**
   * Call fn(...args) on the next loop iteration (FIFO).
   * @param {Function} fn
   * @returns {Handle}
   */
  callSoon(fn, ...args) {
    return this._schedule(0, 0, fn, args, 'callSoon');
  }

  /**
   * Call fn(...args) after ms.
   * @param {number} ms
   * @param {Function} fn
   * @returns {Handle}
   */
  callLater(ms, fn, ...args) {
    if (typeof ms !== 'number') throw new TypeError('callLater(ms, fn): ms must be a number');
    if (!(ms >= 0)) throw new RangeError(`callLater(ms, fn): ms must be >= 0, got ${ms}`);
    return this._schedule(1, ms, fn, args, 'callLater');
  }

  /**
   * Call fn(...args) at time `when` (a time() value).
   * @param {number} when
   * @param {Function} fn
   * @returns {Handle}
   */
  callAt(when, fn, ...args) {
    if (typeof when !== 'number') throw new TypeError('callAt(when, fn): when must be a number');
    if (Number.isNaN(when)) throw new RangeError('callAt(when, fn): when must not be NaN');
    return this._schedule(2, when, fn, args, 'callAt');
  }

  /** @internal */
  _schedule(mode, t, fn, args, where) {
    if (typeof fn !== 'function') throw new TypeError(`${where}(...): fn must be a function`);
    const id = this._nextCallback++;
    const rc = this.M._wa__js_schedule(id, mode, t, this._cell);
    if (rc !== 0) throw errorFromStatus(rc, `${where} failed`);
    const lo = this.M.HEAPU32[this._cell >> 2];
    const hi = this.M.HEAPU32[(this._cell + 4) >> 2];
    this._callbacks.set(id, [fn, args]);
    return new Handle(this, id, lo, hi, mode === 0 ? undefined : mode === 1 ? this.time() + t : t);
  }

  /** @internal */
  _cancelHandle(h) {
    if (this._callbacks.delete(h._id)) this.M._wa__js_handle_cancel(h._lo, h._hi);
  }

  /** @internal called by C: a callSoon/callLater/callAt callback is due */
  _callback(id) {
    const cb = this._callbacks.get(id);
    if (!cb) return;
    this._callbacks.delete(id);
    this._safeCall(cb[0], ...cb[1]);
  }

  /** @internal run user code from the loop without letting it break C */
  _safeCall(fn, ...args) {
    try {
      fn(...args);
    } catch (err) {
      this._report(err, { message: 'exception in callback ' + (fn.name || '(anonymous)') });
    }
  }

  /** @internal */
  _report(err, context) {
    try {
      this._onError(err, context);
    } catch (e) {
      console.error('wasyncio: onError threw', e);
    }
  }

  // ---------------------------------------------------------------------
  // Tasks
  // ---------------------------------------------------------------------

  /**
   * Start a task running fn on the scheduler.
   *
   * fn may be a generator function (asyncio's exact model: `yield` runtime
   * operations, tasks, futures or promises; cancellation is thrown in at
   * the yield), an async function (gets the Task; use `task.signal`), or a
   * plain function. Also accepted: a generator object, an operation, a
   * Future/Task, or a promise (the task awaits it).
   * @param {Function | Generator | PromiseLike<any>} fn
   * @param {{ name?: string, signal?: AbortSignal }} [options]
   * @returns {Task}
   */
  createTask(fn, options) {
    const { name, signal } = options ?? {};
    if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('createTask(fn, options): options must be an object');
    checkName(name, 'createTask');
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('createTask: options.signal must be an AbortSignal');
    let body;
    if (typeof fn === 'function') body = fn;
    else if (isGenerator(fn)) body = () => fn;
    else if (fn instanceof Op || fn instanceof Future || isThenable(fn)) body = function* awaitOne() { return yield fn; };
    else throw new TypeError('createTask(fn): fn must be a function, a generator, or an awaitable');
    if (fn instanceof Future && fn._rt !== this) throw new TypeError('createTask: the awaitable belongs to another runtime');

    const jsid = this._nextJsid++;
    const ptr = this._withString(name, (np) => this.M._wa__js_spawn(jsid, np));
    if (!ptr) throw new RangeError('createTask: out of wasm memory');
    const task = new Task(this, ptr, name);
    // the Task is also the record its steps work on (one object per task)
    task._jsid = jsid;
    task._fn = body;
    this._jsTasks.set(jsid, task);
    this._watch(task, ptr);
    if (signal) this._linkSignal(task, signal);
    return task;
  }

  /**
   * Start C coroutine `name` (exported with WA_EXPORT_CORO(name) in a module
   * loaded by Runtime.create({ module })) with arg (see values).
   * @param {string} name
   * @param {unknown} [arg]
   * @param {{ name?: string, stackSize?: number, signal?: AbortSignal }} [options]
   * @returns {Task}
   */
  spawnC(name, arg, options = {}) {
    if (typeof name !== 'string') throw new TypeError('spawnC(name): name must be a string');
    const getter = this.M['_wa_coro__' + name];
    if (typeof getter !== 'function') throw new TypeError(`spawnC: no C coroutine "${name}" in this module (export it with WA_EXPORT_CORO(${name}))`);
    checkName(options.name, 'spawnC');
    const stack = options.stackSize ?? 0;
    if (!Number.isInteger(stack) || stack < 0 || stack > 0x40000000) throw new RangeError('spawnC: options.stackSize must be an integer in [0, 2^30]');
    const vp = this._codec.toC(arg);
    const ptr = this._withString(options.name ?? name, (np) => this.M._wa__js_spawn_c(getter(), vp, np, stack));
    if (!ptr) {
      this._codec.free(vp);
      throw new RangeError('spawnC: out of wasm memory');
    }
    const task = this._wrapNew(ptr, true);
    if (options.signal) this._linkSignal(task, options.signal);
    return task;
  }

  /**
   * Make fn callable from C: wa_js_call(name, arg, &future). fn gets the
   * argument as a JS value and may return a value or a promise.
   * @param {string} name
   * @param {(arg: any) => any} fn
   */
  register(name, fn) {
    if (typeof name !== 'string' || !name) throw new TypeError('register(name, fn): name must be a non-empty string');
    if (typeof fn !== 'function') throw new TypeError('register(name, fn): fn must be a function');
    this._registry.set(name, fn);
  }

  /** A new pending Future. */
  createFuture() {
    const ptr = this.M._wa__js_future_new();
    if (!ptr) throw new RangeError('createFuture: out of wasm memory');
    const f = new Future(this, ptr);
    this._watch(f, ptr);
    return f;
  }

  /**
   * `sleep(ms, value)`: an operation that resolves with value after ms
   * (0: let other ready tasks run once).
   * @param {number} ms
   * @param {unknown} [value]
   * @param {{ signal?: AbortSignal }} [options]
   */
  sleep(ms, value, options) {
    if (ms === 0 && value === undefined && options === undefined) {
      if (!this._sleep0) {
        this._sleep0 = new SleepOp(this, 0);
        this._sleep0._shared = true;
      }
      return this._sleep0;
    }
    return new SleepOp(this, ms, value, options);
  }

  /**
   * asyncio.gather: `gather(a, b, c)` or `gather([a, b, c], { returnExceptions })`.
   * Resolves to the results in argument order. Without returnExceptions the
   * first failure rejects it at once (the others keep running); cancelling
   * it cancels every child.
   * @returns {Future}
   */
  gather(...args) {
    let aws = args;
    let opts = {};
    if (args.length && args[0] != null && typeof args[0] === 'object' && !isThenable(args[0]) &&
        !(args[0] instanceof Op) && typeof args[0][Symbol.iterator] === 'function') {
      aws = [...args[0]];
      opts = args[1] ?? {};
    } else if (args.length && this._isOptions(args[args.length - 1])) {
      opts = args[args.length - 1];
      aws = args.slice(0, -1);
    }
    if (opts === null || typeof opts !== 'object') throw new TypeError('gather: options must be an object');
    const flags = opts.returnExceptions ? RETURN_EXCEPTIONS : 0;
    const kids = aws.map((aw, i) => this._startAwaitable(aw, `gather: argument ${i}`));
    const M = this.M;
    const arr = M._wa_js_malloc(4 * Math.max(1, kids.length));
    try {
      for (let i = 0; i < kids.length; i++) M.HEAPU32[(arr >> 2) + i] = kids[i].ptr;
      const rc = M._wa_gather(this._cell, arr, kids.length, flags);
      if (rc !== 0) throw errorFromStatus(rc, 'gather failed');
    } catch (e) {
      for (const k of kids) M._wa_release(k.ptr);
      throw e;
    } finally {
      M._wa_js_free(arr);
    }
    const outer = M.HEAPU32[this._cell >> 2];
    const g = new GatheringFuture(this, outer);
    g._kids = kids; // our references are kept until the gather settles
    g._returnExceptions = !!flags;
    this._watch(g, outer);
    return g;
  }

  /** @internal plain options object (not an awaitable) */
  _isOptions(v) {
    return v !== null && typeof v === 'object' && !isThenable(v) && !(v instanceof Op) &&
      !isGenerator(v) && Object.getPrototypeOf(v) === Object.prototype;
  }

  /** The running task (during a JS or C task step), else null. */
  currentTask() {
    if (this._current) return this._current;
    const ptr = this.M._wa_current_task();
    return ptr ? this._wrapPtr(ptr) : null;
  }

  /** Every task not yet done (JS and C). */
  allTasks() {
    const M = this.M;
    const n = M._wa__js_all_tasks(0, 0);
    if (!n) return [];
    const arr = M._wa_js_malloc(4 * n);
    try {
      const got = Math.min(n, M._wa__js_all_tasks(arr, n));
      const out = [];
      for (let i = 0; i < got; i++) out.push(this._wrapPtr(M.HEAPU32[(arr >> 2) + i]));
      return out;
    } finally {
      M._wa_js_free(arr);
    }
  }

  /**
   * asyncio.run: run main as a task, then cancel and await every task still
   * alive; resolves with main's result or rejects with its error. Under
   * Node, a run that can never finish (nothing left that could wake it)
   * rejects with a WasyncioError (code EDEADLOCK) instead of hanging.
   * @param {Function | PromiseLike<any>} main
   * @param {{ name?: string }} [options]
   */
  async run(main, options = {}) {
    if (this._running) throw new InvalidStateError('run() cannot be called while another run() is in progress');
    const task = this.createTask(main, { name: options.name ?? 'main' });
    const state = { task, deadlock: false };
    this._running = state;
    const onBeforeExit = () => this._deadlock(state);
    if (isNode) process.on('beforeExit', onBeforeExit);
    try {
      let value;
      let error;
      let failed = false;
      try {
        value = await task;
      } catch (e) {
        failed = true;
        error = e;
      }
      await this._cancelLeftovers(task);
      if (state.deadlock) {
        throw new WasyncioError('deadlock: main was waiting for something that can never happen', codes.EDEADLOCK, failed ? { cause: error } : undefined);
      }
      if (failed) throw error;
      return value;
    } finally {
      if (isNode) process.removeListener('beforeExit', onBeforeExit);
      this._running = null;
      this._flushUnretrieved();
    }
  }

  /** @internal */
  async _cancelLeftovers(main) {
    for (let round = 0; round < 8; round++) {
      const left = this.allTasks().filter((t) => t !== main);
      if (!left.length) return;
      for (const t of left) t.cancel();
      await this.gather(left, { returnExceptions: true }).catch(() => {});
      for (const t of left) {
        if (t.done() && !t.cancelled() && t.exception() != null) {
          this._report(t.exception(), { message: `unhandled exception during run() shutdown in task "${t.name}"`, task: t });
        }
      }
    }
  }

  /** @internal Node is about to exit with the run unfinished */
  _deadlock(state) {
    if (this._running !== state) return;
    state.deadlock = true;
    for (const t of this.allTasks()) t.cancel('wasyncio: deadlock');
  }

  // ---------------------------------------------------------------------
  // Awaitables
  // ---------------------------------------------------------------------

  /**
   * A C future for any awaitable; the caller owns one reference.
   * @internal
   * @returns {{ ptr: number, aw: unknown }}
   */
  _startAwaitable(aw, where) {
    if (aw instanceof Op) {
      if (aw._rt !== this) throw new TypeError(`${where}: the operation belongs to another runtime`);
      aw._claim();
      return { ptr: aw._start(), aw };
    }
    if (aw instanceof Future) {
      if (aw._rt !== this) throw new TypeError(`${where}: the future belongs to another runtime`);
      // whoever awaits it now sees its error: not "never retrieved"
      aw._awaited = true;
      aw._markRetrieved();
      if (aw._ptr) return { ptr: this.M._wa_ref(aw._ptr), aw };
      return { ptr: this._materialize(aw), aw };
    }
    // Awaitables that become runtime operations when a task awaits them
    // (executor pool jobs: bindings/executor.js), so cancellation reaches them.
    if (aw !== null && typeof aw === 'object' && typeof aw[BIND_HOOK] === 'function') {
      return this._startAwaitable(aw[BIND_HOOK](this), where);
    }
    if (isThenable(aw)) return { ptr: this._promiseFuture(aw), aw };
    if (isGenerator(aw)) {
      const t = this.createTask(aw);
      return { ptr: this.M._wa_ref(t._ptr), aw: t };
    }
    throw new TypeError(`${where} is not awaitable (expected a Task, Future, runtime operation, promise or generator)`);
  }

  /** @internal a done C future standing for a settled view */
  _materialize(f) {
    const M = this.M;
    const ptr = M._wa__js_future_new();
    if (!ptr) throw new RangeError('out of wasm memory');
    if (f._state === STATES.FULFILLED) M._wa_future_set_value(ptr, this._codec.toC(f._value));
    else this._failPtr(ptr, f._error);
    return ptr;
  }

  /** @internal complete C future ptr with a JS error (kept as is for JS readers) */
  _failPtr(ptr, err) {
    if (err instanceof CancelledError) {
      this._withString(err.message, (mp) => this.M._wa__js_future_fail(ptr, codes.ECANCELLED, mp, 0));
      return;
    }
    const vp = this._codec.toC(err);
    this._withString(messageOf(err), (mp) => this.M._wa__js_future_fail(ptr, statusOf(err) || codes.EHOST, mp, vp));
  }

  /** @internal a C future completed by a promise */
  _promiseFuture(p) {
    const ptr = this.M._wa__js_future_new();
    if (!ptr) throw new RangeError('out of wasm memory');
    this.M._wa_ref(ptr); // held until the promise settles
    Promise.resolve(p).then(
      (v) => {
        if (this.M._wa__js_future_state(ptr) === 0) this.M._wa_future_set_value(ptr, this._codec.toC(v));
        this.M._wa_release(ptr);
      },
      (e) => {
        if (this.M._wa__js_future_state(ptr) === 0) this._failPtr(ptr, e);
        this.M._wa_release(ptr);
      },
    );
    return ptr;
  }

  /** @internal C sleep future */
  _sleepStart(ms) {
    const rc = this.M._wa_sleep_start(ms, this._cell);
    if (rc !== 0) throw errorFromStatus(rc, 'sleep failed');
    return this.M.HEAPU32[this._cell >> 2];
  }

  /**
   * Await an operation from async code: start it, honour its signal.
   * @internal
   */
  _runOp(op) {
    const signal = op._signal;
    if (signal?.aborted) return Promise.reject(this._abortError(signal));
    let ptr;
    try {
      ptr = op._start();
    } catch (e) {
      return Promise.reject(e);
    }
    if (op._eager && this.M._wa__js_future_state(ptr) !== 0) {
      // (sync.js) done at once: settle without a trip through the loop
      let out;
      try {
        out = op._outcome(this, ptr);
      } catch (e) {
        out = { ok: false, error: e };
      }
      this.M._wa_release(ptr);
      return out.ok ? Promise.resolve(out.value) : Promise.reject(out.error);
    }
    return new Promise((resolve, reject) => {
      const rec = { op, resolve, reject, signal, onAbort: null };
      if (signal) {
        rec.onAbort = () => {
          // the cancellation of the task owning this signal reached its body
          const owner = signal[SIGNAL_OWNER];
          const r = owner && owner._rt === this && this._jsTasks.get(owner._jsid);
          if (r) r._delivered = true;
          rec.abortReason = signal.reason;
          this._withString(this._abortMessage(signal), (mp) => this.M._wa_cancel(ptr, mp));
        };
        signal.addEventListener('abort', rec.onAbort, { once: true });
      }
      this._opWaiters.set(ptr, rec);
      const rc = this.M._wa__js_on_done(ptr, ID_OP);
      if (rc !== 0) {
        this._opWaiters.delete(ptr);
        if (rec.onAbort) signal.removeEventListener('abort', rec.onAbort);
        this.M._wa_cancel(ptr, 0);
        this.M._wa_release(ptr);
        reject(errorFromStatus(rc));
      }
    });
  }

  /** @internal */
  _abortError(signal) {
    const r = signal.reason;
    return r instanceof CancelledError ? r : new CancelledError(this._abortMessage(signal), { cause: r });
  }

  /** @internal */
  _abortMessage(signal) {
    const r = signal.reason;
    if (r instanceof Error) return r.message;
    return r === undefined ? '' : String(r);
  }

  // ---------------------------------------------------------------------
  // Views of C futures
  // ---------------------------------------------------------------------

  /** @internal watch a pending C future through its view (view owns one ref) */
  _watch(view, ptr) {
    this._wrappers.set(ptr, view);
    const rc = this.M._wa__js_on_done(ptr, ID_WRAPPER);
    if (rc !== 0) {
      this._wrappers.delete(ptr);
      throw errorFromStatus(rc);
    }
  }

  /** @internal a view for a C task we were handed a reference to */
  _wrapNew(ptr, isTask) {
    const view = isTask ? new Task(this, ptr, undefined) : new Future(this, ptr);
    if (isTask) this.M._wa__js_watch_cancel(ptr);
    if (this.M._wa__js_future_state(ptr) !== 0) {
      // already done: read the outcome now
      this._syncView(view);
      view._fire();
      this.M._wa_release(ptr);
      return view;
    }
    this._watch(view, ptr);
    return view;
  }

  /** @internal the view of a live C future (borrowed pointer) */
  _wrapPtr(ptr) {
    const v = this._wrappers.get(ptr);
    if (v) return v;
    return this._wrapNew(this.M._wa_ref(ptr), this.M._wa_is_task(ptr) !== 0);
  }

  /** @internal called by C when a watched future is done */
  _done(ptr, id) {
    if (id === ID_WRAPPER) {
      const view = this._wrappers.get(ptr);
      if (view) this._settleView(view, ptr);
    } else if (id === ID_OP) {
      const rec = this._opWaiters.get(ptr);
      if (!rec) return;
      this._opWaiters.delete(ptr);
      if (rec.onAbort) rec.signal.removeEventListener('abort', rec.onAbort);
      let out;
      try {
        out = rec.op._outcome(this, ptr);
      } catch (e) {
        out = { ok: false, error: e };
      }
      this.M._wa_release(ptr);
      if (out.ok) {
        rec.resolve(out.value);
      } else if (out.cancelled && rec.abortReason !== undefined) {
        rec.reject(this._abortError(rec.signal));
      } else {
        rec.reject(out.error);
      }
    }
  }

  /** @internal the C future of a pending view is done: record its outcome */
  _syncView(view) {
    const ptr = view._ptr;
    if (this.M._wa__js_future_state(ptr) === 0) return;
    let out;
    if (view instanceof GatheringFuture) out = this._gatherOutcome(view, ptr);
    else if (view._customOutcome !== undefined) out = view._customOutcome(ptr); // combinators.js (shield)
    else out = this._readOutcome(ptr);
    view._record(out.ok, out.value, out.error, !!out.cancelled);
  }

  /** @internal done callback of a watched future: record, then fire */
  _settleView(view, ptr) {
    this._wrappers.delete(ptr);
    // a JS task cancelled before its first step never ran _finish
    if (view._jsid) this._jsTasks.delete(view._jsid);
    // the outcome is read (or was set by JS): JS reports unretrieved failures, not C
    this.M._wa_future_status(ptr);
    if (view._state === STATES.PENDING) this._syncView(view);
    if (view instanceof GatheringFuture && view._kids) {
      for (const k of view._kids) this.M._wa_release(k.ptr);
      view._kids = null;
    }
    view._fire();
    this.M._wa_release(ptr);
  }

  /** @internal results of a gather, in order, from its children */
  _gatherOutcome(g, ptr) {
    const st = this.M._wa_future_status(ptr);
    if (st === codes.ECANCELLED) return this._readOutcome(ptr);
    if (st !== 0) {
      // the first child that failed, with its own error object
      for (const k of g._kids) {
        const o = this._outcomeOf(k);
        if (o && !o.ok && this.M._wa_future_status(k.ptr) === st) return o;
      }
      return this._readOutcome(ptr);
    }
    const values = g._kids.map((k) => {
      const o = this._outcomeOf(k);
      return o.ok ? o.value : o.error;
    });
    return { ok: true, value: values };
  }

  /** @internal outcome of a started awaitable (read once), preferring the
   * JS view's; null while its C future is pending */
  _outcomeOf(k) {
    if (k.outcome) return k.outcome;
    const aw = k.aw;
    if (aw instanceof Future) aw._sync();
    if (aw instanceof Future && aw._state !== STATES.PENDING) {
      return aw._state === STATES.FULFILLED
        ? { ok: true, value: aw._value }
        : { ok: false, error: aw._error, cancelled: aw._state === STATES.CANCELLED };
    }
    if (this.M._wa__js_future_state(k.ptr) === 0) return null;
    let out;
    if (aw instanceof Op) {
      try {
        out = aw._outcome(this, k.ptr);
      } catch (e) {
        out = { ok: false, error: e };
      }
    } else {
      out = this._readOutcome(k.ptr);
    }
    k.outcome = out;
    return out;
  }

  /**
   * Outcome of a done C future as JS values.
   * @internal
   */
  _readOutcome(ptr) {
    const M = this.M;
    const st = M._wa_future_status(ptr);
    if (st === 0) {
      const vp = M._wa_future_value(ptr);
      if (vp) return { ok: true, value: this._codec.fromC(vp) };
      const raw = M._wa__js_future_raw(ptr);
      return { ok: true, value: raw === 0 ? undefined : raw };
    }
    const mp = M._wa_future_message(ptr);
    const msg = mp ? M.UTF8ToString(mp) : '';
    if (st === codes.ECANCELLED) return { ok: false, error: new CancelledError(msg), cancelled: true };
    const ev = M._wa__js_future_error_value(ptr);
    return { ok: false, error: ev ? this._codec.fromC(ev) : errorFromStatus(st, msg) };
  }

  /** @internal */
  _cancelPtr(ptr, msg) {
    if (!ptr) return 0;
    return this._withString(msg, (mp) => this.M._wa_cancel(ptr, mp));
  }

  /** @internal called by C: task ptr got a cancel request */
  _cancelled(ptr) {
    const view = this._wrappers.get(ptr);
    if (!(view instanceof Task)) return;
    const mp = this.M._wa__js_cancel_msg(ptr);
    const msg = mp ? this.M.UTF8ToString(mp) : '';
    // combinators.js: the own cancellation of a timeout scope or task group
    // aborts that scope's signal, not the task's
    if (this._scopeCancel !== undefined && this._scopeCancel(view, msg)) return;
    view._onCancelRequested(msg);
  }

  /** @internal */
  _setFutureResult(f, value) {
    if (f instanceof Task) throw new InvalidStateError('a task sets its own result');
    if (f.done()) throw new InvalidStateError('the future is already done');
    const vp = this._codec.toC(value);
    const rc = this.M._wa_future_set_value(f._ptr, vp);
    if (rc !== 0) {
      this._codec.free(vp);
      throw errorFromStatus(rc, 'setResult failed');
    }
    f._record(true, value);
  }

  /** @internal */
  _setFutureError(f, error) {
    if (f instanceof Task) throw new InvalidStateError('a task sets its own exception');
    if (f.done()) throw new InvalidStateError('the future is already done');
    this._failPtr(f._ptr, error);
    f._record(false, undefined, error, error instanceof CancelledError);
  }

  /** @internal */
  _taskName(ptr) {
    const p = this.M._wa_task_name(ptr);
    return p ? this.M.UTF8ToString(p) : undefined;
  }

  /** @internal the name to keep after the C task is gone: a string, or the
   * task number for the default "Task-<n>" (formatted only when asked) */
  _finalTaskName(ptr) {
    const p = this.M._wa__js_task_name_raw(ptr);
    return p ? this.M.UTF8ToString(p) : this.M._wa__js_task_number(ptr);
  }

  /** @internal */
  _setTaskName(ptr, name) {
    const rc = this._withString(name, (np) => this.M._wa_task_set_name(ptr, np));
    if (rc !== 0) throw errorFromStatus(rc, 'renaming the task failed');
  }

  /** @internal */
  _cancelling(ptr) {
    return this.M._wa_task_cancelling(ptr);
  }

  /** @internal */
  _uncancel(ptr) {
    return this.M._wa_task_uncancel(ptr);
  }

  /** @internal cancel a task when signal aborts */
  _linkSignal(task, signal) {
    if (!(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
    const onAbort = () => task.cancel(this._abortMessage(signal));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    task.addDoneCallback(() => signal.removeEventListener('abort', onAbort));
  }

  // ---------------------------------------------------------------------
  // Stepping JS tasks (called by the C scheduler)
  // ---------------------------------------------------------------------

  /** @internal returns WA_PENDING or the task's final status */
  _step(jsid, status) {
    const r = this._jsTasks.get(jsid);
    if (!r) return codes.EHOST;
    const prev = this._current;
    this._current = r;
    try {
      if (r._kind === 0) return this._firstStep(r);
      if (r._kind === 1) return this._stepGen(r, status);
      return this._stepAsync(r, status);
    } catch (e) {
      // a bug in the bindings, never user code: fail the task loudly
      return this._finish(r, { ok: false, error: e });
    } finally {
      this._current = prev;
    }
  }

  /** @internal */
  _firstStep(r) {
    let ret;
    try {
      ret = r._fn.call(undefined, r);
    } catch (e) {
      return this._finish(r, { ok: false, error: e });
    }
    if (Object.getPrototypeOf(r._fn) === GeneratorFunctionPrototype || isGenerator(ret)) {
      r._kind = 1;
      r._gen = ret;
      r._native = isNativeGenerator(ret);
      return this._driveGen(r, false, undefined);
    }
    if (isThenable(ret)) {
      r._kind = 2;
      const body = this.M._wa__js_body_future();
      if (!body) return this._finish(r, { ok: false, error: new RangeError('out of wasm memory') });
      r._body = body;
      r._bodyOutcome = null;
      Promise.resolve(ret).then(
        (value) => this._bodySettled(r, { ok: true, value }),
        (error) => this._bodySettled(r, { ok: false, error }),
      );
      const rc = this.M._wa_step_await(body);
      if (rc !== 0) return this._finish(r, { ok: false, error: errorFromStatus(rc) });
      return PENDING_STEP;
    }
    return this._finish(r, { ok: true, value: ret });
  }

  /** @internal the promise of an async task settled */
  _bodySettled(r, outcome) {
    r._bodyOutcome = outcome;
    this.M._wa_future_set_result(r._body, 0, 0);
  }

  /** @internal */
  _stepAsync(r, status) {
    const out = r._bodyOutcome;
    this.M._wa_release(r._body);
    r._body = 0;
    if (status === codes.ECANCELLED && out.ok && !r._delivered) {
      // cancelled, and the body never saw it: asyncio ends the task cancelled
      const mp = this.M._wa__js_cancel_msg(r._ptr);
      return this._finish(r, { ok: false, error: new CancelledError(mp ? this.M.UTF8ToString(mp) : '') });
    }
    return this._finish(r, out);
  }

  /** @internal resume a generator task with the outcome of its wait */
  _stepGen(r, status) {
    const aw = r._awaiting;
    r._awaiting = null;
    if (aw instanceof SleepOp) {
      return status === 0 ? this._driveGen(r, false, aw._value) : this._driveGen(r, true, this._cancelError(r));
    }
    let out;
    {
      const fstate = this.M._wa__js_future_state(aw.ptr);
      // always read an operation's outcome: it may hold resources to free
      out = this._outcomeOf(aw) ?? { ok: false, error: new InvalidStateError('woken before the awaited future was done') };
      if (status === codes.ECANCELLED && fstate !== 3 /* the task, not the future, was cancelled */) {
        if (out.ok && aw.aw instanceof Op && aw.aw._lateCancel) {
          // (sync.js) the scheduler's rollback could not hand the outcome
          // back (a put item a getter already took): the task keeps it and
          // gets the cancellation at its next wait, as C coroutines do
          aw.aw._lateCancel(r);
        } else {
          if (out.ok && aw.aw instanceof Op) aw.aw._discard?.(out.value);
          out = { ok: false, error: this._cancelError(r) };
        }
      }
      this.M._wa_release(aw.ptr);
    }
    return out.ok ? this._driveGen(r, false, out.value) : this._driveGen(r, true, out.error);
  }

  /** @internal */
  _cancelError(r) {
    const mp = this.M._wa__js_cancel_msg(r._ptr);
    return new CancelledError(mp ? this.M.UTF8ToString(mp) : '');
  }

  /** @internal run the generator to its next wait */
  _driveGen(r, isThrow, arg) {
    const M = this.M;
    for (;;) {
      let res;
      try {
        if (r._native) res = isThrow ? genThrow.call(r._gen, arg) : genNext.call(r._gen, arg);
        else res = isThrow ? r._gen.throw(arg) : r._gen.next(arg);
      } catch (e) {
        return this._finish(r, { ok: false, error: e });
      }
      if (res.done) return this._finish(r, { ok: true, value: res.value });
      const y = res.value;
      if (y instanceof SleepOp && y._rt === this && !y._signal) {
        if (y._started && !y._shared) {
          isThrow = true;
          arg = new TypeError('SleepOp was already awaited; create a new one');
          continue;
        }
        y._started = true;
        const rc = M._wa_step_sleep(y._ms);
        if (rc !== 0) {
          isThrow = true;
          arg = errorFromStatus(rc);
          continue;
        }
        r._awaiting = y;
        return PENDING_STEP;
      }
      let k;
      try {
        k = this._startAwaitable(y, 'yield');
      } catch (e) {
        isThrow = true;
        arg = e;
        continue;
      }
      if (y instanceof Op && y._eager && M._wa__js_future_state(k.ptr) !== 0) {
        // (sync.js) done at once (a free lock, an item in the queue): go on
        // without suspending, as an asyncio coroutine and the C forms do
        const out = this._outcomeOf(k);
        M._wa_release(k.ptr);
        isThrow = !out.ok;
        arg = out.ok ? out.value : out.error;
        continue;
      }
      const rc = M._wa_step_await(k.ptr);
      if (rc !== 0) {
        M._wa_release(k.ptr);
        isThrow = true;
        arg = errorFromStatus(rc);
        continue;
      }
      r._awaiting = k;
      return PENDING_STEP;
    }
  }

  /** @internal end a JS task from inside its step; returns the status */
  _finish(r, out) {
    const M = this.M;
    this._jsTasks.delete(r._jsid);
    // the view's outcome is the JS value itself (identity kept); C gets a copy
    r._record(out.ok, out.value, out.error, !out.ok && out.error instanceof CancelledError);
    if (out.ok) {
      const vp = this._codec.toC(out.value);
      M._wa_return_value(vp);
      return 0;
    }
    const err = out.error;
    const code = err instanceof CancelledError ? codes.ECANCELLED : statusOf(err) || codes.EHOST;
    this._withString(err instanceof CancelledError ? err.message : messageOf(err), (mp) => M._wa__js_fail(code, mp));
    return code;
  }

  // ---------------------------------------------------------------------
  // C calling JS
  // ---------------------------------------------------------------------

  /** @internal wa_js_call(name, arg, future) */
  _callFromC(namePtr, argPtr, fptr) {
    const name = this.M.UTF8ToString(namePtr);
    const fn = this._registry.get(name);
    if (!fn) return codes.EINVAL;
    const arg = this._codec.fromC(argPtr);
    this.M._wa_ref(fptr);
    const settle = (ok, v) => {
      if (this.M._wa__js_future_state(fptr) === 0) {
        if (ok) this.M._wa_future_set_value(fptr, this._codec.toC(v));
        else this._failPtr(fptr, v);
      }
      this.M._wa_release(fptr);
    };
    let ret;
    try {
      ret = fn(arg);
    } catch (e) {
      settle(false, e);
      return 0;
    }
    if (ret instanceof Future || ret instanceof Op) ret = ret.then ? Promise.resolve(ret) : ret;
    if (isThenable(ret)) Promise.resolve(ret).then((v) => settle(true, v), (e) => settle(false, e));
    else settle(true, ret);
    return 0;
  }

  /** @internal C reports a failure nobody retrieved (a C-only future) */
  _hostReport(text) {
    this._report(new WasyncioError(text.replace(/^wasyncio: /, ''), codes.EFAILED), { message: 'C runtime report' });
  }

  /** @internal */
  _releaseHandle(h) {
    this._codec.release(h);
  }

  // ---------------------------------------------------------------------
  // Unretrieved failures
  // ---------------------------------------------------------------------

  /** @internal a view failed and nobody has looked at the error yet */
  _unretrieved(view) {
    const rec = { error: view._error, name: view instanceof Task ? view.name : undefined, done: false };
    view._unretrievedRec = rec;
    this._finalizer?.register(view, rec, rec);
    this._unretrievedRefs.add(new WeakRef(view));
  }

  /** @internal */
  _retrieved(view) {
    const rec = view._unretrievedRec;
    if (!rec) return;
    rec.done = true;
    this._finalizer?.unregister(rec);
  }

  /** @internal */
  _reportUnretrieved(rec) {
    if (rec.done) return;
    rec.done = true;
    const what = rec.name !== undefined ? `Task "${rec.name}"` : 'Future';
    this._report(rec.error, { message: `${what} exception was never retrieved` });
  }

  /** @internal report failures still unretrieved (end of run, exit) */
  _flushUnretrieved() {
    for (const ref of this._unretrievedRefs) {
      const v = ref.deref();
      if (v && v._unretrievedRec && !v._retrieved) {
        this._finalizer?.unregister(v._unretrievedRec);
        this._reportUnretrieved(v._unretrievedRec);
      }
    }
    this._unretrievedRefs.clear();
  }

  // ---------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------

  /** @internal call fn with a temporary C string (0 for undefined) */
  _withString(s, fn) {
    if (s === undefined || s === null) return fn(0);
    const M = this.M;
    const n = M.lengthBytesUTF8(s) + 1;
    const p = M._wa_js_malloc(n);
    if (!p) throw new RangeError('out of wasm memory');
    try {
      M.stringToUTF8(s, p, n);
      return fn(p);
    } finally {
      M._wa_js_free(p);
    }
  }

  /**
   * Live object counts from the C runtime (futures, tasks, handles ...)
   * plus the JS side's tables, for leak checks.
   */
  stats() {
    const M = this.M;
    const p = M._wa_js_malloc(64);
    try {
      M._wa_get_stats(p);
      const u = (i) => M.HEAPU32[(p >> 2) + i];
      return {
        futures: u(0), tasks: u(1), handles: u(2), ready: u(3),
        stacksInUse: u(4), stacksPooled: u(5), stackBytes: u(6),
        jsTasks: this._jsTasks.size, views: this._wrappers.size, opWaiters: this._opWaiters.size,
        callbacks: this._callbacks.size, jsHandles: this._codec.handles.size,
        wasmBytes: M.HEAPU8.length,
      };
    } finally {
      M._wa_js_free(p);
    }
  }
}

export { CallOp };
