// What every synchronization object shares (bindings/sync.js): destroy(),
// using, bad arguments, runtimes of your own, garbage collection.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  run, createTask, gather, runtime, Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier,
  WasyncioError, codes,
} from '../../bindings/index.js';
import { settle, leakFree, ticks, interopRuntime, warmUp } from './sync_helpers.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

let crt; // a runtime with the C coroutines of sync_interop.c
before(async () => {
  crt = await interopRuntime();
  await warmUp([runtime, crt]);
});

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
