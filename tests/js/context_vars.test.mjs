// Task-local context (asyncio contextvars): ContextVar values follow tasks
// and callbacks. Each case was checked against CPython 3.14's asyncio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, ContextVar, Context, Token, copyContext, InvalidStateError } from '../../bindings/index.js';

const rt = await Runtime.create({ clock: 'virtual' });

test('a generator task sees its own value after every yield; tasks are isolated', async () => {
  const v = new ContextVar('v', { default: 'none' });
  const log = [];
  const worker = (name, n) => function* () {
    log.push(`${name} starts with ${v.get()}`);
    v.set(name);
    for (let i = 0; i < n; i++) {
      yield rt.sleep(1);
      log.push(`${name} ${v.get()}`);
    }
  };
  await rt.run(function* () {
    v.set('main');
    const a = rt.createTask(worker('a', 2));
    const b = rt.createTask(worker('b', 2));
    v.set('main2'); // after the children were created: they keep 'main'
    yield rt.gather(a, b);
    log.push(`main ${v.get()}`);
  });
  assert.deepEqual(log, ['a starts with main', 'b starts with main', 'a a', 'b b', 'a a', 'b b', 'main main2']);
  assert.equal(v.get(), 'none', 'the top level never saw the tasks\' values');
});

test('async-style tasks keep their context across awaits (Node: AsyncLocalStorage)', async () => {
  const v = new ContextVar('req');
  const seen = [];
  await rt.run(async () => {
    const one = async (id) => {
      v.set(id);
      await rt.sleep(id);
      await Promise.resolve();
      await new Promise((r) => setImmediate(r));
      seen.push([id, v.get()]);
    };
    await Promise.all([rt.createTask(() => one(1)), rt.createTask(() => one(2)), rt.createTask(() => one(3))]);
  });
  assert.deepEqual(seen.sort(), [[1, 1], [2, 2], [3, 3]]);
});

test('callSoon / callLater run in a copy of the scheduler\'s context', async () => {
  const v = new ContextVar('v', { default: 0 });
  const log = [];
  await rt.run(function* () {
    v.set(1);
    rt.callSoon(() => { log.push(`soon ${v.get()}`); v.set(99); });
    rt.callLater(5, () => log.push(`later ${v.get()}`));
    v.set(2);
    yield rt.sleep(10);
    log.push(`task ${v.get()}`);
  });
  assert.deepEqual(log, ['soon 1', 'later 1', 'task 2']);
});

test('eager tasks run their first step in their own copy', async () => {
  const v = new ContextVar('v', { default: 'd' });
  const log = [];
  await rt.run(function* () {
    v.set('parent');
    const t = rt.createTask(function* () {
      log.push(`child sees ${v.get()}`);
      v.set('child');
      yield rt.sleep(0);
      log.push(`child ${v.get()}`);
    }, { eager: true });
    log.push(`parent ${v.get()}`);
    yield t;
  });
  assert.deepEqual(log, ['child sees parent', 'parent parent', 'child child']);
});

test('get / set / reset and Context.run', () => {
  const v = new ContextVar('x');
  assert.equal(v.name, 'x');
  assert.throws(() => v.get(), { name: 'RangeError', message: /"x" has no value/ });
  assert.equal(v.get('fallback'), 'fallback');
  const ctx = copyContext();
  const t1 = ctx.run(() => v.set(1));
  assert.ok(t1 instanceof Token);
  assert.equal(t1.oldValue, Token.MISSING);
  assert.equal(ctx.get(v), 1);
  assert.equal(v.get(undefined), undefined, 'the top level is unchanged');
  ctx.run(() => {
    const t2 = v.set(2);
    assert.equal(t2.oldValue, 1);
    v.reset(t2);
    assert.equal(v.get(), 1);
    assert.throws(() => v.reset(t2), InvalidStateError);
    v.reset(t1);
    assert.equal(v.get('gone'), 'gone');
  });
  assert.throws(() => new Context().run(() => v.reset(v.set(3)) || v.reset(t1)), InvalidStateError);
  const other = copyContext();
  const t3 = other.run(() => v.set(5));
  assert.throws(() => v.reset(t3), { name: 'RangeError', message: /another context/ });
  assert.throws(() => new ContextVar(1), TypeError);
  assert.throws(() => v.reset({}), TypeError);
  assert.throws(() => new ContextVar('y').reset(t3), { name: 'TypeError', message: /ContextVar "x"/ });
});

test('task.getContext(): the task\'s own context, live, the same object each time (asyncio Task.get_context)', async () => {
  const v = new ContextVar('v', { default: 'none' });
  await rt.run(function* () {
    v.set('main');
    const t = rt.createTask(function* () {
      v.set('child');
      yield rt.sleep(1);
      return v.get();
    });
    const ctx = t.getContext();
    assert.ok(ctx instanceof Context);
    assert.equal(t.getContext(), ctx);
    assert.equal(ctx.get(v), 'main', 'copied from the creator at creation');
    yield rt.sleep(0); // the child runs up to its sleep
    assert.equal(ctx.get(v), 'child', 'what the task set');
    assert.equal(v.get(), 'main', 'the creator keeps its own');
    ctx.run(() => v.set('set from outside'));
    assert.equal(v.get(), 'main');
    assert.equal(yield t, 'set from outside', 'run() in it changes the task\'s own values');
    assert.equal(t.getContext().get(v), 'set from outside', 'still there once done');
    assert.equal(rt.currentTask().getContext().get(v), 'main');
  });
});
