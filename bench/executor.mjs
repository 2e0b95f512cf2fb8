// Executor benchmark: wasyncio's WorkerPool next to piscina on the same
// jobs, same machine, same run.
//
//   node bench/executor.mjs [--runs 3] [--tiny 10000] [--cpu-jobs 16] [--rounds 3000]
//
// 1. Throughput of tiny jobs: n jobs submitted at once, each returning
//    i * 2 (JS) or hashing a few bytes (C, runInExecutor), awaited together.
// 2. A CPU-bound batch (FNV-1a over 1 KiB, `rounds` times per job; the
//    same work in JS and in C): time inline on the main thread versus in
//    the pool with one worker per core. Speedup = inline / pool.
// Pools are warmed up first (workers started, modules loaded); medians of
// --runs runs, with min-max.
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { Runtime, WorkerPool, cpuCount, defaultPool } from '../bindings/index.js';
import * as jobs from '../tests/e2e/pages/executor-jobs.js';

const arg = (name, d) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const RUNS = arg('--runs', 5);
const TINY = arg('--tiny', 10000);
const CPU_JOBS = arg('--cpu-jobs', 16);
const ROUNDS = arg('--rounds', 20000);
const cores = cpuCount();

const JOBS_URL = new URL('../tests/e2e/pages/executor-jobs.js', import.meta.url);
let Piscina = null;
try {
  ({ Piscina } = await import('piscina'));
} catch {
  console.error('piscina is not installed (npm install): its columns are skipped');
}

