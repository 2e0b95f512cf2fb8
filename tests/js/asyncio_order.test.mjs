// asyncio's exact interleavings in generator tasks (Python 3.13/3.14): each
// test is a minimal program whose trace under CPython is quoted above it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, createFuture } from '../../bindings/index.js';

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
