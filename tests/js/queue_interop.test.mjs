// One queue shared by C coroutines (tests/c/modules/sync_interop.c) and JS
// tasks (bindings/queue.js).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { run, runtime, Queue, PriorityQueue, QueueShutDown, WasyncioError } from '../../bindings/index.js';
import { leakFree, interopRuntime, f64, warmUp } from './sync_helpers.mjs';

let crt; // a runtime with the C coroutines of sync_interop.c
before(async () => {
  crt = await interopRuntime();
  await warmUp([runtime, crt]);
});

test('a C producer coroutine and JS consumers (generator, async, for await) share one queue', () => leakFree(async () => {
  const q = new Queue({ maxsize: 8, runtime: crt });
  const n = 2000;
  const seen = new Uint8Array(n);
  const by = { gen: 0, async: 0, iter: 0 };
  await crt.run(function* () {
    const consumers = [
      crt.createTask(function* () {
        for (;;) {
          let x;
          try {
            x = yield q.get();
          } catch (e) {
            if (e instanceof QueueShutDown) return;
            throw e;
          }
          seen[x]++;
          by.gen++;
          q.taskDone();
          // a get with items there does not suspend (asyncio): without this,
          // this consumer would take every item before the others run
          yield crt.sleep(0);
        }
      }),
      crt.createTask(async (task) => {
        for await (const x of q.iter({ signal: task.signal })) {
          seen[x]++;
          by.iter++;
          q.taskDone();
          await crt.sleep(0, undefined, { signal: task.signal });
        }
      }),
      crt.createTask(async (task) => {
        for (;;) {
          let x;
          try {
            x = await q.get({ signal: task.signal });
          } catch (e) {
            if (e instanceof QueueShutDown) return;
            throw e;
          }
          seen[x]++;
          by.async++;
          q.taskDone();
        }
      }),
    ];
    // every consumer waits first (async ones start in a promise job)
    yield crt.sleep(0);
    yield new Promise((r) => setImmediate(r));
    const producer = crt.spawnC('produce', f64(q.ptr, n, 0));
    assert.equal(yield producer, n);
    yield q.join();
    q.shutdown();
    yield crt.gather(consumers);
  });
  assert.ok(seen.every((x) => x === 1), 'every item seen exactly once');
  assert.equal(by.gen + by.async + by.iter, n);
  assert.ok(by.gen > 0 && by.async > 0 && by.iter > 0, JSON.stringify(by));
  q.destroy();
}, crt));

test('JS producers and C consumer coroutines share one queue; a C getter cancelled in the race loses nothing', () => leakFree(async () => {
  const q = new Queue({ maxsize: 4, runtime: crt });
  await crt.run(function* () {
    const consumers = [crt.spawnC('consume', f64(q.ptr)), crt.spawnC('consume', f64(q.ptr))];
    const producers = [
      crt.createTask(function* () { for (let i = 1; i <= 100; i++) yield q.put(i); }),
      crt.createTask(async () => { for (let i = 0; i < 10; i++) await q.put(`s${i}`); }),
    ];
    yield crt.gather(producers);
    yield q.join();
    q.shutdown();
    const sums = yield crt.gather(consumers);
    assert.equal(sums[0] + sums[1], 5050 + 10 * 1000);
  });
  q.destroy();
  const r = new Queue({ runtime: crt });
  await crt.run(function* () {
    const c1 = crt.spawnC('get_one', f64(r.ptr));
    const c2 = crt.spawnC('get_one', f64(r.ptr));
    yield crt.sleep(1);
    r.putNowait('for c1');
    c1.cancel(); // woken, cancelled before it resumed: the item goes to c2
    assert.equal(yield c2, 'for c1');
    yield crt.gather([c1], { returnExceptions: true });
    assert.equal(c1.cancelled(), true);
  });
  r.destroy();
}, crt));

test('a JS producer into a C consumer of a PriorityQueue gets lowest-first', () => leakFree(async () => {
  const q = new PriorityQueue({ runtime: crt });
  q.putNowait(3, 3);
  q.putNowait(1, 1);
  q.putNowait(2, 2);
  assert.equal(await crt.spawnC('get_one', f64(q.ptr)), 1);
  assert.equal(await crt.spawnC('get_one', f64(q.ptr)), 2);
  q.destroy();
}, crt));

test('operations are lazy and awaitable once; errors name the runtime mismatch', () => leakFree(async () => {
  const q = new Queue();
  const op = q.get();
  assert.equal(q.qsize(), 0);
  q.putNowait(1);
  assert.equal(q.qsize(), 1, 'creating get() took nothing');
  assert.equal(await op, 1);
  assert.equal(await op, 1, 'awaiting it again gives the same outcome');
  await assert.rejects(run(function* () { yield op; }), (e) => e instanceof TypeError && /already awaited/.test(e.message));
  const unused = q.put('never'); // never awaited: nothing happens, nothing leaks
  void unused;
  assert.equal(q.qsize(), 0);
  const other = new Queue({ runtime: crt });
  await assert.rejects(run(function* () { yield other.get(); }), (e) => e instanceof TypeError && /another runtime/.test(e.message));
  other.destroy();
  assert.ok(new WasyncioError('x') instanceof Error);
  q.destroy();
}));
