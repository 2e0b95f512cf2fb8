// asyncio's exact interleavings in generator tasks (Python 3.13/3.14): each
// test is a minimal program whose trace under CPython is quoted above it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, createFuture, gather, shield, waitFor, taskGroup, Queue, Condition,
} from '../../bindings/index.js';

// t = create_task(quick()); await sleep(0); create_task(other())
// print('main got', await t)          -> main got 1, other ran
test('awaiting a done task does not suspend', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () { return 1; });
    yield sleep(0);
    const other = createTask(function* () { log.push('other ran'); });
    log.push(`main got ${yield t}`);
    yield other;
  });
  assert.deepEqual(log, ['main got 1', 'other ran']);
});

// f = loop.create_future(); f.set_result(2); create_task(other())
// print(await f)                       -> 2, other ran
test('awaiting a done future does not suspend', async () => {
  const log = [];
  await run(function* () {
    const f = createFuture();
    f.setResult(2);
    const other = createTask(function* () { log.push('other ran'); });
    log.push(`got ${yield f}`);
    yield other;
  });
  assert.deepEqual(log, ['got 2', 'other ran']);
});

// current_task().cancel(); await done_future  (goes on); await sleep(0) -> CancelledError
test('a self-cancel is delivered at the next real suspension', async () => {
  const log = [];
  await assert.rejects(run(function* (task) {
    const f = createFuture();
    f.setResult(1);
    task.cancel('self');
    yield f;
    log.push('went on');
    try {
      yield sleep(0);
    } catch (e) {
      log.push(`${e.name}: ${e.message}`);
      throw e;
    }
  }), { name: 'CancelledError' });
  assert.deepEqual(log, ['went on', 'CancelledError: self']);
});

// consumer blocked in q.get(); q.put_nowait(1); q.qsize(); q.get_nowait();
// q.put_nowait(2)        -> qsize 1, get_nowait 1, consumer got 2
test('Queue: a put only wakes a waiting getter; the item stays in the queue', async () => {
  const log = [];
  const q = new Queue();
  await run(function* () {
    const c = createTask(function* () { log.push(`consumer got ${yield q.get()}`); });
    yield sleep(0);
    q.putNowait(1);
    log.push(`qsize ${q.qsize()}`);
    log.push(`getNowait ${q.getNowait()}`);
    q.putNowait(2);
    yield c;
  });
  q.destroy();
  assert.deepEqual(log, ['qsize 1', 'getNowait 1', 'consumer got 2']);
});

// q = Queue(1); put('x'); putter blocked in put('p'); await q.get()
// q.put_nowait('n') succeeds (the woken putter has not run); the putter waits again
test('Queue: a get only wakes a waiting putter; a newcomer may take the slot', async () => {
  const log = [];
  const q = new Queue({ maxsize: 1 });
  await run(function* () {
    q.putNowait('x');
    const p = createTask(function* () { yield q.put('p'); log.push('putter put'); });
    yield sleep(0);
    log.push(`got ${yield q.get()}`);
    q.putNowait('n');
    log.push(`qsize ${q.qsize()}`);
    log.push(`got ${yield q.get()}`);
    log.push(`got ${yield q.get()}`);
    yield p;
  });
  q.destroy();
  assert.deepEqual(log, ['got x', 'qsize 1', 'got n', 'putter put', 'got p']);
});

// waiter: async with cv: await cv.wait(); print('woke')
// main: async with cv: cv.notify(); create_task(other())     -> woke, other
test('Condition: a notified wait resumes in the step after notify()', async () => {
  const log = [];
  const cv = new Condition();
  await run(function* () {
    const w = createTask(function* () {
      yield* cv.with(function* () { yield cv.wait(); log.push('woke'); });
    });
    yield sleep(0);
    yield* cv.with(function* () { cv.notify(); });
    const o = createTask(function* () { log.push('other'); });
    yield w;
    yield o;
  });
  cv.destroy();
  assert.deepEqual(log, ['woke', 'other']);
});

// create_task(other()); async with TaskGroup(): pass; print('after')
// -> after, other ran   (leaving an empty group does not suspend)
test('TaskGroup: leaving a group with no task left does not suspend', async () => {
  const log = [];
  await run(function* () {
    const o = createTask(function* () { log.push('other ran'); });
    yield* taskGroup(function* () {});
    log.push('after');
    yield o;
  });
  assert.deepEqual(log, ['after', 'other ran']);
});

