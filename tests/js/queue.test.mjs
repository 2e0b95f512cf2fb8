// Queue, LifoQueue and PriorityQueue from JS (bindings/sync.js): orders,
// maxsize, nowait errors, taskDone/join, shutdown (normal and immediate)
// with waiters of every kind, `for await`, the cancellation race for get
// and put in both task styles, values of every kind, one queue shared by C
// coroutines (tests/c/modules/sync_interop.c) and JS tasks, leak checks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, runtime, Runtime, Queue, LifoQueue, PriorityQueue,
  QueueEmpty, QueueFull, QueueShutDown, CancelledError, ValueError, WasyncioError, codes,
} from '../../bindings/index.js';
import { snapshot, settle, leakFree, ticks } from './sync_helpers.mjs';

const drain = (q) => {
  const out = [];
  while (!q.empty()) out.push(q.getNowait());
  return out;
};

const interopUrl = new URL('../../build/wasm/modules/sync_interop.mjs', import.meta.url);
let crt;
const f64 = (...xs) => new Float64Array(xs);

before(async () => {
  crt = await Runtime.create({ module: interopUrl });
  for (const rt of [runtime, crt]) {
    await rt.run(function* () {
      const q = new Queue({ maxsize: 4, runtime: rt });
      const ts = [];
      for (let i = 0; i < 64; i++) ts.push(rt.createTask(i % 2 ? function* () { yield q.put(i); } : async () => { await q.get(); }));
      yield rt.sleep(1);
      yield rt.gather(ts);
      q.destroy();
    });
  }
});

// ---------------------------------------------------------------------------
// Orders, sizes, nowait errors
// ---------------------------------------------------------------------------

test('orders: Queue FIFO, LifoQueue LIFO, PriorityQueue lowest first with ties in insertion order', () => leakFree(async () => {
  const q = new Queue();
  const l = new LifoQueue();
  const p = new PriorityQueue();
  for (const x of [1, 2, 3, 4]) {
    q.putNowait(x);
    l.putNowait(x);
  }
  assert.deepEqual(drain(q), [1, 2, 3, 4]);
  assert.deepEqual(drain(l), [4, 3, 2, 1]);
  p.putNowait('c1', 3);
  p.putNowait('a1', 1);
  p.putNowait('z', -Infinity);
  p.putNowait('d0'); // priority 0
  p.putNowait('a2', 1);
  p.putNowait('c2', 3);
  p.putNowait('b', 2.5);
  p.putNowait('a3', 1);
  p.putNowait('d1', 0);
  assert.deepEqual(drain(p), ['z', 'd0', 'd1', 'a1', 'a2', 'a3', 'b', 'c1', 'c2']);
  await run(function* () {
    yield p.put('late', 5);
    yield p.put('early', -1);
    yield p.put('mid');
    yield p.put('mid2', { signal: new AbortController().signal }); // options only: priority 0
    assert.deepEqual([yield p.get(), yield p.get(), yield p.get(), yield p.get()], ['early', 'mid', 'mid2', 'late']);
  });
  assert.throws(() => p.putNowait('x', NaN), (e) => e instanceof RangeError && /priority/.test(e.message));
  assert.throws(() => p.put('x', '1'), (e) => e instanceof TypeError && /priority/.test(e.message));
  assert.throws(() => p.putNowait('x', { signal: undefined }), TypeError);
  for (const x of [q, l, p]) x.destroy();
}));

