// The dev server's test endpoints (web/endpoints.mjs), checked with Node's
// own fetch and raw sockets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, CSP } from '../../web/server.mjs';
import { lcgBytes } from '../../web/endpoints.mjs';

let srv;
before(async () => { srv = await startServer({ port: 0 }); });
after(async () => { await srv?.close(); });

let tagN = 0;
const newTag = () => `js${++tagN}-${Date.now()}`;
const get = (path, init) => fetch(srv.url + path, init);

/** Wait until the server's counters for tag satisfy pred (or 2 s pass). */
async function statsUntil(tag, pred) {
  let s;
  for (let i = 0; i < 100; i++) {
    s = await (await get(`stats?tag=${tag}`)).json();
    if (pred(s)) return s;
    await sleep(20);
  }
  return s;
}

test('health, 404, and the CSP header on every response', async () => {
  for (const [path, code] of [['health', 200], ['json', 200], ['status/500', 500], ['nope', 404], ['', 200]]) {
    const r = await get(path);
    assert.equal(r.status, code, path);
    assert.equal(r.headers.get('content-security-policy'), CSP, path);
    await r.arrayBuffer();
  }
  assert.equal(await (await get('health')).text(), 'ok\n');
  assert.equal((await get('bytes/1')).headers.get('access-control-allow-origin'), null); // same origin only
});

test('/delay/{ms} answers after ms, rejects bad values', async () => {
  const t0 = performance.now();
  const r = await get('delay/200');
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { delay: 200, url: '/delay/200' });
  assert.ok(performance.now() - t0 >= 195);
  assert.equal((await get('delay/60001')).status, 400);
  assert.equal((await get('delay/abc')).status, 404);
});

test('/delay notices the client aborting; /stats counts it under its tag', async () => {
  const tag = newTag();
  const ctrl = new AbortController();
  const p = get(`delay/5000?tag=${tag}`, { signal: ctrl.signal });
  await statsUntil(tag, (s) => s.active === 1);
  ctrl.abort();
  await assert.rejects(p, { name: 'AbortError' });
  const s = await statsUntil(tag, (x) => x.aborted === 1);
  assert.deepEqual(s, { started: 1, finished: 0, aborted: 1, reset: 0, active: 0, maxActive: 1 });
});

test('/status/{code}', async () => {
  let r = await get('status/418');
  assert.equal(r.status, 418);
  assert.equal(r.statusText, "I'm a Teapot");
  assert.equal(await r.text(), "418 I'm a Teapot\n");
  r = await get('status/204');
  assert.equal(r.status, 204);
  assert.equal(await r.text(), '');
  r = await get('status/302', { redirect: 'manual' });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), '/get');
  for (const bad of ['status/199', 'status/600']) assert.equal((await get(bad)).status, 400);
});

test('/bytes/{n}?seed= is deterministic', async () => {
  const a = new Uint8Array(await (await get('bytes/1000?seed=7')).arrayBuffer());
  const b = new Uint8Array(await (await get('bytes/1000?seed=7')).arrayBuffer());
  assert.deepEqual(a, b);
  assert.deepEqual(Buffer.from(a), lcgBytes(1000, 7));
  // x = seed; x = (1103515245 x + 12345) mod 2^31; byte = (x >> 16) & 255
  let x = 7n;
  const first = [];
  for (let i = 0; i < 4; i++) {
    x = (1103515245n * x + 12345n) % 2n ** 31n;
    first.push(Number((x >> 16n) & 255n));
  }
  assert.deepEqual([...a.slice(0, 4)], first);
  const c = await get('bytes/10');
  assert.equal(c.headers.get('content-length'), '10');
  assert.deepEqual(Buffer.from(await c.arrayBuffer()), lcgBytes(10, 42));
  assert.notDeepEqual(lcgBytes(10, 1), lcgBytes(10, 2));
  assert.equal((await get('bytes/0')).headers.get('content-length'), '0');
  assert.equal((await get(`bytes/${64 * 1024 * 1024 + 1}`)).status, 400);
});

test('/drip streams its body slowly, in chunks', async () => {
  const t0 = performance.now();
  const r = await get('drip?numbytes=10&duration=400&chunks=5');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), '10');
  const reader = r.body.getReader();
  const arrivals = [];
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    arrivals.push(performance.now() - t0);
    text += Buffer.from(value).toString();
  }
  assert.equal(text, '*'.repeat(10));
  assert.ok(arrivals.length >= 3, `chunks arrived at ${arrivals}`);
  assert.ok(arrivals.at(-1) >= 380, `last chunk at ${arrivals.at(-1)} ms`); // spread over the duration
  const d = await get('drip?numbytes=3&duration=0&delay=150&code=201');
  assert.equal(d.status, 201);
  assert.equal(await d.text(), '***');
});

