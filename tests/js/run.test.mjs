// run() and unretrieved failures (bindings/run.js, unretrieved.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run, createTask, sleep, Runtime, Task, InvalidStateError } from '../../bindings/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('run(): returns main result, cancels leftovers, rejects with main error, refuses nesting', async () => {
  let leftover;
  const r = await run(function* () {
    leftover = createTask(function* () { yield sleep(10_000); });
    yield sleep(1);
    return 'main done';
  });
  assert.equal(r, 'main done');
  assert.ok(leftover.cancelled(), 'leftover task was cancelled at the end of run()');
  await assert.rejects(run(function* () { throw new RangeError('main failed'); }), RangeError);
  await run(async () => {
    await assert.rejects(run(function* () {}), InvalidStateError);
  });
});

test('a failure nobody retrieves is reported to onError; cancellations are quiet', async () => {
  const rt = await Runtime.create({ onError: (err, ctx) => reports.push([err, ctx.message]) });
  const reports = [];
  await rt.run(function* () {
    rt.createTask(function* () { throw new Error('lost'); }, { name: 'loser' });
    const c = rt.createTask(function* () { yield rt.sleep(1000); });
    yield rt.sleep(1);
    c.cancel();
    yield rt.sleep(1);
    const seen = rt.createTask(function* () { throw new Error('seen'); });
    try { yield seen; } catch { /* retrieved */ }
  });
  assert.equal(reports.length, 1, JSON.stringify(reports.map((r) => r[1])));
  assert.equal(reports[0][0].message, 'lost');
  assert.match(reports[0][1], /Task "loser" exception was never retrieved/);
});

test('run() gives up on leftovers that ignore cancellation: rejects naming them, and the runtime stays usable', async () => {
  const rt = await Runtime.create();
  let rounds = 0;
  let stop = false;
  let stubborn;
  const err = await rt.run(function* () {
    stubborn = rt.createTask(function* () {
      while (!stop) {
        try { yield rt.sleep(5); } catch { rounds++; } // swallows every cancellation
      }
    }, { name: 'stubborn' });
    yield rt.sleep(1);
    return 'main done';
  }, { cleanupTimeout: 50 }).then(() => null, (e) => e);
  assert.ok(err, 'run() rejected');
  assert.equal(err.codeName, 'ETIMEDOUT');
  assert.match(err.message, /run\(\) gave up: 50 ms after main ended: 1 task did not end after being cancelled: 'stubborn'/);
  assert.ok(rounds >= 1, 'the leftover was cancelled');
  // usable: a new run works (and cancels the stubborn task again, then gives up again)
  assert.equal(await rt.run(function* () { return 7; }, { cleanupTimeout: 10 }).catch((e) => e.codeName), 'ETIMEDOUT');
  assert.equal(await rt.run(async () => 8, { cleanupTimeout: 10 }).catch((e) => e.codeName), 'ETIMEDOUT');
  await assert.rejects(rt.run(async () => 1, { cleanupTimeout: -1 }), RangeError);
  await assert.rejects(rt.run(async () => 1, null), TypeError);
  stop = true; // let it end (else it keeps Node alive)
  await stubborn;
});

test('run() rejects while another run() of the same runtime is in progress, then works again', async () => {
  const rt = await Runtime.create();
  const first = rt.run(function* () { yield rt.sleep(5); return 1; });
  await assert.rejects(rt.run(function* () { return 2; }), InvalidStateError);
  assert.equal(await first, 1);
  assert.equal(await rt.run(function* () { return 3; }), 3);
});

for (const style of ['generator', 'async']) {
  test(`Node never exits silently with a pending run(): a ${style} main stuck on a promise nobody settles rejects with EDEADLOCK naming it`, () => {
    const main = style === 'generator'
      ? 'function* () { yield new Promise(() => {}); }'
      : 'async () => { await new Promise(() => {}); }';
    const script = `
      import { run } from ${JSON.stringify(root + 'bindings/index.js')};
      try {
        await run(${main}, { name: 'stuck-main' });
        console.log('resolved?!');
      } catch (e) {
        console.log(e.codeName, e.message);
      }
      console.log('after');`;
    const r = spawnSync('node', ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^EDEADLOCK /m);
    assert.match(r.stdout, /after/);
    if (style === 'async') assert.match(r.stdout, /'stuck-main'/, 'a main that cancellation cannot reach is named');
  });
}

test('unretrieved failures: reported once at the end of run(), never for what gather / returnExceptions / await retrieved', async () => {
  const reports = [];
  const rt = await Runtime.create({ onError: (e, ctx) => reports.push(`${ctx.message}: ${e.message}`) });
  function* bad() { yield rt.sleep(1); throw new Error('boom'); }
  function* good() { yield rt.sleep(2); return 1; }
  async function badAsync() { await rt.sleep(1); throw new Error('boomA'); }
  await rt.run(async () => {
    const r = await rt.gather(bad(), good(), badAsync(), { returnExceptions: true });
    assert.deepEqual(r.map((v) => (v instanceof Error ? v.message : v)), ['boom', 1, 'boomA']);
    await assert.rejects(rt.gather(bad(), good()), /boom/);
    const seen = rt.createTask(async () => { throw new Error('awaited'); });
    await assert.rejects(seen, /awaited/);
    rt.createTask(async () => { throw new Error('never awaited'); }, { name: 'lost' });
    await rt.sleep(5);
    assert.deepEqual(reports, [], 'nothing reported while the run goes on');
  });
  assert.deepEqual(reports, ['Task "lost" exception was never retrieved: never awaited']);
  await rt.run(async () => {}); // a later run reports nothing again
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(reports.length, 1, 'exactly once');
});
