// WebSocket as async streams against a real server on 127.0.0.1 (WebApp's
// ws routes): both task styles, text and binary, close codes, bounded
// receive buffer with backpressure to the sender, cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  run, sleep, createTask, gather, WebApp, connectWebSocket, WebSocketConnection, CancelledError,
} from '../../bindings/index.js';

function chatApp(log = []) {
  const app = new WebApp();
  const room = new Set();
  app.ws('/echo', async (ws) => {
    for await (const m of ws) await ws.send(typeof m === 'string' ? `echo: ${m}` : m);
  });
  app.ws('/chat/{name}', function* (ws, req) {
    room.add(ws);
    try {
      for (;;) {
        const m = yield ws.receive();
        if (m === null) break;
        for (const peer of room) yield peer.send(`${req.params.name}: ${m}`);
      }
    } finally {
      room.delete(ws);
      log.push(`${req.params.name} left ${ws.closeInfo?.code}`);
    }
  });
  app.ws('/flood/{n}', function* (ws, req) {
    const n = Number(req.params.n);
    for (let i = 0; i < n; i++) {
      yield ws.send(new Uint8Array(64 * 1024).fill(i & 255));
      log.push(i);
    }
    yield ws.close(4000, 'flood done');
  });
  app.ws('/bye', async (ws) => { await ws.close(4001, 'see you'); });
  app.ws('/throws', async () => { throw new Error('handler bug'); });
  return app;
}

test('echo from a generator task and an async task: text and binary, close codes', async () => {
  await run(async () => {
    const server = await chatApp().listen();
    const base = server.url.replace('http', 'ws');
    const out = await createTask(function* () {
      const ws = yield connectWebSocket(`${base}echo`);
      assert.ok(ws instanceof WebSocketConnection);
      yield ws.send('hi');
      const a = yield ws.receive();
      yield ws.send(new Uint8Array([1, 2, 3]));
      const b = yield ws.receive();
      const closed = yield ws.close(1000, 'done');
      return { a, b: [...b], closed: [closed.code, closed.reason] };
    });
    assert.deepEqual(out, { a: 'echo: hi', b: [1, 2, 3], closed: [1000, 'done'] });
    const ws = await connectWebSocket(`${base}bye`);
    assert.equal(await ws.receive(), null);
    assert.deepEqual([ws.closeInfo.code, ws.closeInfo.reason, ws.closeInfo.wasClean], [4001, 'see you', true]);
    const bad = await connectWebSocket(`${base}throws`);
    assert.equal(await bad.receive(), null);
    assert.equal(bad.closeInfo.code, 1011);
    await assert.rejects(connectWebSocket(`${base}nope`), /HTTP 404/);
    await server.close();
  });
});

test('chat: messages go to everyone in the room, in order; leaving closes with 1000', async () => {
  const log = [];
  await run(async () => {
    const server = await chatApp(log).listen();
    const base = server.url.replace('http', 'ws');
    const ann = await connectWebSocket(`${base}chat/ann`);
    const bob = await connectWebSocket(`${base}chat/bob`);
    await sleep(20);
    await ann.send('hello');
    await bob.send('hi ann');
    const seen = { ann: [], bob: [] };
    for await (const m of ann) {
      seen.ann.push(m);
      if (seen.ann.length === 2) break; // leaving the loop closes the socket
    }
    for (let i = 0; i < 2; i++) seen.bob.push(await bob.receive());
    await bob.close();
    assert.deepEqual(seen, { ann: ['ann: hello', 'bob: hi ann'], bob: ['ann: hello', 'bob: hi ann'] });
    assert.equal(ann.closeInfo.code, 1000);
    while (log.length < 2) await sleep(5);
    await server.close();
  });
  assert.deepEqual(log.sort(), ['ann left 1000', 'bob left 1000']);
});

test('backpressure: a slow reader holds the sender back; nothing is lost', async () => {
  const log = [];
  await run(async () => {
    const server = await chatApp(log).listen();
    const ws = await connectWebSocket(`${server.url.replace('http', 'ws')}flood/200`, { maxQueue: 4 });
    await sleep(300); // not reading
    const sentWhileIdle = log.length;
    assert.ok(sentWhileIdle < 200, `the sender was held back (sent ${sentWhileIdle} of 200)`);
    let n = 0;
    for await (const m of ws) {
      assert.equal(m.length, 64 * 1024);
      assert.equal(m[0], n & 255);
      n++;
    }
    assert.equal(n, 200);
    assert.deepEqual([ws.closeInfo.code, ws.closeInfo.reason], [4000, 'flood done']);
    await server.close();
  });
});

