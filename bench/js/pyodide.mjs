// The same workloads (W1-W6) in Pyodide's asyncio (its WebLoop runs on
// Node's event loop, as it would in a browser tab), from bench/py/bench_core.py.
// A dev dependency of the benchmark only. Prints JSON lines.
// usage: pyodide.mjs [--runs R]
import { readFileSync } from 'node:fs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
let loadPyodide;
try {
  ({ loadPyodide } = await import('pyodide'));
} catch {
  console.error('pyodide is not installed (npm install): skipped');
  process.exit(0);
}
const t0 = performance.now();
const py = await loadPyodide();
const startup = performance.now() - t0;
console.log(JSON.stringify({ workload: 'start-up', kind: `pyodide-${py.version}`, value: +startup.toFixed(1), unit: 'ms import to first task done', better: 'lower' }));
const lines = [];
py.setStdout({ batched: (l) => lines.push(l) });
const src = readFileSync(new URL('../py/bench_core.py', import.meta.url), 'utf8').replace(/\nif __name__ == "__main__":[\s\S]*$/, '\n');
await py.runPythonAsync(src);
await py.runPythonAsync(`await main(${runs}, "pyodide-${py.version}")`);
// W3, W5, W6 from bench/py/bench_sync.py, in the same interpreter
const sync = readFileSync(new URL('../py/bench_sync.py', import.meta.url), 'utf8').replace(/\nif __name__ == "__main__":[\s\S]*$/, '\n');
await py.runPythonAsync(sync);
await py.runPythonAsync(`await amain({"w3": 200000, "w5": 1000, "w6": 100000, "runs": ${runs}, "do": {"w3", "w5", "w6"}})`);
for (const l of lines) {
  if (!l.startsWith('{')) continue;
  const row = JSON.parse(l);
  row.kind = `pyodide-${py.version}`;
  console.log(JSON.stringify(row));
}