test('maxsize: qsize/empty/full; putNowait QueueFull, getNowait QueueEmpty; put waits while full (both styles)', () => leakFree(async () => {
  const q = new Queue({ maxsize: 2 });
  assert.equal(q.maxsize, 2);
  const q3 = new Queue(3);
  assert.equal(q3.maxsize, 3, 'new Queue(n) is new Queue({ maxsize: n })');
  q3.destroy();
  assert.equal(q.empty(), true);
  assert.throws(() => q.getNowait(), (e) => e instanceof QueueEmpty);
  q.putNowait('a');
  q.putNowait('b');
  assert.equal(q.qsize(), 2);
  assert.equal(q.full(), true);
  assert.throws(() => q.putNowait('c'), (e) => e instanceof QueueFull);
  await run(function* () {
    const pg = createTask(function* () { yield q.put('c'); return 'gen put'; });
    const pa = createTask(async (task) => { await q.put('d', { signal: task.signal }); return 'async put'; });
    yield* ticks();
    assert.equal(pg.done() || pa.done(), false, 'both wait');
    assert.equal(yield q.get(), 'a');
    assert.equal(q.getNowait(), 'b');
    assert.deepEqual(yield gather(pg, pa), ['gen put', 'async put']);
    assert.deepEqual(drain(q), ['c', 'd']);
  });
  const u = new Queue({ maxsize: Infinity });
  assert.equal(u.maxsize, 0);
  assert.throws(() => new Queue({ maxsize: -1 }), (e) => e instanceof RangeError && /maxsize/.test(e.message));
  assert.throws(() => new Queue({ maxsize: 1.5 }), RangeError);
  assert.throws(() => new Queue({ maxsize: '3' }), (e) => e instanceof TypeError && /maxsize/.test(e.message));
  assert.throws(() => new Queue('big'), TypeError);
  assert.throws(() => q.shutdown('yes'), (e) => e instanceof TypeError && /immediate/.test(e.message));
  q.destroy();
  u.destroy();
}));

test('waiting getters are served in FIFO order (generator and async tasks)', () => leakFree(async () => {
  const q = new Queue();
  const got = [];
  await run(function* () {
    const ts = [];
    for (let i = 0; i < 6; i++) {
      ts.push(i % 2
        ? createTask(async (task) => { got[i] = await q.get({ signal: task.signal }); })
        : createTask(function* () { got[i] = yield q.get(); }));
      yield* ticks(1);
    }
    for (let i = 0; i < 6; i++) q.putNowait(`item${i}`);
    yield gather(ts);
  });
  assert.deepEqual(got, ['item0', 'item1', 'item2', 'item3', 'item4', 'item5']);
  q.destroy();
}));

test('waiting putters are admitted in FIFO order; a normal shutdown ends them with QueueShutDown', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  await run(function* () {
    q.putNowait('first');
    const ts = [];
    for (let i = 0; i < 4; i++) {
      ts.push(i % 2
        ? createTask(async (task) => { await q.put(`p${i}`, { signal: task.signal }); })
        : createTask(function* () { yield q.put(`p${i}`); }));
      yield* ticks(1);
    }
    const got = [];
    for (let i = 0; i < 3; i++) got.push(yield q.get());
    assert.deepEqual(got, ['first', 'p0', 'p1']);
    // p3 still waits behind p2 (in the queue): shutdown ends it, keeps p2
    q.shutdown();
    yield gather(ts, { returnExceptions: true });
    assert.equal(ts[2].exception(), null);
    assert.ok(ts[3].exception() instanceof QueueShutDown);
    assert.equal(q.getNowait(), 'p2', 'items put before the shutdown can still be taken');
    assert.throws(() => q.getNowait(), QueueShutDown);
  });
  q.destroy();
}));

test('values of every kind go through; objects come back as the same object; handles are freed', () => leakFree(async () => {
  const q = new Queue();
  const obj = { deep: [1] };
  const fn = () => 1;
  const vals = [0, -1.5, 'héllo ✓', '', true, false, null, undefined, obj, fn, new Uint8Array([1, 2, 3])];
  for (const v of vals) q.putNowait(v);
  const out = drain(q);
  assert.equal(out.length, vals.length);
  for (let i = 0; i < vals.length - 1; i++) assert.ok(Object.is(out[i], vals[i]), `item ${i}`);
  assert.deepEqual([...out.at(-1)], [1, 2, 3]);
  // objects left in a queue are released when it is destroyed
  q.putNowait({ a: 1 });
  q.putNowait('s');
  assert.equal(runtime.stats().jsHandles > 0, true);
  q.destroy();
  assert.equal(q.qsize(), 0);
  assert.equal(q.empty(), true);
}));

