// Debug mode (bindings/debug.js): never-awaited operations with where they
// were made, slow steps naming the task, cancellations the runtime cannot
// deliver, and the await chains of task.getStack() / runtime.dumpTasks().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Runtime, Queue } from '../../bindings/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('debug mode warns: never-awaited operation (with its site), slow continuation and step (naming the task), unreachable cancellation', async () => {
  const warns = [];
  const rt = await Runtime.create({ debug: { slowMs: 5, warn: (m) => warns.push(m) } });
  const spin = (ms) => { const t0 = performance.now(); while (performance.now() - t0 < ms) { /* busy */ } };
  await rt.run(async () => {
    rt.sleep(10); // never awaited
    const busy = rt.createTask(async () => { await rt.sleep(1); spin(30); }, { name: 'busyAsync' });
    const busyGen = rt.createTask(function* () { yield rt.sleep(1); spin(30); }, { name: 'busyGen' });
    await rt.gather(busy, busyGen);
    const stuck = rt.createTask(async () => { await new Promise((r) => setTimeout(r, 20)); }, { name: 'stuck' });
    await rt.sleep(1);
    stuck.cancel();
    await assert.rejects(stuck);
  });
  assert.ok(warns.some((m) => /^SleepOp was never awaited; created at .*debug\.test\.mjs:\d+:\d+/.test(m)), warns.join('\n'));
  assert.ok(warns.some((m) => /continuation of task "busyAsync" held the loop for \d+ ms/.test(m)), warns.join('\n'));
  assert.ok(warns.some((m) => /a step of task "busyGen" held the loop for \d+ ms/.test(m)), warns.join('\n'));
  assert.ok(warns.some((m) => /task "stuck" was cancelled while it awaits something the runtime cannot withdraw/.test(m)), warns.join('\n'));
  assert.equal(warns.filter((m) => /never awaited/.test(m)).length, 1, 'no false never-awaited warning');
});

test('no warnings without debug mode; getStack() and dumpTasks() show the await chains', async () => {
  const rt = await Runtime.create({ onError: () => {} });
  const printed = [];
  const warn = console.warn;
  console.warn = (...a) => printed.push(a.join(' '));
  try {
    await rt.run(async () => {
      rt.sleep(10);
      const q = new Queue({ runtime: rt });
      const waiter = rt.createTask(async () => { await q.get(); }, { name: 'waiter' });
      const outer = rt.createTask(async () => { await waiter; }, { name: 'outer' });
      const gen = rt.createTask(function* () { yield rt.sleep(10_000); }, { name: 'gen' });
      await rt.sleep(1);
      assert.deepEqual(outer.getStack(), ['Task "outer" (async) awaits Task "waiter"', 'Task "waiter" (async) awaits QueueGetOp']);
      assert.deepEqual(gen.getStack(), ['Task "gen" (generator) awaits SleepOp']);
      const dump = rt.dumpTasks();
      assert.match(dump, /^Task "outer" \(async\) awaits Task "waiter" -> Task "waiter" \(async\) awaits QueueGetOp$/m);
      assert.match(dump, /^Task "gen" \(generator\) awaits SleepOp$/m);
      outer.cancel();
      gen.cancel();
    });
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(printed, []);
  await assert.rejects(Runtime.create({ debug: 'yes' }), TypeError);
});

test('the default runtime takes debug mode from WASYNCIO_DEBUG_MODE', () => {
  const script = `
    import { run, sleep } from ${JSON.stringify(root + 'bindings/index.js')};
    await run(async () => { sleep(5); });`;
  const r = spawnSync('node', ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, WASYNCIO_DEBUG_MODE: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /wasyncio: SleepOp was never awaited; created at/);
});
