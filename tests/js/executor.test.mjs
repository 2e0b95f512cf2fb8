// The executor pool under Node (worker_threads): JS jobs and C jobs, both
// task styles, cancellation (queued, cooperative, by termination), crashes,
// backpressure, shutdown, and leaks. The same job modules run in Chromium
// (tests/e2e/executor.test.mjs).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  Runtime, WorkerPool, CancelledError, WasyncioError, codes, transfer, defaultPool,
} from '../../bindings/index.js';

const root = new URL('../../', import.meta.url);
const JOBS = new URL('tests/e2e/pages/executor-jobs.js', root);
const rt = await Runtime.create({ module: new URL('build/wasm/modules/executor_jobs.mjs', root) });
const u32 = (n) => new Uint8Array([n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255]);

function fnv(bytes) {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}
const le = (u) => (u[0] | (u[1] << 8) | (u[2] << 16) | (u[3] << 24)) >>> 0;

const pools = [];
function pool(opts = {}) {
  const p = new WorkerPool({ module: JOBS, ...opts });
  pools.push(p);
  return p;
}
after(async () => {
  await Promise.all(pools.map((p) => p.shutdown()));
  await defaultPool().shutdown();
});

/** Wait until cond() holds (polling; the bound only catches a hang). */
async function until(cond, what = String(cond), ms = 60_000) {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) assert.fail(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function noLeaks(p) {
  const s = p.stats();
  assert.equal(s.queued + s.waiting + s.running, 0, JSON.stringify(s));
  const r = rt.stats();
  assert.equal(r.futures, 0, JSON.stringify(r));
  assert.equal(r.tasks, 0);
  assert.equal(r.views, 0);
  assert.equal(r.opWaiters, 0);
  assert.equal(rt._execBindings?.size ?? 0, 0);
}

test('10,000 small JS jobs: correct results', async () => {
  const p = pool({ max: 2 });
  const n = 10000;
  const out = await Promise.all(Array.from({ length: n }, (_, i) => p.run('tiny', [i])));
  for (let i = 0; i < n; i++) assert.equal(out[i], i * 2);
  assert.equal(p.stats().completed, n);
  await noLeaks(p);
});

test('10,000 small C jobs from a generator task: correct results', async () => {
  const p = pool({ max: 2 });
  const n = 10000;
  const inputs = Array.from({ length: n }, (_, i) => new TextEncoder().encode('in-' + i));
  const res = await rt.run(function* () {
    return yield rt.gather(inputs.map((b) => rt.runInExecutor(p, 'hash', b)));
  });
  assert.equal(res.length, n);
  for (let i = 0; i < n; i++) assert.equal(le(res[i]), fnv(inputs[i]), `job ${i}`);
  await noLeaks(p);
});

test('C job by table index, echo of bytes; empty input', async () => {
  const idx = rt.M._wa_job__echo();
  const p = pool({ max: 1 });
  const out = await rt.runInExecutor(p, idx, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...out], [1, 2, 3]);
  const empty = await rt.runInExecutor(p, 'echo');
  assert.equal(empty.length, 0);
});

test('transfer(): the input buffer is moved, the result comes back', async () => {
  const p = pool({ max: 1 });
  const buf = new Uint8Array(1 << 20).fill(1).buffer;
  const r = await p.run('sumBytes', [transfer(buf)]);
  assert.deepEqual(r, { sum: 1 << 20, length: 1 << 20 });
  assert.equal(buf.byteLength, 0, 'moved (detached)');
  const b2 = new Uint8Array([5, 6]).buffer;
  const back = await p.run('bounce', [transfer(b2)]);
  assert.ok(back instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(back)], [5, 6]);
  // runInExecutor copies unless asked to move
  const keep = new Uint8Array([1, 2, 3]);
  await rt.runInExecutor(p, 'echo', keep);
  assert.equal(keep.length, 3);
  const move = new Uint8Array([1, 2, 3]);
  const echoed = await rt.runInExecutor(p, 'echo', transfer(move));
  assert.equal(move.buffer.byteLength, 0);
  assert.deepEqual([...echoed], [1, 2, 3]);
});

