// Cancelling JS tasks (bindings/tasks.js): thrown in at the yield
// (generators), through task.signal (async functions), uncancel, before
// the first step, external signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, runtime, CancelledError } from '../../bindings/index.js';
import { snapshot, settle } from './combinator_helpers.mjs';

test('create a task, cancel it, catch CancelledError (generator: thrown in at the yield)', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* background() {
      try {
        for (;;) {
          log.push('tick');
          yield sleep(20);
        }
      } catch (e) {
        log.push(e instanceof CancelledError ? `cancelled: ${e.message}` : 'other');
        throw e;
      }
    });
    while (log.length < 3) yield sleep(5); // three ticks, however slow the machine
    assert.equal(t.cancel('enough'), true);
    assert.equal(t.cancelling(), 1);
    try {
      yield t;
      assert.fail('awaiting a cancelled task must throw');
    } catch (e) {
      assert.ok(e instanceof CancelledError);
      assert.equal(e.message, 'enough');
    }
    assert.equal(t.cancelled(), true);
    assert.throws(() => t.result(), CancelledError);
    assert.throws(() => t.exception(), CancelledError);
    assert.equal(t.cancel(), false, 'cancelling a done task returns false');
  });
  assert.deepEqual(log, ['tick', 'tick', 'tick', 'cancelled: enough']);
});

test('async task: cancel reaches the operation awaited with the task signal', async () => {
  const before = snapshot();
  await run(async () => {
    const t = createTask(async (task) => {
      await sleep(10_000, undefined, { signal: task.signal });
    });
    await sleep(5);
    t.cancel('stop');
    await assert.rejects(t, (e) => e instanceof CancelledError && e.message === 'stop');
    assert.ok(t.signal.aborted);
    assert.ok(t.cancelled());
  });
  await settle();
  assert.deepEqual(snapshot(), before, 'the 10 s timer was withdrawn, nothing leaked');
});

test('async task that never sees its cancellation still ends cancelled (asyncio rule)', async () => {
  await run(async () => {
    let release;
    const outside = new Promise((r) => { release = r; }); // not a runtime operation
    const t = createTask(async () => {
      await outside;
      return 'finished anyway';
    });
    await sleep(1);
    t.cancel();
    release();
    await assert.rejects(t, CancelledError);
  });
});

test('async task that catches the CancelledError and returns keeps its result', async () => {
  await run(async () => {
    const t = createTask(async (task) => {
      try {
        await sleep(10_000, undefined, { signal: task.signal });
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        return 'cleaned up';
      }
    });
    await sleep(1);
    t.cancel();
    assert.equal(await t, 'cleaned up');
    assert.equal(t.cancelled(), false);
  });
});

test('generator task: uncancel lets it continue after catching', async () => {
  const r = await run(function* () {
    const t = createTask(function* (task) {
      try {
        yield sleep(10_000);
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        assert.equal(task.uncancel(), 0);
        yield sleep(1);
        return 'survived';
      }
    });
    yield sleep(1);
    t.cancel();
    return yield t;
  });
  assert.equal(r, 'survived');
});

test('cancel before start: the body never runs', async () => {
  let ran = false;
  await run(function* () {
    const t = createTask(function* () { ran = true; });
    t.cancel();
    try { yield t; } catch (e) { assert.ok(e instanceof CancelledError); }
  });
  assert.equal(ran, false);
});

test('task.signal aborts on cancel; an external signal cancels a task', async () => {
  await run(async () => {
    const ac = new AbortController();
    const t = createTask(async (task) => {
      await sleep(10_000, undefined, { signal: task.signal });
    }, { signal: ac.signal });
    await sleep(1);
    ac.abort('user pressed stop');
    await assert.rejects(t, (e) => e instanceof CancelledError && e.message === 'user pressed stop');
    assert.ok(t.signal.aborted);
    assert.ok(t.signal.reason instanceof CancelledError);
    const pre = new AbortController();
    pre.abort();
    const t2 = createTask(function* () { return 1; }, { signal: pre.signal });
    await assert.rejects(t2, CancelledError);
  });
});
