// Worker pool isolation (Node worker_threads): what a job leaves behind
// does not fail the next job; memoryLimitMb caps a worker's wasm memory and
// JS heap; a C job calling exit() is reported as such.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, WorkerPool, WasyncioError, codes } from '../../bindings/index.js';

const root = new URL('../../', import.meta.url);
const JOBS = new URL('tests/e2e/pages/executor-jobs.js', root);
const rt = await Runtime.create({ module: new URL('build/wasm/modules/executor_jobs.mjs', root) });

const pools = [];
function pool(opts = {}) {
  const p = new WorkerPool({ module: JOBS, ...opts });
  pools.push(p);
  return p;
}
after(async () => { await Promise.all(pools.map((p) => p.shutdown())); });

async function until(cond, what, ms = 60_000) {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) assert.fail(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const [job, kind, text] of [
  ['leaveThrowingTimer', 'uncaught exception', /thrown by a leftover timer/],
  ['leaveRejection', 'unhandled rejection', /a leftover rejection/],
]) {
  test(`${job}: the next job on that worker succeeds; the leftover is reported; the worker is replaced`, async () => {
    const reported = [];
    const p = pool({ max: 1, onStrayError: (e) => reported.push(e) });
    assert.match(await p.run(job, []), /^left/);
    // the next job runs on the same (only) worker while the leftover fires
    assert.equal(await p.run('slowAdd', [2, 3, 100]), 5);
    await until(() => reported.length === 1, 'the leftover is reported');
    const e = reported[0];
    assert.ok(e instanceof WasyncioError);
    assert.match(e.message, new RegExp(kind));
    assert.match(e.message, text);
    assert.match(e.message, /no job failed for it/);
    // more jobs keep working, on a fresh worker
    assert.deepEqual(await Promise.all([1, 2, 3].map((i) => p.run('add', [i, i]))), [2, 4, 6]);
    await until(() => p.stats().started === 2, 'a replacement worker started');
    const s = p.stats();
    assert.equal(s.failed, 0);
    assert.equal(s.crashed, 0);
    assert.equal(s.strayErrors, 1);
  });
}

test('jobs queued on a worker that is being recycled run elsewhere, none lost', async () => {
  const reported = [];
  const p = pool({ max: 1, onStrayError: (e) => reported.push(e) });
  const first = p.run('leaveThrowingTimer', [1]);
  const rest = Array.from({ length: 10 }, (_, i) => p.run('slowAdd', [i, 1, 5]));
  assert.match(await first, /^left/);
  assert.deepEqual(await Promise.all(rest), Array.from({ length: 10 }, (_, i) => i + 1));
  await until(() => reported.length === 1, 'reported');
  assert.equal(p.stats().failed, 0);
});

test('memoryLimitMb: a C job allocating without bound gets NULL from malloc near the limit', async () => {
  const p = pool({ max: 1, memoryLimitMb: 64 });
  const e = await rt.runInExecutor(p, 'gobble', new Uint8Array(1)).then(() => null, (x) => x);
  assert.ok(e instanceof WasyncioError, String(e));
  assert.equal(e.code, codes.ENOMEM);
  const mib = Number(/after (\d+) MiB/.exec(e.message)[1]);
  assert.ok(mib > 8 && mib <= 64, `got ${mib} MiB`);
  // the worker is fine afterwards
  assert.equal(await p.run('add', [1, 2]), 3);
});

test('memoryLimitMb: a JS job allocating without bound ends its worker, fails with EABORTED, others go on', async () => {
  const p = pool({ max: 1, memoryLimitMb: 32 });
  const e = await p.run('hog', []).then(() => null, (x) => x);
  assert.ok(e instanceof WasyncioError, String(e));
  assert.equal(e.code, codes.EABORTED);
  assert.match(e.message, /memory/i);
  assert.equal(await p.run('add', [2, 2]), 4);
});

test('memoryLimitMb is checked', () => {
  for (const bad of [0, 8, 1.5, '64', 1e9]) assert.throws(() => new WorkerPool({ module: JOBS, memoryLimitMb: bad }), RangeError);
  assert.throws(() => new WorkerPool({ module: JOBS, onStrayError: 1 }), TypeError);
});

test('a C job calling exit(3) is reported as such; the worker is replaced', async () => {
  const p = pool({ max: 1 });
  const e = await rt.runInExecutor(p, 'quit', new Uint8Array(1)).then(() => null, (x) => x);
  assert.ok(e instanceof WasyncioError, String(e));
  assert.equal(e.code, codes.EABORTED);
  assert.match(e.message, /the C job called exit\(3\)/);
  assert.doesNotMatch(e.message, /object Object/);
  const h = await rt.runInExecutor(p, 'echo', new Uint8Array([7]));
  assert.deepEqual([...h], [7]);
});
