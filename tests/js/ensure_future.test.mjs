// asyncio.ensure_future (runtime.ensureFuture) and Task.get_coro
// (task.getCoro()) in the JS bindings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, run, createTask, createFuture, ensureFuture, sleep, Task } from '../../bindings/index.js';

test('ensureFuture: a future or task as it is; generators, ops and promises in a new task', async () => {
  const got = await run(function* () {
    const f = createFuture();
    const t = createTask(function* () { return 't'; });
    assert.equal(ensureFuture(f), f);
    assert.equal(ensureFuture(t), t);
    const fromGen = ensureFuture((function* () { yield sleep(1); return 'gen'; })(), { name: 'g' });
    const fromOp = ensureFuture(sleep(2, 'op'));
    const fromPromise = ensureFuture(Promise.resolve('promise'));
    for (const x of [fromGen, fromOp, fromPromise]) assert.ok(x instanceof Task);
    assert.equal(fromGen.name, 'g');
    f.setResult('f');
    return [yield f, yield t, yield fromGen, yield fromOp, yield fromPromise];
  });
  assert.deepEqual(got, ['f', 't', 'gen', 'op', 'promise']);
});

test('ensureFuture: TypeError for a function, a plain value, another runtime\'s future', async () => {
  const other = await Runtime.create();
  await run(function* () {
    assert.throws(() => ensureFuture(function* () {}), { name: 'TypeError', message: /ensureFuture\(aw\).*not a function/ });
    assert.throws(() => ensureFuture(42), { name: 'TypeError', message: /ensureFuture\(aw\)/ });
    const foreign = other.createFuture();
    assert.throws(() => ensureFuture(foreign), { name: 'TypeError', message: /another runtime/ });
    foreign.cancel();
  });
});

test('task.getCoro(): what createTask was given, also once done', async () => {
  await run(function* () {
    const fn = function* () { return 1; };
    const gen = (function* () { return 2; })();
    const op = sleep(0);
    const a = createTask(fn);
    const b = createTask(gen);
    const c = createTask(op);
    assert.equal(a.getCoro(), fn);
    assert.equal(b.getCoro(), gen);
    assert.equal(c.getCoro(), op);
    yield a;
    yield b;
    yield c;
    assert.equal(a.getCoro(), fn);
  });
});