const rt = await Runtime.create({ module: new URL('../build/wasm/modules/executor_jobs.mjs', import.meta.url) });
const pool = new WorkerPool({ module: JOBS_URL, min: cores, max: cores, idleTimeout: Infinity });
const pisc = Piscina ? new Piscina({ filename: JOBS_URL.href, minThreads: cores, maxThreads: cores, idleTimeout: 60000 }) : null;

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { med: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}
async function measure(fn) {
  await fn(); // warm-up
  const t = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return stats(t);
}
const rate = (n, s) => `${Math.round(n / (s.med / 1000)).toLocaleString('en-US')}/s (${Math.round(n / (s.max / 1000)).toLocaleString('en-US')}-${Math.round(n / (s.min / 1000)).toLocaleString('en-US')})`;
const ms = (s) => `${s.med.toFixed(0)} ms (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;

function check(ok, what) {
  if (!ok) throw new Error('wrong result: ' + what);
}

// ---- 1. tiny jobs ------------------------------------------------------------
const tinyInputs = Array.from({ length: TINY }, (_, i) => new Uint8Array([i & 255, i >> 8, 1, 2]));
const rows = [];
const wJs = await measure(async () => {
  const r = await Promise.all(Array.from({ length: TINY }, (_, i) => pool.run('tiny', [i])));
  check(r[TINY - 1] === (TINY - 1) * 2, 'tiny');
});
const wC = await measure(async () => {
  const r = await rt.run(function* () {
    return yield rt.gather(tinyInputs.map((b) => rt.runInExecutor(pool, 'hash', b)));
  });
  check(r.length === TINY, 'hash');
});
const pJs = pisc ? await measure(async () => {
  const r = await Promise.all(Array.from({ length: TINY }, (_, i) => pisc.run(i, { name: 'tiny' })));
  check(r[TINY - 1] === (TINY - 1) * 2, 'piscina tiny');
}) : null;
rows.push([`${TINY.toLocaleString('en-US')} tiny JS jobs (i * 2)`, rate(TINY, wJs), pJs ? rate(TINY, pJs) : '-']);
rows.push([`${TINY.toLocaleString('en-US')} tiny C jobs (hash 4 bytes, from a task)`, rate(TINY, wC), 'n/a (no C jobs)']);

// ---- 2. CPU-bound batch ---------------------------------------------------------
const expect = jobs.crunch(ROUNDS);
const inlineJs = await measure(async () => {
  for (let i = 0; i < CPU_JOBS; i++) check(jobs.crunch(ROUNDS) === expect, 'inline');
});
const poolJs = await measure(async () => {
  const r = await Promise.all(Array.from({ length: CPU_JOBS }, () => pool.run('crunch', [ROUNDS])));
  check(r.every((x) => x === expect), 'pool crunch');
});
const piscJs = pisc ? await measure(async () => {
  const r = await Promise.all(Array.from({ length: CPU_JOBS }, () => pisc.run(ROUNDS, { name: 'crunch' })));
  check(r.every((x) => x === expect), 'piscina crunch');
}) : null;
// C: the same work (rounds + 1 KiB of i & 255), inline = a pool of one worker
const cInput = new Uint8Array(4 + 1024);
cInput.set([ROUNDS & 255, (ROUNDS >> 8) & 255, (ROUNDS >> 16) & 255, 0]);
for (let i = 0; i < 1024; i++) cInput[4 + i] = i & 255;
const one = new WorkerPool({ min: 1, max: 1, idleTimeout: Infinity });
const cOne = await measure(() => Promise.all(Array.from({ length: CPU_JOBS }, () => rt.runInExecutor(one, 'crunch', cInput))));
const cAll = await measure(() => Promise.all(Array.from({ length: CPU_JOBS }, () => rt.runInExecutor(pool, 'crunch', cInput))));

const sp = (a, b) => `${(a.med / b.med).toFixed(2)}x`;
rows.push([`CPU batch, JS: ${CPU_JOBS} jobs x ${ROUNDS} rounds, inline`, ms(inlineJs), ms(inlineJs)]);
rows.push([`  in the pool (${cores} workers)`, ms(poolJs), piscJs ? ms(piscJs) : '-']);
rows.push(['  speedup vs inline', sp(inlineJs, poolJs), piscJs ? sp(inlineJs, piscJs) : '-']);
rows.push([`CPU batch, C (wasm): 1 worker -> ${cores} workers`, `${ms(cOne)} -> ${ms(cAll)}`, 'n/a']);
rows.push(['  speedup', sp(cOne, cAll), 'n/a']);

await Promise.all([pool.shutdown(), one.shutdown(), pisc?.destroy()]);

// ---- 3. blocking calls (the tutorials' to_thread example) ---------------------
// BLOCKING calls of BLOCK_MS each that hold a worker without using a core
// (Atomics.wait; Python: time.sleep), all awaited together: the default pool
// (min(32, cores + 4) workers) next to a pool of one worker per core and
// Python's asyncio.to_thread. One run each, worker start-up included.
const BLOCKING = arg('--blocking', 5);
const BLOCK_MS = arg('--block-ms', 2000);
const timeBlocking = async (run) => {
  const t0 = performance.now();
  const r = await run();
  check(r.length === BLOCKING && r.every((x) => x === BLOCK_MS), 'blocking');
  return `${((performance.now() - t0) / 1000).toFixed(2)} s`;
};
const perCore = new WorkerPool({ module: JOBS_URL, max: cores });
const blockingRows = [
  [`default pool (toThread, max ${defaultPool().options.max})`,
    await timeBlocking(() => rt.run(function* () {
      return yield rt.gather(...Array.from({ length: BLOCKING }, () => rt.toThread(JOBS_URL, 'sleepBlocking', BLOCK_MS)));
    }))],
  [`a pool of one worker per core (max ${cores})`,
    await timeBlocking(() => Promise.all(Array.from({ length: BLOCKING }, () => perCore.run('sleepBlocking', [BLOCK_MS]))))],
];
await Promise.all([perCore.shutdown(), defaultPool().shutdown()]);
const py = spawnSync('python3', ['-c', `
import asyncio, time
def block(ms):
    time.sleep(ms / 1000)
    return ms
async def main():
    t0 = time.perf_counter()
    await asyncio.gather(*(asyncio.to_thread(block, ${BLOCK_MS}) for _ in range(${BLOCKING})))
    print(f"{time.perf_counter() - t0:.2f} s")
asyncio.run(main())
`], { encoding: 'utf8' });
blockingRows.push(['Python asyncio.to_thread (default executor)', py.status === 0 ? py.stdout.trim() : 'python3 not available']);

let piscinaVersion = '';
try {
  const { createRequire } = await import('node:module');
  piscinaVersion = createRequire(import.meta.url)('piscina/package.json').version;
} catch { /* not installed */ }
const head = ['workload', 'wasyncio WorkerPool', `piscina ${piscinaVersion}`];
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => '| ' + r.map((c, i) => String(c).padEnd(w[i])).join(' | ') + ' |';
console.log(`Node ${process.version}, ${cores} cores, median of ${RUNS} runs (min-max)`);
console.log(line(head));
console.log('|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
console.log();
console.log(`${BLOCKING} blocking calls of ${BLOCK_MS} ms each, awaited together (one run, worker start included)`);
const bw = [0, 1].map((i) => Math.max(...blockingRows.map((r) => r[i].length)));
for (const r of blockingRows) console.log(`| ${r[0].padEnd(bw[0])} | ${r[1].padEnd(bw[1])} |`);
