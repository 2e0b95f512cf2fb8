// The npm tarball installs into a fresh project and works there:
// `import('wasyncio')` runs a gather of JS tasks on the C scheduler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 900_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('npm pack -> npm install in a fresh project -> import("wasyncio") runs a gather', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasyncio-pack-'));
  try {
    run('npm', ['pack', '--pack-destination', dir, '--silent'], root);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack made a tarball');
    const app = join(dir, 'app');
    run('mkdir', ['-p', app], dir);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, tgz)], app);
    writeFileSync(join(app, 'jobs.js'), `
      import { currentJob } from 'wasyncio/worker';
      export function add(a, b) { return { sum: a + b, inWorker: currentJob() !== null }; }
    `);
    writeFileSync(join(app, 'main.js'), `
      import { run, createTask, sleep, gather, toThread } from 'wasyncio';
      const t0 = performance.now();
      const r = await run(function* () {
        return yield gather(
          createTask(function* () { yield sleep(30); return 'a'; }),
          createTask(async () => { await sleep(10); return 'b'; }),
          toThread(new URL('./jobs.js', import.meta.url), 'add', 2, 3),
        );
      });
      console.log(JSON.stringify(r), performance.now() - t0 < 5000);
    `);
    const out = run('node', ['main.js'], app);
    assert.equal(out.trim(), '["a","b",{"sum":5,"inWorker":true}] true');
    // the types are there too
    const types = run('node', ['-e', "console.log(require.resolve('wasyncio/package.json'))"], app);
    assert.match(types, /node_modules\/wasyncio\/package.json/);
    const files = run('tar', ['tzf', join(dir, tgz)], dir);
    assert.match(files, /package\/dist\/wasyncio.wasm/);
    assert.match(files, /package\/dist\/wasyncio.js/, 'the bundled entry point');
    assert.match(files, /package\/dist\/worker.js/);
    assert.match(files, /package\/bindings\/index.d.ts/);
    assert.match(files, /package\/runtime\/include\/wasyncio.h/);
    assert.match(files, /package\/LICENSE/);
    assert.match(files, /package\/runtime\/include\/wasyncio\/sync.h/);
    assert.match(files, /package\/Makefile/, 'build.sh cc runs make');
    assert.match(files, /package\/bindings\/constants.js/, 'generated, git-ignored, shipped');
    assert.doesNotMatch(files, /node_modules|build\/|tests\//);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
