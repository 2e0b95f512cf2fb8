// The JS face of the wasyncio runtime: one Runtime per wasm module instance.
// JS tasks are stackless C tasks whose step is JS, so C and JS tasks share
// one scheduler, one ready queue, one notion of cancellation.
//
// This file loads a module and is the public API; each method hands over to
// the part that owns the concept:
//   bridge.js      every C -> JS and JS -> C call
//   loop.js        time, callSoon / callLater / callAt
//   views.js       the JS views (Future, Task: futures.js) of C futures
//   tasks.js       JS tasks: creating them, driving their steps
//   awaitables.js  what can be awaited, as C futures
//   async_ops.js   operations awaited from async code
//   ops.js         runtime operations (sleep, ...) and their contract
//   gather.js, wait.js, shield.js, as_completed.js, scopes.js, timeout.js,
//   taskgroup.js   the combinators
//   run.js         run(); unretrieved.js: failures nobody looked at
//   sync.js, queue.js, fetch.js, executor.js, trace.js: the rest of the API
import { compileWasm, instantiate, loadModule } from './loader.js';
import { configuredAsset, lockAssets } from './assets.js';
import { InvalidStateError } from './errors.js';
import { IS_RUNTIME } from './defaults.js';
import { Memory, cFunctions, fromC } from './bridge.js';
import { ValueCodec } from './values.js';
import { layout } from './constants.js';
import { Loop } from './loop.js';
import { Views } from './views.js';
import { Tasks } from './tasks.js';
import { Awaitables } from './awaitables.js';
import { AsyncOps } from './async_ops.js';
import { Future, Task, KIND_ASYNC, KIND_NEW } from './futures.js';
import { Op, SleepOp } from './ops.js';
import { isThenable } from './kinds.js';
import { Calls } from './calls.js';
import { Unretrieved } from './unretrieved.js';
import { Runner } from './run.js';
import { Debug, stackOf } from './debug.js';
import { Trace } from './trace.js';
import { SyncRegistry } from './sync.js';
import { Scopes } from './scopes.js';
import { Executor } from './executor.js';
import { ensureFuture } from './ensure_future.js';
import { gather } from './gather.js';
import { WaitOp, WaitForOp, checkNoMore } from './wait.js';
import { AsCompleted } from './as_completed.js';
import { shield } from './shield.js';
import { timeoutRun } from './timeout.js';
import { taskGroupRun } from './taskgroup.js';
import { fetchOp, fetchStats } from './fetch.js';
import { Files } from './files.js';
import { closeRuntime } from './runtime_close.js';

/**
 * The package's own module (dist/wasyncio.mjs + .wasm). The literal
 * `new URL('…', import.meta.url)` and `import('…')` let bundlers emit and
 * rename the files; configure({ assetsURL }) says another place.
 */
async function loadDefaultModule(moduleOptions) {
  const wasmUrl = configuredAsset('wasyncio.wasm') ?? new URL('../dist/wasyncio.wasm', import.meta.url);
  // Workers import a module's glue by URL to run its C jobs; the package's
  // module has none, so its glue is named next to the .wasm, not with a
  // literal (a bundler would emit a copy nobody loads).
  const glueUrl = configuredAsset('wasyncio.mjs') ?? new URL('wasyncio.mjs', wasmUrl);
  const [{ default: factory }, module] = await Promise.all([import('../dist/wasyncio.mjs'), compileWasm(wasmUrl)]);
  const M = await instantiate(factory, module, { wasyncioGlueUrl: glueUrl.href, ...moduleOptions });
  lockAssets('the default module loaded (Runtime.create() or the first run() or ready())');
  return M;
}

/**
 * One runtime: a wasm module instance with the wasyncio loop in it.
 */
