#!/usr/bin/env node
// Start-up and download size (issue 9):
//  - start-up: in a fresh Node process, from `import('wasyncio')` to the
//    first task finishing (compile + instantiate the wasm, build the
//    runtime, run a task) — median of several processes;
//  - download: every file a browser fetches for `import 'wasyncio'` (the
//    package entry dist/wasyncio.js with its static imports, the glue, the
//    .wasm), gzipped at level 9 as a server would send it.
// Both use what the npm package ships (the bundle in dist/, see build.sh);
// without it (no esbuild), the sources in bindings/.
// Prints JSON lines for bench/run.mjs.  usage: startup.mjs [--runs R]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = existsSync(join(root, 'dist/wasyncio.js')) ? 'dist/wasyncio.js' : 'bindings/index.js';
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;

function startupOnce() {
  const script = `
    const t0 = performance.now();
    const w = await import(${JSON.stringify(pathToFileURL(join(root, entry)).href)});
    await w.run(function* () { yield w.sleep(0); return 1; });
    console.log(performance.now() - t0);`;
  const r = spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

const ms = [];
for (let i = 0; i < runs; i++) ms.push(startupOnce());
ms.sort((a, b) => a - b);
console.log(JSON.stringify({
  workload: 'start-up', kind: `wasyncio-node (${entry})`, runs, median_ms: +ms[runs >> 1].toFixed(2),
  min_ms: +ms[0].toFixed(2), max_ms: +ms.at(-1).toFixed(2), value: +ms[runs >> 1].toFixed(1), unit: 'ms import to first task done', better: 'lower',
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

// the default module's glue (dist/wasyncio.mjs) is a static import of the entry
const files = [...importGraph(join(root, entry)), join(root, 'dist/wasyncio.wasm')];
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
  workload: 'download', kind: `wasyncio-browser (${entry})`, value: +(gz / 1024).toFixed(1), unit: 'KiB gzipped', better: 'lower',
  raw_kib: +(raw / 1024).toFixed(1), files: files.length, parts,
}));

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
