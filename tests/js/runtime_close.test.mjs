// Runtime.close() (asyncio.Runner.close) and `await using` (Symbol.asyncDispose).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, CancelledError, InvalidStateError } from '../../bindings/index.js';

test('close(): cancels the tasks still alive and awaits their cleanup', async () => {
  const rt = await Runtime.create();
  const log = [];
  const gen = rt.createTask(function* () {
    try {
      yield rt.sleep(1e9);
    } catch (e) {
      log.push(`gen ${e.name}`);
      yield rt.sleep(5); // cleanup that itself waits: close awaits it
      log.push('gen cleaned up');
      throw e;
    }
  }, { name: 'gen' });
  const asyncTask = rt.createTask(async (task) => {
    await new Promise((resolve) => task.signal.addEventListener('abort', resolve));
    log.push('async aborted');
  }, { name: 'async' });
  const timer = rt.callLater(1e9, () => log.push('timer ran'));
  const soon = rt.callSoon(() => log.push('soon ran'));
  await new Promise((r) => setTimeout(r, 10)); // let both tasks start
  log.length = 0;
  const late = rt.callSoon(() => log.push('late soon'));
  assert.equal(rt.closed, false);
  const closing = rt.close();
  assert.equal(rt.closed, true);
  assert.equal(rt.close(), closing, 'idempotent: the same promise');
  await closing;
  // the loop runs while close() awaits the cleanups: ready callbacks run too
  assert.deepEqual(log.sort(), ['async aborted', 'gen CancelledError', 'gen cleaned up', 'late soon'].sort());
  assert.ok(!log.includes('timer ran'));
  assert.ok(gen.cancelled());
  assert.ok(asyncTask.done());
  void timer; void soon; void late;
  await assert.doesNotReject(rt.close());
});

test('close(): afterwards every runtime method throws an Error naming the closed runtime', async () => {
  const rt = await Runtime.create();
  await rt.close();
  for (const call of [
    () => rt.createTask(function* () {}),
    () => rt.sleep(1),
    () => rt.callSoon(() => {}),
    () => rt.run(function* () {}),
    () => rt.time(),
    () => rt.stats(),
    () => rt.files,
  ]) {
    assert.throws(call, (e) => e instanceof Error && /Runtime is closed/.test(e.message) && /runtime\.\w+/.test(e.message));
  }
  assert.ok(rt instanceof Runtime);
  assert.equal(rt.closed, true);
  assert.equal(String(rt), '<Runtime: closed>');
});

test('close(): no callback and no timer survives it (Node can exit)', async () => {
  const rt = await Runtime.create({ clock: 'host' });
  rt.createTask(function* () { yield rt.sleep(60_000); });
  rt.callLater(60_000, () => {});
  // until the task has started its sleep (polled: under load it starts late)
  while (rt.stats().handles < 2) await new Promise((r) => setTimeout(r, 1));
  const before = rt.stats();
  assert.ok(before.handles >= 2 && before.callbacks === 1, JSON.stringify(before));
  const stats = rt.stats.bind(rt);
  await rt.close();
  // read through the saved method: the closed runtime's own throws
  const after = Runtime.prototype.stats.call(rt);
  assert.equal(after.tasks, 0);
  assert.equal(after.handles, 0);
  assert.equal(after.callbacks, 0);
  assert.equal(after.jsTasks, 0);
  void stats;
});

test('close(): called from one of its own tasks rejects (asyncio: cannot close a running loop)', async () => {
  const rt = await Runtime.create();
  const got = await rt.run(function* () {
    try {
      yield rt.close();
      return 'closed';
    } catch (e) {
      return e;
    }
  });
  assert.ok(got instanceof InvalidStateError, String(got));
  assert.match(got.message, /own tasks/);
  assert.equal(rt.closed, false);
  await rt.close();
});

test('close(): a run() in progress ends cancelled', async () => {
  const rt = await Runtime.create();
  const running = rt.run(function* () { yield rt.sleep(1e9); });
  await new Promise((r) => setTimeout(r, 5));
  await rt.close();
  await assert.rejects(running, CancelledError);
});

test('await using: Symbol.asyncDispose closes the runtime', async () => {
  assert.equal(typeof Runtime.prototype[Symbol.asyncDispose], 'function');
  const rt = await Runtime.create();
  const t = rt.createTask(function* () { yield rt.sleep(1e9); });
  await rt[Symbol.asyncDispose]();
  assert.ok(t.cancelled());
  assert.equal(rt.closed, true);
  assert.throws(() => rt.sleep(1), /closed/);
});
