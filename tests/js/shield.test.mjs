// shield() from JS (bindings/shield.js): the C edge cases of tests/c/test_shield.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, createFuture, Runtime, shield, CancelledError,
} from '../../bindings/index.js';
import { checkStatsAfterFile, settle, inner } from './combinator_helpers.mjs';

checkStatsAfterFile();

test('shield_cancel_outer_inner_keeps_running', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () { yield sleep(5); log.push('worker:0'); return 'work'; });
    const outer = shield(t);
    assert.notEqual(outer, t);
    assert.equal(outer.cancel('x'), true);
    assert.equal(outer.cancelled(), true, 'at once: a plain future');
    assert.equal(t.done(), false);
    assert.equal(t.cancelling(), 0);
    assert.equal(yield t, 'work');
    assert.equal(outer.cancelled(), true);
  });
  assert.deepEqual(log, ['worker:0']);
});

test('shield_cancelling_the_awaiting_task_spares_the_inner (both styles)', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () { yield sleep(30); log.push('worker:0'); return 'work'; });
    const a = createTask(function* () {
      try { return yield shield(t); } catch (e) { log.push(`awaiter:${e.constructor.name}`); throw e; }
    });
    yield sleep(0);
    a.cancel();
    try { yield a; } catch { /* cancelled */ }
    assert.equal(t.done(), false);
    assert.equal(yield t, 'work');
  });
  assert.deepEqual(log, ['awaiter:CancelledError', 'worker:0']);
  await run(async () => {
    const t = createTask(async () => { await sleep(20); return 'work'; });
    const a = createTask(async (me) => shield(t, { signal: me.signal }));
    await sleep(1);
    a.cancel();
    await assert.rejects(a, CancelledError);
    assert.equal(await t, 'work');
  });
});

test('shield_propagates_result_error_and_cancellation (same objects)', async () => {
  await run(function* () {
    const obj = { r: 1 };
    let inner = createFuture();
    let outer = shield(inner);
    inner.setResult(obj);
    assert.equal(yield outer, obj);
    const err = new TypeError('down');
    inner = createFuture();
    outer = shield(inner);
    inner.setException(err);
    let caught;
    try { yield outer; } catch (e) { caught = e; }
    assert.equal(caught, err);
    inner = createFuture(); // the inner cancelled by other means cancels the outer
    outer = shield(inner);
    inner.cancel('direct');
    caught = null;
    try { yield outer; } catch (e) { caught = e; }
    assert.ok(caught instanceof CancelledError);
    assert.ok(outer.cancelled());
    assert.equal(yield shield(sleep(1, 'op')), 'op', 'an operation runs in a task of its own');
  });
});

test('shield_of_a_done_future_is_the_future_itself', async () => {
  await run(function* () {
    const f = createFuture();
    f.setResult(null);
    assert.equal(shield(f), f);
    const t = createTask(function* () { return 1; });
    yield t;
    assert.equal(shield(t), t);
  });
  assert.throws(() => shield(3), { name: 'TypeError', message: /shield\(aw\): aw is not awaitable/ });
});

test('shield_inner_failure_after_outer_cancel_is_not_lost_silently', async () => {
  const reports = [];
  const rt = await Runtime.create({ onError: (err, ctx) => reports.push([err.message, ctx.message]) });
  await rt.run(function* () {
    const inner = rt.createFuture();
    const outer = rt.shield(inner);
    outer.cancel();
    inner.setException(new Error('later'));
    yield rt.sleep(0);
    const t = rt.createTask(function* () { yield rt.sleep(1); throw new Error('read through the shield'); });
    try { yield rt.shield(t); } catch { /* retrieved through the outer */ }
  });
  await settle();
  assert.deepEqual(reports.map((r) => r[0]), ['later']);
});
