// The HTTP server (bindings/web.js) with real HTTP clients on 127.0.0.1:
// routes and parameters, JS handlers in both task styles and C coroutine
// handlers, streamed request and response bodies, errors, cancellation
// when the client goes away, graceful shutdown with a deadline, and the
// tutorials' "Hello, {name}" server and parallel-search API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import {
  run, sleep, createTask, Runtime, WebApp, WebResponse, HttpError, CancelledError, Event,
} from '../../bindings/index.js';
import { startServer } from '../../web/server.mjs';
import { helloApp } from '../../web/examples/hello_server.mjs';
import { searchApp } from '../../web/examples/search_api.mjs';

let upstream;
before(async () => { upstream = await startServer({ port: 0 }); });
after(async () => { await upstream?.close(); });

const get = async (url, init) => {
  const r = await globalThis.fetch(url, init);
  return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
};

test('the tutorials\' "Hello, {name}" server', async () => {
  await run(async () => {
    const server = await helloApp().listen();
    assert.deepEqual(await get(`${server.url}hello/Ann`), { status: 200, type: 'text/plain; charset=utf-8', body: 'Hello, Ann' });
    assert.equal((await get(`${server.url}hello/J%C3%BCrgen`)).body, 'Hello, Jürgen');
    assert.equal((await get(server.url)).body, 'Hello, world');
    assert.equal((await get(`${server.url}nope`)).status, 404);
    assert.equal((await get(`${server.url}hello/x`, { method: 'POST' })).status, 405);
    await server.close();
  });
});

test('the parallel-search API: engines asked at once, a slow one dropped at its deadline', async () => {
  await run(async () => {
    const app = searchApp({
      engines: { a: `${upstream.url}get`, b: `${upstream.url}echo`, slow: `${upstream.url}delay/3000` },
      perEngineMs: 300,
    });
    const server = await app.listen();
    const t0 = Date.now();
    const r = await get(`${server.url}search?q=wasm`);
    const took = Date.now() - t0;
    assert.equal(r.status, 200);
    const doc = JSON.parse(r.body);
    assert.deepEqual(doc, {
      query: 'wasm',
      results: [
        { engine: 'a', ok: true, query: 'wasm' },
        { engine: 'b', ok: true, query: 'wasm' },
        { engine: 'slow', ok: false, error: 'timeout' },
      ],
    });
    assert.ok(took < 3000, 'the slow engine was not waited for');
    assert.equal((await get(`${server.url}search`)).status, 400);
    await server.close();
    app.close();
  });
});

test('streamed request bodies and streamed responses (with backpressure), JSON, status and errors', async () => {
  const errors = [];
  await run(async () => {
    const app = new WebApp({ onError: (e) => errors.push(e.message) });
    app.post('/count', async (req) => {
      let n = 0;
      let chunks = 0;
      for await (const c of req) { n += c.length; chunks++; }
      return { n, chunks: chunks > 0 };
    });
    app.get('/stream/{n}', (req) => new WebResponse((async function* () {
      for (let i = 0; i < Number(req.params.n); i++) {
        await sleep(1);
        yield `line ${i}\n`;
      }
    })(), { headers: { 'content-type': 'text/plain' } }));
    app.get('/big', () => new WebResponse((function* () {
      for (let i = 0; i < 64; i++) yield new Uint8Array(64 * 1024).fill(i);
    })()));
    app.get('/teapot', () => { throw new HttpError(418, 'short and stout'); });
    app.get('/boom', () => { throw new Error('handler bug'); });
    app.get('/empty', () => undefined);
    app.put('/json', async (req) => WebResponse.json({ got: await req.json() }, { status: 201 }));
    const server = await app.listen();
    const body = new Uint8Array(300_000).fill(7);
    assert.deepEqual(JSON.parse((await get(`${server.url}count`, { method: 'POST', body })).body), { n: 300_000, chunks: true });
    assert.equal((await get(`${server.url}stream/3`)).body, 'line 0\nline 1\nline 2\n');
    const big = await globalThis.fetch(`${server.url}big`);
    assert.equal((await big.arrayBuffer()).byteLength, 64 * 64 * 1024);
    assert.deepEqual(await get(`${server.url}teapot`), { status: 418, type: 'text/plain; charset=utf-8', body: 'short and stout\n' });
    assert.equal((await get(`${server.url}boom`)).status, 500);
    assert.equal((await get(`${server.url}empty`)).status, 204);
    const j = await get(`${server.url}json`, { method: 'PUT', body: '{"a":1}' });
    assert.deepEqual([j.status, JSON.parse(j.body)], [201, { got: { a: 1 } }]);
    assert.equal((await get(`${server.url}json`, { method: 'PUT', body: 'not json' })).status, 400);
    await server.close();
  });
  assert.deepEqual(errors, ['handler bug']);
  assert.throws(() => new WebApp().get('no-slash', () => 1), /starting with "\/"/);
  assert.throws(() => new WebApp().route('BREW', '/', () => 1), /method must be/);
  assert.throws(() => new WebApp({ port: 1 }), /unknown option "port"/);
});

