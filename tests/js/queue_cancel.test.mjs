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

// The wake-up race, asyncio's way (3.13/3.14): a put only wakes a waiting
// getter (a get, a waiting putter); the woken task takes the item (puts its
// own) when it runs. Cancelled before that, it takes nothing and passes the
// wake-up on. Nothing is lost either way.
test('cancellation race, get (generator): woken, then cancelled before it runs - the wake-up goes on', () => leakFree(async () => {
  for (const Q of [Queue, LifoQueue, PriorityQueue]) {
    const q = new Q();
    await run(function* () {
      // to the next waiting getter
      const a = createTask(function* () { return yield q.get(); });
      const b = createTask(function* () { return yield q.get(); });
      yield* ticks();
      q.putNowait('x'); // wakes a's get; the item stays in the queue
      assert.equal(q.qsize(), 1);
      a.cancel();       // before a ran
      assert.equal(yield b, 'x', `${Q.name}: b got the item a did not take`);
      yield gather([a], { returnExceptions: true });
      assert.equal(a.cancelled(), true);
      // with no other getter, the items simply stay
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
  // FIFO: in their order
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

test('cancellation race, get (async task): an abort after the wake-up withdraws the get; the item stays', () => leakFree(async () => {
  const q = new Queue();
  await run(function* () {
    const t = createTask(async (task) => q.get({ signal: task.signal }));
    yield* ticks();
    q.putNowait({ id: 7 });
    t.cancel();
    try {
      yield t;
      assert.fail('the task must end cancelled');
    } catch (e) {
      assert.ok(e instanceof CancelledError, String(e));
    }
    assert.deepEqual(drain(q), [{ id: 7 }], 'nothing lost');
  });
  q.destroy();
}));

test('cancellation race, put (generator): woken, then cancelled before it runs - it puts nothing', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  await run(function* () {
    q.putNowait('a');
    const p = createTask(function* () { yield q.put({ b: 1 }); return 'put'; });
    yield* ticks();
    assert.equal(q.getNowait(), 'a'); // frees the slot: p is woken
    assert.equal(q.qsize(), 0);
    p.cancel();                       // before p ran
    yield gather([p], { returnExceptions: true });
    assert.equal(p.cancelled(), true);
    assert.equal(q.qsize(), 0, 'the cancelled put did not happen');
    q.taskDone(); // for 'a'
    assert.throws(() => q.taskDone(), ValueError, "'b' is not counted as unfinished");
  });
  q.destroy();
}));

test('put (generator): a newcomer may take the slot of a woken putter, which then waits again', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  const log = [];
  await run(function* () {
    q.putNowait('a');
    const p = createTask(function* () {
      yield q.put('b');
      log.push('put done');
    });
    yield* ticks();
    assert.equal(q.getNowait(), 'a'); // p is woken
    q.putNowait('n');                 // a newcomer takes the free slot first
    yield* ticks();                   // p found the queue full: it waits again
    assert.deepEqual(log, []);
    assert.equal(q.getNowait(), 'n'); // wakes p again
    yield p;
    assert.equal(q.getNowait(), 'b');
  });
  assert.deepEqual(log, ['put done']);
  q.destroy();
}));

test('cancellation race, put (async task): an abort after the wake-up withdraws the put', () => leakFree(async () => {
  const q = new Queue({ maxsize: 1 });
  await run(function* () {
    q.putNowait('a');
    const p = createTask(async (task) => { await q.put('b', { signal: task.signal }); return 'put'; });
    yield* ticks();
    assert.equal(q.getNowait(), 'a');
    p.cancel();
    try {
      yield p;
      assert.fail('the task must end cancelled');
    } catch (e) {
      assert.ok(e instanceof CancelledError, String(e));
    }
    assert.deepEqual(drain(q), [], 'the cancelled put did not happen');
  });
  q.destroy();
}));
