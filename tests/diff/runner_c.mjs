// Runs generated C programs (emit_c.mjs): a batch is one C file, compiled
// natively with the runtime (build/native-asan: ASan+UBSan, so a leak or UB
// fails the run) and run once; each program runs on the virtual clock until
// it is quiescent (c/diff_prelude.h), and its trace is read back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitCBatch } from './emit_c.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LIB = join(root, 'build/native-asan/libwasyncio.a');
const CFLAGS = ['-std=c11', '-O0', '-g', '-Wall', '-Wextra', '-Werror', '-Wno-unused-label',
  '-Wno-unused-variable', '-Wno-unused-function', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined'];

/** Whether the native library is built (`bash build.sh native`). */
export function cAvailable() {
  return existsSync(LIB);
}

/**
 * Compile and run programs as C.
 * @returns {Map<number, { status: 'ok' | 'hang' | 'error', log: string[], stuck: string[], error?: string }>}
 */
export function runCBatch(progs) {
  const dir = mkdtempSync(join(tmpdir(), 'wa-diff-c-'));
  const results = new Map();
  try {
    const src = join(dir, 'progs.c'), exe = join(dir, 'progs');
    writeFileSync(src, emitCBatch(progs));
    try {
      execFileSync(process.env.CC || 'cc', [...CFLAGS, `-I${join(root, 'runtime/include')}`,
        `-I${join(root, 'tests/diff/c')}`, src, LIB, '-lm', '-o', exe], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`emitted C does not compile:\n${String(e.stderr).split('\n').slice(0, 20).join('\n')}`);
    }
    let out, error = null;
    try {
      out = execFileSync(exe, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
    } catch (e) {
      out = String(e.stdout ?? '');
      error = `exit ${e.status}: ${String(e.stderr ?? '').split('\n').slice(0, 12).join('\n')}`;
    }
    let cur = null;
    for (const line of out.split('\n')) {
      const m = /^=== (end )?(.*)$/.exec(line);
      if (m && !m[1]) {
        cur = { status: 'error', log: [], stuck: [], error: 'no end' };
        results.set(Number(m[2]), cur);
      } else if (m && cur) {
        cur.status = m[2] === 'ok' ? 'ok' : m[2] === 'hang' ? 'hang' : 'error';
        cur.error = cur.status === 'ok' ? undefined : m[2];
        cur = null;
      } else if (cur && line.startsWith('stuck: ')) {
        cur.stuck = line.slice(7) ? line.slice(7).split(',') : [];
      } else if (cur) {
        cur.log.push(line);
      }
    }
    for (const p of progs) {
      const r = results.get(p.seed);
      if (!r) results.set(p.seed, { status: 'error', log: [], stuck: [], error: error ?? 'not run' });
      else if (error && r.status === 'ok' && p === progs[progs.length - 1]) {
        r.status = 'error';
        r.error = error; // the process failed at exit (a leak): blame the last program
      } else if (r.status !== 'ok' && error) r.error = `${r.error}; ${error}`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
