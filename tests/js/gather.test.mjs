// gather() from JS (bindings/gather.js): order, failures, returnExceptions,
// cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, gather, CancelledError } from '../../bindings/index.js';
import { snapshot, settle } from './combinator_helpers.mjs';

test('gather: ordered results; first failure rejects while the others keep running', async () => {
  await run(function* () {
    const log = [];
    const ok = createTask(function* () { yield sleep(500); log.push('ok done'); return 'ok'; });
    const bad = createTask(function* () { yield sleep(5); throw new Error('boom'); });
    try {
      yield gather(ok, bad);
      assert.fail('must reject');
    } catch (e) {
      assert.equal(e.message, 'boom', 'the very same error object travels');
    }
    assert.equal(ok.done(), false, 'the sibling is not cancelled');
    assert.equal(yield ok, 'ok');
    assert.deepEqual(log, ['ok done']);
  });
});

test('gather with returnExceptions collects errors in place', async () => {
  const res = await run(function* () {
    const err = new TypeError('bad');
    return yield gather([
      createTask(function* () { return 1; }),
      createTask(function* () { throw err; }),
      sleep(1, 'slept'),
      Promise.resolve('promise'),
      createTask(function* () { yield sleep(1000); }).cancel() && null,
    ].filter((x) => x !== null), { returnExceptions: true });
  });
  assert.equal(res[0], 1);
  assert.ok(res[1] instanceof TypeError && res[1].message === 'bad');
  assert.equal(res[2], 'slept');
  assert.equal(res[3], 'promise');
});

test('cancelling a gather cancels its children', async () => {
  await run(function* () {
    const a = createTask(function* () { yield sleep(10_000); });
    const b = createTask(function* () { yield sleep(10_000); });
    const g = gather(a, b);
    yield sleep(1);
    assert.equal(g.cancel(), true);
    try { yield g; assert.fail(); } catch (e) { assert.ok(e instanceof CancelledError); }
    assert.ok(a.cancelled() && b.cancelled());
  });
});

test('gather checks every argument before it starts one (issue 16: gather(sleep(1), createTask(f), "x"))', async () => {
  await settle();
  const before = snapshot();
  await run(function* () {
    const op = sleep(1, 'slept');
    const t = createTask(function* () { return 5; });
    assert.throws(() => gather(op, t, 'x'), (e) => e instanceof TypeError && /argument 2/.test(e.message));
    assert.throws(() => gather([t, 42]), (e) => e instanceof TypeError && /argument 1/.test(e.message));
    assert.equal(yield op, 'slept', 'the operation was not consumed');
    assert.equal(yield t, 5, 'the task was left alone');
  });
  await settle();
  assert.deepEqual(snapshot(), before, 'nothing was started or leaked');
});