// ---------------------------------------------------------------------------
// taskDone / join
// ---------------------------------------------------------------------------

test('taskDone/join: join waits for every item to be processed; too many taskDone is a ValueError', () => leakFree(async () => {
  const q = new Queue();
  await run(function* () {
    assert.equal(yield q.join(), undefined, 'nothing unfinished: at once');
    const seen = [];
    const workers = [
      createTask(function* () { for (;;) { const x = yield q.get(); yield sleep(1); seen.push(x); q.taskDone(); } }),
      createTask(async (task) => { for (;;) { const x = await q.get({ signal: task.signal }); await sleep(2); seen.push(x); q.taskDone(); } }),
    ];
    for (let i = 0; i < 10; i++) yield q.put(i);
    const joinA = createTask(async () => { await q.join(); return seen.length; });
    yield q.join();
    assert.equal(seen.length, 10);
    assert.equal(yield joinA, 10);
    for (const w of workers) w.cancel();
    yield gather(workers, { returnExceptions: true });
  });
  assert.throws(() => q.taskDone(), (e) => e instanceof ValueError && e.code === codes.EVALUE && /too many/.test(e.message));
  q.destroy();
}));

// ---------------------------------------------------------------------------
// shutdown
// ---------------------------------------------------------------------------

test('shutdown(): waiting getters end with QueueShutDown, joiners keep waiting for taskDone, later puts fail, gets drain', () => leakFree(async () => {
  const q = new Queue();
  await run(function* () {
    q.putNowait('x');
    assert.equal(q.getNowait(), 'x'); // one unfinished item, queue empty
    const getters = [
      createTask(function* () { return yield q.get(); }),
      createTask(async (task) => q.get({ signal: task.signal })),
    ];
    const joiner = createTask(function* () { yield q.join(); return 'joined'; });
    yield* ticks();
    q.shutdown();
    yield gather(getters, { returnExceptions: true });
    for (const g of getters) assert.ok(g.exception() instanceof QueueShutDown, String(g.exception()));
    assert.equal(joiner.done(), false);
    assert.throws(() => q.putNowait(1), QueueShutDown);
    try {
      yield q.put(1);
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof QueueShutDown);
    }
    q.taskDone();
    assert.equal(yield joiner, 'joined');
    q.shutdown(); // idempotent
  });
  // items put before a (normal) shutdown can still be taken
  const r = new Queue();
  r.putNowait(1);
  r.putNowait(2);
  r.shutdown(false);
  assert.equal(r.getNowait(), 1);
  assert.equal(await r.get(), 2);
  assert.throws(() => r.getNowait(), QueueShutDown);
  await assert.rejects(r.get(), QueueShutDown);
  q.destroy();
  r.destroy();
}));

test('shutdown(true) with waiters of every kind: putters fail, items dropped (and freed), joiners wake; no waiter left', () => leakFree(async () => {
  const q = new Queue({ maxsize: 2 });
  await run(function* () {
    q.putNowait({ big: 'object' });
    q.putNowait('two');
    const putters = [
      createTask(function* () { yield q.put({ held: 1 }); }),
      createTask(async (task) => { await q.put('p', { signal: task.signal }); }),
    ];
    const joiners = [
      createTask(function* () { yield q.join(); return 'j1'; }),
      createTask(async () => { await q.join(); return 'j2'; }),
    ];
    yield* ticks();
    q.shutdown(true);
    assert.equal(q.qsize(), 0);
    yield gather(putters, { returnExceptions: true });
    for (const p of putters) assert.ok(p.exception() instanceof QueueShutDown);
    assert.deepEqual(yield gather(joiners), ['j1', 'j2']);
    assert.throws(() => q.taskDone(), ValueError, 'dropped items count as done');
    // and the empty-queue case: getters
    const e = new Queue();
    const g = [createTask(function* () { yield e.get(); }), createTask(async () => e.get())];
    yield* ticks();
    e.shutdown(true);
    yield gather(g, { returnExceptions: true });
    for (const t of g) assert.ok(t.exception() instanceof QueueShutDown);
    e.destroy();
  });
  assert.equal(runtime.stats().opWaiters, 0);
  q.destroy();
}));

