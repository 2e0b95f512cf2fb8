// Futures and awaitables from JS (bindings/futures.js, awaitables.js,
// ops.js): states, callbacks, cancellation, promises and operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, createFuture, callLater, Future, InvalidStateError,
} from '../../bindings/index.js';

test('Future: result, exception, callbacks, states', async () => {
  await run(function* () {
    const f = createFuture();
    assert.throws(() => f.result(), InvalidStateError);
    const order = [];
    f.addDoneCallback(() => order.push(1));
    f.addDoneCallback(() => order.push(2));
    callLater(2, () => f.setResult({ answer: 42 }));
    const v = yield f;
    assert.deepEqual(v, { answer: 42 });
    assert.equal(f.result(), v, 'same object');
    assert.throws(() => f.setResult(1), InvalidStateError);
    yield sleep(0);
    assert.deepEqual(order, [1, 2]);
    const g = createFuture();
    g.setException(new RangeError('nope'));
    try { yield g; assert.fail(); } catch (e) { assert.ok(e instanceof RangeError); }
    const h = createFuture();
    assert.equal(h.cancel('x'), true);
    assert.ok(h.cancelled());
  });
});

test('a cancelled task awaiting a future cancels that future (asyncio)', async () => {
  await run(function* () {
    const f = createFuture();
    const t = createTask(function* () { yield f; });
    yield sleep(0);
    t.cancel();
    try { yield t; } catch { /* cancelled */ }
    assert.ok(f.cancelled());
  });
});

test('yielding a promise works; yielding a non-awaitable throws TypeError into the generator', async () => {
  const r = await run(function* () {
    const v = yield new Promise((res) => setTimeout(() => res('from promise'), 5));
    let caught;
    try { yield 42; } catch (e) { caught = e; }
    assert.ok(caught instanceof TypeError);
    assert.match(caught.message, /not awaitable/);
    return v;
  });
  assert.equal(r, 'from promise');
});

test('an operation can be awaited once', async () => {
  await run(function* () {
    const op = sleep(1);
    yield op;
    let caught;
    try { yield op; } catch (e) { caught = e; }
    assert.ok(caught instanceof TypeError);
  });
});
