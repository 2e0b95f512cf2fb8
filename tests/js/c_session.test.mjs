// The C client-session example (runtime/examples/session.c), which README's
// "Client sessions and retries" shows as it is: compiled to wasm and run
// under Node against the test server (base URL, a per-host limit, a flaky
// page retried once), and natively, where there is no fetch and it says so.
// The session's own tests are C tests (tests/c/test_session.c).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extractBlocks } from '../docs/extract.mjs';
import { startServer } from '../../web/server.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

let srv;
before(async () => { srv = await startServer({ port: 0 }); });
after(async () => { await srv?.close(); });

/** Run a command (asynchronously: the test server lives in this process). */
function run(cmd, args) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const stats = async (query) => (await globalThis.fetch(`${srv.url}stats${query}`)).json();

test('README shows runtime/examples/session.c as it is', () => {
  const example = readFileSync(root + 'runtime/examples/session.c', 'utf8');
  const blocks = extractBlocks(root + 'README.md').filter((b) => b.directives.some((d) => d.kind === 'save' && d.arg === 'session.c'));
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0].code, example);
});

test('session example as wasm under Node: every page 200, the flaky one retried once', async () => {
  const before = await stats('');
  const r = await run('node', ['bindings/run-c.mjs', 'build/wasm/session.mjs', srv.url]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.out, [
    'json: 200',
    'delay/20: 200',
    'flaky?fail=1&key=example: 200',
    'requests: 4, retries: 1',
    '',
  ].join('\n'));
  const after = await stats('');
  assert.equal(after.started - before.started, 4, 'the server saw the four requests');
  assert.ok(after.maxActive <= 2 || before.maxActive > 2, 'at most limit_per_host=2 at once');
});

test('session example natively: no fetch, a clear error and exit status 1', async () => {
  const r = await run(root + 'build/native/session', [srv.url]);
  assert.equal(r.code, 1);
  assert.match(r.err, /fetch needs a web host/);
});
