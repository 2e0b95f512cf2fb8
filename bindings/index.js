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
import createWasyncioModule from '../dist/wasyncio.mjs'; // bundled with this file in dist/wasyncio.js
import './fetch.js'; // Runtime.prototype.fetch
import './trace.js'; // Runtime.prototype.onTaskEvent, recordTimeline

export { Runtime } from './runtime.js';
export { Future, Task, Handle } from './futures.js';
export { Op } from './ops.js';
export { FetchResponse } from './fetch.js';
export {
  CancelledError, TimeoutError, InvalidStateError, QueueEmpty, QueueFull, QueueShutDown,
  BrokenBarrierError, WasyncioError, codes,
} from './errors.js';

/** The default runtime behind the module-level functions. */
export const runtime = await Runtime.create({ [DEFAULT_FACTORY]: createWasyncioModule });

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

// ---------------------------------------------------------------------------
// Executor (issue 7): WorkerPool, toThread, runInExecutor (bindings/pool.js,
// bindings/executor.js; the worker entry is bindings/worker.js).
// ---------------------------------------------------------------------------
import './executor.js';

export { WorkerPool, PoolOp, Job, defaultPool, setDefaultPool, cpuCount } from './pool.js';
export { ExecOp } from './executor.js';
export { transfer } from './transfer.js';
/** @type {Runtime['toThread']} */
export const toThread = runtime.toThread.bind(runtime);
/** @type {Runtime['runInExecutor']} */
export const runInExecutor = runtime.runInExecutor.bind(runtime);

// ---------------------------------------------------------------------------
// Combinators (issue 4): wait, waitFor, asCompleted, shield, timeout scopes,
// TaskGroup (bindings/combinators.js; gather is in runtime.js).
// ---------------------------------------------------------------------------
import { TaskGroup as TaskGroupClass } from './combinators.js';

TaskGroupClass[Symbol.for('wasyncio.defaultRuntime')] = runtime; // `new TaskGroup()`
export {
  TaskGroup, Timeout, AsCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED,
} from './combinators.js';
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
// Synchronization primitives and queues (issue 5): bindings/sync.js
// ---------------------------------------------------------------------------
import { _setDefaultRuntime } from './sync.js';

export {
  Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier, Queue, LifoQueue, PriorityQueue, ValueError,
} from './sync.js';
_setDefaultRuntime(runtime);
