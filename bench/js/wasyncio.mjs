// W1 and W2 for JS tasks on the wasyncio scheduler, both task styles:
// generator tasks (`yield sleep(0)`) and async-function tasks
// (`await sleep(0)`). Prints one JSON object per line.
// usage: wasyncio.mjs [--runs R] [--only gen|async]
import { run, createTask, sleep, gather, time, ready } from '../../bindings/index.js';

// time() is read outside run(): the default runtime loads on first use
await ready();

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;

const styles = {
  gen: {
    w1: (n) => run(function* () {
      const ts = [];
      for (let i = 0; i < n; i++) ts.push(createTask(function* () { yield sleep(0); return i; }));
      return (yield gather(ts)).reduce((a, b) => a + b, 0);
    }),
    w2: (t, k) => run(function* () {
      let count = 0;
      const ts = [];
      for (let i = 0; i < t; i++) ts.push(createTask(function* () { for (let j = 0; j < k; j++) { yield sleep(0); count++; } }));
      yield gather(ts);
      return count;
    }),
  },
  async: {
    w1: (n) => run(async () => {
      const ts = [];
      for (let i = 0; i < n; i++) ts.push(createTask(async () => { await sleep(0); return i; }));
      return (await gather(ts)).reduce((a, b) => a + b, 0);
    }),
    w2: (t, k) => run(async () => {
      let count = 0;
      const ts = [];
      for (let i = 0; i < t; i++) ts.push(createTask(async () => { for (let j = 0; j < k; j++) { await sleep(0); count++; } }));
      await gather(ts);
      return count;
    }),
  },
};

function report(workload, ms, units, unit, kind) {
  ms.sort((a, b) => a - b);
  const med = ms[ms.length >> 1];
  console.log(JSON.stringify({ workload, kind, runs: ms.length, median_ms: +med.toFixed(3), min_ms: +ms[0].toFixed(3), max_ms: +ms.at(-1).toFixed(3), rate: Math.round(units / (med / 1e3)), unit }));
}

async function timed(fn, expect) {
  const t0 = time();
  const r = await fn();
  const dt = time() - t0;
  if (r !== expect) throw new Error(`wrong result ${r}, expected ${expect}`);
  return dt;
}

async function w4(n) {
  const late = new Float64Array(n);
  let x = 42;
  const sleeps = [];
  for (let i = 0; i < n; i++) { x = (1103515245 * x + 12345) % 2147483648; sleeps.push(x % 101); }
  const t0 = time();
  await run(function* () {
    yield gather(sleeps.map((ms, i) => createTask(function* () {
      const s = time();
      yield sleep(ms);
      late[i] = time() - s - ms;
    })));
  });
  const total = (time() - t0) / 1e3;
  late.sort();
  console.log(JSON.stringify({ workload: 'W4', kind: 'wasyncio-js-gen', n, value: +total.toFixed(3), unit: 's (ideal ~0.1)', better: 'lower', p50_late_ms: +late[n >> 1].toFixed(2), p99_late_ms: +late[Math.floor(n * 0.99)].toFixed(2) }));
}

if (!only || only === 'gen') await w4(20000);

for (const [style, w] of Object.entries(styles)) {
  if (only && only !== style) continue;
  const n = 100000;
  await timed(() => w.w1(10000), (10000 * 9999) / 2);
  const ms1 = [];
  for (let r = 0; r < runs; r++) ms1.push(await timed(() => w.w1(n), (n * (n - 1)) / 2));
  report('W1', ms1, n, 'tasks/s', `wasyncio-js-${style}`);
  await timed(() => w.w2(1000, 100), 100000);
  const ms2 = [];
  for (let r = 0; r < runs; r++) ms2.push(await timed(() => w.w2(1000, 1000), 1e6));
  report('W2', ms2, 1e6, 'switches/s', `wasyncio-js-${style}`);
}
