// wait() from JS (bindings/wait.js): the C edge cases of tests/c/test_wait.c
// by the same names, in both task styles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, createFuture, time, wait, timeout, FIRST_COMPLETED, FIRST_EXCEPTION,
  ALL_COMPLETED, CancelledError, Task,
} from '../../bindings/index.js';
import { checkStatsAfterFile, job } from './combinator_helpers.mjs';

checkStatsAfterFile();

test('wait_first_completed_returns_after_the_first', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 10_000, 'a'), job(log, 2, 'b'), job(log, 10_000, 'c')];
    const r = yield wait(t, { returnWhen: FIRST_COMPLETED });
    assert.ok(r.done instanceof Set && r.pending instanceof Set);
    assert.deepEqual([...r.done], [t[1]], 'the same Task objects');
    assert.deepEqual([...r.pending], [t[0], t[2]], 'argument order');
    assert.equal(t[0].done(), false);
    for (const x of t) x.cancel();
  });
});

test('wait_first_exception_ignores_cancelled_and_stops_at_a_failure', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 10_000, 'long'), job(log, 1, 'ok'), job(log, 10_000, 'cancelled'), job(log, 8, 'bad', true)];
    yield sleep(0);
    t[2].cancel(); // a cancellation is not an exception
    const { done, pending } = yield wait(t, { returnWhen: FIRST_EXCEPTION });
    assert.deepEqual(new Set(done), new Set([t[1], t[2], t[3]]));
    assert.deepEqual([...pending], [t[0]]);
    assert.equal(t[3].exception().message, 'bad failed');
    t[0].cancel();
  });
  assert.deepEqual(log, ['ok', 'bad']);
});

test('wait_first_exception_without_failures_waits_for_all', async () => {
  const log = [];
  await run(async (task) => {
    const t = [job(log, 1, 'a'), job(log, 5, 'b')];
    const { done, pending } = await wait(t, { returnWhen: FIRST_EXCEPTION, signal: task.signal });
    assert.equal(done.size, 2);
    assert.equal(pending.size, 0);
  });
});

test('wait_all_completed_includes_failures', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 3, 'x', true), job(log, 1, 'y'), job(log, 6, 'z')];
    const { done, pending } = yield wait(t); // ALL_COMPLETED is the default
    assert.equal(done.size, 3);
    assert.equal(pending.size, 0);
    assert.equal(t[0].exception().message, 'x failed'); // read it: not reported
  });
  assert.deepEqual(log, ['y', 'x', 'z']);
});

test('wait_timeout_returns_sets_and_cancels_nothing', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 1, 'fast'), job(log, 10_000, 'slow')];
    yield t[0]; // fast is done before the wait (no race with its timer)
    const t0 = time();
    const { done, pending } = yield wait(t, { timeout: 8, returnWhen: ALL_COMPLETED });
    assert.ok(time() - t0 >= 7.5 && time() - t0 < 5000);
    assert.deepEqual([...done], [t[0]]);
    assert.deepEqual([...pending], [t[1]]);
    assert.equal(t[1].done(), false, 'a timeout cancels nothing');
    assert.equal(t[1].cancelling(), 0);
    // FIRST_COMPLETED with a timeout that comes first
    const r = yield wait([t[1]], { timeout: 2, returnWhen: FIRST_COMPLETED });
    assert.equal(r.done.size, 0);
    assert.equal(r.pending.size, 1);
    t[1].cancel();
  });
});

test('wait_with_duplicates_counts_each_future_once', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 1, 'a'), job(log, 10_000, 'b')];
    yield t[0]; // done before the wait (no race with its timer)
    const r = yield wait([t[0], t[1], t[0], t[1]], { timeout: 10 });
    assert.equal(r.done.size, 1);
    assert.equal(r.pending.size, 1);
    const s = yield wait([t[0], t[0], t[0]]); // the same future: ALL_COMPLETED by it alone
    assert.deepEqual([...s.done], [t[0]]);
    assert.equal(s.pending.size, 0);
    t[1].cancel();
  });
});

test('wait_on_done_futures_still_suspends_once', async () => {
  const log = [];
  await run(function* () {
    const f = createFuture();
    f.setResult(1);
    createTask(function* () { log.push('other task ran'); });
    const { done } = yield wait([f]);
    log.push('after wait');
    assert.equal(done.size, 1);
  });
  assert.deepEqual(log, ['other task ran', 'after wait']);
});

test('wait_bad_arguments', async () => {
  const f = createFuture();
  assert.throws(() => wait([]), { name: 'RangeError', message: /aws must not be empty/ });
  assert.throws(() => wait(f), { name: 'TypeError', message: /aws must be an iterable/ });
  assert.throws(() => wait([f, 42]), { name: 'TypeError', message: /aws\[1\] is not awaitable/ });
  assert.throws(() => wait([f], { returnWhen: 'SOMETIMES' }), { name: 'RangeError', message: /options\.returnWhen/ });
  assert.throws(() => wait([f], { timeout: NaN }), { name: 'RangeError', message: /options\.timeout/ });
  assert.throws(() => wait([f], { signal: 1 }), { name: 'TypeError', message: /options\.signal/ });
  f.cancel();
});

test('wait_cancelled_withdraws_and_leaves_the_futures_alone (both styles)', async () => {
  await run(function* () {
    const f = createFuture();
    const log = [];
    const t = createTask(function* () {
      try { yield wait([f]); } catch (e) { log.push(e.constructor.name); throw e; }
    });
    yield sleep(1);
    t.cancel();
    try { yield t; } catch { /* cancelled */ }
    assert.equal(f.done(), false, 'not cancelled by wait');
    assert.deepEqual(log, ['CancelledError']);
    f.setResult(null); // no callback left on f
    yield sleep(0);
  });
  await run(async () => {
    const f = createFuture();
    const t = createTask(async (me) => wait([f], { signal: me.signal }));
    await sleep(1);
    t.cancel();
    await assert.rejects(t, CancelledError);
    assert.equal(f.done(), false);
    f.cancel();
  });
});
