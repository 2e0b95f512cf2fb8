// asCompleted from JS (bindings/as_completed.js): the C edge cases of
// tests/c/test_as_completed.c, generator next() and for await.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, createFuture, callSoon, callLater, time, wait, waitFor, asCompleted,
  shield, timeout, AsCompleted, CancelledError, TimeoutError, Task,
} from '../../bindings/index.js';
import { checkStatsAfterFile, job } from './combinator_helpers.mjs';

checkStatsAfterFile();

test('as_completed_yields_in_completion_order (generator: yield it.next())', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 240, 'slow'), job(log, 40, 'fast'), job(log, 140, 'mid')];
    const it = asCompleted(t);
    assert.ok(it instanceof AsCompleted);
    assert.equal(it.remaining, 3);
    const order = [];
    for (;;) {
      const { value, done } = yield it.next();
      if (done) break;
      assert.ok(t.includes(value), 'the same Task objects');
      order.push(yield value);
    }
    assert.deepEqual(order, ['fast', 'mid', 'slow']);
    assert.equal(it.remaining, 0);
    assert.deepEqual(yield it.next(), { value: undefined, done: true }, 'still the end');
  });
});

test('as_completed_yields_in_completion_order (async: for await)', async () => {
  await run(async () => {
    const order = [];
    const err = new Error('second fails');
    const aws = [sleep(1000, 'slow'), createTask(async () => { await sleep(5); throw err; }), Promise.resolve('now')];
    for await (const f of asCompleted(aws)) {
      assert.ok(f instanceof Task, 'other awaitables arrive wrapped in tasks');
      try { order.push(await f); } catch (e) { order.push(e); }
    }
    assert.deepEqual(order, ['now', err, 'slow']);
  });
});

test('as_completed timeout: done ones first, then TimeoutError, then the iterator is closed', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 10_000, 'a'), job(log, 1, 'b'), job(log, 10_000, 'c')];
    yield t[1]; // b done before the iterator starts (no race with its timer) ...
    const it = asCompleted(t, { timeout: 20 });
    yield sleep(25); // ... then the timeout
    assert.deepEqual(yield it.next(), { value: t[1], done: false }, 'what completed before the timeout comes first');
    let caught;
    try { yield it.next(); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    assert.deepEqual(yield it.next(), { value: undefined, done: true }, 'closed after it threw (JS iterator rule)');
    assert.equal(t[0].done(), false, 'the timeout cancels nothing');
    t[0].cancel();
    t[2].cancel();
  });
  await run(async () => {
    const slow = createTask(async (me) => { await sleep(10_000, undefined, { signal: me.signal }); });
    const quick = createTask(async () => { await sleep(1); return 'quick'; });
    await quick; // done before the iterator starts: no race with its 10 ms timer
    const seen = [];
    await assert.rejects(async () => {
      for await (const f of asCompleted([quick, slow], { timeout: 10 })) seen.push(await f);
    }, TimeoutError);
    assert.deepEqual(seen, ['quick']);
    slow.cancel();
  });
});

