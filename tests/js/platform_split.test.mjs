// Browser builds never see Node-only code: the sources bundle for the
// browser (esbuild --platform=browser, target es2020: no `node:*` import
// and no top-level await anywhere in the graph), Node-only modules are
// imported by platform-node.js alone, and the shipped browser bundles name
// the worker and the wasm with the literal forms bundlers rewrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

for (const entry of ['bindings/index.js', 'bindings/worker.js']) {
  test(`${entry} bundles for browsers: no node:* import, no top-level await`, async () => {
    const r = await build({
      entryPoints: [root + entry], bundle: true, write: false, format: 'esm', platform: 'browser',
      target: 'es2020', external: ['../dist/wasyncio.mjs'], logLevel: 'silent',
    });
    assert.deepEqual(r.errors, []);
    assert.ok(!/\bnode:/.test(r.outputFiles[0].text));
  });
}

test('only bindings/platform-node.js imports node:* modules', () => {
  const offenders = readdirSync(root + 'bindings').filter((f) => f.endsWith('.js') && f !== 'platform-node.js')
    .filter((f) => /(?:from\s*|import\s*\(\s*)['"]node:/.test(readFileSync(root + 'bindings/' + f, 'utf8')));
  assert.deepEqual(offenders, []);
});

test('dist/wasyncio.js (pages without a bundler) and dist/worker.js: no node:*, literal worker and wasm URLs', () => {
  const main = readFileSync(root + 'dist/wasyncio.js', 'utf8');
  const worker = readFileSync(root + 'dist/worker.js', 'utf8');
  for (const src of [main, worker]) assert.ok(!/(?:from\s*|import\s*\(\s*)['"]node:/.test(src));
  assert.match(main, /new Worker\(new URL\("\.\/worker\.js", ?import\.meta\.url\), ?\{ ?type: ?"module" ?\}\)/);
  assert.match(main, /new URL\("\.\.\/dist\/wasyncio\.wasm", ?import\.meta\.url\)/);
  assert.match(main, /import\("\.\.\/dist\/wasyncio\.mjs"\)/);
});

test('dist/wasyncio.js drops whitespace but keeps the names users read', async () => {
  const src = readFileSync(root + 'dist/wasyncio.js', 'utf8');
  assert.ok(!/\n\s*\/\/ /.test(src), 'comments are stripped from the browser bundle');
  const W = await import(root + 'dist/wasyncio.js');
  for (const name of ['CancelledError', 'TimeoutError', 'QueueFull', 'Queue', 'Lock', 'WorkerPool', 'Runtime', 'Task', 'Future', 'TaskGroup', 'WebApp']) {
    assert.equal(W[name].name, name);
  }
  assert.match(String(new W.CancelledError('gone').stack), /^CancelledError: gone/);
});
