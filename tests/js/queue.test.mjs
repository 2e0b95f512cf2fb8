// Queue, LifoQueue and PriorityQueue from JS (bindings/queue.js): orders,
// maxsize, nowait errors, taskDone/join, shutdown (normal and immediate)
// with waiters of every kind, `for await`, values of every kind.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, runtime, Queue, LifoQueue, PriorityQueue, QueueEmpty, QueueFull,
  QueueShutDown, CancelledError, ValueError, codes,
} from '../../bindings/index.js';
import { leakFree, ticks, warmUp, drain } from './sync_helpers.mjs';

before(() => warmUp([runtime]));

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
    // p2 is woken (it puts when it runs), p3 still waits: the shutdown ends
    // both (asyncio: a woken putter re-checks and finds the queue shut down)
    q.shutdown();
    yield gather(ts, { returnExceptions: true });
    assert.ok(ts[2].exception() instanceof QueueShutDown);
    assert.ok(ts[3].exception() instanceof QueueShutDown);
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