export class Runtime {
  /**
   * Load a module and attach a runtime to it.
   * @param {{ module?: string | URL, wasm?: string | URL | WebAssembly.Module,
   *           onError?: (err: unknown, context: object) => void,
   *           moduleOptions?: object, clock?: 'host' | 'virtual', eagerTasks?: boolean }} [options]
   *   module: URL of the Emscripten glue (X.mjs) of a module built by
   *   build.sh (default: the package's runtime); wasm: where its .wasm is
   *   (default X.wasm next to the glue; give it when a bundler renamed it),
   *   or the compiled WebAssembly.Module; onError: where unretrieved task
   *   failures and callback errors go (default console.error); clock:
   *   'virtual' for tests: time starts at 0 and, whenever nothing is ready,
   *   jumps to the next timer at once (see wa_loop_set_clock); eagerTasks:
   *   asyncio.eager_task_factory, every createTask is eager unless its
   *   options say { eager: false }.
   * @returns {Promise<Runtime>}
   */
  static async create(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('Runtime.create(options): options must be an object');
    const { wasm, onError, moduleOptions, clock = 'host', debug, eagerTasks = false } = options;
    if (typeof eagerTasks !== 'boolean') throw new TypeError('options.eagerTasks must be a boolean');
    const module = options.module ?? undefined;
    if (onError !== undefined && typeof onError !== 'function') throw new TypeError('options.onError must be a function');
    if (clock !== 'host' && clock !== 'virtual') throw new RangeError("options.clock must be 'host' or 'virtual'");
    if (module !== undefined && !(typeof module === 'string' || module instanceof URL)) throw new TypeError('options.module must be a URL or a string');
    if (wasm !== undefined && !(typeof wasm === 'string' || wasm instanceof URL || wasm instanceof WebAssembly.Module)) {
      throw new TypeError('options.wasm must be a URL, a string or a WebAssembly.Module');
    }
    if (wasm !== undefined && module === undefined) throw new TypeError('options.wasm needs options.module (the glue of that .wasm)');
    const M = module === undefined ? await loadDefaultModule(moduleOptions) : await loadModule(module, { ...moduleOptions }, wasm);
    const rt = new Runtime(M, { onError, debug });
    // wa_loop_set_clock: on 'virtual', time jumps to the next timer whenever
    // nothing is ready (and no fetch or worker job is in flight)
    if (clock === 'virtual') rt._c.wa_loop_set_clock(1);
    // asyncio.eager_task_factory: createTask starts tasks eagerly unless
    // told otherwise ({ eager: false })
    rt._tasks.eager = eagerTasks;
    return rt;
  }

  /**
   * @param {any} M an instantiated Emscripten module built by build.sh
   * @param {{ onError?: Function, debug?: boolean | object }} [options]
   */
  constructor(M, { onError, debug } = {}) {
    if (!M || typeof M._wa__js_spawn !== 'function') {
      throw new TypeError('Runtime: not a wasyncio module (build it with build.sh)');
    }
    if (M.wasyncioBridge) throw new InvalidStateError('this module already has a Runtime');
    /** The Emscripten module (exports are M._wa_...). */
    this.M = M;
    /** @internal */ this[IS_RUNTIME] = true;
    /** @internal the C functions (bridge.js) */ this._c = cFunctions(M);
    /** @internal */ this._mem = new Memory(M, this._c);
    /** @internal */
    this._onError = onError || ((err, ctx) => console.error(`wasyncio: ${ctx.message}`, err));
    // the parts, each owning one concept (they find each other through rt)
    /** @internal debug mode (debug.js) */ this._debug = new Debug(this, debug);
    /** @internal */ this._loop = new Loop(this);
    /** @internal */ this._views = new Views(this);
    /** @internal */ this._tasks = new Tasks(this);
    /** @internal */ this._awaitables = new Awaitables(this);
    /** @internal */ this._asyncOps = new AsyncOps(this);
    /** @internal */
    this._codec = new ValueCodec(M, this._c, {
      isFutureLike: (v) => v instanceof Future || v instanceof Op || isThenable(v),
      futureToC: (v) => this._awaitables.start(this._awaitables.adopt(v), 'value'),
      futureFromC: (ptr) => this._views.wrap(ptr),
    });
    /** @internal */ this._calls = new Calls(this);
    /** @internal */ this._unretrieved = new Unretrieved(this);
    /** @internal */ this._run = new Runner(this);
    /** @internal */ this._trace = new Trace(this);
    /** @internal */ this._sync = new SyncRegistry(this);
    /** @internal */ this._scopes = new Scopes(this);
    /** @internal */ this._exec = new Executor(this);
    /** @internal files.js, made when first used */ this._files = null;
    /** @internal close()'s promise, once called */ this._closing = undefined;
    /** @internal `sleep(0)`: one shared operation (it holds nothing) */
    this._sleep0 = new SleepOp(this, 0);
    this._sleep0._shared = true;
    // C may call in from now on
    M.wasyncioBridge = fromC(this);
  }

  // ---- the loop -------------------------------------------------------------

  /** Monotonic time in ms (performance.now() clock; with `clock: 'virtual'`, virtual time from 0). */
  time() {
    return this._loop.time();
  }

  /**
   * Call fn(...args) on the next loop iteration (FIFO).
   * @param {Function} fn
   * @returns {import('./loop.js').Handle}
   */
  callSoon(fn, ...args) {
    return this._loop.callSoon(fn, args);
  }

