// fetch from JS tasks on the runtime, against the local test server: both
// task styles, cancellation aborting the host request, timeouts, streamed
// bodies, resets, and nothing left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, gather, sleep, fetch, runtime, FetchResponse, CancelledError, TimeoutError, WasyncioError,
} from '../../bindings/index.js';
import { startServer } from '../../web/server.mjs';

let srv;
before(async () => { srv = await startServer({ port: 0 }); });
after(async () => { await srv?.close(); });

const waitFor = async (cond, ms = 2000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
};

test('generator task: fetch, status, headers, json', async () => {
  const res = await run(function* () {
    const r = yield fetch(srv.url + 'json');
    assert.ok(r instanceof FetchResponse);
    assert.equal(r.status, 200);
    assert.ok(r.ok);
    assert.match(r.headers.get('content-type'), /application\/json/);
    return yield r.json();
  });
  assert.equal(typeof res, 'object');
});

test('async task: POST echo with headers and a body', async () => {
  const out = await run(async () => {
    const r = await fetch(srv.url + 'echo', { method: 'POST', headers: { 'x-test': 'yes' }, body: 'héllo' });
    return r.json();
  });
  assert.equal(out.method, 'POST');
  assert.equal(out.headers['x-test'], 'yes');
  assert.equal(out.body, 'héllo');
});

test('HTTP error statuses are responses, not errors', async () => {
  await run(function* () {
    const r = yield fetch(srv.url + 'status/404');
    assert.equal(r.status, 404);
    assert.equal(r.ok, false);
    r.close();
  });
});

test('20 fetches of /delay/100 in parallel: in flight together at the server', async () => {
  const tag = 'par-' + Math.random();
  const t0 = performance.now();
  await run(function* () {
    const ts = [];
    for (let i = 0; i < 20; i++) ts.push(createTask(function* () { const r = yield fetch(srv.url + `delay/100?tag=${tag}`); yield r.text(); return r.status; }));
    const statuses = yield gather(ts);
    assert.deepEqual(new Set(statuses), new Set([200]));
  });
  const dt = performance.now() - t0;
  assert.ok(dt >= 99, `took ${dt} ms`);
  // concurrency as an outcome (how fast is a timing claim: bench/)
  assert.ok(srv.stats(tag).maxActive >= 2, JSON.stringify(srv.stats(tag)));
});

test('cancelling the task aborts the request: the server sees the connection closed', async () => {
  const tag = 'cancel-' + Math.random();
  await run(function* () {
    const t = createTask(function* () { yield fetch(srv.url + `delay/5000?tag=${tag}`); });
    yield sleep(50);
    t.cancel();
    try { yield t; assert.fail(); } catch (e) { assert.ok(e instanceof CancelledError); }
  });
  assert.ok(await waitFor(() => srv.stats(tag).aborted === 1), JSON.stringify(srv.stats(tag)));
});

test('async task: the task signal aborts a fetch', async () => {
  const tag = 'sig-' + Math.random();
  await run(async () => {
    const t = createTask(async (task) => fetch(srv.url + `delay/5000?tag=${tag}`, { signal: task.signal }));
    await sleep(50);
    t.cancel('bye');
    await assert.rejects(t, CancelledError);
  });
  assert.ok(await waitFor(() => srv.stats(tag).aborted === 1));
});

test('a timeout aborts a slow request with TimeoutError', async () => {
  const tag = 'timeout-' + Math.random();
  await run(function* () {
    const t0 = performance.now();
    try {
      yield fetch(srv.url + `delay/5000?tag=${tag}`, { timeout: 50 });
      assert.fail();
    } catch (e) {
      assert.ok(e instanceof TimeoutError, String(e));
    }
    assert.ok(performance.now() - t0 < 5000);
  });
  assert.ok(await waitFor(() => srv.stats(tag).aborted === 1));
});

test('streamed body: chunks as they arrive (generator read loop and for await)', async () => {
  await run(function* () {
    const r = yield fetch(srv.url + 'drip?numbytes=40&duration=100&chunks=4');
    let total = 0;
    let chunks = 0;
    for (;;) {
      const c = yield r.read();
      if (c === null) break;
      total += c.length;
      chunks++;
    }
    assert.equal(total, 40);
    assert.ok(chunks >= 2, `got ${chunks} chunks`);
    r.close();
  });
  await run(async () => {
    const r = await fetch(srv.url + 'bytes/100000');
    let total = 0;
    for await (const c of r) total += c.length;
    assert.equal(total, 100000);
  });
});

test('cancellation in the middle of a streamed body releases the reader', async () => {
  const tag = 'mid-' + Math.random();
  await run(function* () {
    const t = createTask(function* () {
      const r = yield fetch(srv.url + `drip?numbytes=100&duration=5000&chunks=50&tag=${tag}`);
      try {
        for (;;) if ((yield r.read()) === null) break;
      } finally {
        r.close(); // a cancelled read does not end the response: close it
      }
    });
    yield sleep(300);
    t.cancel();
    try { yield t; } catch (e) { assert.ok(e instanceof CancelledError); }
  });
  assert.ok(await waitFor(() => srv.stats(tag).aborted === 1), JSON.stringify(srv.stats(tag)));
  await waitFor(() => runtime.fetchStats().responses === 0);
  assert.deepEqual(runtime.fetchStats(), { responses: 0, pending: 0, hostHandles: 0 });
});

test('a connection reset mid-body rejects with ENETWORK', async () => {
  await run(function* () {
    const r = yield fetch(srv.url + 'reset');
    try {
      yield r.text();
      assert.fail('must fail');
    } catch (e) {
      assert.ok(e instanceof WasyncioError && e.codeName === 'ENETWORK', String(e));
    }
    r.close();
  }).catch((e) => {
    // some hosts fail the request itself, before the body
    assert.ok(e instanceof WasyncioError && e.codeName === 'ENETWORK', String(e));
  });
});

test('bad arguments are TypeError / RangeError naming the argument', () => {
  assert.throws(() => fetch(5), { name: 'TypeError', message: /fetch\(url\)/ });
  assert.throws(() => fetch('x', { redirect: 'maybe' }), { name: 'TypeError', message: /redirect/ });
  assert.throws(() => fetch('x', { timeout: -1 }), { name: 'RangeError', message: /timeout/ });
  assert.throws(() => fetch('x', { body: 42 }), { name: 'TypeError', message: /body/ });
  assert.throws(() => fetch('x', { headers: 5 }), { name: 'TypeError', message: /headers/ });
});

test('an invalid URL or method rejects with TypeError and sends nothing', async () => {
  await assert.rejects(run(function* () { yield fetch('not a url at all'); }), TypeError);
  await assert.rejects(run(function* () { yield fetch(srv.url, { method: 'CONNECT' }); }), TypeError);
});

test('1000 requests leave no response, reader or handle behind', async () => {
  await run(function* () {
    for (let round = 0; round < 10; round++) {
      const ts = [];
      for (let i = 0; i < 100; i++) {
        ts.push(createTask(function* () {
          const r = yield fetch(srv.url + 'bytes/256');
          if (i % 3 === 0) { r.close(); return 0; }
          return (yield r.bytes()).length;
        }));
      }
      yield gather(ts);
    }
  });
  await waitFor(() => runtime.fetchStats().responses === 0);
  assert.deepEqual(runtime.fetchStats(), { responses: 0, pending: 0, hostHandles: 0 });
  assert.equal(runtime.stats().opWaiters, 0);
});
