// Combinators take generator objects and async-function promises as
// awaitables (wrapped in tasks, as asyncio wraps coroutines), by one rule
// for the variadic / collection / options forms; anything else is a
// TypeError naming the argument, and nothing is silently dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, Task } from '../../bindings/index.js';

const rt = await Runtime.create();

function* fetchData(rtm, v, ms) {
  yield rtm.sleep(ms);
  return v;
}
async function fetchAsync(rtm, v, ms) {
  await rtm.sleep(ms);
  return v;
}

test('gather(g1, g2, g3) equals gather([g1, g2, g3]), in both task styles, with generators and async-function promises', async () => {
  const out = await rt.run(async () => {
    const a = await rt.gather(fetchData(rt, 1, 3), fetchData(rt, 2, 1), fetchData(rt, 3, 2));
    const b = await rt.gather([fetchData(rt, 1, 3), fetchData(rt, 2, 1), fetchData(rt, 3, 2)]);
    const c = await rt.gather(fetchAsync(rt, 'x', 2), fetchData(rt, 'y', 1), { returnExceptions: true });
    const d = await rt.gather(new Set([fetchAsync(rt, 'p', 1)]), { returnExceptions: false });
    return [a, b, c, d];
  });
  assert.deepEqual(out, [[1, 2, 3], [1, 2, 3], ['x', 'y'], ['p']]);
  const gen = await rt.run(function* () {
    return yield rt.gather(fetchData(rt, 1, 2), fetchData(rt, 2, 1));
  });
  assert.deepEqual(gen, [1, 2]);
});

test('gather: ambiguous or wrong arguments are a TypeError naming the argument, before anything starts', async () => {
  await rt.run(function* () {
    const before = rt.allTasks().length;
    const bad = [
      [[[fetchData(rt, 1, 1)], fetchData(rt, 2, 1)], /argument 1 must be an options object/],
      [[[1], {}, {}], /3 arguments after a collection/],
      [[fetchData(rt, 1, 1), [fetchData(rt, 2, 1)]], /argument 1 is a collection among awaitables/],
      [[fetchData(rt, 1, 1), { returnExeptions: true }], /argument 1 is neither an awaitable nor options: unknown option "returnExeptions"/],
      [[fetchData(rt, 1, 1), 42], /argument 1 is not awaitable/],
      [[[fetchData(rt, 1, 1), 'x']], /argument 1 is not awaitable/],
    ];
    for (const [args, re] of bad) assert.throws(() => rt.gather(...args), (e) => e instanceof TypeError && re.test(e.message), String(re));
    assert.equal(rt.allTasks().length, before, 'no task was made for a rejected call');
    yield rt.sleep(0);
  });
});

test('wait, asCompleted, waitFor, shield take generator objects and promises; wrong forms are TypeErrors', async () => {
  await rt.run(async () => {
    const { done, pending } = await rt.wait([fetchData(rt, 'w', 1), fetchAsync(rt, 'v', 1)]);
    assert.equal(pending.size, 0);
    assert.deepEqual([...done].map((t) => (assert.ok(t instanceof Task), t.result())).sort(), ['v', 'w']);
    const order = [];
    const fastDone = rt.createFuture();
    const slow = (function* () { yield fastDone; yield rt.sleep(5); return 'slow'; })();
    const fast = (async () => { await rt.sleep(1); fastDone.setResult(true); return 'fast'; })();
    for await (const t of rt.asCompleted([slow, fast])) order.push(await t);
    assert.deepEqual(order, ['fast', 'slow']);
    assert.equal(await rt.waitFor(fetchData(rt, 'f', 1), 1000), 'f');
    assert.equal(await rt.shield(fetchAsync(rt, 's', 1)), 's');

    assert.throws(() => rt.wait(fetchData(rt, 1, 1)), /wait\(aws, options\): aws must be an iterable \(an array or a Set\) of awaitables, got an awaitable/);
    assert.throws(() => rt.wait([fetchData(rt, 1, 1)], fetchData(rt, 2, 1)), /options must be an options object, got an awaitable/);
    assert.throws(() => rt.wait([fetchData(rt, 1, 1)], {}, fetchData(rt, 2, 1)), /takes no more arguments; got 1 more argument/);
    assert.throws(() => rt.asCompleted(fetchData(rt, 1, 1)), /asCompleted\(aws, options\): aws must be an iterable/);
    assert.throws(() => rt.waitFor(fetchData(rt, 1, 1), fetchData(rt, 2, 1)), /waitFor\(aw, ms\): ms must be a number/);
    assert.throws(() => rt.waitFor(fetchData(rt, 1, 1), 5, {}, 1), /takes no more arguments/);
    assert.throws(() => rt.shield(fetchData(rt, 1, 1), fetchData(rt, 2, 1)), /shield\(aw\): options must be an options object/);
    assert.throws(() => rt.shield(42), /shield\(aw\): aw is not awaitable/);
    assert.throws(() => rt.taskGroup(async () => {}, {}, 1), /taskGroup\(body, options\): takes no more arguments/);
  }, { cleanupTimeout: Infinity });
});
