// Condition from JS (bindings/sync.js): notify order, waitFor, cancellation
// re-acquiring the lock, a shared Lock.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, gather, runtime, Lock, Condition, CancelledError, InvalidStateError,
  WasyncioError, codes,
} from '../../bindings/index.js';
import { leakFree, ticks, warmUp } from './sync_helpers.mjs';

before(() => warmUp([runtime]));

test('Condition: wait/notify(n)/notifyAll wake in FIFO order, both styles; the lock is held again after wait', () => leakFree(async () => {
  const cond = new Condition();
  const order = [];
  await run(function* () {
    const ts = [];
    for (let i = 0; i < 5; i++) {
      ts.push(i % 2
        ? createTask(async (task) => {
          await cond.acquire({ signal: task.signal });
          try {
            assert.equal(await cond.wait({ signal: task.signal }), true);
            assert.equal(cond.locked(), true);
            order.push(i);
          } finally {
            cond.release(); // a cancelled wait re-acquires the lock too
          }
        })
        : createTask(function* () {
          yield* cond.with(function* () {
            assert.equal(yield cond.wait(), true);
            order.push(i);
          });
        }));
      yield* ticks(1);
    }
    yield cond.acquire();
    assert.equal(cond.notify(2), 2);
    cond.release();
    yield* ticks();
    assert.deepEqual(order, [0, 1]);
    yield cond.acquire();
    assert.equal(cond.notifyAll(), 3);
    cond.release();
    yield gather(ts);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    yield cond.acquire();
    assert.equal(cond.notify(), 0, 'nobody left to wake');
    cond.release();
  });
  assert.throws(() => cond.notify(), (e) => e instanceof InvalidStateError && /un-acquired/.test(e.message));
  await assert.rejects(cond.wait(), (e) => e instanceof InvalidStateError && /un-acquired/.test(e.message));
  assert.throws(() => cond.release(), InvalidStateError);
  assert.throws(() => cond.notify(-1), RangeError);
  cond.destroy();
}));

test('Condition.waitFor: predicate checked at once and after each notification; resolves with its value', () => leakFree(async () => {
  const cond = new Condition();
  let n = 0;
  let calls = 0;
  await run(function* () {
    const g = createTask(function* () {
      yield cond.acquire();
      const v = yield cond.waitFor(() => { calls++; return n >= 3 && `n=${n}`; });
      assert.equal(cond.locked(), true);
      cond.release();
      return v;
    });
    const a = createTask(async (task) => {
      await cond.acquire({ signal: task.signal });
      const v = await cond.waitFor(() => n >= 2 && n, { signal: task.signal });
      cond.release();
      return v;
    });
    yield* ticks();
    for (let i = 0; i < 3; i++) {
      yield cond.acquire();
      n++;
      cond.notifyAll();
      cond.release();
      yield* ticks();
    }
    assert.equal(yield g, 'n=3');
    assert.equal(yield a, 2);
    assert.ok(calls >= 4, `predicate called ${calls} times`);
    // true at once: no wait, the lock untouched
    yield cond.acquire();
    assert.equal(yield cond.waitFor(() => 'now'), 'now');
    cond.release();
    // a predicate that throws: the error propagates, lock held (asyncio)
    yield cond.acquire();
    let k = 0;
    const t = createTask(function* () {
      yield cond.acquire();
      try {
        yield cond.waitFor(() => { if (k++) throw new RangeError('bad predicate'); return false; });
      } catch (e) {
        assert.equal(cond.locked(), true);
        cond.release();
        return e;
      }
    });
    cond.release();
    yield* ticks();
    yield cond.acquire();
    cond.notify();
    cond.release();
    const err = yield t;
    assert.ok(err instanceof RangeError && err.message === 'bad predicate');
  });
  assert.throws(() => cond.waitFor('x'), TypeError);
  cond.destroy();
}));

test('Condition: a cancelled wait re-acquires the lock first; a consumed notification passes on', () => leakFree(async () => {
  const cond = new Condition();
  await run(function* () {
    const log = [];
    const t = createTask(function* () {
      yield cond.acquire();
      try {
        yield cond.wait();
      } catch (e) {
        log.push(['t', e instanceof CancelledError, cond.locked()]);
        cond.release();
        throw e;
      }
    });
    const u = createTask(function* () {
      yield cond.acquire();
      yield cond.wait();
      log.push(['u', true, cond.locked()]);
      cond.release();
    });
    yield* ticks();
    yield cond.acquire();
    cond.notify(1); // t is notified ...
    t.cancel();     // ... and cancelled before it runs: the notification goes to u
    cond.release();
    yield gather([t, u], { returnExceptions: true });
    assert.deepEqual(log, [['t', true, true], ['u', true, true]]);
    assert.equal(cond.locked(), false);
  });
  cond.destroy();
}));

test('Condition over a shared Lock; the lock stays the caller\'s', () => leakFree(async () => {
  const lock = new Lock();
  const cond = new Condition(lock);
  await run(function* () {
    const t = createTask(function* () {
      yield lock.acquire();
      yield cond.wait();
      lock.release();
      return 'woken';
    });
    yield* ticks();
    assert.equal(lock.locked(), false, 'wait released the shared lock');
    yield lock.acquire();
    assert.equal(cond.locked(), true);
    cond.notify();
    lock.release();
    assert.equal(yield t, 'woken');
  });
  cond.destroy();
  assert.equal(lock.destroyed, false);
  yield_check: {
    // the lock still works on its own
    await lock.acquire();
    lock.release();
  }
  lock.destroy();
  assert.throws(() => new Condition(lock), (e) => e instanceof WasyncioError && e.code === codes.ESHUTDOWN);
  assert.throws(() => new Condition('lock'), TypeError);
}));
