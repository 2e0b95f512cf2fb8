// The executor pool in Chromium: Web Workers under the server's strict CSP
// (worker-src 'self', no SharedArrayBuffer, no cross-origin isolation).
// The scenarios are in tests/e2e/pages/executor.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './browser.mjs';

const EABORTED = -18;
const EVALUE = -11;
const ESHUTDOWN = -7;

let b;
let page;
before(async () => {
  b = await openBrowser();
  page = await b.page();
  await page.goto(b.url + 'test-pages/executor.html');
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 20000 });
});
after(async () => { await b?.close(); });

const run = (name) => page.evaluate((n) => window.scenario(n), name);

test('Chromium: not cross-origin isolated, no SharedArrayBuffer needed', async () => {
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
});

test('Chromium: 10,000 small JS jobs and 10,000 C jobs, correct results', async () => {
  const r = await run('manySmallJobs');
  assert.equal(r.bad, 0);
  assert.equal(r.stats.completed, 20000);
  assert.equal(r.stats.workers, 0);
});

test('Chromium: job errors, a wasm trap (EABORTED, worker replaced, nothing else lost)', async () => {
  const r = await run('errorsAndTrap');
  assert.equal(r.trapped.code, EABORTED);
  assert.match(r.trapped.message, /worker crashed while running the job: RuntimeError: unreachable/);
  assert.deepEqual([r.boom.name, r.boom.message], ['RangeError', 'bad thing']);
  assert.deepEqual([r.fail.code, r.fail.message], [EVALUE, 'fail: refusing 5 bytes']);
  assert.equal(r.ok, true);
  assert.equal(r.after, 3);
  assert.equal(r.stats.crashed, 1);
});

test('Chromium: pool isolation: leftovers fail no job (reported, worker replaced); exit(3) named; memoryLimitMb caps wasm memory', async () => {
  const r = await run('isolation');
  assert.deepEqual(r.left, ['left a timer', 5]);
  assert.deepEqual(r.left2, ['left a rejection', 9]);
  assert.equal(r.stray.length, 2);
  assert.match(r.stray[0].message, /uncaught exception .*thrown by a leftover timer/);
  assert.match(r.stray[1].message, /unhandled rejection .*a leftover rejection/);
  assert.equal(r.after, 2);
  assert.deepEqual([r.stats.failed, r.stats.crashed, r.stats.strayErrors], [0, 0, 2]);
  assert.equal(r.exited.code, EABORTED);
  assert.match(r.exited.message, /the C job called exit\(3\)/);
  assert.equal(r.gobbled.code, -4); // WA_ENOMEM
  assert.ok(Number(/after (\d+) MiB/.exec(r.gobbled.message)[1]) <= 64, r.gobbled.message);
  assert.deepEqual(r.echo, [9]);
});

test('Chromium: self.close() inside a JS job fails only that job', async () => {
  const r = await run('selfClose');
  assert.equal(r.a, 3);
  assert.equal(r.dead.code, EABORTED);
  assert.match(r.dead.message, /closed itself/);
  assert.equal(r.b, 7);
  assert.equal(r.stats.crashed, 1);
});

test('Chromium: cancellation of queued and running jobs (cooperative and by termination)', async () => {
  const r = await run('cancellation');
  assert.equal(r.queuedState, 'queued');
  assert.deepEqual([r.b.cancelled, r.b.message], [true, 'not needed']);
  assert.deepEqual(r.marks, ['A', 'C']);
  assert.equal(r.c1.cancelled, true);
  assert.equal(r.c2.cancelled, true);
  assert.ok(r.runningWhenTold >= 1, 'awaiting tasks told before the uncooperative worker is terminated');
  assert.equal(r.afterStats.started, r.started, 'replacements start on demand');
  assert.equal(r.afterStats.workers, 1, 'the uncooperative job\'s worker was terminated, the other kept');
  assert.equal(r.afterStats.running, 0);
  assert.equal(r.j1.cancelled, true);
  assert.equal(r.j2.cancelled, true);
  assert.equal(r.again, 4);
  assert.equal(r.rt.futures, 0);
});

test('Chromium: backpressure (JS and C)', async () => {
  const r = await run('backpressure');
  assert.deepEqual(r.order.map((o) => o[0]), [0, 1, 2, 3, 4, 5]);
  for (const [, , queued] of r.order) assert.ok(queued <= 2);
  assert.ok(r.order[3][1] >= 1 && r.order[5][1] >= 3, JSON.stringify(r.order));
  assert.deepEqual(r.done, [0, 1, 2, 3, 4, 5]);
  assert.equal(r.c, '0,0,0,1,2,3');
});

test('Chromium: shutdown with pending jobs; submits fail after', async () => {
  const r = await run('shutdown');
  assert.deepEqual(r.results, [0, 1, 2, 3, 4]);
  assert.equal(r.workers, 0);
  assert.equal(r.late.code, ESHUTDOWN);
  assert.equal(r.running, 2);
  for (const p of r.pend) assert.equal(p.cancelled, true);
  assert.equal(r.qWorkers, 0);
});

test('Chromium: C coroutines await executor jobs; gather mixes jobs, tasks and sleeps', async () => {
  const r = await run('cAndGather');
  assert.equal(r.hashOk, true);
  assert.equal(r.err, `${EVALUE}:fail: refusing 3 bytes`);
  assert.deepEqual(r.step, [9, 8, 7]);
  assert.equal(r.gatheredOk, true);
  assert.deepEqual(r.mixed, [true, { sum: 1 << 20, length: 1 << 20 }, 7, 'task', 'slept']);
  assert.equal(r.moved, 0);
  assert.equal(r.rt.futures, 0);
});

test('Chromium: no unexpected console errors', () => {
  const unexpected = page.errors.filter((e) => !/unreachable|closed itself|exit\(3\)|memoryLimitMb/.test(e));
  assert.deepEqual(unexpected, []);
});
