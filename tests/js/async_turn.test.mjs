// `await sleep(0)` in async code: a native promise for the loop's next turn
// (bindings/async_ops.js turn()). The orders are CPython 3.14 asyncio's for
// the same programs (written next to each test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, CancelledError } from '../../bindings/index.js';

// async def worker(n): for i in range(3): log n+i; await sleep(0)
// main: create a, b, c; log main; gather them
// asyncio: main a0 b0 c0 a1 b1 c1 a2 b2 c2
test('sleep(0) in async tasks: one turn each, round robin as in asyncio', async () => {
  const rt = await Runtime.create();
  const log = [];
  await rt.run(async () => {
    const worker = (n) => rt.createTask(async () => {
      for (let i = 0; i < 3; i++) {
        log.push(n + i);
        await rt.sleep(0);
      }
    });
    const ts = [worker('a'), worker('b'), worker('c')];
    log.push('main');
    await rt.gather(ts);
  });
  assert.deepEqual(log, ['main', 'a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
  assert.equal(rt.stats().opWaiters, 0);
});

test('sleep(0): a promise in async code while the loop runs, the operation elsewhere', async () => {
  const rt = await Runtime.create();
  const outside = rt.sleep(0);
  assert.ok(!(outside instanceof Promise), 'outside run(): the lazy operation');
  let first;
  let later;
  let inGen;
  await rt.run(async () => {
    first = rt.sleep(0); // the async task's first part
    assert.equal(await first, undefined);
    later = rt.sleep(0); // a continuation
    assert.equal(await later, undefined);
    await rt.createTask(function* () {
      inGen = rt.sleep(0);
      yield inGen;
    });
    // each call is its own turn; a second await of one does not yield again
    assert.notEqual(rt.sleep(0), rt.sleep(0));
  });
  assert.ok(first instanceof Promise);
  assert.ok(later instanceof Promise);
  assert.ok(!(inGen instanceof Promise), 'a generator task yields the operation');
  assert.equal(await outside, undefined);
  assert.equal(rt.stats().opWaiters, 0);
});

test('an async task cancelled at its sleep(0) ends cancelled; one that goes on gets it through its signal', async () => {
  const rt = await Runtime.create();
  const log = [];
  await rt.run(async () => {
    // eager: each runs to its sleep(0) now, and waits for its turn
    const quiet = rt.createTask(async () => {
      await rt.sleep(0);
      log.push('quiet resumed');
    }, { eager: true });
    const busy = rt.createTask(async (task) => {
      await rt.sleep(0);
      log.push('busy resumed');
      try {
        // after sleep(0) (which belongs to no task) the code is not the task's: its signal reaches it
        await rt.sleep(10, undefined, { signal: task.signal });
        log.push('busy slept');
      } catch (e) {
        log.push(e instanceof CancelledError ? `busy cancelled: ${e.message}` : `busy: ${e}`);
        throw e;
      }
    }, { eager: true });
    quiet.cancel('q');
    busy.cancel('b');
    const [q, b] = await rt.gather(quiet, busy, { returnExceptions: true });
    assert.ok(q instanceof CancelledError);
    assert.ok(b instanceof CancelledError);
    assert.ok(quiet.cancelled() && busy.cancelled());
  });
  assert.deepEqual(log, ['quiet resumed', 'busy resumed', 'busy cancelled: b']);
  assert.equal(rt.stats().opWaiters, 0);
});
