// Eager tasks (asyncio's eager_start / eager_task_factory, 3.12+): the first
// step runs inside createTask, as the current task, until it suspends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../bindings/index.js';

test('eager: the first step runs inside createTask, up to its first suspension', async () => {
  const rt = await Runtime.create({ clock: 'virtual' });
  const log = [];
  const got = await rt.run(function* (main) {
    log.push('main before');
    const child = rt.createTask(function* (self) {
      log.push(`child start, current is child: ${rt.currentTask() === self}`);
      yield rt.sleep(0);
      log.push('child resumed');
      return 'c';
    }, { eager: true, name: 'child' });
    log.push(`main after, current is main: ${rt.currentTask() === main}`);
    assert.equal(child.done(), false);
    return yield child;
  });
  assert.equal(got, 'c');
  assert.deepEqual(log, [
    'main before', 'child start, current is child: true', 'main after, current is main: true', 'child resumed',
  ]);
});

test('eager: a body that never suspends comes back done and is never scheduled', async () => {
  const rt = await Runtime.create({ clock: 'virtual' });
  const events = [];
  const off = rt.onTaskEvent((e) => { if (e.name === 'quick') events.push(e.type); });
  await rt.run(function* () {
    const quick = rt.createTask(function* () { return 42; }, { eager: true, name: 'quick' });
    assert.equal(quick.done(), true);
    assert.equal(quick.result(), 42);
    const failing = rt.createTask(() => { throw new RangeError('boom'); }, { eager: true });
    assert.equal(failing.done(), true);
    assert.ok(failing.exception() instanceof RangeError);
    const lazy = rt.createTask(function* () { return 1; });
    assert.equal(lazy.done(), false);
    yield lazy;
  });
  off();
  assert.deepEqual(events.filter((t) => t !== 'created'), ['started', 'done']);
});

test('eager: ordering matches asyncio (eager child runs before the lazy ones queued earlier)', async () => {
  const rt = await Runtime.create({ clock: 'virtual' });
  const log = [];
  await rt.run(function* () {
    const a = rt.createTask(function* () { log.push('lazy a'); });
    const b = rt.createTask(function* () { log.push('eager b'); yield rt.sleep(0); log.push('eager b again'); }, { eager: true });
    const c = rt.createTask(function* () { log.push('lazy c'); });
    log.push('main');
    yield rt.gather(a, b, c);
  });
  // asyncio 3.14 (Pyodide) gives this order. With eager_start: b's first step runs at creation; on the next
  // iteration a, then b's resumption (queued by its sleep(0)), then c
  assert.deepEqual(log, ['eager b', 'main', 'lazy a', 'eager b again', 'lazy c']);
});

test('eagerTasks: Runtime.create option is the default, { eager: false } overrides', async () => {
  const rt = await Runtime.create({ eagerTasks: true });
  const log = [];
  await rt.run(async () => {
    rt.createTask(() => { log.push('eager'); });
    rt.createTask(() => { log.push('lazy'); }, { eager: false });
    log.push('after create');
    await rt.sleep(1);
  });
  assert.deepEqual(log, ['eager', 'after create', 'lazy']);
  assert.throws(() => rt.createTask(() => {}, { eager: 1 }), { name: 'TypeError', message: /options\.eager/ });
  await assert.rejects(Runtime.create({ eagerTasks: 'yes' }), { name: 'TypeError', message: /eagerTasks/ });
});

test('eager: async functions run synchronously to their first await; nested eager starts', async () => {
  const rt = await Runtime.create();
  const log = [];
  await rt.run(async () => {
    const outer = rt.createTask(async (o) => {
      log.push('outer start');
      const inner = rt.createTask(function* (i) {
        log.push(`inner start ${rt.currentTask() === i}`);
        yield rt.sleep(1);
        log.push('inner end');
      }, { eager: true });
      log.push(`outer again ${rt.currentTask() === o}`);
      await inner;
      log.push('outer end');
    }, { eager: true });
    log.push('main');
    await outer;
  });
  assert.deepEqual(log, ['outer start', 'inner start true', 'outer again true', 'main', 'inner end', 'outer end']);
});

test('eager: a child in a TaskGroup that fails at once aborts the group', async () => {
  const rt = await Runtime.create({ clock: 'virtual' });
  const log = [];
  const err = yieldError(await rt.run(function* () {
    try {
      yield* rt.taskGroup(function* (tg) {
        tg.createTask(function* () { yield rt.sleep(100); log.push('sibling finished'); }, { name: 'sibling' });
        tg.createTask(() => { throw new Error('eager boom'); }, { eager: true });
        log.push('body after create');
        yield rt.sleep(1000);
        log.push('body finished');
      });
    } catch (e) {
      return e;
    }
    return null;
  }));
  assert.ok(err instanceof AggregateError);
  assert.equal(err.errors[0].message, 'eager boom');
  // asyncio 3.14: the same (the group aborts inside create_task; the body
  // is cancelled at its next await)
  assert.deepEqual(log, ['body after create']);
});

function yieldError(e) { return e; }
