// A short run of the libFuzzer target (tests/fuzz/api_fuzz.c: random C API
// call sequences under ASan/UBSan, with invariants). The long run is
// `npm run fuzz` (FUZZ_SECONDS, default 600).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const hasClang = spawnSync('sh', ['-c', 'command -v clang-14 || command -v clang'], { encoding: 'utf8' }).stdout.trim() !== '';

test('api_fuzz: 4000 random API programs (and the saved ones) pass under ASan/UBSan', { skip: !hasClang && 'no clang', timeout: 600_000 }, () => {
  const build = spawnSync('make', ['-s', 'fuzz'], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const work = mkdtempSync(join(tmpdir(), 'wasyncio-fuzz-'));
  try {
    const run = spawnSync(join(root, 'build/fuzz/api_fuzz'),
      ['-runs=4000', '-seed=1', '-max_len=512', '-timeout=20', `-artifact_prefix=${work}/`, work, join(root, 'tests/fuzz/corpus')],
      { encoding: 'utf8' });
    const tail = run.stderr.split('\n').slice(-25).join('\n');
    assert.equal(run.status, 0, tail);
    assert.match(run.stderr, /Done 4000 runs/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