// t done; create_task(other()); await wait_for(t, 1)  -> 1 at once, then other
// f pending, set by another task: wait_for resumes one step after f is done
test('waitFor: a done awaitable at once; a pending one one step after it is done', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () { return 1; });
    yield sleep(0);
    const o = createTask(function* () { log.push('other ran'); });
    log.push(`done -> ${yield waitFor(t, 1000)}`);
    yield o;
    const f = createFuture();
    createTask(function* () {
      f.setResult(5);
      log.push('set');
      yield sleep(0);
      log.push('setter +1');
      yield sleep(0);
      log.push('setter +2');
    });
    log.push(`pending -> ${yield waitFor(f, 1000)}`);
    yield sleep(0);
    yield sleep(0);
  });
  assert.deepEqual(log, ['done -> 1', 'other ran', 'set', 'pending -> 5', 'setter +1', 'setter +2']);
});

// a, b done; create_task(other()); await gather(a, b)  -> [1, 1] at once, then other
// t = create_task(inner()); w = create_task(wait_for(t, 0)); ...; w.cancel()
// wait_for(t, 0) cancels t and awaits a separate waiter (_cancel_and_wait):
// cancelling w ends its wait at once, while t still cleans up (its two
// sleep(0)s). CPython 3.14: inner start, cancel caller, inner cancelled,
// caller cancelled, main: caller done False, inner cleaned up, main: inner done
test('waitFor(t, 0): cancelling the caller does not wait for t (differential seed 6386)', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () {
      log.push('inner start');
      try {
        yield sleep(10);
      } catch (e) {
        log.push('inner cancelled');
        yield sleep(0);
        yield sleep(0);
        log.push('inner cleaned up');
        throw e;
      }
    });
    yield sleep(0);
    const w = createTask(function* () {
      try {
        yield waitFor(t, 0);
      } catch (e) {
        log.push('caller cancelled');
        throw e;
      }
    });
    yield sleep(0);
    log.push('cancel caller');
    w.cancel();
    try { yield w; } catch { log.push(`main: caller done ${t.done()}`); }
    try { yield t; } catch { log.push('main: inner done'); }
  });
  assert.deepEqual(log, ['inner start', 'cancel caller', 'inner cancelled', 'caller cancelled',
    'main: caller done false', 'inner cleaned up', 'main: inner done']);
});

test('gather of done children and shield of a done task do not suspend', async () => {
  const log = [];
  await run(function* () {
    const a = createTask(function* () { return 1; });
    const b = createTask(function* () { return 1; });
    yield sleep(0);
    let o = createTask(function* () { log.push('o4 ran'); });
    log.push(`gather -> ${JSON.stringify(yield gather(a, b))}`);
    yield o;
    o = createTask(function* () { log.push('o5 ran'); });
    log.push(`shield -> ${yield shield(a)}`);
    yield o;
  });
  assert.deepEqual(log, ['gather -> [1,1]', 'o4 ran', 'shield -> 1', 'o5 ran']);
});

// t waiting in sleep(); t.cancel('a'); t.cancel('b')  -> CancelledError('a')
// t not started;        t.cancel('a'); t.cancel('b')  -> CancelledError('b')
test('cancel messages: the first while waiting, the last before the task runs', async () => {
  const log = [];
  await run(function* () {
    const sleeper = (name) => createTask(function* () {
      try {
        yield sleep(1000);
      } catch (e) {
        log.push(`${name}: ${e.message}`);
        throw e;
      }
    });
    const t1 = sleeper('waiting');
    yield sleep(0);
    t1.cancel('a');
    t1.cancel('b');
    const t2 = sleeper('not started');
    t2.cancel('a');
    t2.cancel('b');
    for (const t of [t1, t2]) {
      try { yield t; } catch (e) { log.push(`awaiter: ${e.message}`); }
    }
  });
  assert.deepEqual(log, ['waiting: a', 'awaiter: a', 'awaiter: b']);
});

// found by the differential test (seed 16063): t1 = put() blocked, t2 = get()
// then raise B2; t1 then puts and raises B1 in the next step. gather(t1, t2)
// fails with B2, the failure that completed it, not with the first failed
// child in argument order.
test('gather fails with the child failure that completed it', async () => {
  const q = new Queue({ maxsize: 1 });
  class Boom extends Error {}
  let got;
  await run(function* () {
    yield q.put(8);
    const t1 = createTask(function* () { yield q.put(3); throw new Boom('b1'); });
    const t2 = createTask(function* () { yield q.get(); throw new Boom('b2'); });
    try {
      yield gather(t1, t2);
    } catch (e) {
      got = e.message;
    }
    yield gather([t1, t2], { returnExceptions: true });
  });
  q.destroy();
  assert.equal(got, 'b2');
});