test('destroy() with waiters ends them with QueueShutDown; the queue then acts shut down and empty', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  const e = new Queue();
  await run(function* () {
    q.putNowait('in');
    const ts = [
      createTask(function* () { yield q.put('x'); }),
      createTask(function* () { yield q.join(); }),
      createTask(async () => e.get()),
    ];
    yield* ticks();
    q.destroy();
    e.destroy();
    yield gather(ts, { returnExceptions: true });
    for (const t of ts) assert.ok(t.exception() instanceof QueueShutDown && /destroyed/.test(t.exception().message), String(t.exception()));
  });
  assert.throws(() => q.putNowait(1), (e2) => e2 instanceof QueueShutDown && /destroyed/.test(e2.message));
  await assert.rejects(q.get(), QueueShutDown);
  assert.throws(() => q.taskDone(), QueueShutDown);
  assert.equal(q.qsize(), 0);
  assert.equal(q.full(), false);
  q.shutdown(); // harmless
}));

// ---------------------------------------------------------------------------
// for await
// ---------------------------------------------------------------------------

test('for await (const item of queue) takes items as they come and ends on shutdown', () => leakFree(async () => {
  const q = new Queue({ maxsize: 3 });
  const got = [];
  const consumer = (async () => {
    for await (const item of q) {
      got.push(item);
      q.taskDone();
    }
    return 'ended';
  })();
  await run(function* () {
    for (let i = 0; i < 10; i++) yield q.put(i);
    yield q.join();
    q.shutdown();
  });
  assert.equal(await consumer, 'ended');
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // break leaves the rest in the queue; iter({ signal }) withdraws its get on abort
  const r = new Queue();
  for (const x of 'abc') r.putNowait(x);
  for await (const x of r) if (x === 'b') break;
  assert.deepEqual(drain(r), ['c']);
  const ac = new AbortController();
  const it = (async () => {
    const seen = [];
    for await (const x of r.iter({ signal: ac.signal })) seen.push(x);
    return seen;
  })();
  r.putNowait('d');
  await sleep(2);
  ac.abort();
  await assert.rejects(it, CancelledError);
  r.putNowait('e');
  assert.deepEqual(drain(r), ['e'], 'the aborted get took nothing');
  // an async task iterating with its signal stops when cancelled
  const t = createTask(async (task) => { for await (const x of r.iter({ signal: task.signal })) void x; });
  await sleep(2);
  t.cancel();
  await assert.rejects(t, CancelledError);
  q.destroy();
  r.destroy();
}));

// ---------------------------------------------------------------------------
// Cancellation: pending ops are withdrawn; the wake-up race loses nothing
// ---------------------------------------------------------------------------

test('a cancelled pending get / put takes nothing and puts nothing (generator: cancel; async: signal)', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  await run(function* () {
    const g = createTask(function* () { yield q.get(); });
    const a = createTask(async (task) => { await q.get({ signal: task.signal }); });
    const last = createTask(function* () { return yield q.get(); });
    yield* ticks();
    g.cancel();
    a.cancel();
    yield* ticks();
    q.putNowait('only');
    assert.equal(yield last, 'only', 'the cancelled getters were withdrawn');
    q.putNowait('full');
    const pg = createTask(function* () { yield q.put({ never: 1 }); });
    const ac = new AbortController();
    const pa = q.put('never', { signal: ac.signal }).then(() => 'put', (e) => e); // started by then()
    yield* ticks();
    pg.cancel();
    ac.abort();
    yield gather([pg], { returnExceptions: true });
    assert.ok((yield pa) instanceof CancelledError);
    assert.deepEqual(drain(q), ['full']);
  });
  q.destroy();
}));

