#!/usr/bin/env node
// `npm run bench`: every benchmark, each in a fresh process, then one table
// per workload with medians, spread and the ratio to the best peer
// (CPython asyncio, plain Node promises ... when they are installed).
//
//   node bench/run.mjs [--runs 5] [--only W1,W2] [--quick] [--js]
//
// --js: only JS tasks and plain Node promises (the table of issue 12's
// ratios), e.g. `node bench/run.mjs --js --runs 3` while working on them.
//
// Benchmarks print JSON lines: { workload, kind, median_ms, min_ms, max_ms,
// rate, unit, ... }. Timings are taken inside each process after a warm-up.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const quick = process.argv.includes('--quick');
const runs = arg('--runs', quick ? '3' : '5');
const only = arg('--only', null)?.split(',');
const jsOnly = process.argv.includes('--js');

/** Peers are the systems we compare against (not wasyncio). */
const isPeer = (kind) => /^(cpython|node-|pyodide|piscina)/.test(kind);

/**
 * Every suite: [label, command, args, { needs, js }].
 * `needs` is a file or command that must exist, else the suite is skipped;
 * `js`: JS tasks or their plain-promises baseline (kept by --js).
 */
const suites = [
  ['C coroutines, native', root + 'build/native/bench_core', ['--runs', runs], { needs: root + 'build/native/bench_core' }],
  ['C coroutines, wasm in Node', 'node', [root + 'bindings/run-c.mjs', root + 'build/wasm/bench_core.mjs', '--runs', runs, '--stack', '2048'], { needs: root + 'build/wasm/bench_core.wasm' }],
  ['JS tasks (wasyncio)', 'node', [root + 'bench/js/wasyncio.mjs', '--runs', runs], { js: true }],
  ['plain Node promises', 'node', [root + 'bench/js/promises.mjs', '--runs', runs], { js: true }],
  ['CPython asyncio', 'python3', [root + 'bench/py/bench_core.py', '--runs', runs], { needs: 'python3' }],
  ['start-up and download size', 'node', [root + 'bench/startup.mjs', '--runs', quick ? '3' : '7'], {}],
  ['Chromium (C and JS tasks)', 'node', [root + 'bench/browser.mjs', '--runs', runs], { needs: '/usr/bin/chromium' }],
  // ---- issue 5: W3 queue, W5 semaphore, W6 memory per waiting task --------
  ['C sync, native', root + 'build/native/bench_sync', ['--runs', runs], { needs: root + 'build/native/bench_sync' }],
  ['C sync, wasm in Node', 'node', [root + 'bindings/run-c.mjs', root + 'build/wasm/bench_sync.mjs', '--runs', runs], { needs: root + 'build/wasm/bench_sync.wasm' }],
  ['JS tasks sync (wasyncio)', 'node', [root + 'bench/js/sync.mjs', '--runs', runs], { js: true }],
  ['plain Node promises sync', 'node', [root + 'bench/js/promises-sync.mjs', '--runs', runs], { js: true }],
  ['CPython asyncio sync', 'python3', [root + 'bench/py/bench_sync.py', '--runs', runs], { needs: 'python3' }],
  ['Pyodide asyncio (W1-W6, start-up)', 'node', [root + 'bench/js/pyodide.mjs', '--runs', quick ? '1' : '3'], { needs: root + 'node_modules/pyodide/package.json' }],
  // ---- issue 7: the executor pool next to piscina (prints its own table) --
  ['executor pool vs piscina', 'node', [root + 'bench/executor.mjs', '--runs', quick ? '3' : runs], { raw: true }],
];
const rawOutputs = [];

/** Rows of the C and Python sync benches: W5 seconds and W6 bytes/task are
 * figures where lower is better; C's W6 rows name their kind of task. */
function normalize(row) {
  if (row.value === undefined && row.workload === 'W5' && row.seconds !== undefined) {
    row.value = row.seconds;
    row.better = 'lower';
  }
  if (row.value === undefined && row.workload === 'W6' && row.bytes_per_task !== undefined) {
    row.value = row.bytes_per_task;
    row.better = 'lower';
  }
  if (row.workload === 'W6' && typeof row.tasks === 'string') row.kind += ` (${row.tasks} tasks)`;
  return row;
}

function available(needs) {
  if (!needs) return true;
  if (needs.startsWith('/')) return existsSync(needs);
  return spawnSync('sh', ['-c', `command -v ${needs}`]).status === 0;
}

