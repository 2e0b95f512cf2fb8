// Runs the C unit tests (tests/c) twice: natively under ASan+UBSan, and the
// same sources compiled to wasm under Node. Each C test is a node:test
// subtest, so a failure names the test and the failed check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadModule } from '../../bindings/loader.js';
import { startServer } from '../../web/server.mjs';

const root = new URL('../../', import.meta.url);
const LINE = /^(ok|not ok) (\d+) - (\S+)(?: # (.*))?$/;

async function report(t, lines) {
  const results = lines.map((l) => LINE.exec(l)).filter(Boolean);
  assert.ok(results.length > 40, `expected the C test list, got:\n${lines.join('\n')}`);
  for (const [, verdict, , name, detail] of results) {
    await t.test(name, { skip: detail && detail.startsWith('SKIP') ? detail : false }, () => {
      assert.equal(verdict, 'ok', detail);
    });
  }
  for (const l of lines) if (/^# (?!done|stderr)/.test(l)) t.diagnostic(l.slice(2)); // measurements
  const done = lines.find((l) => l.startsWith('# done'));
  assert.ok(done, 'the C test run did not finish:\n' + lines.slice(-5).join('\n'));
}

let srv;
test.before(async () => { srv = await startServer({ port: 0 }); });
test.after(async () => { await srv?.close(); });

test('C tests, native (ASan + UBSan)', async (t) => {
  const bin = new URL('build/native-asan/wasyncio_tests', root).pathname;
  assert.ok(existsSync(bin), `${bin} is missing: run ./build.sh`);
  const out = await new Promise((resolve, reject) => {
    const p = spawn(bin, ['--server', srv.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const stderrNoise = out.stderr.split('\n').filter((l) => l && !l.startsWith('wasyncio:'));
  assert.deepEqual(stderrNoise, [], 'sanitizer or runtime complaints on stderr');
  await report(t, out.stdout.split('\n'));
  assert.equal(out.code, 0, out.stdout.split('\n').filter((l) => l.startsWith('not ok')).join('\n'));
});

test('C tests, wasm under Node', async (t) => {
  const lines = [];
  let resolveDone;
  const finished = new Promise((r) => (resolveDone = r));
  await loadModule(new URL('build/wasm/wasyncio_tests.mjs', root), {
    print: (l) => {
      lines.push(l);
      if (l.startsWith('# done')) resolveDone();
    },
    printErr: (l) => lines.push('# stderr: ' + l),
    arguments: ['--server', srv.url],
  });
  await finished;
  await report(t, lines);
});
