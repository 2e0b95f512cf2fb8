// waitFor from JS (bindings/wait.js): the C edge cases of
// tests/c/test_wait_for.c by the same names, in both task styles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, createFuture, callLater, time, runtime, Runtime, wait, waitFor, timeout,
  CancelledError, TimeoutError,
} from '../../bindings/index.js';
import { checkStatsAfterFile, spin, inner } from './combinator_helpers.mjs';

checkStatsAfterFile();

test('wait_for_in_time_returns_the_result (same object, both styles)', async () => {
  const obj = { answer: 42 };
  await run(function* (me) {
    const t = createTask(function* () { yield sleep(2); return obj; });
    assert.equal(yield waitFor(t, 1000), obj);
    assert.equal(me.cancelling(), 0);
    assert.equal(yield waitFor(sleep(1, 'op value'), 1000), 'op value');
    assert.equal(yield waitFor(Promise.resolve(obj), 1000), obj);
    assert.equal(yield waitFor(createTask(function* () { return 1; }), null), 1, 'null: no limit');
  });
  await run(async (task) => {
    const t = createTask(async () => { await sleep(2); return obj; });
    assert.equal(await waitFor(t, 1000, { signal: task.signal }), obj);
  });
});

test('wait_for_timeout_cancels_the_inner_and_waits_for_it', async () => {
  const log = [];
  await run(function* (me) {
    const t = inner(log, { ms: 10_000, cleanup: 10, value: 'v' });
    const t0 = time();
    let caught;
    try { yield waitFor(t, 5); } catch (e) { caught = e; }
    const dt = time() - t0;
    assert.ok(caught instanceof TimeoutError, String(caught));
    assert.ok(t.cancelled(), 'done: waitFor waited for the cleanup');
    assert.ok(dt >= 14 && dt < 5000, `took ${dt}`);
    assert.equal(me.cancelling(), 0);
  });
  assert.deepEqual(log, ['start', 'cancelled', 'cleaned']);
});

test('wait_for_inner_ignoring_cancellation_once_returns_its_value (both styles)', async () => {
  const log = [];
  await run(function* () {
    const t = inner(log, { ms: 10, swallow: 1, value: 'late' });
    const t0 = time();
    assert.equal(yield waitFor(t, 3), 'late');
    assert.ok(time() - t0 >= 12);
  });
  assert.deepEqual(log, ['start', 'cancelled', 'swallowed', 'finished']);
  await run(async (task) => {
    const t = createTask(async (me) => {
      try { await sleep(10_000, undefined, { signal: me.signal }); } catch { /* ignored once */ }
      me.uncancel();
      await sleep(5);
      return 'late too';
    });
    assert.equal(await waitFor(t, 3, { signal: task.signal }), 'late too');
  });
});

test('wait_for_result_arriving_with_the_timeout_is_not_lost', async () => {
  const obj = { together: true };
  await run(function* (me) {
    const f = createFuture();
    // f's setter and waitFor's deadline expire in the same loop turn (a
    // callback blocks the loop past both), the setter first
    callLater(3, () => f.setResult(obj));
    callLater(1, () => spin(8));
    assert.equal(yield waitFor(f, 3), obj);
    assert.equal(f.cancelled(), false);
    assert.equal(me.cancelling(), 0);
    yield sleep(0); // no cancellation left behind
  });
});

test('wait_for_zero_on_a_done_future_does_not_wait', async () => {
  await run(function* () {
    const err = new Error('down');
    const f = createFuture();
    f.setException(err);
    for (const ms of [0, -5]) {
      let caught;
      try { yield waitFor(f, ms); } catch (e) { caught = e; }
      assert.equal(caught, err);
    }
    const g = createFuture();
    g.setResult('ready');
    assert.equal(yield waitFor(g, 0), 'ready');
  });
});

test('wait_for_zero_on_a_pending_task_never_starts_it', async () => {
  const log = [];
  await run(function* () {
    const t = inner(log, { ms: 1, value: 'v' });
    let caught;
    try { yield waitFor(t, 0); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    assert.ok(t.cancelled());
  });
  assert.deepEqual(log, [], 'cancelled before its first step');
});

test('wait_for_zero_returns_a_value_the_inner_produces_when_cancelled', async () => {
  const log = [];
  await run(function* () {
    const t = inner(log, { ms: 5, swallow: 1, value: 'kept' });
    yield sleep(0); // let it start sleeping
    assert.equal(yield waitFor(t, 0), 'kept');
  });
});

test('wait_for_cancelled_from_outside_cancels_inner_and_propagates (generator caller)', async () => {
  const log = [];
  await run(function* () {
    const t = inner(log, { ms: 10_000, value: 'v' });
    const w = createTask(function* () {
      try { return yield waitFor(t, 1000); } catch (e) { log.push(`waitFor:${e.constructor.name}`); throw e; }
    });
    yield sleep(1);
    w.cancel('stop');
    try { yield w; } catch (e) { assert.ok(e instanceof CancelledError, 'not TimeoutError, not swallowed'); }
    assert.ok(t.cancelled());
    assert.throws(() => t.result(), (e) => e instanceof CancelledError && e.message === 'stop');
  });
  assert.deepEqual(log, ['start', 'cancelled', 'waitFor:CancelledError']);
});

test('wait_for_cancelled_from_outside_cancels_inner_and_propagates (async caller, signal)', async () => {
  await run(async () => {
    const log = [];
    const t = inner(log, { ms: 10_000, value: 'v' });
    const w = createTask(async (me) => waitFor(t, 1000, { signal: me.signal }));
    await sleep(1);
    w.cancel('stop');
    await assert.rejects(w, CancelledError);
    assert.ok(t.cancelled());
  });
});

test('wait_for_a_plain_future_cancels_it_on_timeout', async () => {
  await run(function* () {
    const f = createFuture();
    let caught;
    try { yield waitFor(f, 3); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError && /3 ms/.test(caught.message));
    assert.ok(f.cancelled());
  });
});

test('wait_for_passes_the_inner_failure_through (the same error object)', async () => {
  await run(function* () {
    const boom = new Error('boom');
    const t = createTask(function* () { yield sleep(1); throw boom; });
    let caught;
    try { yield waitFor(t, 1000); } catch (e) { caught = e; }
    assert.equal(caught, boom);
    const te = new TimeoutError('its own timeout');
    const u = createTask(function* () { yield sleep(1); throw te; });
    caught = null;
    try { yield waitFor(u, 1000); } catch (e) { caught = e; }
    assert.equal(caught, te, "the inner's own TimeoutError is not taken for the deadline");
  });
  assert.throws(() => waitFor(42, 5), { name: 'TypeError', message: /waitFor\(aw, ms\): aw is not awaitable/ });
  assert.throws(() => waitFor(sleep(1), NaN), { name: 'RangeError', message: /ms must not be NaN/ });
  assert.throws(() => waitFor(sleep(1), '5'), { name: 'TypeError', message: /ms must be a number/ });
  const other = await Runtime.create();
  assert.throws(() => waitFor(other.sleep(1), 5), { name: 'TypeError', message: /another runtime/ });
});
