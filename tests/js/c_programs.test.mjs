// Whole C programs, natively and as wasm under Node (bindings/run-c.mjs):
// the same source gives the same output; a deadlocked main ends with a
// clear error instead of hanging or exiting silently; a task that
// overflows its C stack is named, not silently corrupting memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runC = root + 'bindings/run-c.mjs';

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 600_000, ...opts });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

const normalize = (s) => s.replace(/after \d+ ms/, 'after N ms');

test('three_tasks: the same C source runs natively and under Node from wasm', () => {
  const native = sh(root + 'build/native/three_tasks', []);
  const wasm = sh('node', [runC, 'build/wasm/three_tasks.mjs']);
  assert.equal(native.code, 0, native.err);
  assert.equal(wasm.code, 0, wasm.err);
  assert.equal(normalize(wasm.out), normalize(native.out));
  for (const out of [native.out, wasm.out]) {
    // concurrent: done in delay order (B, C, A), never before the longest
    assert.match(out, /B: done\nC: done\nA: done\n/);
    const [, ms] = /gather: success after (\d+) ms; results: A B C/.exec(out) ?? [];
    assert.ok(Number(ms) >= 299, out);
  }
});

const TIMER_EDGES = [
  'scheduled', 'negative deadline', 'past deadline', '5 ms later', 'slept 20 ms', 'cancel far: 1, farther: 1', '',
].join('\n');

test('timer_edges: past, negative and far deadlines scheduled outside a turn (native and wasm)', () => {
  const native = sh(root + 'build/native/timer_edges', []);
  assert.equal(native.code, 0, native.err);
  assert.equal(native.out, TIMER_EDGES);
  const wasm = sh('node', ['--no-warnings', runC, 'build/wasm/timer_edges.mjs']);
  assert.equal(wasm.code, 0, wasm.err);
  assert.equal(wasm.out, TIMER_EDGES);
  assert.doesNotMatch(wasm.err, /TimeoutOverflowWarning/);
});

test('deadlock: main waiting forever ends with WA_EDEADLOCK (native and wasm)', () => {
  const native = sh(root + 'build/native/deadlock', []);
  assert.equal(native.code, 1);
  assert.match(native.out, /await returned -1/);
  assert.match(native.out, /wa_run: -15 \(deadlock/);
  const wasm = sh('node', [runC, 'build/wasm/deadlock.mjs']);
  assert.equal(wasm.code, 1, 'Node exits with a failure, not 0');
  assert.match(wasm.out, /await returned -1/);
  assert.match(wasm.err, /main ended with status -15: deadlock: main was waiting for something that can never happen/);
});

test('stack overflow natively: the guard page fault is named', () => {
  const r = sh(root + 'build/native/overflow', []);
  assert.equal(r.signal, 'SIGSEGV');
  assert.match(r.err, /wasyncio: fatal: a task overflowed its C stack \(guard page hit\)/);
  assert.doesNotMatch(r.out, /not reached/);
});

test('stack overflow in wasm (debug build): stopped before it writes, and named', () => {
  const b = sh('bash', ['build.sh', 'cc', 'tests/c/programs/overflow.c', '-o', 'build/wasm-debug/overflow'], {
    env: { ...process.env, WASYNCIO_DEBUG: '1' },
  });
  assert.equal(b.code, 0, b.err);
  const r = sh('node', [runC, 'build/wasm-debug/overflow.mjs']);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /wasyncio: a task overflowed its 16384-byte C stack; give it a larger stack_size/);
  assert.doesNotMatch(r.out, /not reached/);
});

test('JS run(): a main that can never finish rejects with EDEADLOCK at exit', () => {
  const script = `
    import { run, createFuture, WasyncioError } from ${JSON.stringify(root + 'bindings/index.js')};
    try {
      await run(function* () { yield createFuture(); });
      console.log('resolved?!');
    } catch (e) {
      console.log(e instanceof WasyncioError, e.codeName, e.message);
    }`;
  const r = sh('node', ['--input-type=module', '-e', script]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /true EDEADLOCK deadlock: main was waiting for something that can never happen/);
});
