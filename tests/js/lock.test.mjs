// Lock from JS (bindings/sync.js): FIFO waiters in both task styles, with(),
// withdrawal and the cancellation race.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, runtime, Lock, CancelledError, InvalidStateError,
} from '../../bindings/index.js';
import { leakFree, ticks, warmUp } from './sync_helpers.mjs';

before(() => warmUp([runtime]));

test('Lock: acquire/release/locked; waiters get it in FIFO order, generator and async tasks mixed', () => leakFree(async () => {
  const order = await run(function* () {
    const lock = new Lock();
    assert.equal(lock.locked(), false);
    assert.equal(yield lock.acquire(), true);
    assert.equal(lock.locked(), true);
    const order = [];
    const ts = [];
    for (let i = 0; i < 6; i++) {
      ts.push(i % 2
        ? createTask(async (task) => {
          await lock.acquire({ signal: task.signal });
          order.push(i);
          await sleep(1);
          lock.release();
        })
        : createTask(function* () {
          yield lock.acquire();
          order.push(i);
          yield sleep(1);
          lock.release();
        }));
      yield* ticks(1); // each starts waiting before the next
    }
    lock.release();
    yield gather(ts);
    assert.equal(lock.locked(), false);
    lock.destroy();
    return order;
  });
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
}));

test('Lock: release of an unlocked lock is InvalidStateError; a newcomer never overtakes a waiter', () => leakFree(async () => {
  const lock = new Lock();
  assert.throws(() => lock.release(), (e) => e instanceof InvalidStateError && /not acquired/.test(e.message));
  await run(function* () {
    yield lock.acquire();
    const w = createTask(function* () { yield lock.acquire(); return 'waiter'; });
    yield* ticks();
    lock.release();
    // the waiter is woken (Python: unlocked until it runs), and a newcomer waits
    assert.equal(lock.locked(), false);
    const late = createTask(async () => { await lock.acquire(); return 'late'; });
    assert.equal(yield w, 'waiter');
    lock.release();
    assert.equal(yield late, 'late');
    lock.release();
  });
  lock.destroy();
}));

test('Lock.with: generator (yield*) and async forms release on return and on throw', () => leakFree(async () => {
  const lock = new Lock();
  await run(function* () {
    const v = yield* lock.with(function* () {
      assert.equal(lock.locked(), true);
      yield sleep(1);
      return 7;
    });
    assert.equal(v, 7);
    assert.equal(lock.locked(), false);
    try {
      yield* lock.with(function* () { yield sleep(0); throw new Error('boom'); });
      assert.fail('no throw');
    } catch (e) {
      assert.equal(e.message, 'boom');
    }
    assert.equal(lock.locked(), false);
  });
  assert.equal(await lock.with(async () => { await sleep(1); return lock.locked(); }), true);
  await assert.rejects(lock.with(async () => { throw new RangeError('inner'); }), RangeError);
  assert.equal(lock.locked(), false);
  assert.throws(() => lock.with(42), TypeError);
  lock.destroy();
}));

test('Lock: a cancelled pending acquire is withdrawn (generator: task.cancel; async: signal)', () => leakFree(async () => {
  const lock = new Lock();
  await run(function* () {
    yield lock.acquire();
    const g = createTask(function* () { yield lock.acquire(); return 'g'; });
    const a = createTask(async (task) => { await lock.acquire({ signal: task.signal }); return 'a'; });
    const ac = new AbortController();
    const p = lock.acquire({ signal: ac.signal }).then(() => 'p', (e) => e);
    const last = createTask(function* () { yield lock.acquire(); return 'last'; });
    yield* ticks();
    g.cancel('g off');
    a.cancel();
    ac.abort();
    yield* ticks();
    assert.equal(g.cancelled(), true);
    assert.equal(a.cancelled(), true);
    const perr = yield p;
    assert.ok(perr instanceof CancelledError);
    lock.release();
    assert.equal(yield last, 'last', 'the lock went to the one waiter left');
    lock.release();
    assert.equal(lock.locked(), false);
  });
  lock.destroy();
}));

test('cancellation race, Lock (generator task): woken, then cancelled before it runs - the lock goes on', () => leakFree(async () => {
  const lock = new Lock();
  await run(function* () {
    yield lock.acquire();
    const t = createTask(function* () { yield lock.acquire(); return 't'; });
    const u = createTask(function* () { yield lock.acquire(); return 'u'; });
    yield* ticks();
    lock.release(); // handed to t's pending acquire
    t.cancel();     // before t ran
    yield* ticks();
    assert.equal(t.cancelled(), true);
    assert.equal(yield u, 'u', 'u got the lock t could not take');
    lock.release();
    assert.equal(lock.locked(), false);
    // the same with nobody else waiting: the lock ends up free
    yield lock.acquire();
    const v = createTask(function* () { yield lock.acquire(); });
    yield* ticks();
    lock.release();
    v.cancel();
    yield* ticks();
    assert.equal(v.cancelled(), true);
    assert.equal(lock.locked(), false, 'not lost: free again');
  });
  lock.destroy();
}));

test('cancellation race, Lock (async task): an abort after the wake-up, before the task took the lock, withdraws it', () => leakFree(async () => {
  const lock = new Lock();
  await run(function* () {
    yield lock.acquire();
    const t = createTask(async (task) => {
      await lock.acquire({ signal: task.signal });
      lock.release();
      return 'got it';
    });
    yield* ticks();
    lock.release(); // t's acquire is woken: it takes the lock when it runs
    t.cancel();     // before that (asyncio: the woken waiter is cancelled)
    try {
      yield t;
      assert.fail('the task must end cancelled');
    } catch (e) {
      assert.ok(e instanceof CancelledError, String(e));
    }
    assert.equal(lock.locked(), false, 'nothing lost: the lock is free');
  });
  lock.destroy();
}));
