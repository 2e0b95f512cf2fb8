// Fixture apps built from the packed tarball, as users build theirs: Vite
// (current and previous major, build and dev server), esbuild, webpack 5, a plain page with an
// import map, Node ESM, `import()` from CommonJS, Node 18; plus a TypeScript
// project type-checking against the installed package. Each app runs the
// checks of app/checks.mjs (tasks, a timeout, a fetch, a worker-pool job, a
// custom C module); every check is a test of its own.
//
// A combination known not to work yet is marked `todo` with the reason:
// it runs and reports, without failing the suite. A todo that passes shows
// as such: remove its entry from TODO.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { EXPECTED, HASHED } from './app/checks.mjs';
import {
  HERE, WORK, appDir, buildCModule, installToolchains, node, packAndInstall, serve, sh, tool,
} from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHECKS = Object.keys(EXPECTED);

/** Known failures, by fixture (all its checks) or 'fixture/check': none. */
const TODO = {};

/** @type {Record<string, { kind: 'browser' | 'dev' | 'node', build?: (dir: string) => Promise<unknown>, run?: string[], bin?: string, config?: object }>} */
const FIXTURES = {
  vite8: {
    kind: 'browser',
    async build(dir) {
      await node(process.execPath, [tool('vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir });
      // the glue is a chunk of the build, not also a raw copy nobody loads
      const raw = readdirSync(join(dir, 'dist/assets')).filter((f) => f.endsWith('.mjs'));
      if (raw.length) throw new Error(`vite build emitted ${raw.join(', ')}`);
    },
  },
  'vite8-dev': { kind: 'dev', bin: 'vite/bin/vite.js' },
  // Vite 7's dev server pre-bundles dependencies away from their assets:
  // the README's one line of config (Vite 8 needs none)
  'vite7-dev': { kind: 'dev', bin: 'vite7/bin/vite.js', config: { optimizeDeps: { exclude: ['wasyncio'] } } },
  vite7: { kind: 'browser', build: (dir) => node(process.execPath, [tool('vite7/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir }) },
  esbuild: {
    kind: 'browser',
    // esbuild leaves new URL(…, import.meta.url) alone: the README's recipe,
    // the assets copied to dist/wasyncio/ and configure({ assetsURL })
    async build(dir) {
      await node(tool('.bin/esbuild'), ['main-assets.js', '--bundle', '--format=esm', '--platform=browser', '--outfile=dist/main.js', '--log-level=warning'], { cwd: dir });
      for (const f of ['index.html', 'jobs.mjs']) cpSync(join(dir, f), join(dir, 'dist', f));
      mkdirSync(join(dir, 'dist/wasyncio'), { recursive: true });
      for (const f of ['wasyncio.wasm', 'wasyncio.mjs', 'worker.js']) cpSync(tool(`wasyncio/dist/${f}`), join(dir, 'dist/wasyncio', f));
    },
  },
  webpack: { kind: 'browser', async build(dir) {
    await node(process.execPath, [join(HERE, 'build-webpack.mjs'), dir]);
    cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
  } },
  importmap: {
    kind: 'browser',
    // no bundler: the installed package served as is, named by an import map
    async build(dir) {
      const dist = join(dir, 'dist');
      mkdirSync(dist, { recursive: true });
      for (const f of ['main.js', 'start.js', 'checks.mjs', 'jobs.mjs']) cpSync(join(dir, f), join(dist, f));
      cpSync(tool('wasyncio'), join(dist, 'node_modules/wasyncio'), { recursive: true });
      const map = '<script type="importmap">{ "imports": { "wasyncio": "./node_modules/wasyncio/dist/wasyncio.js" } }</script>';
      writeFileSync(join(dist, 'index.html'), readFileSync(join(dir, 'index.html'), 'utf8').replace('<!-- IMPORTMAP -->', map));
    },
  },
  'node-esm': { kind: 'node', run: [process.execPath, 'main.mjs'] },
  'node-cjs': { kind: 'node', run: [process.execPath, 'main.cjs'] },
  'node18-esm': { kind: 'node', run: [tool('node18/bin/node'), 'main.mjs'] },
  'node18-cjs': { kind: 'node', run: [tool('node18/bin/node'), 'main.cjs'] },
};

let setupError = null;
let cModule;
let browser;
const outcomes = new Map(); // fixture -> { error } | { results, log }

before(async () => {
  try {
    const t0 = performance.now();
    const how = await installToolchains();
    await packAndInstall();
    cModule = await buildCModule();
    console.log(`# fixtures: toolchains ${how}, package packed and installed, C module built in ${Math.round(performance.now() - t0)} ms`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  } catch (e) {
    setupError = e;
  }
});
after(async () => { await browser?.close(); });

async function runBrowser(name, def) {
  const dir = appDir(name);
  await def.build(dir);
  const srv = await serve(join(dir, 'dist'));
  try {
    return await load(srv.url);
  } finally {
    await srv.close();
  }
}

/** Vite's dev server on the app (the C module in public/c/, /json proxied to the test endpoints). */
async function runDev(name, def) {
  const dir = appDir(name);
  cpSync(join(WORK, 'c'), join(dir, 'public/c'), { recursive: true });
  if (def.config) {
    const config = readFileSync(join(dir, 'vite.config.mjs'), 'utf8');
    writeFileSync(join(dir, 'vite.config.mjs'), config.replace("logLevel: 'warn',", `logLevel: 'warn',\n  ...${JSON.stringify(def.config)},`));
  }
  const endpoints = await serve(dir);
  const child = spawn(process.execPath, [tool(def.bin), '--host', '127.0.0.1', '--port', '0', '--logLevel', 'info'], {
    cwd: dir, env: { ...process.env, FIXTURE_HTTPBIN: endpoints.url },
  });
  try {
    let out = '';
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no dev server URL after 60 s:\n${out}`)), 60_000);
      const onData = (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
        if (m) { clearTimeout(timer); resolve(m[1]); }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vite exited (${code}):\n${out}`)); });
    });
    return await load(url);
  } finally {
    child.kill();
    await endpoints.close();
  }
}

async function load(url) {
  const page = await browser.newPage();
  const log = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => log.push(`page error: ${e}`));
  page.on('response', (r) => { if (r.status() >= 400) log.push(`HTTP ${r.status()} ${r.url()}`); });
  try {
    await page.goto(url);
    await page.waitForSelector('body[data-done="true"]', { timeout: 90_000 }).catch(() => {});
    const results = await page.evaluate(() => window.fixtureResults ?? null);
    return { results, log };
  } finally {
    await page.close();
  }
}

async function runNode(name, def) {
  const dir = appDir(name);
  const srv = await serve(dir);
  try {
    const [bin, ...args] = def.run;
    const r = await sh(bin, args, { cwd: dir, timeout: 120_000, env: {
      FIXTURE_HTTPBIN: srv.url, FIXTURE_C_MODULE: cModule,
      FIXTURE_C_HASHED: JSON.stringify({ module: join(cModule, '..', HASHED.glue), wasm: join(cModule, '..', HASHED.wasm) }),
    } });
    const line = r.out.split('\n').find((l) => l.startsWith('{'));
    return { results: line ? JSON.parse(line) : null, log: r.status === 0 ? [] : [`exit ${r.status}: ${r.out.slice(-3000)}`] };
  } finally {
    await srv.close();
  }
}

async function outcome(name) {
  if (!outcomes.has(name)) {
    const def = FIXTURES[name];
    outcomes.set(name, (async () => {
      if (setupError) return { error: setupError };
      try {
        return await ({ browser: runBrowser, dev: runDev, node: runNode })[def.kind](name, def);
      } catch (e) {
        return { error: e };
      }
    })());
  }
  return outcomes.get(name);
}

for (const name of Object.keys(FIXTURES)) {
  for (const check of CHECKS) {
    const todo = TODO[`${name}/${check}`] ?? TODO[name];
    test(`${name}: ${check}`, todo ? { todo } : {}, async () => {
      const o = await outcome(name);
      if (o.error) throw o.error;
      assert.ok(o.results, `the app reported nothing:\n${o.log.join('\n')}`);
      const r = o.results[check];
      assert.ok(r.ok, `${check} failed: ${r.error}\n${o.log.join('\n')}`);
      assert.deepEqual(r.value, EXPECTED[check]);
    });
  }
}

test('TypeScript project (moduleResolution bundler and node16) type-checks against the installed package', async () => {
  if (setupError) throw setupError;
  const dir = join(WORK, 'typescript');
  mkdirSync(dir, { recursive: true });
  for (const f of ['api.ts', 'negative.ts']) cpSync(join(HERE, '../types', f), join(dir, f));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ts-app', private: true, type: 'module' }));
  for (const [res, mod] of [['bundler', 'esnext'], ['node16', 'node16']]) {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: mod, moduleResolution: res, lib: ['es2022', 'dom'], types: [] },
      files: ['api.ts', 'negative.ts'],
    }));
    const r = await sh(process.execPath, [tool('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir });
    assert.equal(r.status, 0, `moduleResolution ${res}:\n${r.out}`);
  }
});