test('job errors reach the awaiting task with their message', async () => {
  const p = pool({ max: 1 });
  await assert.rejects(p.run('boom', ['bad thing']), (e) => e instanceof RangeError && e.message === 'bad thing');
  await assert.rejects(p.run('nope', []), (e) => e instanceof TypeError && /no exported function "nope"/.test(e.message));
  const err = await rt.run(function* () {
    try {
      yield rt.runInExecutor(p, 'fail', new Uint8Array(5));
    } catch (e) {
      return e;
    }
  });
  assert.ok(err instanceof WasyncioError);
  assert.equal(err.code, codes.EVALUE);
  assert.equal(err.message, 'fail: refusing 5 bytes');
  await assert.rejects(p.run('add', [() => 1]), (e) => e instanceof TypeError && /could not be sent/.test(e.message));
  assert.equal(await p.run('add', [1, 1]), 2, 'the worker is still fine');
});

test('jobs queued behind one that cannot be sent still run', async () => {
  // all queued before the only worker is ready: the unsendable one is
  // dispatched first and must not leave the worker idle with work queued
  const p = pool({ max: 1 });
  const bad = p.run('add', [() => 1]);
  const good = [p.run('add', [1, 2]), p.run('add', [3, 4])];
  await assert.rejects(bad, (e) => e instanceof TypeError && /could not be sent/.test(e.message));
  assert.deepEqual(await Promise.all(good), [3, 7]);
  assert.equal(p.stats().failed, 1);
});

