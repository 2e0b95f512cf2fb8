// Helpers shared by the sync and queue tests: leak checks on a runtime
// (JS tables, C objects and the C heap) and yielding until tasks wait.
import assert from 'node:assert/strict';
import { runtime, sleep, Runtime, Lock, Queue } from '../../bindings/index.js';

/** Counts that must come back to their baseline. */
export function snapshot(rt = runtime) {
  const s = rt.stats();
  const y = rt.syncStats();
  return {
    futures: s.futures, tasks: s.tasks, handles: s.handles, jsTasks: s.jsTasks, views: s.views,
    opWaiters: s.opWaiters, callbacks: s.callbacks, jsHandles: s.jsHandles, objects: y.objects, heapBytes: y.heapBytes,
  };
}

/** Let pending releases happen, then drop the pools (pooled memory is not a leak). */
export async function settle(rt = runtime) {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  rt.M._wa_loop_trim();
}

/** Run fn, then check that nothing was left behind (C heap included). */
export async function leakFree(fn, rt = runtime) {
  await settle(rt);
  const before = snapshot(rt);
  await fn();
  await settle(rt);
  assert.deepEqual(snapshot(rt), before, 'runtime stats back to their baseline');
}

/**
 * Let tasks started now run up to their first wait. An async task's
 * `await op` calls op.then() in a promise job, so it starts waiting only
 * once the host turn ends: cross one.
 */
export function* ticks(n = 2) {
  for (let i = 0; i < n; i++) {
    yield sleep(0);
    yield new Promise((r) => setImmediate(r));
  }
}

/** A runtime with the C coroutines of tests/c/modules/sync_interop.c. */
export function interopRuntime() {
  return Runtime.create({ module: new URL('../../build/wasm/modules/sync_interop.mjs', import.meta.url) });
}

/** A Float64Array of xs (arguments of the interop coroutines). */
export const f64 = (...xs) => new Float64Array(xs);

/** Warm-up, so that one-off growth (loop rings, tables) is not counted as a leak. */
export async function warmUp(rts) {
  for (const rt of rts) {
    await rt.run(function* () {
      const l = new Lock({ runtime: rt });
      const ts = [];
      for (let i = 0; i < 256; i++) {
        ts.push(rt.createTask(i % 2
          ? function* () { yield* l.with(function* () { yield rt.sleep(i % 3); }); }
          : async (task) => { await l.with(async () => { await rt.sleep(i % 3, 0, { signal: task.signal }); }); }));
      }
      yield rt.gather(ts);
      l.destroy();
      const q = new Queue({ maxsize: 4, runtime: rt });
      const qs = [];
      for (let i = 0; i < 64; i++) qs.push(rt.createTask(i % 2 ? function* () { yield q.put(i); } : async () => { await q.get(); }));
      yield rt.sleep(1);
      yield rt.gather(qs);
      q.destroy();
    });
  }
}

/** Every item of q, taken now. */
export const drain = (q) => {
  const out = [];
  while (!q.empty()) out.push(q.getNowait());
  return out;
};
