// wasyncio: asyncio for WebAssembly. The module-level functions work on a
// default runtime (the package's dist/wasyncio.wasm), loaded by the first
// run() or ready(), not at import: importing costs nothing, and no importer
// needs top-level await. Inside run() everything works; outside, await
// ready() first. Runtime.create({ module }) loads a module with your C code.
//
//   import { run, createTask, sleep, gather } from 'wasyncio';
//   await run(function* main() {
//     const a = createTask(function* () { yield sleep(100); return 'a'; });
//     const b = createTask(async () => { await sleep(50); return 'b'; });
//     return yield gather(a, b);          // ['a', 'b'] after ~100 ms
//   });
import { Runtime } from './runtime.js';
import { debugFromEnvironment } from './debug.js';
import { setDefaultRuntime } from './defaults.js';

export { Runtime } from './runtime.js';
export { Future, Task } from './futures.js';
export { Handle } from './loop.js';
export { Op } from './ops.js';
export { FetchResponse } from './fetch.js';
export { FileHandle, Files } from './files.js';
export {
  CancelledError, TimeoutError, InvalidStateError, QueueEmpty, QueueFull, QueueShutDown,
  BrokenBarrierError, WasyncioError, ValueError, codes,
} from './errors.js';
export { WorkerPool, PoolOp, Job, defaultPool, setDefaultPool, cpuCount } from './pool.js';
export { ExecOp } from './executor.js';
export { transfer } from './transfer.js';
export { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from './wait.js';
export { AsCompleted } from './as_completed.js';
export { Timeout } from './timeout.js';
export { TaskGroup } from './taskgroup.js';
export { Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier } from './sync.js';
export { Queue, LifoQueue, PriorityQueue } from './queue.js';
export { asyncContextManager, withContext, provide, AsyncContextManager } from './context.js';
export { ContextVar, Context, Token, copyContext } from './context_vars.js';
export { aiter, anext, forAwait } from './iterate.js';
export { ClientSession, SessionResponse } from './session.js';
export { retry, backoffDelay } from './retry.js';
export { WebApp, WebServer, WebRequest, WebResponse, HttpError } from './web.js';
export { connectWebSocket, WebSocketConnection, WebSocketClosed } from './websocket.js';

export { configure } from './assets.js';

/**
 * The default runtime behind the module-level functions: null until it has
 * loaded (inside run(), or after `await ready()`).
 * @type {Runtime | null}
 */
export let runtime = null;
let loading = null;

/**
 * Load the default runtime (once; later calls return the same promise).
 * configure({ assetsURL }) must come before.
 * @returns {Promise<Runtime>}
 */
export function ready() {
  loading ??= Runtime.create({ debug: debugFromEnvironment() }).then((rt) => {
    setDefaultRuntime(rt);
    runtime = rt;
    return rt;
  }, (err) => {
    loading = null; // a later call tries again (e.g. after configure())
    throw err;
  });
  return loading;
}

/**
 * asyncio.run on the default runtime, loading it first if needed.
 * @type {Runtime['run']}
 */
export function run(main, options) {
  return runtime ? runtime.run(main, options) : ready().then((rt) => rt.run(main, options));
}

// A module-level function: the default runtime's method, once it loaded.
function onDefault(name) {
  const fn = {
    [name](...args) {
      if (!runtime) {
        throw new Error(`wasyncio: ${name}(): the default runtime has not loaded yet; ` +
          'call it inside run(), or after `await ready()`');
      }
      return runtime[name](...args);
    },
  }[name];
  return fn;
}

/** @type {Runtime['createTask']} */
export const createTask = /* @__PURE__ */ onDefault('createTask');
/** @type {Runtime['sleep']} */
export const sleep = /* @__PURE__ */ onDefault('sleep');
/** @type {Runtime['gather']} */
export const gather = /* @__PURE__ */ onDefault('gather');
/** @type {Runtime['currentTask']} */
export const currentTask = /* @__PURE__ */ onDefault('currentTask');
/** @type {Runtime['allTasks']} */
export const allTasks = /* @__PURE__ */ onDefault('allTasks');
/** @type {Runtime['createFuture']} */
export const createFuture = /* @__PURE__ */ onDefault('createFuture');
/** @type {Runtime['ensureFuture']} */
export const ensureFuture = /* @__PURE__ */ onDefault('ensureFuture');
/** @type {Runtime['callSoon']} */
export const callSoon = /* @__PURE__ */ onDefault('callSoon');
/** @type {Runtime['callLater']} */
export const callLater = /* @__PURE__ */ onDefault('callLater');
/** @type {Runtime['callAt']} */
export const callAt = /* @__PURE__ */ onDefault('callAt');
/** @type {Runtime['time']} */
export const time = /* @__PURE__ */ onDefault('time');
/** @type {Runtime['fetch']} */
export const fetch = /* @__PURE__ */ onDefault('fetch');
/**
 * Files and directories on the host (node:fs under Node, OPFS in
 * browsers): the default runtime's `runtime.files`.
 * @type {Runtime['files']}
 */
export const files = /* @__PURE__ */ (() => {
  const f = {};
  for (const name of ['open', 'readFile', 'writeFile', 'stat', 'exists', 'list', 'remove', 'mkdir', 'rename']) {
    f[name] = (...args) => {
      if (!runtime) {
        throw new Error(`wasyncio: files.${name}(): the default runtime has not loaded yet; ` +
          'call it inside run(), or after `await ready()`');
      }
      return runtime.files[name](...args);
    };
  }
  return /** @type {Runtime['files']} */ (/** @type {unknown} */ (f));
})();
/** @type {Runtime['toThread']} */
export const toThread = /* @__PURE__ */ onDefault('toThread');
/** @type {Runtime['runInExecutor']} */
export const runInExecutor = /* @__PURE__ */ onDefault('runInExecutor');
/** @type {Runtime['wait']} */
export const wait = /* @__PURE__ */ onDefault('wait');
/** @type {Runtime['waitFor']} */
export const waitFor = /* @__PURE__ */ onDefault('waitFor');
/** @type {Runtime['asCompleted']} */
export const asCompleted = /* @__PURE__ */ onDefault('asCompleted');
/** @type {Runtime['shield']} */
export const shield = /* @__PURE__ */ onDefault('shield');
/** @type {Runtime['timeout']} */
export const timeout = /* @__PURE__ */ onDefault('timeout');
/** @type {Runtime['timeoutAt']} */
export const timeoutAt = /* @__PURE__ */ onDefault('timeoutAt');
/** @type {Runtime['taskGroup']} */
export const taskGroup = /* @__PURE__ */ onDefault('taskGroup');
/** @type {Runtime['currentDeadline']} */
export const currentDeadline = /* @__PURE__ */ onDefault('currentDeadline');
