// Executor scenarios run in Chromium (Web Workers) by
// tests/e2e/executor.test.mjs: window.scenario(name) resolves with what
// the test asserts on.
import {
  ready,
  Runtime, WorkerPool, CancelledError, WasyncioError, codes, transfer, defaultPool,
} from '/bindings/index.js';

await ready(); // the default runtime loads on first use

const JOBS = new URL('/test-pages/executor-jobs.js', location.href).href;
const rt = await Runtime.create({ module: new URL('/wasm/modules/executor_jobs.mjs', location.href) });
const u32 = (n) => new Uint8Array([n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255]);
const le = (u) => (u[0] | (u[1] << 8) | (u[2] << 16) | (u[3] << 24)) >>> 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Wait until cond() holds (polling; the bound only catches a hang). */
async function until(cond, ms = 60000) {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`still not true after ${ms} ms: ${cond}`);
    await sleep(5);
  }
}
function fnv(bytes) {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}
const errInfo = (e) => ({ name: e?.name, message: e?.message, code: e?.code, cancelled: e instanceof CancelledError, wasyncio: e instanceof WasyncioError });

const scenarios = {
  async manySmallJobs() {
    const p = new WorkerPool({ module: JOBS, max: 2 });
    const n = 10000;
    const t0 = performance.now();
    const js = await Promise.all(Array.from({ length: n }, (_, i) => p.run('tiny', [i])));
    const t1 = performance.now();
    const inputs = Array.from({ length: n }, (_, i) => new TextEncoder().encode('in-' + i));
    const cs = await rt.run(function* () {
      return yield rt.gather(inputs.map((b) => rt.runInExecutor(p, 'hash', b)));
    });
    const t2 = performance.now();
    let bad = 0;
    for (let i = 0; i < n; i++) {
      if (js[i] !== i * 2) bad++;
      if (le(cs[i]) !== fnv(inputs[i])) bad++;
    }
    await p.shutdown();
    return { bad, jsMs: t1 - t0, cMs: t2 - t1, stats: p.stats() };
  },

  async errorsAndTrap() {
    const p = new WorkerPool({ module: JOBS, max: 2 });
    const others = Array.from({ length: 10 }, (_, i) => rt.runInExecutor(p, 'hash', u32(i)).then(le));
    const trapped = await rt.runInExecutor(p, 'trap', new Uint8Array(1)).then(() => null, errInfo);
    const boom = await p.run('boom', ['bad thing']).then(() => null, errInfo);
    const fail = await rt.runInExecutor(p, 'fail', new Uint8Array(5)).then(() => null, errInfo);
    const ok = (await Promise.all(others)).every((h, i) => h === fnv(u32(i)));
    const after = await p.run('add', [1, 2]);
    const stats = p.stats();
    await p.shutdown();
    return { trapped, boom, fail, ok, after, stats };
  },

  async isolation() {
    // a job's leftovers fail no job; they are reported and the worker replaced
    const stray = [];
    const p = new WorkerPool({ module: JOBS, max: 1, onStrayError: (e) => stray.push(errInfo(e)) });
    const left = [await p.run('leaveThrowingTimer', []), await p.run('slowAdd', [2, 3, 100])];
    const left2 = [await p.run('leaveRejection', []), await p.run('slowAdd', [4, 5, 100])];
    await until(() => stray.length === 2);
    const after = await p.run('add', [1, 1]);
    const stats = p.stats();
    await p.shutdown();
    // a C job calling exit(3); a C job allocating without bound under memoryLimitMb
    const q = new WorkerPool({ module: JOBS, max: 1, memoryLimitMb: 64 });
    const exited = await rt.runInExecutor(q, 'quit', new Uint8Array(1)).then(() => null, errInfo);
    const gobbled = await rt.runInExecutor(q, 'gobble', new Uint8Array(1)).then(() => null, errInfo);
    const echo = [...await rt.runInExecutor(q, 'echo', new Uint8Array([9]))];
    await q.shutdown();
    return { left, left2, stray, after, stats, exited, gobbled, echo };
  },

  async selfClose() {
    const p = new WorkerPool({ module: JOBS, max: 1 });
    const a = p.run('slowAdd', [1, 2, 5]);
    const dead = p.run('die', []).then(() => null, errInfo);
    const b = p.run('add', [3, 4]);
    const res = { a: await a, dead: await dead, b: await b, stats: p.stats() };
    await p.shutdown();
    return res;
  },

  async cancellation() {
    const p = new WorkerPool({ module: JOBS, max: 2, cancelGrace: 2000 });
    // queued: never seen by the worker
    const q = new WorkerPool({ module: JOBS, max: 1 });
    const jobA = await q.submit('mark', ['A', 100]);
    const jobB = await q.submit('mark', ['B']);
    const jobC = await q.submit('mark', ['C']);
    const queuedState = jobB.state;
    jobB.cancel('not needed');
    const b = await jobB.result().then(() => null, errInfo);
    await jobA.result();
    await jobC.result();
    const marks = await q.run('marks');
    await q.shutdown();
    // running C job, cooperative
    const coop = rt.createTask(function* () { return yield rt.runInExecutor(p, 'spin_coop', u32(10000)); });
    // running C job that ignores it
    const hard = rt.createTask(function* () { return yield rt.runInExecutor(p, 'spin_hard', u32(20000)); });
    await until(() => p.stats().running === 2);
    const started = p.stats().started;
    coop.cancel();
    hard.cancel();
    const c1 = await coop.then(() => null, errInfo);
    const c2 = await hard.then(() => null, errInfo);
    // told at once: the uncooperative job's worker is not terminated yet
    const runningWhenTold = p.stats().running;
    await until(() => p.stats().workers === 1 && p.stats().running === 0);
    const afterStats = p.stats();
    // JS jobs: signal (async task) and termination
    const t = rt.createTask(async (task) => p.run('waitForAbort', [], { signal: task.signal }));
    const u = rt.createTask(async (task) => p.run('block', [5000], { signal: task.signal }));
    await until(() => p.stats().running === 2);
    t.cancel();
    u.cancel();
    const j1 = await t.then(() => null, errInfo);
    const j2 = await u.then(() => null, errInfo);
    const again = await p.run('add', [2, 2]);
    await p.shutdown();
    return { queuedState, b, marks, c1, c2, runningWhenTold, started, afterStats, j1, j2, again, rt: rt.stats() };
  },

  async backpressure() {
    const p = new WorkerPool({ module: JOBS, max: 1, maxQueue: 2 });
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
    await p.shutdown();
    return { order, done, c: await rt.spawnC('c_backpressure') };
  },

  async shutdown() {
    const p = new WorkerPool({ module: JOBS, max: 1 });
    const rs = Array.from({ length: 5 }, (_, i) => p.run('slowAdd', [i, 0, 10]));
    await p.shutdown();
    const results = await Promise.all(rs);
    const workers = p.stats().workers;
    const late = await p.run('add', [1, 2]).then(() => null, errInfo);
    const q = new WorkerPool({ module: JOBS, max: 1 });
    const running = q.run('slowAdd', [1, 1, 1000]);
    const pend = Array.from({ length: 5 }, () => q.run('add', [1, 1]).then(() => 'ran', errInfo));
    while (q.stats().running === 0) await sleep(5);
    await q.shutdown({ cancelPending: true });
    return { results, workers, late, running: await running, pend: await Promise.all(pend), qWorkers: q.stats().workers };
  },

  async cAndGather() {
    const h = await rt.spawnC('c_hash_in_executor', 'hello');
    const err = await rt.spawnC('c_job_error');
    const step = [...(await rt.spawnC('c_step_echo', new Uint8Array([9, 8, 7])))];
    let x = 0;
    for (let i = 0; i < 16; i++) x ^= fnv(new TextEncoder().encode('job-' + i));
    const gathered = await rt.spawnC('c_gather_mixed', 16);
    const p = new WorkerPool({ module: JOBS, max: 2 });
    const buf = new Uint8Array(1 << 20).fill(1).buffer;
    const mixed = await rt.run(function* () {
      return yield rt.gather(
        rt.runInExecutor(p, 'hash', new Uint8Array([1])),
        p.run('sumBytes', [transfer(buf)]),
        rt.toThread(JOBS, 'add', 3, 4),
        rt.createTask(function* () { yield rt.sleep(5); return 'task'; }),
        rt.sleep(3, 'slept'),
      );
    });
    await p.shutdown();
    await defaultPool().shutdown();
    return {
      hashOk: le(h) === fnv(new TextEncoder().encode('hello')), err, step, gatheredOk: gathered === x,
      mixed: [le(mixed[0]) === fnv([1]), ...mixed.slice(1)], moved: buf.byteLength, rt: rt.stats(),
    };
  },
};

window.scenario = async (name) => scenarios[name]();
document.body.dataset.ready = 'true';