test('a worker that cannot load (HTTP 404): its jobs fail with an error naming the URL after 3 tries, no respawn loop', async () => {
  if (setupError) throw setupError;
  const dir = appDir('importmap-no-worker');
  await FIXTURES.importmap.build(dir);
  rmSync(join(dir, 'dist/node_modules/wasyncio/dist/worker.js'));
  const srv = await serve(join(dir, 'dist'));
  const page = await browser.newPage();
  let workerLoads = 0;
  page.on('response', (r) => { if (r.url().endsWith('/wasyncio/dist/worker.js')) workerLoads++; });
  try {
    await page.goto(srv.url);
    await page.waitForSelector('body[data-done="true"]', { timeout: 90_000 });
    const r = await page.evaluate(() => window.fixtureResults);
    assert.equal(r.tasks.ok, true, 'the rest works');
    assert.equal(r.workerPool.ok, false);
    assert.match(r.workerPool.error, /WorkerPool: the worker http:\/\/127\.0\.0\.1:\d+\/node_modules\/wasyncio\/dist\/worker\.js could not start \(3 tries\)/);
    assert.equal(workerLoads, 3);
  } finally {
    await page.close();
    await srv.close();
  }
});

test('importing only CancelledError (Vite, esbuild, webpack): the page loads no wasm, glue or worker, and little JS (sideEffects, tree-shaking)', async () => {
  if (setupError) throw setupError;
  const dir = appDir('treeshake');
  writeFileSync(join(dir, 'shake.js'), "import { CancelledError } from 'wasyncio';\ndocument.body.textContent = new CancelledError('x').name;\n");
  writeFileSync(join(dir, 'index.html'), '<!doctype html><body><script type="module" src="./shake.js"></script></body>');
  writeFileSync(join(dir, 'webpack.config.mjs'), readFileSync(join(dir, 'webpack.config.mjs'), 'utf8').replace("entry: './main.js'", "entry: './shake.js'"));
  const page = (js) => `<!doctype html><body><script type="module" src="./${js}"></script></body>`;
  const builds = {
    vite: () => node(process.execPath, [tool('vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', 'out-vite'], { cwd: dir }),
    esbuild: async () => {
      await node(tool('.bin/esbuild'), ['shake.js', '--bundle', '--format=esm', '--platform=browser', '--outdir=out-esbuild', '--log-level=warning'], { cwd: dir });
      writeFileSync(join(dir, 'out-esbuild/index.html'), page('shake.js'));
    },
    webpack: async () => {
      await node(process.execPath, [join(HERE, 'build-webpack.mjs'), dir]);
      cpSync(join(dir, 'dist'), join(dir, 'out-webpack'), { recursive: true });
      writeFileSync(join(dir, 'out-webpack/index.html'), page('main.js'));
    },
  };
  for (const [name, build] of Object.entries(builds)) {
    await build();
    const srv = await serve(join(dir, `out-${name}`));
    const p = await browser.newPage();
    const loaded = [];
    let js = '';
    p.on('response', async (r) => {
      loaded.push(new URL(r.url()).pathname);
      if (r.url().endsWith('.js')) js += await r.text().catch(() => '');
    });
    try {
      await p.goto(srv.url);
      await p.waitForFunction(() => document.body.textContent === 'CancelledError', null, { timeout: 30_000 });
      await p.waitForLoadState('networkidle');
    } finally {
      await p.close();
      await srv.close();
    }
    assert.deepEqual(loaded.filter((u) => /\.(wasm|mjs)$|worker/.test(u)), [], `${name}: the page loaded ${loaded}`);
    for (const bad of ['WebAssembly', 'new Worker', 'createWasyncioModule']) {
      assert.ok(!js.includes(bad), `${name}: the JS the page loaded mentions ${bad}`);
    }
    assert.ok(js.length > 0 && js.length < 16_000, `${name}: ${js.length} bytes of JS`);
  }
});

test('asset subpaths resolve from an app (wasyncio/wasyncio.wasm, /wasyncio.mjs, /worker.js, /worker.node.js, /browser, /loader)', async () => {
  if (setupError) throw setupError;
  const r = await sh(process.execPath, ['--input-type=module', '-e', `
    import { existsSync, readFileSync } from 'node:fs';
    import { fileURLToPath } from 'node:url';
    const out = {};
    for (const s of ['wasyncio/wasyncio.wasm', 'wasyncio/wasyncio.mjs', 'wasyncio/worker.js', 'wasyncio/worker.node.js', 'wasyncio/browser', 'wasyncio/loader']) {
      const f = fileURLToPath(import.meta.resolve(s));
      out[s] = existsSync(f) ? f.replace(/.*node_modules\\//, '') : 'missing';
    }
    out.wasmMagic = [...readFileSync(fileURLToPath(import.meta.resolve('wasyncio/wasyncio.wasm'))).subarray(0, 4)];
    console.log(JSON.stringify(out));
  `], { cwd: HERE });
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(JSON.parse(r.out.trim().split('\n').at(-1)), {
    'wasyncio/wasyncio.wasm': 'wasyncio/dist/wasyncio.wasm',
    'wasyncio/wasyncio.mjs': 'wasyncio/dist/wasyncio.mjs',
    'wasyncio/worker.js': 'wasyncio/dist/worker.js',
    'wasyncio/worker.node.js': 'wasyncio/dist/worker.node.js',
    'wasyncio/browser': 'wasyncio/dist/wasyncio.js',
    'wasyncio/loader': 'wasyncio/bindings/loader.js',
    wasmMagic: [0, 97, 115, 109],
  });
});

test('require(\'wasyncio\') from CommonJS where Node can require ES modules (no top-level await in the package)', async (t) => {
  if (setupError) throw setupError;
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19) || (major === 22 && minor < 12)) {
    t.skip(`Node ${process.version} cannot require ES modules`);
    return;
  }
  const r = await sh(process.execPath, ['-e', "const w = require('wasyncio'); w.run(async () => { await w.sleep(1); return 5; }).then((v) => console.log('result', v));"], { cwd: HERE });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /^result 5$/m);
});