const rows = [];
for (const [label, cmd, args, { needs, raw, js }] of suites) {
  if (jsOnly && !js) continue;
  if (!available(needs)) {
    console.error(`skip: ${label} (${needs} not found)`);
    continue;
  }
  process.stderr.write(`running: ${label} ... `);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 64 << 20 });
  process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  if (r.status !== 0) {
    console.error(`  failed (${r.status ?? r.signal}): ${(r.stderr || '').split('\n').slice(-5).join('\n  ')}`);
    continue;
  }
  if (raw) {
    rawOutputs.push(`${label}\n${r.stdout.trim()}`);
    continue;
  }
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const row = normalize(JSON.parse(line));
      if (!only || only.includes(row.workload)) rows.push(row);
    } catch { /* not a result line */ }
  }
}

const fmtRate = (r) => (r >= 1e6 ? (r / 1e6).toFixed(2) + ' M' : r >= 1e3 ? (r / 1e3).toFixed(0) + ' k' : String(Math.round(r)));
const higherIsBetter = (row) => row.better !== 'lower';
const figure = (row) => row.value ?? row.rate;

const byWorkload = new Map();
for (const row of rows) {
  if (!byWorkload.has(row.workload)) byWorkload.set(row.workload, []);
  byWorkload.get(row.workload).push(row);
}

const lines = [];
for (const [w, list] of [...byWorkload].sort()) {
  const peers = list.filter((r) => isPeer(r.kind));
  const hib = higherIsBetter(list[0]);
  const best = peers.length ? peers.reduce((a, b) => ((hib ? figure(a) >= figure(b) : figure(a) <= figure(b)) ? a : b)) : null;
  lines.push('');
  lines.push(`${w}  (${list[0].unit}${best ? `; ratio vs best peer: ${best.kind}` : ''})`);
  lines.push('  system                              figure        median ms   spread (min..max)   vs best peer');
  for (const r of list.sort((a, b) => (hib ? figure(b) - figure(a) : figure(a) - figure(b)))) {
    const v = figure(r);
    const ratio = best ? (hib ? v / figure(best) : figure(best) / v) : null;
    const fig = r.value !== undefined ? `${r.value}` : fmtRate(v);
    lines.push(`  ${r.kind.padEnd(34)}  ${fig.padStart(10)}  ${String(r.median_ms ?? '').padStart(10)}   ${`${r.min_ms ?? ''}..${r.max_ms ?? ''}`.padEnd(18)}  ${ratio ? ratio.toFixed(2) + 'x' : ''}`);
  }
}
// JS tasks next to what a JS developer has without wasyncio: plain Node
// promises (W2: yields by setImmediate). Ratio > 1: wasyncio is better
// (faster, or fewer bytes). Targets of issue 12 in the last column.
const TARGETS = {
  'wasyncio-js-gen': { W1: 1.5, W2: 1.5, W3: 1.5, W4: 1, W5: 1 },
  'wasyncio-js-async': { W1: 1, W2: 1 },
};
const W6_TARGET = 600;
const STYLES = Object.keys(TARGETS);
/** One cell: the figure, its ratio to node's, and whether it meets its target. */
function jsCell(w, kind, r, node) {
  if (!r) return ''.padEnd(28);
  const ratio = higherIsBetter(r) ? figure(r) / figure(node) : figure(node) / figure(r);
  const met = w === 'W6' ? figure(r) <= W6_TARGET : TARGETS[kind][w] === undefined ? null : ratio >= TARGETS[kind][w];
  const fig = r.value !== undefined ? String(r.value) : fmtRate(figure(r));
  return `${fig.padStart(9)} ${(ratio.toFixed(2) + 'x').padStart(7)} ${met === null ? '' : met ? 'met' : 'NOT met'}`.padEnd(28);
}
const jsRows = [];
for (const w of ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']) {
  const list = byWorkload.get(w) ?? [];
  const node = list.find((r) => r.kind === 'node-promises');
  if (!node || !STYLES.some((k) => list.some((x) => x.kind === k))) continue;
  const cells = STYLES.map((k) => jsCell(w, k, list.find((x) => x.kind === k), node));
  const nodeFig = node.value !== undefined ? String(node.value) : fmtRate(figure(node));
  jsRows.push(`  ${w}  ${nodeFig.padStart(9)}   ${cells.join('  ')}`.trimEnd());
}
if (jsRows.length) {
  lines.push('');
  lines.push('JS tasks vs plain Node promises (ratio > 1: wasyncio better, faster or fewer bytes; targets of issue 12:');
  lines.push(`generator >= 1.5x on W1-W3 and >= 1x on W4-W5, async >= 1x on W1-W2, W6 <= ${W6_TARGET} B per waiting task)`);
  lines.push('  wl       node   generator tasks               async-function tasks');
  lines.push(...jsRows);
}
console.log(lines.join('\n'));
for (const out of rawOutputs) console.log('\n' + out);
console.log(`\n(${runs} runs each after a warm-up; medians. Machine: ${process.arch}, Node ${process.version}.)`);
