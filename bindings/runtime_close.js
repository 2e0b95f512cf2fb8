// Runtime.close(): the end of a runtime's life, as asyncio.Runner.close()
// ends a loop's. Every task still alive is cancelled and awaited, the
// worker pools the runtime's C code made are shut down, callbacks not yet
// run are dropped (so no host timer stays armed), pooled memory is freed.
// From then on every method of the runtime throws an Error saying it is
// closed (the instance gets a prototype whose methods do that, so the hot
// paths of a live runtime check nothing).
import { InvalidStateError } from './errors.js';

/** Rounds of "cancel everything alive, await it": tasks that start new
 * tasks while being cancelled get this many more chances. */
const MAX_ROUNDS = 16;

/** Prototype of closed runtimes, one per runtime class. */
const closedPrototypes = new WeakMap();

/** Methods a closed runtime keeps. */
const KEPT = new Set(['constructor', 'close', 'closed', 'toString']);

function closedError(name) {
  return new Error(`wasyncio: runtime.${name}(): this Runtime is closed (runtime.close() was called); create a new one with Runtime.create()`);
}

function closedPrototypeOf(proto) {
  let closed = closedPrototypes.get(proto);
  if (closed) return closed;
  closed = Object.create(proto);
  for (const key of Reflect.ownKeys(proto)) {
    if (KEPT.has(key) || typeof key === 'symbol') continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (typeof d.value === 'function') {
      Object.defineProperty(closed, key, { value() { throw closedError(key); }, configurable: true, writable: true });
    } else if (d.get) {
      Object.defineProperty(closed, key, { get() { throw closedError(key); }, configurable: true });
    }
  }
  const describe = { value() { return '<Runtime: closed>'; }, configurable: true, writable: true };
  Object.defineProperty(closed, 'toString', describe);
  Object.defineProperty(closed, Symbol.for('nodejs.util.inspect.custom'), describe);
  closedPrototypes.set(proto, closed);
  return closed;
}

function whenDone(task) {
  return new Promise((resolve) => task.addDoneCallback(() => resolve()));
}

/**
 * Close rt (see Runtime.close). Idempotent: every call returns the same
 * promise.
 * @param {import('./runtime.js').Runtime} rt
 * @returns {Promise<void>}
 */
export function closeRuntime(rt) {
  if (rt._closing !== undefined) return rt._closing;
  if (rt.currentTask()) {
    return Promise.reject(new InvalidStateError('runtime.close() called from one of its own tasks: close it from outside (asyncio: cannot close a running event loop)'));
  }
  rt._closing = shutDown(rt);
  return rt._closing;
}

async function shutDown(rt) {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const tasks = rt.allTasks();
    if (tasks.length === 0) break;
    for (const t of tasks) t.cancel();
    await Promise.all(tasks.map(whenDone));
  }
  const pools = [...rt._exec._pools.values()];
  rt._exec._pools.clear();
  await Promise.all(pools.map((p) => p.shutdown({ cancelPending: true })));
  rt._loop.cancelAll();
  rt.M._wa_loop_trim();
  Object.setPrototypeOf(rt, closedPrototypeOf(Object.getPrototypeOf(rt)));
}