test('as_completed_waiting_next_gets_the_timeout', async () => {
  await run(function* () {
    const f = createFuture();
    const it = asCompleted([f], { timeout: 3 });
    const t0 = time();
    let caught;
    try { yield it.next(); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    assert.ok(time() - t0 < 5000);
    f.setResult(null); // changes nothing: its callback was withdrawn
    assert.equal((yield it.next()).done, true);
  });
});

test('as_completed_done_futures_first_and_duplicates_once', async () => {
  await run(function* () {
    const f = [createFuture(), createFuture(), createFuture()];
    f[2].setResult(2);
    f[1].setResult(1);
    const it = asCompleted([f[0], f[1], f[2], f[1], f[0]]);
    assert.equal(it.remaining, 3);
    assert.equal((yield it.next()).value, f[1], 'done ones in argument order');
    assert.equal((yield it.next()).value, f[2]);
    f[0].setResult(0);
    assert.equal((yield it.next()).value, f[0]);
    assert.equal((yield it.next()).done, true);
    const empty = asCompleted([], { timeout: 5 });
    assert.equal((yield empty.next()).done, true, 'empty input: the end at once');
  });
  assert.throws(() => asCompleted(5), { name: 'TypeError', message: /aws must be an iterable/ });
  assert.throws(() => asCompleted([7]), { name: 'TypeError', message: /aws\[0\] is not awaitable/ });
  assert.throws(() => asCompleted([], { timeout: NaN }), { name: 'RangeError', message: /options\.timeout/ });
});

test('as_completed_cancelled_next_loses_nothing', async () => {
  await run(function* () {
    const f = [createFuture(), createFuture()];
    const it = asCompleted(f);
    // 1: cancelled while waiting
    let t = createTask(function* () { return yield it.next(); });
    yield sleep(0);
    t.cancel();
    try { yield t; } catch { /* cancelled */ }
    assert.equal(it.remaining, 2);
    // 2: served, but cancelled before it could run: the item goes back
    t = createTask(function* () { return yield it.next(); });
    yield sleep(0);
    callSoon(() => f[1].setResult('one')); // f[1] done ...
    callSoon(() => t.cancel()); // ... the consumer cancelled before it runs
    try { yield t; } catch (e) { assert.ok(e instanceof CancelledError); }
    assert.equal(it.remaining, 2);
    assert.equal((yield it.next()).value, f[1]);
    f[0].setResult('zero');
    assert.equal((yield it.next()).value, f[0]);
    assert.equal((yield it.next()).done, true);
  });
});

test('as_completed_next_start_serves_waiters_in_order (concurrent next() calls)', async () => {
  await run(async () => {
    const f = [createFuture(), createFuture()];
    const it = asCompleted(f);
    const n1 = it.next().then((r) => r);
    const n2 = it.next().then((r) => r);
    const n3 = it.next().then((r) => r); // only 2 items: the end, at once
    assert.deepEqual(await n3, { value: undefined, done: true });
    f[1].setResult(1);
    assert.equal((await n1).value, f[1]);
    f[0].setResult(0);
    assert.equal((await n2).value, f[0], 'the end of n3 did not close the iterator under n2');
    assert.equal((await it.next()).done, true);
    assert.equal(it.remaining, 0);
  });
});

test('as_completed: break out of for await closes it; nexts waiting at close end', async () => {
  await run(async () => {
    const f = [createFuture(), createFuture()];
    callLater(1, () => f[0].setResult('first'));
    const it = asCompleted(f);
    for await (const x of it) {
      assert.equal(x, f[0]);
      break; // return(): withdraws from f[1]
    }
    assert.equal(it.remaining, 0);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    const g = createFuture();
    const it2 = asCompleted([g]);
    const pending = it2.next().then((r) => r); // waiting ...
    await sleep(1);
    await it2[Symbol.asyncDispose](); // ... when it is closed
    assert.deepEqual(await pending, { value: undefined, done: true });
    f[1].cancel();
    g.cancel();
  });
});

test('wait, waitFor, asCompleted and shield work in plain async code too (outside any task)', async () => {
  const t = createTask(async () => { await sleep(2); return 't'; });
  assert.equal(await waitFor(t, 1000), 't');
  assert.equal(await waitFor(sleep(1, 'op'), 1000), 'op');
  await assert.rejects(waitFor(sleep(1000), 2), TimeoutError);
  const f = createFuture();
  const { done, pending } = await wait([t, f], { timeout: 2 });
  assert.ok(done.has(t) && pending.has(f));
  const order = [];
  for await (const x of asCompleted([sleep(10, 'b'), sleep(1, 'a')])) order.push(await x);
  assert.deepEqual(order, ['a', 'b']);
  const s = shield(f);
  s.cancel();
  assert.equal(f.done(), false);
  f.setResult('f');
  assert.equal(await f, 'f');
});
