// Executors sized for their work: the default pool (toThread,
// runInExecutor(null)) is for blocking calls and sized like asyncio's default
// executor, min(32, cores + 4); a WorkerPool of one's own defaults to one
// worker per core (CPU-bound work). Overlap is asserted by outcome (all
// blocking calls meet at a rendezvous), never by time; the timing is in
// bench/executor.mjs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, WorkerPool, defaultPool, cpuCount } from '../../bindings/index.js';

const root = new URL('../../', import.meta.url);
const JOBS = new URL('tests/e2e/pages/executor-jobs.js', root);
const rt = await Runtime.create({ module: new URL('build/wasm/modules/executor_jobs.mjs', root) });
after(() => defaultPool().shutdown());

test('the default pool holds min(32, cores + 4) workers; an own pool one per core', async () => {
  assert.equal(defaultPool().options.max, Math.min(32, cpuCount() + 4));
  const p = new WorkerPool({ module: JOBS });
  assert.equal(p.options.max, cpuCount());
  await p.shutdown();
});

test('cores + 1 blocking toThread calls all run at once on the default pool (asyncio: 5 x time.sleep(2) take 2 s)', async () => {
  const n = cpuCount() + 1; // more than one per core, within cores + 4
  const cells = new Int32Array(new SharedArrayBuffer(4));
  const met = await rt.run(function* () {
    const calls = [];
    for (let i = 0; i < n; i++) calls.push(rt.toThread(JOBS, 'rendezvous', cells, n, 30_000));
    return yield rt.gather(...calls);
  });
  assert.deepEqual(met, Array(n).fill(true), 'every call saw all the others arrive while it blocked');
  assert.equal(Atomics.load(cells, 0), n);
});

test('the same blocking calls on a pool of max = cores do not all meet (the test can fail)', async () => {
  const n = cpuCount() + 1;
  const p = new WorkerPool({ module: JOBS, max: cpuCount() });
  try {
    const cells = new Int32Array(new SharedArrayBuffer(4));
    const met = await Promise.all(Array.from({ length: n }, () => p.run('rendezvous', [cells, n, 200])));
    assert.ok(met.includes(false), 'with one worker per core, the last call waits for a free worker');
  } finally {
    await p.shutdown();
  }
});
