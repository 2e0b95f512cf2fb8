// wasyncio: asyncio for WebAssembly. The module-level API works on a default
// runtime (dist/wasyncio.wasm, loaded when this module is imported); use
// Runtime.create({ module }) for a module with your own C code in it.
//
//   import { run, createTask, sleep, gather } from 'wasyncio';
//   await run(function* main() {
//     const a = createTask(function* () { yield sleep(100); return 'a'; });
//     const b = createTask(async () => { await sleep(50); return 'b'; });
//     return yield gather(a, b);          // ['a', 'b'] after ~100 ms
//   });
import { Runtime, DEFAULT_FACTORY } from './runtime.js';
import { setDefaultRuntime } from './defaults.js';
import createWasyncioModule from '../dist/wasyncio.mjs'; // bundled with this file in dist/wasyncio.js

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
export { aiter, anext, forAwait } from './iterate.js';
export { ClientSession, SessionResponse } from './session.js';
export { retry, backoffDelay } from './retry.js';
export { WebApp, WebServer, WebRequest, WebResponse, HttpError } from './web.js';
export { connectWebSocket, WebSocketConnection, WebSocketClosed } from './websocket.js';

/** The default runtime behind the module-level functions. */
export const runtime = await Runtime.create({ [DEFAULT_FACTORY]: createWasyncioModule });
setDefaultRuntime(runtime);

/** @type {Runtime['run']} */
export const run = runtime.run.bind(runtime);
/** @type {Runtime['createTask']} */
export const createTask = runtime.createTask.bind(runtime);
/** @type {Runtime['sleep']} */
export const sleep = runtime.sleep.bind(runtime);
/** @type {Runtime['gather']} */
export const gather = runtime.gather.bind(runtime);
/** @type {Runtime['currentTask']} */
export const currentTask = runtime.currentTask.bind(runtime);
/** @type {Runtime['allTasks']} */
export const allTasks = runtime.allTasks.bind(runtime);
/** @type {Runtime['createFuture']} */
export const createFuture = runtime.createFuture.bind(runtime);
/** @type {Runtime['callSoon']} */
export const callSoon = runtime.callSoon.bind(runtime);
/** @type {Runtime['callLater']} */
export const callLater = runtime.callLater.bind(runtime);
/** @type {Runtime['callAt']} */
export const callAt = runtime.callAt.bind(runtime);
/** @type {Runtime['time']} */
export const time = runtime.time.bind(runtime);
/** @type {Runtime['fetch']} */
export const fetch = runtime.fetch.bind(runtime);
/** Files and directories on the host (node:fs under Node, OPFS in browsers). @type {Runtime['files']} */
export const files = runtime.files;
/** @type {Runtime['toThread']} */
export const toThread = runtime.toThread.bind(runtime);
/** @type {Runtime['runInExecutor']} */
export const runInExecutor = runtime.runInExecutor.bind(runtime);
/** @type {Runtime['wait']} */
export const wait = runtime.wait.bind(runtime);
/** @type {Runtime['waitFor']} */
export const waitFor = runtime.waitFor.bind(runtime);
/** @type {Runtime['asCompleted']} */
export const asCompleted = runtime.asCompleted.bind(runtime);
/** @type {Runtime['shield']} */
export const shield = runtime.shield.bind(runtime);
/** @type {Runtime['timeout']} */
export const timeout = runtime.timeout.bind(runtime);
/** @type {Runtime['timeoutAt']} */
export const timeoutAt = runtime.timeoutAt.bind(runtime);
/** @type {Runtime['taskGroup']} */
export const taskGroup = runtime.taskGroup.bind(runtime);
/** @type {Runtime['currentDeadline']} */
export const currentDeadline = runtime.currentDeadline.bind(runtime);