test('cancellation race, get (generator): woken with an item, then cancelled before it runs - the item goes on', () => leakFree(async () => {
  for (const Q of [Queue, LifoQueue, PriorityQueue]) {
    const q = new Q();
    await run(function* () {
      // to the next waiting getter
      const a = createTask(function* () { return yield q.get(); });
      const b = createTask(function* () { return yield q.get(); });
      yield* ticks();
      q.putNowait('x'); // handed to a's get
      assert.equal(q.qsize(), 0);
      a.cancel();       // before a ran
      assert.equal(yield b, 'x', `${Q.name}: b got the item a could not take`);
      yield gather([a], { returnExceptions: true });
      assert.equal(a.cancelled(), true);
      // back into the queue, at the place a get takes from
      const c = createTask(function* () { return yield q.get(); });
      yield* ticks();
      q.putNowait('first');
      q.putNowait('second');
      c.cancel();
      yield gather([c], { returnExceptions: true });
      assert.equal(c.cancelled(), true);
      const rest = drain(q);
      assert.deepEqual(rest.sort(), ['first', 'second'], `${Q.name}: nothing lost`);
    });
    q.destroy();
  }
  // FIFO: the item returns to the head
  const f = new Queue();
  await run(function* () {
    const c = createTask(function* () { return yield f.get(); });
    yield* ticks();
    f.putNowait(1);
    f.putNowait(2);
    c.cancel();
    yield gather([c], { returnExceptions: true });
    assert.deepEqual(drain(f), [1, 2]);
  });
  f.destroy();
}));

test('cancellation race, get (async task): an abort after the hand-off delivers the item', () => leakFree(async () => {
  const q = new Queue();
  await run(function* () {
    const t = createTask(async (task) => q.get({ signal: task.signal }));
    yield* ticks();
    q.putNowait({ id: 7 });
    t.cancel();
    const got = yield t;
    assert.deepEqual(got, { id: 7 }, 'the task got the item instead of losing it');
    assert.equal(q.qsize(), 0);
  });
  q.destroy();
}));

test('cancellation race, put (generator): admitted, then cancelled before it runs - the item is taken out again', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  await run(function* () {
    q.putNowait('a');
    const p = createTask(function* () { yield q.put({ b: 1 }); return 'put'; });
    yield* ticks();
    assert.equal(q.getNowait(), 'a'); // frees the slot: p's item goes in
    assert.equal(q.qsize(), 1);
    p.cancel();                       // before p ran
    yield gather([p], { returnExceptions: true });
    assert.equal(p.cancelled(), true);
    assert.equal(q.qsize(), 0, 'the cancelled put did not happen');
    q.taskDone(); // for 'a'
    assert.throws(() => q.taskDone(), ValueError, "'b' is not counted as unfinished");
  });
  q.destroy();
}));

test('cancellation race, put (generator): if a getter already took the item, the put stands and the cancellation comes at the next wait', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  const log = [];
  await run(function* () {
    q.putNowait('a');
    const p = createTask(function* () {
      yield q.put('b');
      log.push('put done');
      try {
        yield sleep(10_000);
      } catch (e) {
        log.push(e instanceof CancelledError ? 'cancelled at the next wait' : String(e));
        throw e;
      }
    });
    yield* ticks();
    assert.equal(q.getNowait(), 'a'); // 'b' goes in
    assert.equal(q.getNowait(), 'b'); // and is taken at once
    p.cancel();
    yield gather([p], { returnExceptions: true });
    assert.equal(p.cancelled(), true);
  });
  assert.deepEqual(log, ['put done', 'cancelled at the next wait']);
  q.destroy();
}));

test('cancellation race, put (async task): an abort after admission resolves the put (lossless)', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  await run(function* () {
    q.putNowait('a');
    const p = createTask(async (task) => { await q.put('b', { signal: task.signal }); return 'put'; });
    yield* ticks();
    assert.equal(q.getNowait(), 'a');
    p.cancel();
    assert.equal(yield p, 'put');
    assert.deepEqual(drain(q), ['b']);
  });
  q.destroy();
}));

// ---------------------------------------------------------------------------
// One queue shared by C coroutines and JS tasks
// ---------------------------------------------------------------------------

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
