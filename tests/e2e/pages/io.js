// The I/O of issue 17 in Chromium: the files API on OPFS from the page
// (async API) and from a module worker (sync access handles), and
// connectWebSocket() over the browser's own WebSocket against the dev
// server's /ws/ endpoints (web/ws_endpoints.mjs). Results go to
// window.results; the body gets data-done="true" at the end.
import {
  ready, run, createTask, sleep, connectWebSocket, WebSocketConnection, CancelledError,
} from '/bindings/index.js';
import { fileScenarios } from '/test-pages/io-files.js';

await ready();

const results = [];
window.results = results;
const out = document.getElementById('out');

function record(r) {
  results.push(r);
  out.textContent += `${r.ok ? 'ok' : 'FAILED'} ${r.name}${r.ok ? '' : '\n' + r.error}\n`;
}

async function check(name, fn) {
  try {
    await fn();
    record({ name, ok: true });
  } catch (e) {
    record({ name, ok: false, error: String((e && e.stack) || e) });
  }
}

function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }

// --- files: the page, then a worker -------------------------------------
await fileScenarios(check, 'page');

await new Promise((resolve) => {
  const w = new Worker('/test-pages/io-worker.js', { type: 'module' });
  w.onmessage = (ev) => {
    if (ev.data.name) record(ev.data);
    if (ev.data.done) { w.terminate(); resolve(); }
  };
  w.onerror = (ev) => {
    record({ name: 'worker', ok: false, error: 'worker error: ' + ev.message });
    resolve();
  };
});

// --- WebSocket ----------------------------------------------------------
const wsUrl = (path) => `ws://${location.host}${path}`;

await check('WebSocket: echo of text and binary, clean close (generator task)', async () => {
  const r = await run(function* () {
    const ws = yield connectWebSocket(wsUrl('/ws/echo'));
    assert(ws instanceof WebSocketConnection, 'a WebSocketConnection');
    yield ws.send('hello');
    const text = yield ws.receive();
    yield ws.send(new Uint8Array([1, 2, 3]));
    const bytes = yield ws.receive();
    const closed = yield ws.close(1000, 'done');
    return { text, bytes: [...bytes], isBytes: bytes instanceof Uint8Array, closed, after: yield ws.receive() };
  });
  assert(r.text === 'hello', r.text);
  assert(r.isBytes && JSON.stringify(r.bytes) === '[1,2,3]', JSON.stringify(r.bytes));
  assert(r.closed.code === 1000 && r.closed.wasClean, JSON.stringify(r.closed));
  assert(r.after === null, 'receive after the close: null');
});

await check('WebSocket: for await over messages ends at the server\'s close, with its code and reason (async task)', async () => {
  const r = await run(async () => {
    const ws = await connectWebSocket(wsUrl('/ws/echo'));
    for (const m of ['a', 'b', 'c', 'close 4001 bye']) await ws.send(m);
    const got = [];
    for await (const m of ws) got.push(m);
    return { got, info: ws.closeInfo };
  });
  assert(JSON.stringify(r.got) === '["a","b","c"]', JSON.stringify(r.got));
  assert(r.info.code === 4001 && r.info.reason === 'bye', JSON.stringify(r.info));
});

await check('WebSocket: cancelling the task in a for await closes the socket (the server sees it leave)', async () => {
  const room = 'cancel-' + Math.random().toString(36).slice(2);
  const r = await run(async () => {
    const a = await connectWebSocket(wsUrl(`/ws/chat?room=${room}&name=A`));
    const seen = [];
    const next = async () => { const m = JSON.parse(await a.receive()); seen.push(`${m.type}:${m.name ?? m.from}`); return m; };
    await next(); // A's own join
    const b = await connectWebSocket(wsUrl(`/ws/chat?room=${room}&name=B`));
    const got = [];
    let twoSeen;
    const two = new Promise((resolve) => { twoSeen = resolve; });
    const reader = createTask(async () => {
      for await (const m of b) {
        got.push(JSON.parse(m).type);
        if (got.length === 2) twoSeen();
      }
    });
    await next(); // B's join, as A sees it
    await a.send('hi');
    await next(); // A's message, back to A
    await two; // B has its join and A's message
    await sleep(1); // one loop turn: B's reader is back at its await
    reader.cancel();
    const cancelled = await reader.then(() => 'finished', (e) => e);
    await next(); // B left, as A sees it
    const bInfo = b.closeInfo ?? (await b.closed);
    await a.close();
    return { seen, got, cancelled, bInfo };
  });
  assert(r.cancelled instanceof CancelledError, String(r.cancelled));
  assert(JSON.stringify(r.seen) === '["join:A","join:B","message:A","leave:B"]', JSON.stringify(r.seen));
  assert(JSON.stringify(r.got) === '["join","message"]', JSON.stringify(r.got));
  assert(r.bInfo.code === 1000, JSON.stringify(r.bInfo));
});

await check('WebSocket: a cancelled receive takes nothing; a cancelled connect closes what it opened', async () => {
  const r = await run(async () => {
    const ws = await connectWebSocket(wsUrl('/ws/echo'));
    const ac = new AbortController();
    const pending = ws.receive({ signal: ac.signal }).then(() => 'received', (e) => e);
    ac.abort();
    const withdrawn = await pending;
    await ws.send('kept');
    const kept = await ws.receive();
    await ws.close();
    const ac2 = new AbortController();
    const connecting = connectWebSocket(wsUrl('/ws/echo'), { signal: ac2.signal }).then(() => 'connected', (e) => e);
    ac2.abort();
    const aborted = await connecting;
    return { withdrawn, kept, aborted };
  });
  assert(r.withdrawn instanceof CancelledError, String(r.withdrawn));
  assert(r.kept === 'kept', r.kept);
  assert(r.aborted instanceof CancelledError, String(r.aborted));
});

await check('WebSocket: bad input gets clear errors', async () => {
  await run(async () => {
    let e = await connectWebSocket(wsUrl('/ws/nowhere')).then(() => null, (x) => x);
    assert(e && /the connection failed/.test(e.message), String(e));
    const ws = await connectWebSocket(wsUrl('/ws/echo'));
    try { ws.close(999); e = null; } catch (x) { e = x; }
    assert(e instanceof RangeError && /code must be/.test(e.message), String(e));
    try { ws.send(42); e = null; } catch (x) { e = x; }
    assert(e instanceof TypeError, String(e));
    await ws.close();
    e = await ws.send('late').then(() => null, (x) => x);
    assert(e instanceof TypeError && /closed/.test(e.message), String(e));
  });
  let e = null;
  try { connectWebSocket(`http://${location.host}/ws/echo`); } catch (x) { e = x; }
  assert(e instanceof TypeError && /ws: or wss:/.test(e.message), String(e));
});

document.body.dataset.done = 'true';