  /**
   * Call fn(...args) after ms.
   * @param {number} ms
   * @param {Function} fn
   */
  callLater(ms, fn, ...args) {
    return this._loop.callLater(ms, fn, args);
  }

  /**
   * Call fn(...args) at time `when` (a time() value).
   * @param {number} when
   * @param {Function} fn
   */
  callAt(when, fn, ...args) {
    return this._loop.callAt(when, fn, args);
  }

  // ---- tasks and futures ----------------------------------------------------

  /**
   * Start a task running fn on the scheduler.
   *
   * fn may be a generator function (asyncio's exact model: `yield` runtime
   * operations, tasks, futures or promises; cancellation is thrown in at
   * the yield), an async function (gets the Task; use `task.signal`), or a
   * plain function. Also accepted: a generator object, an operation, a
   * Future/Task, or a promise (the task awaits it).
   * eager (asyncio's eager_start, 3.12+; default: Runtime.create's
   * eagerTasks): the first step runs inside this call, as the current task,
   * up to the first suspension; a body that never suspends comes back
   * done, never scheduled.
   * @param {Function | Generator | PromiseLike<any>} fn
   * @param {{ name?: string, signal?: AbortSignal, eager?: boolean }} [options]
   * @returns {import('./futures.js').Task}
   */
  createTask(fn, options) {
    return this._tasks.create(fn, options);
  }

  /**
   * Start C coroutine `name` (exported with WA_EXPORT_CORO(name) in a module
   * loaded by Runtime.create({ module })) with arg (see values).
   * @param {string} name
   * @param {unknown} [arg]
   * @param {{ name?: string, stackSize?: number, signal?: AbortSignal }} [options]
   */
  spawnC(name, arg, options) {
    return this._tasks.spawnC(name, arg, options);
  }

  /**
   * Make fn callable from C: wa_js_call(name, arg, &future). fn gets the
   * argument as a JS value and may return a value or a promise.
   * @param {string} name
   * @param {(arg: any) => any} fn
   */
  register(name, fn) {
    this._calls.register(name, fn);
  }

  /**
   * asyncio.ensure_future: a Future or Task of this runtime as it is; a
   * generator object, an operation or a promise-like in a new task
   * (options: createTask's). TypeError for anything else (a function too:
   * call it, or use createTask).
   * @param {unknown} aw
   * @param {{ name?: string, signal?: AbortSignal }} [options]
   */
  ensureFuture(aw, options) {
    return ensureFuture(this, aw, options);
  }

  /** A new pending Future. */
  createFuture() {
    return this._views.createFuture();
  }

  /**
   * Every task not yet done, one per line, with what it waits on (the await
   * chain: `Task "a" (async) awaits Task "b"`, ...). Debug mode or not.
   * @returns {string}
   */
  dumpTasks() {
    return this.allTasks().map((t) => stackOf(t).join(' -> ')).join('\n');
  }

  /** @internal Task.getStack */
  _stackOf(t) {
    return stackOf(t);
  }

  /** The running task (during a JS or C task step), else null. */
  currentTask() {
    return this._tasks.currentTask();
  }

  /** Every task not yet done (JS and C). */
  allTasks() {
    return this._tasks.all();
  }

  /**
   * asyncio.run: run main as a task, then cancel and await every task still
   * alive; resolves with main's result or rejects with its error. It always
   * settles: under Node, a run that can never finish (nothing left that
   * could wake it) rejects with a WasyncioError (code EDEADLOCK); leftover
   * tasks still alive cleanupTimeout ms (default 5000; Infinity: no limit)
   * after main ended, or after a deadlock's cancellation, make it reject
   * with a WasyncioError naming them. The runtime stays usable.
   * @param {Function | PromiseLike<any>} main
   * @param {{ name?: string, cleanupTimeout?: number }} [options]
   */
  run(main, options) {
    return this._run.run(main, options);
  }

  // ---- operations and combinators -------------------------------------------

  /**
   * `sleep(ms, value)`: an operation that resolves with value after ms
   * (0: let other ready tasks run once). `sleep(0)` called from async code
   * while the loop runs is a promise for the loop's next turn, taken when
   * called (await it where it is made).
   * @param {number} ms
   * @param {unknown} [value]
   * @param {{ signal?: AbortSignal }} [options]
   */
  sleep(ms, value, options) {
    if (ms === 0 && value === undefined && options === undefined) {
      // async code (an async task's first part, or any continuation while
      // run() runs): the turn is taken now, as a native promise, which
      // `await` adopts without a thenable job (async_ops.js turn())
      const t = this._tasks.current;
      if (t === null ? this._run._running !== null : t._kind === KIND_ASYNC || t._kind === KIND_NEW) return this._asyncOps.turn();
      return this._sleep0;
    }
    return new SleepOp(this, ms, value, options);
  }

