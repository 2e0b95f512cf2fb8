// The differential test: random asyncio programs (gen.mjs) run on CPython
// 3.14's asyncio (oracle.mjs) and as wasyncio generator tasks (runner_js.mjs);
// their event traces must be equal. On a divergence, the program is shrunk
// to a minimal one and printed with both traces. --c-count N: also N
// programs of the C subset (emit_c.mjs, generated with C_GEN from the same
// seeds), run as native C coroutine tasks (runner_c.mjs).
//
//   node tests/diff/run.mjs [--count N] [--seed S] [--seeds S1,S2] [--c-count N]
//                           [--show] [--quiet] [--once]
//
// Each Python program runs twice (--once: once): a trace that differs
// between the runs is a harness defect, reported as an error.
import { generate, walk } from './gen.mjs';
import { emitPython } from './emit_py.mjs';
import { emitJs } from './emit_js.mjs';
import { loadOracle, oracleVersion, runPython } from './oracle.mjs';
import { runJs } from './runner_js.mjs';
import { C_GEN } from './emit_c.mjs';
import { cAvailable, runCBatch } from './runner_c.mjs';

export function traceOf(r) {
  return [...r.log, `stuck: ${r.stuck.join(',')}`];
}

/**
 * Compare one program: { verdict: 'same' | 'tie' | 'diff' | 'error', py, js }.
 * twice: run the oracle a second time; a different trace is an error (the
 * harness must be deterministic: CPython orders some sets by address).
 */
export async function compare(prog, { twice = false } = {}) {
  const src = emitPython(prog);
  const py = runPython(src);
  if (py.status === 'tie') return { verdict: 'tie', py };
  if (py.status === 'error') return { verdict: 'error', py, why: `python: ${py.error}` };
  if (twice) {
    const again = traceOf(runPython(src));
    if (!sameTrace(traceOf(py), again)) return { verdict: 'error', py, why: `the oracle is not deterministic: ${firstDifference(traceOf(py), again)}` };
  }
  const js = await runJs(emitJs(prog));
  if (js.status !== 'ok') return { verdict: 'error', py, js, why: `js: ${js.status} ${js.error ?? ''}` };
  return { verdict: sameTrace(traceOf(py), traceOf(js)) ? 'same' : 'diff', py, js };
}

/** Where two traces part: "line i: A | B". */
function firstDifference(a, b) {
  const i = a.findIndex((l, k) => l !== b[k]);
  const at = i < 0 ? a.length : i;
  return `line ${at}: ${a[at] ?? '(end)'} | ${b[at] ?? '(end)'}`;
}

function sameTrace(a, b) {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/** Remove statements while the programs still diverge. */
export async function shrink(prog) {
  let best = prog;
  for (let changed = true; changed;) {
    changed = false;
    for (let bi = best.bodies.length - 1; bi >= 0; bi--) {
      const stmts = [...walk(best.bodies[bi].stmts)];
      for (let si = stmts.length - 1; si >= 0; si--) {
        const cand = structuredClone(best);
        const target = [...walk(cand.bodies[bi].stmts)][si];
        if (!removeStmt(cand.bodies[bi].stmts, target)) continue;
        const r = await compare(cand);
        if (r.verdict === 'diff') {
          best = cand;
          changed = true;
        }
      }
    }
  }
  return best;
}

function removeStmt(stmts, target) {
  const i = stmts.indexOf(target);
  if (i >= 0) {
    stmts.splice(i, 1);
    return true;
  }
  for (const s of stmts) if (s.block && removeStmt(s.block, target)) return true;
  return false;
}

function diffLines(a, b) {
  const out = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const mark = a[i] === b[i] ? '  ' : '≠ ';
    out.push(`${mark}${String(a[i] ?? '').padEnd(44)} | ${b[i] ?? ''}`);
  }
  return out.join('\n');
}

