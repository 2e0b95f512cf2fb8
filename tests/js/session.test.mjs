// ClientSession and retry against real HTTP servers on 127.0.0.1 (the test
// server web/server.mjs, and a small node:http server for cookies): base
// URL and headers, per-host limits measured by the server, the three
// timeouts, cookies, retry with backoff, unknown options.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  run, createTask, gather, sleep, fetch, codes, ClientSession, retry, backoffDelay, TimeoutError, CancelledError, WasyncioError,
} from '../../bindings/index.js';
import { startServer } from '../../web/server.mjs';

let srv;
let cookieSrv;
let cookieUrl;
before(async () => {
  srv = await startServer({ port: 0 });
  cookieSrv = createServer((req, res) => {
    if (req.url === '/login') res.setHeader('set-cookie', ['sid=abc123; Path=/; HttpOnly', 'theme=dark']);
    if (req.url === '/logout') res.setHeader('set-cookie', ['sid=; Max-Age=0']);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ cookie: req.headers.cookie ?? null }));
  });
  await new Promise((r) => cookieSrv.listen(0, '127.0.0.1', r));
  cookieUrl = `http://127.0.0.1:${cookieSrv.address().port}/`;
});
after(async () => {
  await srv?.close();
  await new Promise((r) => cookieSrv.close(r));
});

const stats = async (tag) => (await globalThis.fetch(`${srv.url}stats?tag=${tag}`)).json();

test('base URL, default headers merged with per-request ones, params and json body', async () => {
  const got = await run(function* () {
    const s = new ClientSession({ baseUrl: srv.url, headers: { 'x-app': 'wasyncio', 'x-over': 'session' } });
    const r = yield s.post('echo', { headers: { 'x-over': 'request' }, params: { q: 'a b' }, json: { n: 1 } });
    const doc = yield r.json();
    s.close();
    return doc;
  });
  assert.equal(got.method, 'POST');
  assert.deepEqual(got.query, { q: 'a b' });
  assert.equal(got.headers['x-app'], 'wasyncio');
  assert.equal(got.headers['x-over'], 'request');
  assert.equal(got.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(got.body), { n: 1 });
});

test('limitPerHost: at most n requests in flight to one host (counted by the server)', async () => {
  const tag = `limit-${Date.now()}`;
  await run(async () => {
    const s = new ClientSession({ baseUrl: srv.url, limitPerHost: 2 });
    await gather(...Array.from({ length: 6 }, () => createTask(async () => {
      const r = await s.get(`delay/30?tag=${tag}`);
      await r.text();
    })));
    s.close();
  });
  const st = await stats(tag);
  assert.equal(st.started, 6);
  assert.equal(st.maxActive, 2);
});

test('timeouts: connect (no headers in time), read (body too slow), total', async () => {
  await run(function* () {
    const s = new ClientSession({ baseUrl: srv.url, timeout: { connect: 50 } });
    try {
      yield s.get('delay/2000');
      assert.fail('no timeout');
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
      assert.match(e.message, /connect timeout/);
    }
    // headers at once, the body's pieces 500 ms apart
    const r = yield s.get('drip?numbytes=4&duration=1500&chunks=4', { timeout: { read: 100 } });
    assert.equal(r.status, 200);
    const first = yield r.read();
    assert.ok(first.length >= 1);
    try {
      yield r.read();
      assert.fail('no read timeout');
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
      assert.match(e.message, /read timeout/);
    }
    try {
      yield s.get('delay/2000', { timeout: { total: 60, connect: null } });
      assert.fail('no total timeout');
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
    }
    s.close();
  });
});

test('cookies: stored from Set-Cookie, sent back to the same host, expired ones dropped', async () => {
  const out = await run(async () => {
    const s = new ClientSession({ baseUrl: cookieUrl });
    const seen = [];
    for (const p of ['a', 'login', 'b', 'logout', 'c']) seen.push((await (await s.get(p)).json()).cookie);
    const jar = s.cookies.get(new URL(cookieUrl).host);
    s.close();
    const off = new ClientSession({ baseUrl: cookieUrl, cookies: false });
    await (await off.get('login')).text();
    const none = (await (await off.get('x')).json()).cookie;
    off.close();
    return { seen, jar, none };
  });
  assert.deepEqual(out.seen, [null, null, 'sid=abc123; theme=dark', 'sid=abc123; theme=dark', 'theme=dark']);
  assert.deepEqual(out.jar, { theme: 'dark' });
  assert.equal(out.none, null);
});

test('retry: backoff with jitter on retryable statuses, then success', async () => {
  const key = `k${Date.now()}`;
  const delays = [];
  const out = await run(function* () {
    const s = new ClientSession({ baseUrl: srv.url });
    const r = yield retry(() => s.get(`flaky?fail=2&key=${key}`), {
      attempts: 4, baseDelay: 10, random: () => 0.5, onRetry: (n, failure, d) => delays.push([n, failure.status, d]),
    });
    const text = yield r.text();
    s.close();
    return { status: r.status, text };
  });
  assert.equal(out.status, 200);
  assert.match(out.text, /ok after 2 failures/);
  assert.deepEqual(delays, [[1, 503, 5], [2, 503, 10]]);
});

test('retry: gives up after the last attempt with the last failure; never retries a cancellation', async () => {
  await run(async () => {
    let calls = 0;
    await assert.rejects(retry(async () => { calls++; throw new WasyncioError('down', codes.ENETWORK); }, { attempts: 3, baseDelay: 1 }), /down/);
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(retry(async () => { calls++; throw new Error('not retryable'); }, { attempts: 3, baseDelay: 1 }), /not retryable/);
    assert.equal(calls, 1);
    const t = retry(() => sleep(10_000), { attempts: 5 });
    await sleep(5);
    t.cancel();
    await assert.rejects(t, CancelledError);
  });
  assert.equal(backoffDelay(1, { jitter: false }), 100);
  assert.equal(backoffDelay(4, { jitter: false }), 800);
  assert.equal(backoffDelay(20, { jitter: false }), 10_000);
  assert.equal(backoffDelay(3, { baseDelay: 10, random: () => 0.25 }), 10);
});

test('cancelling a request gives its slot back; closing the session closes open responses', async () => {
  await run(async () => {
    const s = new ClientSession({ baseUrl: srv.url, limitPerHost: 1 });
    const t = s.get('delay/5000');
    await sleep(20);
    t.cancel();
    await assert.rejects(t, CancelledError);
    const r = await s.get('get'); // the slot is free again
    assert.equal(r.status, 200);
    s.close();
    await assert.rejects(r.text(), /already read|closed/);
    assert.throws(() => s.get('get'), /session is closed/);
  });
});

test('unknown options are rejected (session, request, timeout, retry and plain fetch)', async () => {
  assert.throws(() => new ClientSession({ baseURL: 'x' }), /unknown option "baseURL"/);
  assert.throws(() => new ClientSession({ timeout: { sock_read: 1 } }), /unknown option "sock_read"/);
  assert.throws(() => new ClientSession({ limitPerHost: -1 }), RangeError);
  const s = new ClientSession();
  assert.throws(() => s.get('http://x/', { header: {} }), /unknown option "header"/);
  s.close();
  assert.throws(() => retry(() => 1, { tries: 3 }), /unknown option "tries"/);
  assert.throws(() => fetch('http://x/', { timeuot: 5 }), /unknown option "timeuot"/);
});