test('C coroutine handlers', async () => {
  const rt = await Runtime.create({ module: new URL('../../build/wasm/modules/web_handlers.mjs', import.meta.url) });
  await rt.run(async () => {
    const app = new WebApp({ runtime: rt });
    app.get('/c/hello/{name}', { c: 'hello_handler' });
    const server = await app.listen();
    try {
      assert.equal((await get(`${server.url}c/hello/Ann`)).body, 'Hello, Ann');
      assert.deepEqual(await get(`${server.url}c/hello/nobody`), { status: 404, type: 'text/plain; charset=utf-8', body: 'no such person: nobody\n' });
      // a request with a body: read first, then given to the coroutine
      app.post('/c/echo', { c: 'echo_handler' });
      const post = (body) => globalThis.fetch(`${server.url}c/echo`, { method: 'POST', body }).then(async (r) => [r.status, await r.text()]);
      assert.deepEqual(await post('ping'), [200, 'got ping']);
      assert.deepEqual(await post(''), [422, 'empty body\n']); // no body to read: the coroutine gets "" at once
    } finally {
      await server.close(); // also when an assertion failed: an open server would keep the test waiting
    }
  });
});

test('a client that goes away cancels its handler (JS generator, async with signal, C)', async () => {
  const rt = await Runtime.create({ module: new URL('../../build/wasm/modules/web_handlers.mjs', import.meta.url) });
  const seen = [];
  await rt.run(async () => {
    const app = new WebApp({ runtime: rt });
    app.get('/gen', function* (req) {
      try {
        yield rt.sleep(10_000);
      } catch (e) {
        // its signal, first looked at now, is aborted too
        seen.push(`gen ${e instanceof CancelledError} ${req.signal.aborted}`);
        throw e;
      }
    });
    app.get('/async', async (req) => {
      await rt.sleep(10_000, undefined, { signal: req.signal }).catch((e) => { seen.push(`async ${e instanceof CancelledError}`); throw e; });
    });
    app.get('/c', { c: 'slow_handler' });
    app.post('/upload', async (req) => {
      try {
        for await (const c of req) void c;
      } catch (e) {
        seen.push('upload cut');
        throw e;
      }
      return 'whole';
    });
    const server = await app.listen();
    for (const path of ['gen', 'async', 'c']) {
      const ac = new AbortController();
      const p = globalThis.fetch(`${server.url}${path}`, { signal: ac.signal }).catch(() => 'aborted');
      while (server.activeRequests === 0) await rt.sleep(5);
      ac.abort();
      assert.equal(await p, 'aborted');
      while (server.activeRequests > 0) await rt.sleep(5);
    }
    // a client that vanishes mid-body
    const sock = connect(server.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
    while (server.activeRequests === 0) await rt.sleep(5);
    sock.destroy();
    while (server.activeRequests > 0) await rt.sleep(5);
    await server.close();
  });
  assert.deepEqual(seen.sort(), ['async true', 'gen true true', 'upload cut']);
});

/** One raw HTTP/1.1 request (fetch would clean the target up first): { status, body }. */
function rawGet(port, target) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    sock.setEncoding('latin1');
    sock.on('data', (d) => { text += d; });
    sock.on('error', reject);
    sock.on('end', () => {
      const [head, body] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    });
    sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

test('request targets: the path, params and query are those of the URL parser (dot segments, escapes, //); a bad escape answers 400', async () => {
  await run(async () => {
    const app = new WebApp();
    // answers at once: the request's task ends in its first (eager) step
    app.get('/p/{x}', (req) => `${req.path} ${req.params.x} ${req.query.get('q')} ${req.url.pathname === req.path}`);
    const server = await app.listen();
    const seen = [];
    for (const target of ['/p/a?q=1', '/p/b?q=1#f', '/p/../p/c', '/p/./d', '/p/%41', '/p/x%2Fy', '//host/p/e', '/p/a/b', '/p/%zz']) {
      const r = await rawGet(server.port, target);
      seen.push(`${target} -> ${r.status} ${r.status === 200 ? r.body : ''}`.trim());
    }
    assert.deepEqual(seen, [
      '/p/a?q=1 -> 200 /p/a a 1 true',
      '/p/b?q=1#f -> 200 /p/b b 1 true',
      '/p/../p/c -> 200 /p/c c null true',
      '/p/./d -> 200 /p/d d null true',
      '/p/%41 -> 200 /p/%41 A null true',
      '/p/x%2Fy -> 200 /p/x%2Fy x/y null true',
      '//host/p/e -> 200 /p/e e null true',
      '/p/a/b -> 404',
      '/p/%zz -> 400',
    ]);
    await server.close();
  });
});

test('graceful shutdown waits for running handlers, then cancels them at the deadline', async () => {
  const log = [];
  await run(async () => {
    const app = new WebApp();
    // quick may only finish once close() has begun (go): a quick handler
    // racing the stuck request's arrival left the test waiting forever for
    // two active requests when the machine was slow.
    const go = new Event();
    app.get('/quick', function* () { yield go.wait(); yield sleep(50); log.push('quick done'); return 'quick'; });
    app.get('/stuck', function* () {
      try { yield sleep(10_000); } finally { log.push('stuck cleaned up'); }
    });
    const server = await app.listen();
    const quick = get(`${server.url}quick`);
    const stuck = new Promise((resolve) => {
      httpRequest(`${server.url}stuck`, (res) => resolve(res.statusCode)).on('error', () => resolve('reset')).end();
    });
    while (server.activeRequests < 2) await sleep(5);
    const t0 = Date.now();
    const closing = server.close({ deadline: 200 });
    go.set();
    await closing;
    const took = Date.now() - t0;
    assert.equal((await quick).body, 'quick');
    assert.ok(['reset', 503].includes(await stuck));
    assert.ok(took >= 150, `close waited for the deadline (${took} ms)`);
    await assert.rejects(globalThis.fetch(server.url), /fetch failed/);
  });
  assert.deepEqual(log, ['quick done', 'stuck cleaned up']);
});