test('cancellation: a cancelled receive takes nothing; a cancelled connect closes what it opened', async () => {
  await run(function* () {
    const server = yield chatApp().listen();
    const base = server.url.replace('http', 'ws');
    const ws = yield connectWebSocket(`${base}echo`);
    const r = ws.receive();
    yield sleep(10);
    r.cancel();
    try { yield r; } catch (e) { assert.ok(e instanceof CancelledError); }
    yield ws.send('after');
    assert.equal(yield ws.receive(), 'echo: after');
    yield ws.close();
    // a server that never answers the upgrade: cancel once the request is
    // surely there (its 'upgrade' event), so its socket is known and closed
    // here (Node's http server is allowHalfOpen: the client's FIN alone
    // would not close it, and silent.close() would wait for it forever)
    const silent = createServer();
    const upgraded = new Promise((res) => silent.once('upgrade', (req, sock) => {
      const ended = new Promise((ok) => sock.once('end', ok));
      sock.resume(); // read to the FIN
      res({ sock, ended });
    }));
    yield new Promise((res) => silent.listen(0, '127.0.0.1', res));
    const c = connectWebSocket(`ws://127.0.0.1:${silent.address().port}/`);
    const { sock, ended } = yield upgraded;
    c.cancel();
    try { yield c; assert.fail('connected'); } catch (e) { assert.ok(e instanceof CancelledError); }
    yield ended; // the client withdrew: it closed its side of the connection
    sock.destroy();
    yield new Promise((res) => silent.close(res));
    yield server.close();
  });
});

test('graceful shutdown closes open WebSockets with 1001; bad input is rejected', async () => {
  await run(async () => {
    const server = await chatApp().listen();
    const ws = await connectWebSocket(`${server.url.replace('http', 'ws')}chat/cy`);
    await sleep(10);
    await server.close({ deadline: 1000 });
    assert.equal(await ws.receive(), null);
    assert.equal(ws.closeInfo.code, 1001);
    await assert.rejects(ws.send('late'), /closed/);
  });
  assert.throws(() => connectWebSocket('http://x/'), /ws: or wss:/);
  assert.throws(() => connectWebSocket('ws://x/', { maxQueue: 0 }), RangeError);
  assert.throws(() => connectWebSocket('ws://x/', { protocol: 'x' }), /unknown option "protocol"/);
});

test('the handshake answers as RFC 6455 says (section 1.3 example), so real browsers and servers accept it', async () => {
  const { acceptKey } = await import('../../bindings/ws_node.js');
  assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('cancelling an async task in a for await over a WebSocket cancels its pending receive and closes the socket (1000)', async () => {
  const log = [];
  await run(async () => {
    const server = await chatApp(log).listen();
    const ws = await connectWebSocket(`${server.url.replace('http', 'ws')}chat/cat`);
    const got = [];
    let first;
    const firstSeen = new Promise((resolve) => { first = resolve; });
    const reader = createTask(async () => {
      for await (const m of ws) {
        got.push(m);
        first();
      }
      return 'the loop ended';
    });
    await ws.send('one');
    await firstSeen;
    // one loop turn: the reader is back at its await (a cancel that lands
    // between its step and the engine's then() on next()'s Task is only
    // delivered at its next runtime operation: a known limit of async tasks)
    await sleep(1);
    reader.cancel('enough');
    await assert.rejects(reader, (e) => e instanceof CancelledError);
    assert.equal((await ws.closed).code, 1000);
    while (log.length < 1) await sleep(5);
    await server.close();
    assert.deepEqual(got, ['cat: one']);
  });
  assert.deepEqual(log, ['cat left 1000']);
});

test('receive({ signal }) and connect({ signal }): aborting withdraws them, also before they started; no message is lost', async () => {
  await run(async () => {
    const server = await chatApp().listen();
    const ws = await connectWebSocket(`${server.url.replace('http', 'ws')}echo`);
    const outcomes = [];
    for (const when of ['at once', 'later']) {
      const ac = new AbortController();
      const pending = ws.receive({ signal: ac.signal }).then(() => 'received', (e) => e);
      if (when === 'later') await sleep(10);
      ac.abort();
      outcomes.push(await pending);
    }
    await ws.send('kept');
    assert.equal(await ws.receive(), 'echo: kept');
    await ws.close();
    const ac = new AbortController();
    const connecting = connectWebSocket(`${server.url.replace('http', 'ws')}echo`, { signal: ac.signal }).then(() => 'connected', (e) => e);
    ac.abort(); // before the connect task ran
    outcomes.push(await connecting);
    await server.close();
    assert.ok(outcomes.length === 3 && outcomes.every((e) => e instanceof CancelledError), String(outcomes));
  });
});