test('a job that traps fails with EABORTED; the worker is replaced; other jobs are not lost', async () => {
  const p = pool({ max: 2 });
  const others = Array.from({ length: 20 }, (_, i) => rt.runInExecutor(p, 'hash', u32(i)).then(le));
  const trapped = rt.runInExecutor(p, 'trap', new Uint8Array(1)).then(() => 'no', (e) => e);
  const more = Array.from({ length: 20 }, (_, i) => p.run('slowAdd', [i, 1, 1]));
  const e = await trapped;
  assert.ok(e instanceof WasyncioError, String(e));
  assert.equal(e.code, codes.EABORTED);
  assert.match(e.message, /worker crashed while running the job: RuntimeError: unreachable/);
  const o = await Promise.all(others);
  for (let i = 0; i < 20; i++) assert.equal(o[i], fnv(u32(i)));
  assert.deepEqual(await Promise.all(more), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(p.stats().crashed, 1);
  await noLeaks(p);
});

test('a worker that exits mid-job (process.exit) fails only its job', async () => {
  const p = pool({ max: 1 });
  const a = p.run('slowAdd', [1, 2, 5]);
  const dead = p.run('die', []).then(() => 'no', (e) => e);
  const b = p.run('add', [3, 4]);
  const c = p.run('add', [5, 6]);
  assert.equal(await a, 3);
  const e = await dead;
  assert.ok(e instanceof WasyncioError);
  assert.equal(e.code, codes.EABORTED);
  assert.match(e.message, /exited with code 7/);
  assert.equal(await b, 7);
  assert.equal(await c, 11);
  assert.equal(p.stats().crashed, 1);
});

test('cancelling a queued job: it settles cancelled and the worker never sees it', async () => {
  const p = pool({ max: 1 });
  const a = p.submit('mark', ['A', 100]);
  const jobA = await a;
  const jobB = await p.submit('mark', ['B']);
  const jobC = await p.submit('mark', ['C']);
  assert.equal(jobB.state, 'queued');
  assert.equal(jobB.cancel('not needed'), true);
  await assert.rejects(jobB.result(), (e) => e instanceof CancelledError && e.message === 'not needed');
  assert.equal(jobB.cancelled(), true);
  assert.equal(await jobA.result(), 'A');
  assert.equal(await jobC.result(), 'C');
  assert.deepEqual(await p.run('marks'), ['A', 'C']);
});

test('cancelling a running C job cooperatively (wa_job_cancelled)', async () => {
  const p = pool({ max: 1, cancelGrace: 60_000 });
  const task = rt.createTask(function* () {
    return yield rt.runInExecutor(p, 'spin_coop', u32(10000));
  });
  await until(() => p.stats().running === 1);
  task.cancel('stop');
  await assert.rejects(task, CancelledError);
  // the job saw the flag and returned: same worker, free again quickly
  const started = p.stats().started;
  assert.deepEqual([...(await rt.runInExecutor(p, 'echo', new Uint8Array([1])))], [1]);
  assert.equal(p.stats().started, started, 'the worker was not replaced');
  await noLeaks(p);
});

test('cancelling a running C job that ignores it: terminated after the grace period', async () => {
  const p = pool({ max: 1, cancelGrace: 2000 });
  const task = rt.createTask(function* () {
    return yield rt.runInExecutor(p, 'spin_hard', u32(20000));
  });
  await until(() => p.stats().running === 1);
  const before = p.stats().started;
  task.cancel();
  await assert.rejects(task, CancelledError);
  // told at once: the job is still running, its worker not yet terminated
  assert.equal(p.stats().running, 1, 'the awaiting task is told before the grace period ends');
  assert.equal(p.stats().started, before);
  assert.equal(await p.run('add', [2, 2]), 4); // runs on the replacement
  assert.equal(p.stats().started, before + 1, 'replaced');
  assert.equal(p.stats().crashed, 0);
});

test('cancelling JS jobs: the signal (cooperative) and termination; async task with task.signal', async () => {
  const p = pool({ max: 2, cancelGrace: 100 });
  const t = rt.createTask(async (task) => p.run('waitForAbort', [], { signal: task.signal }));
  const u = rt.createTask(async (task) => p.run('block', [5000], { signal: task.signal }));
  await until(() => p.stats().running === 2);
  t.cancel();
  u.cancel();
  await assert.rejects(t, CancelledError);
  await assert.rejects(u, CancelledError);
  assert.equal(await p.run('add', [1, 2]), 3);
  const ac = new AbortController();
  const plain = p.run('waitForAbort', [], { signal: ac.signal });
  await until(() => p.stats().running === 1);
  ac.abort();
  await assert.rejects(plain, CancelledError);
  await until(() => p.stats().running === 0); // past the grace period
  await noLeaks(p);
});

test('backpressure: submit waits while the queue is full, in order', async () => {
  const p = pool({ max: 1, maxQueue: 2 });
  const order = [];
  const done = [];
  await rt.run(function* () {
    const jobs = [];
    for (let i = 0; i < 6; i++) {
      const job = yield p.submit('mark', [i, 30]);
      order.push([i, done.length, p.stats().queued]);
      jobs.push(job);
      job.result().then(() => done.push(i));
    }
    yield rt.gather(jobs.map((j) => j.result()));
  });
  assert.deepEqual(order.map((o) => o[0]), [0, 1, 2, 3, 4, 5]);
  for (const [, , queued] of order) assert.ok(queued <= 2);
  // the 4th submission (i = 3) could only be accepted after job 0 finished
  assert.ok(order[3][1] >= 1, JSON.stringify(order));
  assert.ok(order[5][1] >= 3, JSON.stringify(order));
  assert.deepEqual(done, [0, 1, 2, 3, 4, 5]);
  // and a submission waiting for room can be cancelled: it is withdrawn
  const q = pool({ max: 1, maxQueue: 0 });
  const ac = new AbortController();
  const blocker = q.run('waitForAbort', [], { signal: ac.signal }); // busy until we say
  await until(() => q.stats().running === 1);
  const waiter = rt.createTask(function* () { return yield q.submit('mark', ['never']); });
  await until(() => q.stats().waiting === 1);
  waiter.cancel();
  await assert.rejects(waiter, CancelledError);
  assert.equal(q.stats().waiting, 0);
  ac.abort();
  await assert.rejects(blocker, CancelledError);
  assert.deepEqual(await q.run('marks'), []);
});

test('shutdown: pending jobs finish (or are cancelled), every promise settles, then submits fail', async () => {
  const p = pool({ max: 1 });
  const rs = Array.from({ length: 5 }, (_, i) => p.run('slowAdd', [i, 0, 10]));
  await p.shutdown();
  assert.deepEqual(await Promise.all(rs), [0, 1, 2, 3, 4]);
  assert.equal(p.stats().workers, 0);
  await assert.rejects(p.run('add', [1, 2]), (e) => e instanceof WasyncioError && e.code === codes.ESHUTDOWN && /shut down/.test(e.message));
  await assert.rejects(rt.runInExecutor(p, 'echo', new Uint8Array(1)), (e) => e.code === codes.ESHUTDOWN);

  const q = pool({ max: 1 });
  const running = q.run('slowAdd', [1, 1, 1000]);
  const pend = Array.from({ length: 5 }, () => q.run('add', [1, 1]).then(() => 'ran', (e) => e));
  while (q.stats().running === 0) await new Promise((r) => setTimeout(r, 5));
  await q.shutdown({ cancelPending: true });
  assert.equal(await running, 2);
  for (const r of await Promise.all(pend)) assert.ok(r instanceof CancelledError, String(r));
  assert.equal(q.stats().workers, 0);
});

test('C: a coroutine awaits an executor job; errors; step task; gather with tasks; backpressure and shutdown', async () => {
  const h = await rt.spawnC('c_hash_in_executor', 'hello');
  assert.equal(le(h), fnv(new TextEncoder().encode('hello')));
  assert.equal(await rt.spawnC('c_job_error'), `${codes.EVALUE}:fail: refusing 3 bytes`);
  assert.deepEqual([...(await rt.spawnC('c_step_echo', new Uint8Array([9, 8, 7])))], [9, 8, 7]);
  let x = 0;
  for (let i = 0; i < 16; i++) x ^= fnv(new TextEncoder().encode('job-' + i));
  assert.equal(await rt.spawnC('c_gather_mixed', 16), x);
  assert.equal(await rt.spawnC('c_backpressure'), '0,0,0,1,2,3');
  await noLeaks(defaultPool());
});

test('C: cancelling a coroutine that awaits a job cancels the job', async () => {
  const t = rt.spawnC('c_await_long_job');
  await until(() => defaultPool().stats().running === 1);
  const started = defaultPool().stats().started;
  t.cancel();
  await assert.rejects(t, CancelledError);
  await until(() => defaultPool().stats().running === 0, 'the job saw the cancellation and stopped');
  assert.equal(defaultPool().stats().started, started, 'cooperatively: its worker was not replaced');
});

test('JS gather mixing executor jobs (C and JS), a task and a sleep', async () => {
  const p = pool({ max: 2 });
  const r = await rt.run(function* () {
    return yield rt.gather(
      rt.runInExecutor(p, 'hash', new Uint8Array([1])),
      p.run('add', [1, 2]),
      rt.toThread(JOBS, 'add', 3, 4),
      rt.createTask(function* () { yield rt.sleep(5); return 'task'; }),
      rt.sleep(3, 'slept'),
    );
  });
  assert.equal(le(r[0]), fnv([1]));
  assert.deepEqual(r.slice(1), [3, 7, 'task', 'slept']);
});

test('bad arguments: TypeError / RangeError naming the argument', () => {
  assert.throws(() => new WorkerPool({ min: -1 }), /options\.min/);
  assert.throws(() => new WorkerPool({ min: 3, max: 2 }), RangeError);
  assert.throws(() => new WorkerPool({ idleTimeout: 'x' }), TypeError);
  assert.throws(() => new WorkerPool({ maxQueue: 1.5 }), /options\.maxQueue/);
  assert.throws(() => new WorkerPool(null), TypeError);
  const p = pool({ max: 1 });
  assert.throws(() => p.run(5), /name/);
  assert.throws(() => p.run('add', 'x'), /args/);
  assert.throws(() => p.run('add', [], { signal: 1 }), /signal/);
  assert.throws(() => new WorkerPool().run('add'), /no module/);
  assert.throws(() => rt.runInExecutor(p, 'nosuch', new Uint8Array(1)), /no C job "nosuch"/);
  assert.throws(() => rt.runInExecutor(p, -1), RangeError);
  assert.throws(() => rt.runInExecutor(p, 'echo', 'text'), /bytes/);
  assert.throws(() => rt.runInExecutor({}, 'echo'), /pool/);
  assert.throws(() => rt.toThread(42, 'add'), /module/);
  assert.throws(() => transfer({}), TypeError);
});

function runNode(code, ms = 60_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: new URL('.', root).pathname, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => { child.kill(); reject(new Error('Node did not exit: ' + out)); }, ms);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

test('idle pools never keep Node alive (min 0 after work, min 2 idle, default pool)', async () => {
  const { code, out } = await runNode(`
    import { WorkerPool, toThread, ready } from './bindings/index.js';
    await ready();
    const jobs = new URL('./tests/e2e/pages/executor-jobs.js', 'file://' + process.cwd() + '/');
    const a = new WorkerPool({ module: jobs, min: 0, max: 2, idleTimeout: 60000 });
    const b = new WorkerPool({ module: jobs, min: 2, max: 2 });
    console.log(await a.run('add', [1, 2]), await b.run('add', [2, 3]), await toThread(jobs, 'add', 4, 5));
    await new Promise((r) => setTimeout(r, 100));
    console.log('workers', a.stats().workers, b.stats().workers);
  `);
  assert.equal(code, 0, out);
  assert.match(out, /3 5 9\nworkers 1 2/);
});