test('/drip notices the client going away mid-body', async () => {
  const tag = newTag();
  const ctrl = new AbortController();
  const r = await get(`drip?numbytes=20&duration=4000&chunks=20&tag=${tag}`, { signal: ctrl.signal });
  const reader = r.body.getReader();
  await reader.read();
  ctrl.abort();
  await assert.rejects(reader.read());
  const s = await statsUntil(tag, (x) => x.aborted === 1);
  assert.equal(s.aborted, 1);
  assert.equal(s.active, 0);
});

test('/json', async () => {
  const r = await get('json');
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal((await r.json()).slideshow.title, 'Sample Slide Show');
});

test('/echo returns method, headers and body; raw=1 the body itself', async () => {
  const r = await get('echo?a=1', { method: 'POST', headers: { 'x-test': 'yes', 'content-type': 'text/plain' }, body: 'héllo' });
  const j = await r.json();
  assert.equal(j.method, 'POST');
  assert.equal(j.path, '/echo');
  assert.deepEqual(j.query, { a: '1' });
  assert.equal(j.headers['x-test'], 'yes');
  assert.equal(j.body, 'héllo');
  assert.equal(j.bodyLength, 6);
  assert.equal(Buffer.from(j.bodyBase64, 'base64').toString(), 'héllo');
  const bin = new Uint8Array([0, 1, 2, 255, 0]);
  const raw = await get('echo?raw=1', { method: 'PUT', headers: { 'content-type': 'application/x-bin' }, body: bin });
  assert.equal(raw.headers.get('content-type'), 'application/x-bin');
  assert.deepEqual(new Uint8Array(await raw.arrayBuffer()), bin);
  assert.equal((await (await get('get')).json()).method, 'GET');
});

test('/redirect/{n} and /redirect-to', async () => {
  const tag = newTag();
  const r = await get(`redirect/3?tag=${tag}`);
  assert.equal(r.status, 200);
  assert.ok(r.redirected);
  assert.equal(r.url, `${srv.url}get?tag=${tag}`);
  assert.equal((await r.json()).query.tag, tag);
  assert.equal((await statsUntil(tag, (s) => s.finished === 4)).finished, 4);
  const m = await get('redirect/2?status=307', { redirect: 'manual' });
  assert.equal(m.status, 307);
  assert.equal(m.headers.get('location'), '/redirect/1?status=307');
  await assert.rejects(get('redirect/1', { redirect: 'error' }));
  const t = await get('redirect-to?url=/json&status=301');
  assert.equal(t.url, srv.url + 'json');
  assert.equal((await get('redirect/0')).status, 400);
});

test('/reset and /close-mid-body break the connection mid-body', async () => {
  const tag = newTag();
  const r = await get(`reset?bytes=500&total=10000&tag=${tag}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), '10000');
  await assert.rejects(r.arrayBuffer(), (e) => e instanceof TypeError);
  const c = await get(`close-mid-body?bytes=10&tag=${tag}`);
  await assert.rejects(c.text(), (e) => e instanceof TypeError);
  await assert.rejects(get(`reset?headers=0&tag=${tag}`), (e) => e instanceof TypeError);
  const s = await statsUntil(tag, (x) => x.reset === 3);
  assert.equal(s.reset, 3);
  assert.equal(s.aborted, 0); // the server's own resets are not client aborts
  assert.equal((await get('reset?bytes=10&total=5')).status, 400);
});

test('/flaky fails k times per key, then succeeds', async () => {
  const key = newTag();
  const codes = [];
  for (let i = 0; i < 4; i++) {
    const r = await get(`flaky?fail=2&key=${key}`);
    codes.push(r.status);
    await r.text();
  }
  assert.deepEqual(codes, [503, 503, 200, 200]);
  assert.equal((await get(`flaky?fail=1&code=429&key=${key}-b`)).status, 429);
  assert.equal((await get(`flaky?fail=1&code=429&key=${key}-b`)).status, 200);
});

test('/links/{n}/{offset} links every other page', async () => {
  const html = await (await get('links/5/2')).text();
  const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(hrefs, ['/links/5/0', '/links/5/1', '/links/5/3', '/links/5/4']);
  assert.equal((await get('links/5/5')).status, 400);
});

test('/stats: totals, tags, peak concurrency; each server has its own', async () => {
  const tag = newTag();
  await Promise.all([1, 2, 3].map(() => get(`delay/100?tag=${tag}`).then((r) => r.text())));
  const s = await (await get(`stats?tag=${tag}`)).json();
  assert.deepEqual(s, { started: 3, finished: 3, aborted: 0, reset: 0, active: 0, maxActive: 3 });
  assert.deepEqual(srv.stats(tag), s);
  const total = await (await get('stats')).json();
  assert.ok(total.started >= 3);
  const other = await startServer({ port: 0 });
  try {
    assert.equal((await (await fetch(other.url + 'stats')).json()).started, 0);
  } finally {
    await other.close();
  }
});
