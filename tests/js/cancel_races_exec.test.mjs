// No outcome is dropped, for executor jobs: a job whose result reaches the
// loop in the same stretch as its task's cancellation. The rule (README,
// "Worker pool"): a job's result that arrived before the cancellation is
// kept: the task's await returns it, and the cancellation is delivered at
// the task's next wait (a task that has none ends cancelled, as asyncio).
// A cancellation that arrives first withdraws the job (its result, if the
// worker still makes one, goes nowhere: it was never the task's).
//
// The stretch is made exact with a hook on the executor's completion of the
// job's C future (the real pool and worker run the job): the task is
// cancelled right after its job's result was handed to the loop, before the
// task resumes. Both task styles; toThread, runInExecutor (a C job) and
// pool.run (yielded and, in async tasks, awaited).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, WorkerPool, CancelledError, defaultPool } from '../../bindings/index.js';

const root = new URL('../../', import.meta.url);
const JOBS = new URL('tests/e2e/pages/executor-jobs.js', root);
const rt = await Runtime.create({ module: new URL('build/wasm/modules/executor_jobs.mjs', root) });
const pool = new WorkerPool({ module: JOBS, max: 2 });
after(async () => {
  await pool.shutdown();
  await defaultPool().shutdown();
});

const ROUNDS = 8;

// Calls hook() right after a job's result completes its C future.
let hook = null;
const complete = rt._exec._complete;
rt._exec._complete = function (...args) {
  complete.apply(this, args);
  const h = hook;
  hook = null;
  h?.();
};

const kinds = {
  toThread: (i) => [rt.toThread(JOBS, 'add', i, 1000), i + 1000],
  runInExecutor: (i) => [rt.runInExecutor(pool, 'echo', new Uint8Array([i])), (v) => v instanceof Uint8Array && v[0] === i],
  'pool.run': (i) => [pool.run('add', [i, 2000]), i + 2000],
};

const styles = {
  generator: (op, got) => rt.createTask(function* () { const v = yield op(); got.push(v); return v; }),
  async: (op, got) => rt.createTask(async () => { const v = await op(); got.push(v); return v; }),
  // the task goes on after the job: the cancellation arrives at its next wait
  'async, then a wait': (op, got) => rt.createTask(async () => {
    const v = await op();
    got.push(v);
    await rt.sleep(10_000);
    return v;
  }),
};

for (const [style, spawn] of Object.entries(styles)) {
  for (const [kind, make] of Object.entries(kinds)) {
    test(`race, ${kind} (${style}): a result that arrives with the cancellation is kept, once`, () => rt.run(async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const got = [];
        let expected;
        const t = spawn(() => {
          const [op, want] = make(i);
          expected = want;
          return op;
        }, got);
        hook = () => t.cancel();
        try { await t; } catch (e) { if (!(e instanceof CancelledError)) throw e; }
        assert.equal(hook, null, `round ${i}: the job completed`);
        assert.equal(got.length, 1, `round ${i}: the task got the result once`);
        if (typeof expected === 'function') assert.ok(expected(got[0]), `round ${i}: ${got[0]}`);
        else assert.equal(got[0], expected);
        // asyncio: the cancellation still ends the task (at its next wait, or
        // when it returns without one)
        assert.equal(t.cancelled(), true, `round ${i}: the task ends cancelled`);
      }
    }));
  }
}

for (const [style, spawn] of Object.entries(styles)) {
  test(`race, a job cancelled before its result arrives (${style}): withdrawn, the task ends cancelled`, () => rt.run(async () => {
    // pool.run() awaited in an async task without { signal }: the job is the
    // task's (the async-style rule), cancelling the task cancels it
    const got = [];
    const before = pool.stats().cancelled;
    const t = spawn(() => pool.run('waitForAbort', []), got);
    while (pool.stats().running === 0) await rt.sleep(5);
    t.cancel();
    await assert.rejects(t, CancelledError);
    assert.deepEqual(got, []);
    assert.equal(pool.stats().cancelled, before + 1, 'the job was cancelled');
    while (pool.stats().running !== 0) await rt.sleep(5);
  }));
}
