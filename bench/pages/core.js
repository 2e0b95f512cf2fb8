// W1 and W2 in the browser: C coroutine and step tasks (bench_core.wasm)
// and JS generator tasks, printed as JSON lines into window.benchLines.
import { loadModule } from '/bindings/loader.js';
import { run, createTask, sleep, gather } from '/bindings/index.js';

const params = new URLSearchParams(location.search);
const runs = Number(params.get('runs') || 5);
const lines = [];
window.benchLines = lines;
const out = document.getElementById('out');
const emit = (o) => { lines.push(JSON.stringify(o)); out.textContent += JSON.stringify(o) + '\n'; };

// C: the bench_core program, as in Node, output relabelled for the browser
await new Promise((resolve) => {
  loadModule(new URL('/wasm/bench_core.mjs', location.href), {
    arguments: ['--runs', String(runs), '--stack', '2048'],
    print: (l) => {
      if (l.startsWith('{')) {
        const o = JSON.parse(l);
        o.kind = o.kind.replace('-wasm', '-chromium');
        emit(o);
      }
    },
    onRunDone: resolve,
  });
});

function report(workload, ms, units, unit, kind) {
  ms.sort((a, b) => a - b);
  const med = ms[ms.length >> 1];
  emit({ workload, kind, runs: ms.length, median_ms: +med.toFixed(3), min_ms: +ms[0].toFixed(3), max_ms: +ms.at(-1).toFixed(3), rate: Math.round(units / (med / 1e3)), unit });
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const w1 = (n) => run(function* () {
  const ts = [];
  for (let i = 0; i < n; i++) ts.push(createTask(function* () { yield sleep(0); return i; }));
  yield gather(ts);
});
const w2 = (t, k) => run(function* () {
  const ts = [];
  for (let i = 0; i < t; i++) ts.push(createTask(function* () { for (let j = 0; j < k; j++) yield sleep(0); }));
  yield gather(ts);
});

await w1(10000);
const a = [];
for (let r = 0; r < runs; r++) a.push(await timed(() => w1(100000)));
report('W1', a, 1e5, 'tasks/s', 'wasyncio-js-gen-chromium');
await w2(1000, 100);
const b = [];
for (let r = 0; r < runs; r++) b.push(await timed(() => w2(1000, 1000)));
report('W2', b, 1e6, 'switches/s', 'wasyncio-js-gen-chromium');
document.body.dataset.done = 'true';
