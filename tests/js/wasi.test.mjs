// The runtime on WASI: the whole C test suite and a C program under
// Node's node:wasi, with the loop blocking in poll_oneoff (no JS host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runner = root + 'runtime/host/wasi/run-node.mjs';
const built = existsSync(root + 'build/wasi/wasyncio_tests.wasm');

function run(file, args = []) {
  // build/ preopened: the file tests (tests/c/test_fs.c) work under build/tmp-fs-wasi
  const r = spawnSync('node', ['--no-warnings', runner, '--dir=build', file, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('C tests under WASI (node:wasi)', { skip: !built && 'build/wasi not built (needs wasi-libc)' }, async (t) => {
  const r = run('build/wasi/wasyncio_tests.wasm');
  const lines = r.out.split('\n');
  const results = lines.map((l) => /^(ok|not ok) \d+ - (\S+)(?: # (.*))?$/.exec(l)).filter(Boolean);
  assert.ok(results.length > 100, r.out.slice(-500) + r.err);
  for (const [, verdict, name, detail] of results) {
    await t.test(name, () => assert.equal(verdict, 'ok', detail));
  }
  assert.ok(lines.some((l) => l.startsWith('# done')), 'the run finished');
  assert.equal(r.code, 0, r.err);
});

test('timer_edges under WASI: past, negative and far deadlines', { skip: !built && 'build/wasi not built' }, () => {
  const w = run('build/wasi/timer_edges.wasm');
  const n = spawnSync(root + 'build/native/timer_edges', { encoding: 'utf8' });
  assert.equal(w.code, 0, w.err);
  assert.equal(n.status, 0, n.stderr);
  assert.equal(w.out, n.stdout);
});

test('stack overflow under WASI: the frame traps before it writes (no JS host to name the task)', { skip: !built && 'build/wasi not built' }, () => {
  for (const kind of ['huge', 'big', 'deep']) {
    const r = run('build/wasi/overflow.wasm', [kind]);
    assert.notEqual(r.code, 0, kind);
    assert.match(r.err, /RuntimeError: unreachable/, kind);
    assert.doesNotMatch(r.out, /not reached|victim/, kind);
  }
});

test('three_tasks under WASI prints what it prints natively', { skip: !built && 'build/wasi not built' }, () => {
  const w = run('build/wasi/three_tasks.wasm');
  const n = spawnSync(root + 'build/native/three_tasks', { encoding: 'utf8' });
  assert.equal(w.code, 0, w.err);
  const norm = (s) => s.replace(/after \d+ ms/, 'after N ms');
  assert.equal(norm(w.out), norm(n.stdout));
});
