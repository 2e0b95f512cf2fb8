#!/usr/bin/env node
// Start-up and download size (issue 9):
//  - start-up: in a fresh Node process, `import('wasyncio')` alone (the
//    default runtime loads on first use, not at import), then from the
//    import to the first task finishing (compile + instantiate the wasm,
//    build the runtime, run a task) — medians of several processes;
//  - download: every file a browser fetches for `import 'wasyncio'` (the
//    no-bundler entry dist/wasyncio.js and its static imports), and for the
//    first task (plus the glue and the .wasm), gzipped at level 9 as a
//    server would send them.
// Both use what the npm package ships (the bundles in dist/, see build.sh);
// without them (no esbuild), the sources in bindings/.
// Prints JSON lines for bench/run.mjs.  usage: startup.mjs [--runs R]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundled = existsSync(join(root, 'dist/wasyncio.node.js'));
const nodeEntry = bundled ? 'dist/wasyncio.node.js' : 'bindings/index.js';
const entry = bundled ? 'dist/wasyncio.js' : 'bindings/index.js';
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;

function startupOnce() {
  const script = `
    const t0 = performance.now();
    const w = await import(${JSON.stringify(pathToFileURL(join(root, nodeEntry)).href)});
    const t1 = performance.now();
    await w.run(function* () { yield w.sleep(0); return 1; });
    console.log(t1 - t0, performance.now() - t0);`;
  const r = spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split(' ').map(Number);
}

const imp = [];
const first = [];
for (let i = 0; i < runs; i++) {
  const [a, b] = startupOnce();
  imp.push(a);
  first.push(b);
}
const median = (xs) => +xs.sort((a, b) => a - b)[xs.length >> 1].toFixed(2);
console.log(JSON.stringify({
  workload: 'import', kind: `wasyncio-node (${nodeEntry})`, runs, median_ms: median(imp),
  value: +median(imp).toFixed(1), unit: 'ms import only (the default runtime loads on first use)', better: 'lower',
}));
console.log(JSON.stringify({
  workload: 'start-up', kind: `wasyncio-node (${nodeEntry})`, runs, median_ms: median(first),
  min_ms: +first[0].toFixed(2), max_ms: +first.at(-1).toFixed(2), value: +median(first).toFixed(1), unit: 'ms import to first task done', better: 'lower',
}));

/** Files reachable through static imports from an ES module file. */
function importGraph(entry, seen = new Set()) {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const src = readFileSync(entry, 'utf8');
  const re = /(?:^|\n|;)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|(?:^|\n|;)\s*import\s*['"](\.[^'"]+)['"]/g;
  for (const m of src.matchAll(re)) importGraph(resolve(dirname(entry), m[1] || m[2]), seen);
  return seen;
}

function download(kind, files) {
  let raw = 0;
  let gz = 0;
  const parts = {};
  for (const f of files) {
    const b = readFileSync(f);
    raw += statSync(f).size;
    const z = gzipSync(b, { level: 9 }).length;
    gz += z;
    parts[f.slice(root.length)] = z;
  }
  console.log(JSON.stringify({
    workload: 'download', kind, value: +(gz / 1024).toFixed(1), unit: 'KiB gzipped', better: 'lower',
    raw_kib: +(raw / 1024).toFixed(1), files: files.length, parts,
  }));
}

// the default module's glue (dist/wasyncio.mjs) is imported on first use
const atImport = [...importGraph(join(root, entry))];
download(`wasyncio-browser at import (${entry})`, atImport);
download(`wasyncio-browser first task (${entry})`, [...atImport, join(root, 'dist/wasyncio.mjs'), join(root, 'dist/wasyncio.wasm')]);

// Pyodide, when installed (bench dev dependency): what its loader fetches
// for asyncio — the JS, the wasm and the standard library.
const pyDir = join(root, 'node_modules/pyodide');
if (existsSync(join(pyDir, 'package.json'))) {
  const version = JSON.parse(readFileSync(join(pyDir, 'package.json'), 'utf8')).version;
  let pgz = 0;
  for (const f of ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
    if (existsSync(join(pyDir, f))) pgz += gzipSync(readFileSync(join(pyDir, f)), { level: 9 }).length;
  }
  console.log(JSON.stringify({ workload: 'download', kind: `pyodide-${version}`, value: +(pgz / 1024).toFixed(1), unit: 'KiB gzipped', better: 'lower' }));
}
