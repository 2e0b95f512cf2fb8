// Lock, Event, Condition, Semaphore, BoundedSemaphore and Barrier from JS
// (bindings/sync.js): the C primitives in both task styles, FIFO wake-ups,
// error classes, helpers, destroy, the cancellation race, sharing with C
// coroutines (tests/c/modules/sync_interop.c) and leak checks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  run, createTask, sleep, gather, runtime, Runtime, Lock, Event, Condition, Semaphore,
  BoundedSemaphore, Barrier, Queue, QueueShutDown, CancelledError, InvalidStateError, BrokenBarrierError,
  ValueError, WasyncioError, codes,
} from '../../bindings/index.js';
import { snapshot, settle, leakFree, ticks } from './sync_helpers.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** Counts that must return to their baseline after a test. */

const interopUrl = new URL('../../build/wasm/modules/sync_interop.mjs', import.meta.url);
let crt; // a runtime with the C coroutines of sync_interop.c
const f64 = (...xs) => new Float64Array(xs);

before(async () => {
  crt = await Runtime.create({ module: interopUrl });
  // warm-up, so that one-off growth (loop rings, tables) is not counted as a leak
  for (const rt of [runtime, crt]) {
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
    });
  }
});

// ---------------------------------------------------------------------------
// Lock
// ---------------------------------------------------------------------------

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
    // handed to the waiter: still locked, and a newcomer waits
    assert.equal(lock.locked(), true);
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

test('cancellation race, Lock (async task): an abort after the hand-off delivers the lock', () => leakFree(async () => {
  const lock = new Lock();
  await run(function* () {
    yield lock.acquire();
    const t = createTask(async (task) => {
      await lock.acquire({ signal: task.signal });
      const held = lock.locked();
      lock.release();
      return held;
    });
    yield* ticks();
    lock.release();
    t.cancel();
    assert.equal(yield t, true, 'the task got the lock (lossless) and released it');
    assert.equal(lock.locked(), false);
  });
  lock.destroy();
}));

// ---------------------------------------------------------------------------
// Event
// ---------------------------------------------------------------------------

test('Event: set wakes every waiter in FIFO order, both styles; clear; isSet; a set event does not wait', () => leakFree(async () => {
  const ev = new Event();
  const order = [];
  await run(function* () {
    const ts = [];
    for (let i = 0; i < 6; i++) {
      ts.push(i % 2
        ? createTask(async (task) => { assert.equal(await ev.wait({ signal: task.signal }), true); order.push(i); })
        : createTask(function* () { assert.equal(yield ev.wait(), true); order.push(i); }));
      yield* ticks(1);
    }
    assert.equal(ev.isSet(), false);
    assert.deepEqual(order, []);
    ev.set();
    assert.equal(ev.isSet(), true);
    yield gather(ts);
    // woken in FIFO order; generator tasks resume inside the scheduler's
    // turn, async ones in the promise jobs after it
    assert.deepEqual(order.filter((i) => i % 2 === 0), [0, 2, 4]);
    assert.deepEqual(order.filter((i) => i % 2 === 1), [1, 3, 5]);
    assert.equal(yield ev.wait(), true);
    ev.clear();
    assert.equal(ev.isSet(), false);
    const w = createTask(function* () { yield ev.wait(); return 'again'; });
    yield* ticks();
    assert.equal(w.done(), false);
    ev.set();
    ev.clear(); // a woken waiter returns even if the event is cleared before it runs
    assert.equal(yield w, 'again');
    const c = createTask(function* () { yield ev.wait(); });
    yield* ticks();
    c.cancel();
    yield* ticks();
    assert.equal(c.cancelled(), true);
  });
  ev.destroy();
}));

// ---------------------------------------------------------------------------
// Condition
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Semaphore, BoundedSemaphore
// ---------------------------------------------------------------------------

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
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
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

test('cancellation race, Semaphore: a slot handed to a cancelled waiter goes on (generator) / is delivered (async)', () => leakFree(async () => {
  const sem = new Semaphore(0);
  await run(function* () {
    const t = createTask(function* () { yield sem.acquire(); });
    const u = createTask(function* () { yield sem.acquire(); return 'u'; });
    yield* ticks();
    sem.release(); // slot handed to t
    t.cancel();
    assert.equal(yield u, 'u');
    assert.equal(t.cancelled(), true);
    assert.equal(sem.value, 0);
    sem.release();
    assert.equal(sem.value, 1, 'no slot lost');
    yield sem.acquire();
    const a = createTask(async (task) => { await sem.acquire({ signal: task.signal }); sem.release(); return 'got it'; });
    yield* ticks();
    sem.release();
    a.cancel();
    assert.equal(yield a, 'got it');
    assert.equal(sem.value, 1);
  });
  sem.destroy();
}));

// ---------------------------------------------------------------------------
// Barrier
// ---------------------------------------------------------------------------

