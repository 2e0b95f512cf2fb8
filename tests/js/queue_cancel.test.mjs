// Cancelling queue operations from JS (bindings/queue.js): pending gets and
// puts are withdrawn; the wake-up race loses nothing, in both task styles.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, runtime, Queue, LifoQueue, PriorityQueue, CancelledError,
  ValueError,
} from '../../bindings/index.js';
import { leakFree, ticks, warmUp, drain } from './sync_helpers.mjs';

before(() => warmUp([runtime]));

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
