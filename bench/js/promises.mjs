// W1 and W2 with plain Node promises and async functions, the baseline a JS
// developer has without wasyncio. sleep(0) is a macrotask yield
// (setImmediate), as a real event-loop yield must be; W2 is also measured
// with microtask-only yields (await null), which never lets I/O or timers in.
// Prints one JSON object per line.  usage: promises.mjs [--runs R]
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const sleep0 = () => new Promise((r) => setImmediate(r));
const now = () => performance.now();

async function w1(n) {
  const t0 = now();
  const res = await Promise.all(Array.from({ length: n }, async (_, i) => { await sleep0(); return i; }));
  const dt = now() - t0;
  if (res.reduce((a, b) => a + b, 0) !== (n * (n - 1)) / 2) throw new Error('W1 sum');
  return dt;
}

async function w2(t, k, yieldFn) {
  let count = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: t }, async () => {
    for (let i = 0; i < k; i++) { await yieldFn(); count++; }
  }));
  const dt = now() - t0;
  if (count !== t * k) throw new Error('W2 count');
  return dt;
}

function report(workload, ms, units, unit, kind) {
  ms.sort((a, b) => a - b);
  const med = ms[ms.length >> 1];
  console.log(JSON.stringify({ workload, kind, runs: ms.length, median_ms: +med.toFixed(3), min_ms: +ms[0].toFixed(3), max_ms: +ms.at(-1).toFixed(3), rate: Math.round(units / (med / 1e3)), unit }));
}

async function repeat(fn) {
  const out = [];
  for (let r = 0; r < runs; r++) out.push(await fn());
  return out;
}

async function w4(n, print = true) {
  const late = new Float64Array(n);
  let x = 42;
  const t0 = now();
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    x = (1103515245 * x + 12345) % 2147483648;
    const ms = x % 101;
    const s = now();
    await new Promise((r) => setTimeout(r, ms));
    late[i] = now() - s - ms;
  }));
  const total = (now() - t0) / 1e3;
  late.sort();
  if (print) console.log(JSON.stringify({ workload: 'W4', kind: 'node-promises', n, value: +total.toFixed(3), unit: 's (ideal ~0.1)', better: 'lower', p50_late_ms: +late[n >> 1].toFixed(2), p99_late_ms: +late[Math.floor(n * 0.99)].toFixed(2) }));
}

await w4(20000, false); // warm-up, as for W1 and W2
await w4(20000);
await w1(10000);
report('W1', await repeat(() => w1(100000)), 1e5, 'tasks/s', 'node-promises');
await w2(1000, 100, sleep0);
report('W2', await repeat(() => w2(1000, 1000, sleep0)), 1e6, 'switches/s', 'node-promises');
report('W2', await repeat(() => w2(1000, 1000, () => null)), 1e6, 'switches/s', 'node-promises-microtask');
