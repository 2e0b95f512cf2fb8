// run() and unretrieved failures (bindings/run.js, unretrieved.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, Runtime, Task, InvalidStateError } from '../../bindings/index.js';

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