test('Barrier: parties meet and get indices 0..n-1 (both styles); cycles repeat', () => leakFree(async () => {
  const b = new Barrier(3);
  assert.equal(b.parties, 3);
  await run(function* () {
    for (let cycle = 0; cycle < 2; cycle++) {
      const ts = [
        createTask(function* () { return yield b.wait(); }),
        createTask(async (task) => b.wait({ signal: task.signal })),
      ];
      yield* ticks();
      assert.equal(b.nWaiting, 2);
      const mine = yield b.wait();
      const idx = [...(yield gather(ts)), mine].sort();
      assert.deepEqual(idx, [0, 1, 2]);
      yield* ticks();
    }
  });
  assert.equal(b.broken, false);
  b.destroy();
}));

test('Barrier: reset breaks current waiters; abort breaks it until reset (BrokenBarrierError)', () => leakFree(async () => {
  const b = new Barrier(2);
  await run(function* () {
    const t = createTask(function* () { return yield b.wait(); });
    yield* ticks();
    b.reset();
    yield gather([t], { returnExceptions: true });
    assert.ok(t.exception() instanceof BrokenBarrierError);
    assert.equal(b.broken, false);
    const u = createTask(async () => b.wait());
    yield* ticks();
    b.abort();
    assert.equal(b.broken, true);
    yield gather([u], { returnExceptions: true });
    assert.ok(u.exception() instanceof BrokenBarrierError);
    try {
      yield b.wait();
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof BrokenBarrierError);
    }
    b.reset();
    assert.equal(b.broken, false);
    const v = createTask(function* () { return yield b.wait(); });
    assert.deepEqual([yield b.wait(), yield v].sort(), [0, 1]);
  });
  b.destroy();
}));

// ---------------------------------------------------------------------------
// Destroy, bad arguments, runtimes, garbage collection
// ---------------------------------------------------------------------------

test('destroy() with waiters ends them at once (WasyncioError ESHUTDOWN), later use throws, queries stay quiet', () => leakFree(async () => {
  await run(function* () {
    const lock = new Lock();
    const ev = new Event();
    const sem = new Semaphore(0);
    const bar = new Barrier(5);
    const cond = new Condition();
    yield lock.acquire();
    yield cond.acquire();
    const ts = [
      createTask(function* () { yield lock.acquire(); }),
      createTask(async (task) => { await ev.wait({ signal: task.signal }); }),
      createTask(function* () { yield sem.acquire(); }),
      createTask(function* () { yield bar.wait(); }),
      createTask(function* () { yield cond.acquire(); }),
    ];
    const w = createTask(function* () { yield* ticks(); });
    yield w;
    for (const o of [lock, ev, sem, bar, cond]) o.destroy();
    yield gather(ts, { returnExceptions: true });
    for (const t of ts) {
      const e = t.exception();
      assert.ok(e instanceof WasyncioError && e.code === codes.ESHUTDOWN, String(e));
      assert.match(e.message, /destroyed/);
    }
    for (const o of [lock, ev, sem, bar, cond]) {
      assert.equal(o.destroyed, true);
      assert.equal(o.ptr, 0);
      o.destroy(); // idempotent
    }
    assert.equal(lock.locked(), false);
    assert.equal(ev.isSet(), false);
    assert.equal(sem.value, 0);
    assert.equal(bar.broken, false);
    assert.throws(() => lock.release(), (e) => e.code === codes.ESHUTDOWN && /Lock was destroyed/.test(e.message));
    assert.throws(() => ev.set(), /Event was destroyed/);
    try {
      yield sem.acquire();
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof WasyncioError && e.code === codes.ESHUTDOWN);
    }
    // a condition wait on a destroyed condition: ESHUTDOWN, lock not held
    const c2 = new Condition();
    const cw = createTask(function* () { yield c2.acquire(); yield c2.wait(); });
    yield* ticks();
    c2.destroy();
    yield gather([cw], { returnExceptions: true });
    assert.equal(cw.exception().code, codes.ESHUTDOWN);
  });
}));

test('using / Symbol.asyncDispose destroy the object', () => leakFree(async () => {
  const lock = new Lock();
  await lock[Symbol.asyncDispose]();
  assert.equal(lock.destroyed, true);
  const ev = new Event();
  ev[Symbol.dispose]();
  assert.equal(ev.destroyed, true);
}));

