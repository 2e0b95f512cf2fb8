// Lock, Event, Semaphore, Barrier and Condition shared by C coroutines
// (tests/c/modules/sync_interop.c) and JS tasks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  runtime, Lock, Event, Condition, Semaphore, Barrier, Queue, QueueShutDown,
} from '../../bindings/index.js';
import { leakFree, interopRuntime, f64, warmUp } from './sync_helpers.mjs';

let crt; // a runtime with the C coroutines of sync_interop.c
before(async () => {
  crt = await interopRuntime();
  await warmUp([runtime, crt]);
});

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
