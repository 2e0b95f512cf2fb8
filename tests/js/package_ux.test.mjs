// What package users read: class names as in the source (the Node bundle is
// not minified), short console.log / toString output for the main objects, and
// a clear error when a module's .wasm is not where the loader looks (an
// HTTP error, or an HTML page a server answers with instead).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as W from '../../dist/wasyncio.node.js';

const runtime = await W.ready();
const { run, createTask, createFuture, sleep, Runtime, Queue, Lock, WorkerPool, CancelledError, TimeoutError, QueueFull } = W;

test('the bundle keeps the names users read', () => {
  for (const C of [CancelledError, TimeoutError, QueueFull, Queue, Lock, WorkerPool, Runtime, W.Task, W.Future, W.TaskGroup]) {
    assert.match(C.name, /^[A-Z][A-Za-z]{3,}$/, C.name);
  }
  const e = new CancelledError('gone');
  assert.equal(e.constructor.name, 'CancelledError');
  assert.match(inspect(e), /^CancelledError: gone/);
  assert.throws(() => new Queue({ maxsize: -1 }), (err) => err instanceof RangeError && /new Queue\(options\): options\.maxsize/.test(err.message));
});

test('console.log of a Task, Future, Queue, Lock, Runtime, WorkerPool: one short line', async () => {
  await run(async () => {
    const t = createTask(async () => { await sleep(5); return 1; }, { name: 'worker' });
    assert.equal(inspect(t), '<Task "worker" pending>');
    assert.equal(String(t), '<Task "worker" pending>');
    await t;
    assert.equal(inspect(t), '<Task "worker" finished>');
    const c = createTask(async () => sleep(1000), { name: 'c' });
    c.cancel();
    await sleep(0);
    await assert.rejects(c, CancelledError);
    assert.equal(String(c), '<Task "c" cancelled>');
    const f = createFuture();
    assert.equal(inspect(f), '<Future pending>');
    f.setException(new Error('x'));
    assert.equal(inspect(f), '<Future failed>');
    f.exception();
  });
  const q = new Queue({ maxsize: 10 });
  q.putNowait(1);
  q.putNowait('two');
  assert.equal(inspect(q), '<Queue qsize=2 maxsize=10>');
  q.destroy();
  assert.equal(String(q), '<Queue destroyed>');
  const lock = new Lock();
  assert.equal(inspect({ lock }), '{ lock: <Lock> }');
  lock.destroy();
  assert.match(inspect(runtime), /^<Runtime: \d+ tasks, \d+ futures>$/);
  const pool = new WorkerPool({ name: 'crunch', max: 1 });
  assert.equal(inspect(pool), '<WorkerPool "crunch" workers=0 busy=0 queued=0>');
  await pool.shutdown();
  assert.equal(String(pool), '<WorkerPool "crunch" closed workers=0 busy=0 queued=0>');
});

// A module whose .wasm the server does not have: the loader says so.
const dir = mkdtempSync(join(tmpdir(), 'wasyncio-loader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function serveWith(handler) {
  const server = http.createServer(handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

test('a .wasm answered with an HTML page (SPA fallback, wrong path): the error names the URL and what came', async () => {
  const srv = await serveWith((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><body>app</body></html>');
  });
  try {
    const { compileWasm } = await import('../../bindings/loader.js');
    await assert.rejects(compileWasm(srv.url + 'assets/wasyncio.wasm'), (e) => {
      assert.match(e.message, /assets\/wasyncio\.wasm is not a WebAssembly module \(content-type text\/html\)/);
      assert.match(e.message, /starts with "<!doctype html>/);
      assert.match(e.message, /the server answered with a page/);
      return true;
    });
  } finally {
    await srv.close();
  }
});

test('a .wasm that is missing (HTTP 404): the error names the URL and the status', async () => {
  const srv = await serveWith((req, res) => { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('no'); });
  try {
    const { compileWasm } = await import('../../bindings/loader.js');
    await assert.rejects(compileWasm(srv.url + 'x.wasm'), /cannot load http:\/\/127\.0\.0\.1:\d+\/x\.wasm: HTTP 404/);
  } finally {
    await srv.close();
  }
});

test('Runtime.create on a file that is not wasm, and on a glue that does not exist', async () => {
  writeFileSync(join(dir, 'bad.mjs'), 'export default () => {};');
  writeFileSync(join(dir, 'bad.wasm'), 'not wasm at all');
  await assert.rejects(Runtime.create({ module: pathToFileURL(join(dir, 'bad.mjs')) }), /bad\.wasm is not a WebAssembly module; it starts with "not wasm at all"/);
  await assert.rejects(Runtime.create({ module: pathToFileURL(join(dir, 'missing.mjs')) }), /cannot import the module glue .*missing\.mjs/);
});
