// JS tasks on the C scheduler (bindings/tasks.js): the classic asyncio
// tutorial examples in both task styles, names, currentTask/allTasks,
// many tasks, churn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, currentTask, allTasks, createFuture, time, runtime, Task,
} from '../../bindings/index.js';
import { snapshot, settle } from './combinator_helpers.mjs';

test('three concurrent tasks finish in delay order, not start order (generators)', async () => {
  const t0 = time();
  const log = [];
  const result = await run(function* main() {
    function* say(what, ms) {
      yield sleep(ms);
      log.push(what);
      return what;
    }
    const a = createTask(say('a', 120));
    const b = createTask(say('b', 40));
    const c = createTask(say('c', 80));
    return yield gather(a, b, c);
  });
  const dt = time() - t0;
  assert.deepEqual(result, ['a', 'b', 'c']);
  assert.deepEqual(log, ['b', 'c', 'a']);
  assert.ok(dt >= 119, `took ${dt} ms`); // concurrent: the log order above
});

test('three concurrent tasks finish in delay order, not start order (async functions)', async () => {
  const t0 = time();
  const order = [];
  const result = await run(async () => {
    const work = async (v, ms) => { await sleep(ms); order.push(v); return v; };
    return gather(createTask(() => work(1, 100)), createTask(() => work(2, 30)), createTask(() => work(3, 60)));
  });
  const dt = time() - t0;
  assert.deepEqual(result, [1, 2, 3]);
  assert.deepEqual(order, [2, 3, 1]);
  assert.ok(dt >= 99, `took ${dt} ms`);
});

test('task names: default, custom, renamed', async () => {
  await run(function* () {
    const a = createTask(function* () {}, { name: 'fetcher' });
    const b = createTask(function* () {});
    assert.equal(a.name, 'fetcher');
    assert.match(b.name, /^Task-\d+$/);
    b.name = 'renamed';
    assert.equal(b.name, 'renamed');
    yield gather(a, b);
    assert.equal(a.name, 'fetcher');
    assert.equal(b.name, 'renamed');
    assert.throws(() => { b.name = 5; }, TypeError);
  });
});

test('tasks awaiting tasks, generator and async mixed', async () => {
  const r = await run(function* () {
    const a = createTask(function* () { yield sleep(5); return 1; });
    const b = createTask(async () => (await a) + 1);
    const c = createTask(function* () { return (yield b) + 1; });
    return yield c;
  });
  assert.equal(r, 3);
});

test('100,000 JS tasks', async () => {
  const n = 100_000;
  const sum = await run(function* () {
    const tasks = [];
    for (let i = 0; i < n; i++) tasks.push(createTask(function* () { yield sleep(0); return i; }));
    const res = yield gather(tasks);
    return res.reduce((s, v) => s + v, 0);
  });
  assert.equal(sum, (n * (n - 1)) / 2);
  await settle();
  assert.equal(runtime.stats().tasks, 0);
});

test('currentTask and allTasks', async () => {
  await run(function* () {
    const me = currentTask();
    assert.ok(me instanceof Task);
    assert.equal(me.name, 'main');
    let seen;
    const t = createTask(function* () { seen = currentTask(); yield sleep(1); }, { name: 'child' });
    yield sleep(0);
    assert.equal(seen, t);
    const names = allTasks().map((x) => x.name).sort();
    assert.deepEqual(names, ['child', 'main']);
    yield t;
  });
  assert.equal(currentTask(), null);
});

test('task churn leaves nothing behind (JS tables and C objects)', async () => {
  await settle();
  const before = snapshot();
  await run(function* () {
    for (let round = 0; round < 20; round++) {
      const ts = [];
      for (let i = 0; i < 500; i++) {
        ts.push(createTask(i % 2 ? function* () { yield sleep(0); return { i }; } : async () => { await sleep(0); return 'x'.repeat(i % 7); }));
      }
      const cancelled = ts.filter((_, i) => i % 5 === 0);
      for (const t of cancelled) t.cancel();
      yield gather(ts, { returnExceptions: true });
    }
    const f = createFuture();
    f.setResult(new Uint8Array([1, 2, 3]));
    yield f;
  });
  await settle();
  assert.deepEqual(snapshot(), before);
});
