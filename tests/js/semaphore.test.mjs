// Semaphore and BoundedSemaphore from JS (bindings/sync.js).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, runtime, Semaphore, BoundedSemaphore, ValueError, WasyncioError,
  CancelledError, codes,
} from '../../bindings/index.js';
import { leakFree, ticks, warmUp } from './sync_helpers.mjs';

before(() => warmUp([runtime]));

test('Semaphore: value/locked, FIFO waiters in both styles, with() releases on throw', () => leakFree(async () => {
  const sem = new Semaphore(2);
  assert.equal(sem.value, 2);
  assert.equal(sem.locked(), false);
  const order = [];
  let cur = 0;
  let peak = 0;
  await run(function* () {
    const ts = [];
    for (let i = 0; i < 8; i++) {
      ts.push(i % 2
        ? createTask(async (task) => sem.with(async () => {
          order.push(i);
          peak = Math.max(peak, ++cur);
          await sleep(2);
          cur--;
        }, { signal: task.signal }))
        : createTask(function* () {
          yield* sem.with(function* () {
            order.push(i);
            peak = Math.max(peak, ++cur);
            yield sleep(2);
            cur--;
          });
        }));
      yield* ticks(1);
    }
    assert.equal(sem.locked(), true);
    yield gather(ts);
  });
  // slots go FIFO; an async task's body goes on a promise job after its
  // acquire is done, so across the two styles the bodies may start in
  // another order (the generators, run by the scheduler, never later)
  assert.deepEqual(order.filter((i) => i % 2 === 0), [0, 2, 4, 6]);
  assert.deepEqual(order.filter((i) => i % 2 === 1), [1, 3, 5, 7]);
  assert.equal(peak, 2);
  assert.equal(sem.value, 2);
  await assert.rejects(sem.with(async () => { throw new Error('x'); }), /x/);
  assert.equal(sem.value, 2, 'released on throw');
  sem.release(); // a plain Semaphore may go above its initial value
  assert.equal(sem.value, 3);
  sem.destroy();
}));

test('BoundedSemaphore: releasing above the initial value is a ValueError (a WasyncioError EVALUE)', () => leakFree(async () => {
  const b = new BoundedSemaphore(1);
  assert.ok(b instanceof Semaphore);
  assert.throws(() => b.release(), (e) => e instanceof ValueError && e instanceof WasyncioError &&
    e.code === codes.EVALUE && e.name === 'ValueError' && /released too many times/.test(e.message));
  await b.acquire();
  assert.equal(b.locked(), true);
  b.release();
  assert.throws(() => b.release(), ValueError);
  b.destroy();
}));

test('cancellation race, Semaphore: a slot taken for a woken waiter cancelled before it runs goes on (generator) / back (async)', () => leakFree(async () => {
  const sem = new Semaphore(0);
  await run(function* () {
    const t = createTask(function* () { yield sem.acquire(); });
    const u = createTask(function* () { yield sem.acquire(); return 'u'; });
    yield* ticks();
    sem.release(); // t woken, a slot taken for it
    t.cancel();
    assert.equal(yield u, 'u');
    assert.equal(t.cancelled(), true);
    assert.equal(sem.value, 0);
    sem.release();
    assert.equal(sem.value, 1, 'no slot lost');
    yield sem.acquire();
    const a = createTask(async (task) => { await sem.acquire({ signal: task.signal }); sem.release(); return 'got it'; });
    yield* ticks();
    sem.release(); // a woken, a slot taken for it
    a.cancel();    // before it ran: the slot comes back (asyncio)
    try {
      yield a;
      assert.fail('the task must end cancelled');
    } catch (e) {
      assert.ok(e instanceof CancelledError, String(e));
    }
    assert.equal(sem.value, 1, 'no slot lost');
  });
  sem.destroy();
}));
