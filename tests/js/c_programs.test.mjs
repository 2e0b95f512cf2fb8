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

test('weak_timer: a pending weak timer keeps no process alive (native and wasm)', () => {
  const want = 'weak timer fired\nmain done: 0\n';
  const native = sh(root + 'build/native/weak_timer', [], { timeout: 120_000 });
  assert.equal(native.code, 0, native.err);
  assert.equal(native.out, want);
  // a strong timer an hour away would hold Node until the timeout kills it
  const wasm = sh('node', [runC, 'build/wasm/weak_timer.mjs'], { timeout: 120_000 });
  assert.equal(wasm.signal, null, 'Node exited on its own');
  assert.equal(wasm.code, 0, wasm.err);
  assert.equal(wasm.out, want);
});

// huge: 32 KiB of locals; big: 17,000 bytes (just over the 16 KiB stack, it
// used to jump the guard page); deep: recursion. A victim task keeps a
// buffer live meanwhile: it must never get to report on it.
const OVERFLOWS = ['huge', 'big', 'deep'];

test('stack overflow natively (release build): stopped at the guard page, the task named', () => {
  for (const kind of OVERFLOWS) {
    const r = sh(root + 'build/native/overflow', [kind]);
    assert.equal(r.signal, 'SIGSEGV', `${kind}: ${r.out}${r.err}`);
    assert.match(r.err, new RegExp(`wasyncio: fatal: task '${kind}' overflowed its 16384-byte C stack`), kind);
    assert.doesNotMatch(r.out, /not reached|victim/, kind);
  }
});

test('stack overflow in wasm (release build): stopped before the frame writes, the task named', () => {
  for (const kind of OVERFLOWS) {
    const r = sh('node', [runC, 'build/wasm/overflow.mjs', kind]);
    assert.notEqual(r.code, 0, `${kind}: ${r.out}${r.err}`);
    assert.match(r.err, new RegExp(`wasyncio: task '${kind}' overflowed its 16384-byte C stack; give it a larger stack_size`), kind);
    assert.doesNotMatch(r.out, /not reached|victim/, kind);
  }
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