  /**
   * asyncio.gather: `gather(a, b, c)` or `gather([a, b, c], { returnExceptions })`.
   * Resolves to the results in argument order. Without returnExceptions the
   * first failure rejects it at once (the others keep running); cancelling
   * it cancels every child. Every argument is checked before any starts.
   * @returns {Future}
   */
  gather(...args) {
    return gather(this, args);
  }

  /**
   * asyncio.wait: wait for Tasks/Futures until returnWhen holds or timeout
   * ms pass; resolves to { done: Set, pending: Set } (the same objects).
   * Cancels nothing, not even on timeout. A runtime operation.
   * @param {Iterable<Future>} aws
   * @param {{ timeout?: number | null, returnWhen?: string, signal?: AbortSignal }} [options]
   */
  wait(aws, options, ...rest) {
    checkNoMore(rest, 'wait(aws, options)');
    return new WaitOp(this, aws, options);
  }

  /**
   * asyncio.wait_for: aw's result, or a TimeoutError after ms, once aw
   * (cancelled at the deadline) has finished; a result that arrives with
   * the deadline is kept; if aw swallows the cancellation its value is
   * returned. ms null: no limit. A runtime operation.
   * @param {unknown} aw
   * @param {number | null} ms
   * @param {{ signal?: AbortSignal }} [options]
   */
  waitFor(aw, ms, options, ...rest) {
    checkNoMore(rest, 'waitFor(aw, ms, options)');
    return new WaitForOp(this, aw, ms, options);
  }

  /**
   * asyncio.as_completed: iterate the awaitables in the order they finish.
   * @param {Iterable<unknown>} aws
   * @param {{ timeout?: number | null, signal?: AbortSignal }} [options]
   * @returns {AsCompleted}
   */
  asCompleted(aws, options, ...rest) {
    checkNoMore(rest, 'asCompleted(aws, options)');
    return new AsCompleted(this, aws, options);
  }

  /**
   * asyncio.shield: a Future that mirrors aw; cancelling it (or the task
   * awaiting it) leaves aw running. A done aw is returned as it is. Other
   * awaitables than Tasks/Futures are wrapped in a task.
   * @param {unknown} aw
   * @param {{ signal?: AbortSignal }} [options]  aborting cancels the outer future
   * @returns {Future}
   */
  shield(aw, options, ...rest) {
    checkNoMore(rest, 'shield(aw, options)');
    return shield(this, aw, options);
  }

  /**
   * asyncio.timeout: run body(scope) with a deadline ms from now (null: none
   * until rescheduled). `yield*` it in a generator task, `await` it in async
   * code (with { task } or { signal: task.signal }). At the deadline the
   * task is cancelled; the scope turns that into a TimeoutError.
   * @param {number | null} ms
   * @param {(scope: import('./timeout.js').Timeout) => unknown} body
   * @param {{ task?: import('./futures.js').Task, signal?: AbortSignal }} [options]
   */
  timeout(ms, body, options) {
    return timeoutRun(this, ms, body, options, true);
  }

  /**
   * asyncio.timeout_at: as timeout(), with a deadline in runtime.time() ms.
   * @param {number | null} when
   * @param {(scope: import('./timeout.js').Timeout) => unknown} body
   * @param {{ task?: import('./futures.js').Task, signal?: AbortSignal }} [options]
   */
  timeoutAt(when, body, options) {
    return timeoutRun(this, when, body, options, false);
  }

  /**
   * Run body(tg) in a new TaskGroup: `yield* taskGroup(function* (tg) {...})`
   * or `await taskGroup(async (tg) => {...}, { task })`.
   * @param {(tg: import('./taskgroup.js').TaskGroup) => unknown} body
   * @param {{ task?: import('./futures.js').Task, signal?: AbortSignal }} [options]
   */
  taskGroup(body, options, ...rest) {
    checkNoMore(rest, 'taskGroup(body, options)');
    return taskGroupRun(this, body, options);
  }

  /**
   * Effective deadline of a task (default: the running one): the earliest
   * deadline of the timeout scopes around the code it runs, including
   * those around the task group it belongs to. Infinity: none (also
   * outside tasks: in async code after an await, pass the task).
   * @param {import('./futures.js').Task} [task]
   */
  currentDeadline(task) {
    if (task !== undefined && !(task instanceof Task && task._rt === this)) {
      throw new TypeError('currentDeadline(task): task must be a Task of this runtime');
    }
    const t = task ?? this.currentTask();
    return t && t._ptr ? this._c.wa__js_task_deadline(t._ptr) : Infinity;
  }

