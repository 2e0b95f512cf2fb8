// gather() edge cases of tests/c/test_gather_review.c from JS (bindings/gather.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, gather, createFuture, wait, CancelledError } from '../../bindings/index.js';
import { checkStatsAfterFile } from './combinator_helpers.mjs';

checkStatsAfterFile();

test('gather_cancelled_while_a_child_is_already_done', async () => {
  const log = [];
  await run(function* () {
    const done = createFuture();
    done.setResult('kept');
    const t = createTask(function* () {
      try { yield sleep(10_000); } catch (e) { log.push('sleeper:cancelled'); throw e; }
    });
    const g = gather([t, done], { returnExceptions: true });
    yield sleep(0);
    assert.equal(g.cancel('stop'), true); // the pending child takes it
    assert.equal(g.done(), false);
    let caught;
    try { yield g; } catch (e) { caught = e; }
    assert.ok(caught instanceof CancelledError && caught.message === 'stop', 'cancelled despite returnExceptions');
    assert.ok(t.cancelled());
    assert.equal(done.result(), 'kept', 'the done child is untouched');
  });
  assert.deepEqual(log, ['sleeper:cancelled']);
});

test('gather_over_done_children_is_done_at_once; duplicates wait once', async () => {
  await run(function* () {
    const f = [createFuture(), createFuture()];
    f[0].setResult(1);
    f[1].setResult(2);
    const g = gather(f);
    assert.equal(g.done(), true, '3.12+: no loop iteration needed');
    assert.deepEqual(yield g, [1, 2]);
    let runs = 0;
    const t = createTask(function* () { runs++; yield sleep(2); return 'x'; });
    assert.deepEqual(yield gather(t, t, t), ['x', 'x', 'x']);
    assert.equal(runs, 1);
  });
});
