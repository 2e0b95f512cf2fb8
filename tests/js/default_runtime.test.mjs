// The default runtime loads on first use, not at import (no top-level await
// for importers); configure({ assetsURL }) says where the package's assets
// are, before that. Each case runs in a fresh Node process (fresh module
// state), on the Node bundle as the package ships it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = pathToFileURL(join(root, 'dist/wasyncio.node.js')).href;

/** Run an ES module body with W = the package; its stdout's last line as JSON. */
function fresh(body) {
  const script = `import * as W from ${JSON.stringify(entry)};\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

test('importing loads nothing; run() loads the default runtime; other functions say to use run() or ready()', () => {
  const out = fresh(`
    const before = W.runtime;
    const errors = [];
    for (const f of [() => W.createTask(async () => 1), () => W.sleep(1), () => new W.Queue()]) {
      try { f(); errors.push(null); } catch (e) { errors.push(e.message); }
    }
    const v = await W.run(function* () { return yield W.createTask(function* () { yield W.sleep(1); return 7; }); });
    const p1 = W.ready(), p2 = W.ready();
    console.log(JSON.stringify({ before, errors, v, same: p1 === p2, loaded: (await p1) === W.runtime }));
  `);
  assert.equal(out.before, null);
  assert.match(out.errors[0], /createTask\(\): the default runtime has not loaded yet; call it inside run\(\), or after `await ready\(\)`/);
  assert.match(out.errors[1], /sleep\(\): the default runtime has not loaded yet/);
  assert.match(out.errors[2], /new Queue.*the default runtime has not loaded yet.*ready\(\)/);
  assert.equal(out.v, 7);
  assert.equal(out.same, true);
  assert.equal(out.loaded, true);
});

test('configure({ assetsURL }): the wasm, glue and worker come from there; a wrong place fails naming it; too late throws', () => {
  const empty = mkdtempSync(join(tmpdir(), 'wasyncio-empty-'));
  const assets = mkdtempSync(join(tmpdir(), 'wasyncio-assets-'));
  try {
    for (const f of ['wasyncio.wasm', 'wasyncio.mjs', 'worker.node.js']) cpSync(join(root, 'dist', f), join(assets, f));
    cpSync(join(root, 'tests/bundlers/app/jobs.mjs'), join(assets, 'jobs.mjs'));
    const out = fresh(`
      let badType = null, nullOptions = null;
      try { W.configure(null); } catch (e) { nullOptions = e.constructor.name; }
      try { W.configure({ assetsURL: 5 }); } catch (e) { badType = e.constructor.name + ': ' + e.message; }
      W.configure({ assetsURL: ${JSON.stringify(empty)} });
      let missing = null;
      try { await W.ready(); } catch (e) { missing = e.message; }
      W.configure({ assetsURL: ${JSON.stringify(pathToFileURL(assets).href)} });
      const v = await W.run(async () => { await W.sleep(1); return 1; });
      const pool = new W.WorkerPool({ max: 1, module: ${JSON.stringify(pathToFileURL(join(assets, 'jobs.mjs')).href)} });
      const job = await pool.run('add', [2, 3]);
      pool.shutdown();
      let late = null;
      try { W.configure({ assetsURL: '/elsewhere/' }); } catch (e) { late = e.message; }
      console.log(JSON.stringify({ nullOptions, badType, missing, v, job, late }));
    `);
    assert.equal(out.nullOptions, 'TypeError');
    assert.match(out.badType, /^TypeError: configure: options\.assetsURL must be a URL, a string or null/);
    assert.ok(out.missing.includes(join(empty, 'wasyncio.wasm')) || out.missing.includes(pathToFileURL(join(empty, 'wasyncio.wasm')).href), out.missing);
    assert.equal(out.v, 1);
    assert.equal(out.job, 5);
    assert.match(out.late, /configure: options\.assetsURL must be set before the default module loaded/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(assets, { recursive: true, force: true });
  }
});

test("Runtime.create({ module, wasm }): a .wasm whose name is not the glue's", async () => {
  const { Runtime } = await import(entry);
  const dir = mkdtempSync(join(tmpdir(), 'wasyncio-hashed-'));
  try {
    cpSync(join(root, 'dist/wasyncio.mjs'), join(dir, 'glue-4f1c.mjs'));
    cpSync(join(root, 'dist/wasyncio.wasm'), join(dir, 'code-9b2e.wasm'));
    await assert.rejects(Runtime.create({ module: join(dir, 'glue-4f1c.mjs') }), /glue-4f1c\.wasm/);
    const rt = await Runtime.create({ module: join(dir, 'glue-4f1c.mjs'), wasm: pathToFileURL(join(dir, 'code-9b2e.wasm')) });
    assert.equal(await rt.run(async () => 3), 3);
    await assert.rejects(Runtime.create({ wasm: 'x.wasm' }), TypeError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