export async function main(argv) {
  const arg = (name, def) => {
    const i = argv.lastIndexOf(name);
    return i >= 0 ? argv[i + 1] : def;
  };
  const count = Number(arg('--count', 300));
  const seed0 = Number(arg('--seed', 1));
  const only = arg('--seeds', null)?.split(',').map(Number); // these seeds only
  const show = argv.includes('--show');
  const quiet = argv.includes('--quiet');
  const twice = !argv.includes('--once'); // --once: skip the oracle's determinism check
  await loadOracle();
  const stats = { same: 0, tie: 0, diff: 0, error: 0 };
  const t0 = Date.now();
  const failures = [];
  const seeds = only ?? Array.from({ length: count }, (_, i) => seed0 + i);
  for (const seed of seeds) {
    const prog = generate(seed);
    if (show) console.log(emitPython(prog, { prelude: false }), '\n----\n', emitJs(prog, { prelude: false }));
    const r = await compare(prog, { twice });
    stats[r.verdict]++;
    if (r.verdict === 'diff' || r.verdict === 'error') {
      failures.push(prog.seed);
      if (!quiet) console.log(`\n=== seed ${prog.seed}: ${r.verdict} ${r.why ?? ''}`);
      if (r.verdict === 'diff' && failures.length <= (only ? 50 : 3) && !quiet) {
        const small = await shrink(prog);
        const s = await compare(small);
        console.log('--- minimal program (Python; the JS twin: --show):\n' + emitPython(small, { prelude: false }));
        console.log('--- traces: CPython | wasyncio');
        console.log(diffLines(traceOf(s.py), traceOf(s.js)));
      }
    }
  }
  const ms = Date.now() - t0;
  const which = only ? `seeds ${only.join(',')}` : `seeds ${seed0}..${seed0 + count - 1}`;
  console.log(`\n${seeds.length} programs (${which}) on CPython ${oracleVersion()}: ` +
    `${stats.same} same, ${stats.diff} divergent, ${stats.error} errors, ${stats.tie} discarded (timer ties); ${ms} ms`);
  const cCount = Number(arg('--c-count', 0));
  const cSeeds = only && cCount ? only : Array.from({ length: cCount }, (_, i) => seed0 + i);
  const c = cSeeds.length ? compareC(cSeeds, { quiet, twice }) : null;
  return { stats, failures, c };
}

/** The C subset: programs generate(seed, C_GEN), compiled in batches. */
export function compareC(seeds, { quiet = false, twice = true, batch = 100 } = {}) {
  if (!cAvailable()) throw new Error('the C subset needs the native build: bash build.sh native');
  const stats = { same: 0, tie: 0, diff: 0, error: 0 };
  const failures = [];
  const t0 = Date.now();
  for (let i = 0; i < seeds.length; i += batch) {
    const progs = seeds.slice(i, i + batch).map((s) => generate(s, C_GEN));
    const results = runCBatch(progs);
    for (const prog of progs) {
      const src = emitPython(prog);
      const py = runPython(src);
      let verdict, why = '';
      const c = results.get(prog.seed);
      const again = twice && py.status === 'ok' ? traceOf(runPython(src)) : null;
      if (py.status === 'tie') verdict = 'tie';
      else if (py.status === 'error') [verdict, why] = ['error', `python: ${py.error}`];
      else if (again && !sameTrace(traceOf(py), again)) [verdict, why] = ['error', `the oracle is not deterministic: ${firstDifference(traceOf(py), again)}`];
      else if (c.status !== 'ok') [verdict, why] = ['error', `c: ${c.status} ${c.error ?? ''}`];
      else verdict = sameTrace(traceOf(py), traceOf(c)) ? 'same' : 'diff';
      stats[verdict]++;
      if (verdict !== 'diff' && verdict !== 'error') continue;
      failures.push(prog.seed);
      if (quiet) continue;
      console.log(`\n=== C seed ${prog.seed}: ${verdict} ${why}`);
      if (verdict === 'diff' && failures.length <= 3) {
        console.log('--- program (Python):\n' + emitPython(prog, { prelude: false }));
        console.log('--- traces: CPython | wasyncio C\n' + diffLines(traceOf(py), traceOf(c)));
      }
    }
  }
  console.log(`${seeds.length} C programs: ${stats.same} same, ${stats.diff} divergent, ` +
    `${stats.error} errors, ${stats.tie} discarded (timer ties); ${Date.now() - t0} ms`);
  return { stats, failures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { stats, c } = await main(process.argv.slice(2));
  const bad = stats.diff || stats.error || (c && (c.stats.diff || c.stats.error));
  process.exit(bad ? 1 : 0);
}