  // ---- lifetime --------------------------------------------------------------

  /**
   * asyncio.Runner.close: cancel every task still alive and await them,
   * shut down the worker pools this runtime's C code made, drop callbacks
   * not yet run (no host timer stays armed) and free pooled memory. After
   * that every method throws an Error saying the runtime is closed.
   * Idempotent (every call returns the same promise); rejects with an
   * InvalidStateError when called from one of the runtime's own tasks.
   * `await using rt = await Runtime.create()` calls it on leaving the block.
   * @returns {Promise<void>}
   */
  close() {
    return closeRuntime(this);
  }

  /** True once close() was called (it may still be finishing). */
  get closed() {
    return this._closing !== undefined;
  }

  // ---- fetch, executor ------------------------------------------------------

  /**
   * Start an HTTP request on the host's fetch (see FetchResponse). init:
   * method, headers, body, redirect, timeout (ms), signal.
   * @param {string | URL} url
   * @param {object} [init]
   */
  fetch(url, init) {
    return fetchOp(this, url, init);
  }

  /** Files and directories on the host (bindings/files.js): open, readFile, writeFile, stat, list, remove, mkdir, rename. */
  get files() {
    return (this._files ??= new Files(this));
  }

  /** Live fetch objects in the runtime (leak checks). */
  fetchStats() {
    return fetchStats(this);
  }

  /**
   * asyncio's loop.run_in_executor for C: run C job `fn` (WA_EXPORT_JOB)
   * of this runtime's module on bytes in a worker of pool (null: the
   * default pool). Resolves to the output bytes (Uint8Array).
   * @param {import('./pool.js').WorkerPool | null} pool
   * @param {string | number} fn
   * @param {ArrayBuffer | ArrayBufferView} [bytes]
   * @param {{ signal?: AbortSignal }} [options]
   */
  runInExecutor(pool, fn, bytes, options) {
    return this._exec.runInExecutor(pool, fn, bytes, options);
  }

  /**
   * asyncio.to_thread for JS: run the function exported as `name` by
   * `module` in a worker of the default pool with args.
   * @param {string | URL} module
   * @param {string} name
   * @param {...unknown} args
   */
  toThread(module, name, ...args) {
    return this._exec.toThread(module, name, ...args);
  }

  // ---- observing ------------------------------------------------------------

  /**
   * Call listener(event) for every task event until the returned function
   * is called (see trace.js).
   * @param {(e: import('./trace.js').TaskEvent) => void} listener
   */
  onTaskEvent(listener) {
    return this._trace.onTaskEvent(listener);
  }

  /** Record what every task does over time (see trace.js). */
  recordTimeline() {
    return this._trace.recordTimeline();
  }

  /**
   * Live synchronization objects of this runtime (not yet destroyed) and
   * bytes of the C heap in use, for leak checks.
   * @returns {{ objects: number, heapBytes: number }}
   */
  syncStats() {
    return this._sync.stats();
  }

  /** `<Runtime: 3 tasks, 5 futures>` */
  toString() {
    const s = this.stats();
    return `<Runtime: ${s.tasks} tasks, ${s.futures} futures>`;
  }

  /** What console.log shows in Node (not the Emscripten module). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  /**
   * Live object counts from the C runtime (futures, tasks, handles ...)
   * plus the JS side's tables, for leak checks.
   */
  stats() {
    const M = this.M;
    const L = layout.wa_stats_t;
    const p = this._c.wa_js_malloc(L.size);
    try {
      this._c.wa_get_stats(p);
      const u = (field) => M.HEAPU32[(p + L[field]) >> 2];
      return {
        futures: u('futures'), tasks: u('tasks'), handles: u('handles'), ready: u('ready'),
        stacksInUse: u('stacks_in_use'), stacksPooled: u('stacks_pooled'), stackBytes: u('stack_bytes'),
        jsTasks: this._tasks.live, views: this._views.size, opWaiters: this._asyncOps.size,
        callbacks: this._loop.size, jsHandles: this._codec.handles.size,
        wasmBytes: M.HEAPU8.length,
      };
    } finally {
      this._c.wa_js_free(p);
    }
  }
}

// `await using rt = await Runtime.create()` (hosts that know the symbol)
if (typeof Symbol.asyncDispose === 'symbol') {
  Object.defineProperty(Runtime.prototype, Symbol.asyncDispose, {
    value() { return this.close(); }, writable: true, configurable: true,
  });
}
