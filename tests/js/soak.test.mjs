// Short versions of `npm run soak`: tasks and cancelled queue operations in
// C (natively, under ASan, and as wasm) and in JS, then the heaps and
// object counts are back at their baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { soakJs } from '../soak/soak.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sh = (cmd, args) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 600_000 });

for (const [what, cmd, args] of [
  ['native', root + 'build/native/soak', ['50000', '6000']],
  ['native, ASan/LSan', root + 'build/native-asan/soak', ['20000', '3000']],
  ['wasm under Node', 'node', ['bindings/run-c.mjs', 'build/wasm/soak.mjs', '50000', '6000']],
]) {
  test(`C soak (${what}): heap and object counts back at the baseline`, () => {
    const r = sh(cmd, args);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.equal(report.tasks, Number(args.at(-2)));
    assert.ok(report.heap_after <= report.heap_before + 4096, r.stdout);
    assert.ok(report.futures[1] <= report.futures[0], r.stdout);
  });
}

test('JS soak: runtime object counts, wasm memory and JS heap back at the baseline', async () => {
  const report = await soakJs({ tasks: 20000, queueOps: 1500 });
  assert.ok(report.ok, JSON.stringify(report));
  assert.deepEqual(report.grew, []);
});