test('bad arguments: TypeError / RangeError naming the argument', () => {
  assert.throws(() => new Semaphore(-1), (e) => e instanceof RangeError && /value/.test(e.message));
  assert.throws(() => new Semaphore(1.5), RangeError);
  assert.throws(() => new Semaphore('2'), (e) => e instanceof TypeError && /value/.test(e.message));
  assert.throws(() => new BoundedSemaphore(2 ** 31), RangeError);
  assert.throws(() => new Barrier(0), (e) => e instanceof RangeError && /parties/.test(e.message));
  assert.throws(() => new Barrier(), TypeError);
  assert.throws(() => new Lock(5), (e) => e instanceof TypeError && /options/.test(e.message));
  assert.throws(() => new Event({ runtime: {} }), (e) => e instanceof TypeError && /options.runtime/.test(e.message));
  const lock = new Lock();
  assert.throws(() => lock.acquire({ signal: 1 }), (e) => e instanceof TypeError && /signal/.test(e.message));
  assert.throws(() => new Condition(lock, { runtime: crt }), /another runtime/);
  lock.destroy();
});

test('objects on a runtime of your own; its operations cannot be awaited by another runtime\'s tasks', () => leakFree(async () => {
  const lock = new Lock({ runtime: crt });
  assert.equal(lock.runtime, crt);
  const t = crt.createTask(function* () { yield lock.acquire(); return lock.locked(); });
  assert.equal(await t, true);
  lock.release();
  await assert.rejects(run(function* () { yield lock.acquire(); }), (e) => e instanceof TypeError && /another runtime/.test(e.message));
  assert.equal(lock.locked(), false);
  lock.destroy();
}, crt));

test('a forgotten object is destroyed when garbage-collected (FinalizationRegistry)', async () => {
  await settle();
  const before = runtime.syncStats().objects;
  (() => { for (let i = 0; i < 10; i++) new Semaphore(1); })();
  assert.equal(runtime.syncStats().objects, before + 10);
  for (let i = 0; i < 50 && runtime.syncStats().objects > before; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(runtime.syncStats().objects, before);
});

// ---------------------------------------------------------------------------
// Shared with C coroutines (tests/c/modules/sync_interop.c)
// ---------------------------------------------------------------------------

test('C and JS tasks share one Lock: FIFO across both', () => leakFree(async () => {
  const lock = new Lock({ runtime: crt });
  const log = new Queue({ runtime: crt });
  await crt.run(function* () {
    yield lock.acquire();
    const ts = [];
    for (let i = 0; i < 6; i++) {
      if (i % 3 === 0) ts.push(crt.spawnC('lock_put', f64(lock.ptr, log.ptr, i, 1)));
      else if (i % 3 === 1) ts.push(crt.createTask(function* () { yield lock.acquire(); log.putNowait(i); yield crt.sleep(1); lock.release(); }));
      else ts.push(crt.createTask(async (task) => { await lock.acquire({ signal: task.signal }); log.putNowait(i); await crt.sleep(1); lock.release(); }));
      yield crt.sleep(0);
      yield new Promise((r) => setImmediate(r)); // the async task's acquire starts in a promise job
    }
    lock.release();
    yield crt.gather(ts);
  });
  const got = [];
  while (!log.empty()) got.push(log.getNowait());
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5]);
  lock.destroy();
  log.destroy();
}, crt));

test('C and JS tasks share an Event, a Semaphore, a Barrier and a Condition', () => leakFree(async () => {
  const ev = new Event({ runtime: crt });
  const sem = new Semaphore(1, { runtime: crt });
  const bar = new Barrier(3, { runtime: crt });
  const cond = new Condition({ runtime: crt });
  await crt.run(function* () {
    const cw = crt.spawnC('event_wait', f64(ev.ptr));
    const jw = crt.createTask(function* () { return (yield ev.wait()) && 1; });
    yield crt.sleep(1);
    assert.equal(cw.done(), false);
    ev.set();
    assert.deepEqual(yield crt.gather(cw, jw), [1, 1]);

    yield sem.acquire();
    const cs = crt.spawnC('sem_hold', f64(sem.ptr, 1));
    yield crt.sleep(2);
    assert.equal(cs.done(), false, 'C waits for the slot JS holds');
    sem.release();
    assert.equal(yield cs, 1);
    assert.equal(sem.value, 1);

    const cb = crt.spawnC('barrier_wait', f64(bar.ptr));
    const jb = crt.createTask(async () => bar.wait());
    const mine = yield bar.wait();
    assert.deepEqual([yield cb, yield jb, mine].sort(), [0, 1, 2]);

    const cc = crt.spawnC('cond_wait_once', f64(cond.ptr));
    yield crt.sleep(1);
    yield cond.acquire();
    assert.equal(cond.notify(), 1, 'the C task waits on the condition');
    cond.release();
    assert.equal(yield cc, 1);
  });
  for (const o of [ev, sem, bar, cond]) o.destroy();
}, crt));

test('destroying from JS ends C waiters too (WA_ESHUTDOWN)', () => leakFree(async () => {
  const ev = new Event({ runtime: crt });
  const c = crt.spawnC('event_wait', f64(ev.ptr));
  await crt.sleep(1);
  ev.destroy();
  // a C task failing with WA_ESHUTDOWN reads as QueueShutDown in JS (errors.js)
  await assert.rejects(c, QueueShutDown);
}, crt));
