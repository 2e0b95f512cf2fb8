// The dev server is safe to leave running: no files from outside its
// folders, no answers to unknown host names (DNS rebinding), no open
// redirect, 400 for malformed escapes, 413 for oversized bodies, bounded
// memory and a cap on large requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, hostAllowed } from '../../web/server.mjs';
import { MAX_ECHO_JSON, MAX_ECHO_RAW, MAX_HEAVY } from '../../web/endpoints.mjs';

const webDir = fileURLToPath(new URL('../../web/', import.meta.url));
let srv;
let port;
before(async () => {
  srv = await startServer({ port: 0, allowHosts: ['devbox.lan'] });
  port = srv.server.address().port;
});
after(async () => { await srv?.close(); });

const get = (path, init) => fetch(srv.url + path, init);

/** A raw request (fetch cannot set Host): resolves { status, headers, body }. */
function raw(path, { host, method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { ...headers, host: host ?? `127.0.0.1:${port}` } }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('symlinks leading out of a served folder are not followed; those inside are', async () => {
  const outside = await mkdtemp(join(tmpdir(), 'wasyncio-secret-'));
  await writeFile(join(outside, 'secret.txt'), 'top secret\n');
  const out = join(webDir, `.test-link-out-${process.pid}`);
  const dirOut = join(webDir, `.test-dir-out-${process.pid}`);
  const inside = join(webDir, `.test-link-in-${process.pid}.svg`);
  try {
    await symlink(join(outside, 'secret.txt'), out);
    await symlink(outside, dirOut);
    await symlink(join(webDir, 'favicon.svg'), inside);
    const a = await get(`.test-link-out-${process.pid}`);
    assert.equal(a.status, 404);
    assert.doesNotMatch(await a.text(), /secret/);
    assert.equal((await get(`.test-dir-out-${process.pid}/secret.txt`)).status, 404);
    const b = await get(`.test-link-in-${process.pid}.svg`);
    assert.equal(b.status, 200);
    assert.match(await b.text(), /<svg/);
  } finally {
    await Promise.all([out, dirOut, inside].map((f) => rm(f, { force: true })));
    await rm(outside, { recursive: true, force: true });
  }
});

test('only IP addresses, localhost and --allow-host names are answered (DNS rebinding)', async () => {
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST', `app.localhost:${port}`, `[::1]:${port}`, '10.0.0.7', `devbox.lan:${port}`]) {
    assert.equal((await raw('/health', { host })).status, 200, host);
  }
  for (const host of ['evil.example', `evil.example:${port}`, 'localhost.evil.example', '127.0.0.1.nip.io', '[zz]', 'a:b:c']) {
    const r = await raw('/health', { host });
    assert.equal(r.status, 421, host);
    assert.doesNotMatch(r.body, /^ok/);
  }
  assert.equal((await raw('/index.html', { host: 'rebound.example' })).status, 421); // files too
  assert.equal(hostAllowed(undefined, new Set()), false); // no Host header
  assert.equal(hostAllowed('', new Set()), false);
  assert.equal(hostAllowed('[::ffff:127.0.0.1]:80', new Set()), true);
});

test('/redirect-to only redirects to paths on this server', async () => {
  const ok = await get('redirect-to?url=/json', { redirect: 'manual' });
  assert.equal(ok.status, 302);
  assert.equal(ok.headers.get('location'), '/json');
  for (const to of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'evil.example', 'javascript:alert(1)', '/%0d%0aSet-Cookie:x']) {
    const r = await get(`redirect-to?url=${encodeURIComponent(to)}`, { redirect: 'manual' });
    if (to.startsWith('/%')) continue; // a path: allowed, and Node refuses CR/LF in headers anyway
    assert.equal(r.status, 400, to);
    assert.equal(r.headers.get('location'), null, to);
  }
});

test('malformed %-escapes are a 400, not a 500', async () => {
  for (const path of ['/%E0%A4%A', '/bindings/%zz.js', '/dist/%', '/%00']) {
    const r = await raw(path);
    assert.equal(r.status, 400, path);
    assert.match(r.body, /bad request/);
  }
  assert.equal((await raw('/%66avicon.svg')).status, 200); // a valid escape still works
});

test('oversized bodies get 413 (declared or streamed), the server stays up', async () => {
  const big = await get('echo', { method: 'POST', body: new Uint8Array(MAX_ECHO_JSON + 1) });
  assert.equal(big.status, 413);
  const fits = await get('echo', { method: 'POST', body: new Uint8Array(MAX_ECHO_JSON) });
  assert.equal(fits.status, 200);
  assert.equal((await fits.json()).bodyLength, MAX_ECHO_JSON);
  const rawBig = await get('echo?raw=1', { method: 'POST', body: new Uint8Array(MAX_ECHO_RAW + 1) }).catch((e) => e);
  assert.ok(rawBig instanceof Error || rawBig.status === 413, String(rawBig));
  // no content-length: cut off once the limit is passed
  const chunk = new Uint8Array(256 * 1024);
  let sent = 0;
  const stream = new ReadableStream({
    pull(c) {
      if (sent > MAX_ECHO_JSON * 4) return c.close();
      sent += chunk.length;
      c.enqueue(chunk);
    },
  });
  const s = await get('echo', { method: 'POST', body: stream, duplex: 'half' }).catch((e) => e);
  assert.ok(s instanceof Error || s.status === 413, String(s));
  assert.equal((await get('health')).status, 200);
});

test('a declared content-length over the limit is a 413 before any of the body is sent', { timeout: 120_000 }, async () => {
  // only the headers go out: the answer cannot wait for a body that never
  // comes (without the check the server would wait for it: the test's
  // timeout catches that)
  const answer = await new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(`POST /echo HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: ${MAX_ECHO_JSON + 1}\r\n\r\n`);
    });
    let got = '';
    sock.on('data', (d) => {
      got += d;
      if (got.includes('\r\n\r\n')) { sock.destroy(); resolve(got); }
    });
    sock.on('error', reject);
    sock.on('close', () => resolve(got));
  });
  assert.match(answer, /^HTTP\/1\.1 413 /);
});

test('large responses stream in pieces: memory stays bounded while a client does not read', async () => {
  const before = process.memoryUsage().arrayBuffers;
  const ac = new AbortController();
  const r = await get(`bytes/${64 * 1024 * 1024}?seed=3`, { signal: ac.signal });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), String(64 * 1024 * 1024));
  const reader = r.body.getReader();
  const first = await reader.read(); // then stop reading
  assert.ok(first.value.length > 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await get('health')).status, 200); // the event loop is free
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 24 * 1024 * 1024, `buffers grew by ${grown} bytes for an unread 64 MiB response`);
  ac.abort();
});

test('at most MAX_HEAVY large requests at a time; others get 503 and retry-after', async () => {
  const acs = [];
  const open = [];
  for (let i = 0; i < MAX_HEAVY; i++) {
    const ac = new AbortController();
    acs.push(ac);
    open.push(await get(`bytes/${8 * 1024 * 1024}?i=${i}`, { signal: ac.signal }));
  }
  assert.ok(open.every((r) => r.status === 200));
  const busy = await get(`bytes/${8 * 1024 * 1024}`);
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get('retry-after'), '1');
  assert.equal((await get('bytes/100')).status, 200); // small ones are not capped
  for (const ac of acs) ac.abort();
  let again;
  for (let i = 0; i < 100; i++) {
    again = await get(`bytes/${128 * 1024}`);
    if (again.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(again.status, 200);
  assert.equal((await again.arrayBuffer()).byteLength, 128 * 1024);
});
