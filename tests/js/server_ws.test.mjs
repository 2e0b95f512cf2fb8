// The dev server's WebSocket endpoints (web/ws_endpoints.mjs): echo and
// chat from the package's own client, and the refusals that keep a server
// left running safe (other origins, other host names, unknown paths), with
// raw handshakes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../../web/server.mjs';
import { run, connectWebSocket } from '../../bindings/index.js';

let srv;
before(async () => { srv = await startServer({ port: 0 }); });
after(async () => { await srv?.close(); });

const wsUrl = (path) => srv.url.replace('http', 'ws') + path;

/** A raw upgrade request; resolves to the first line of the answer. */
function handshake(path, headers = {}) {
  const { port } = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const c = net.connect(Number(port), '127.0.0.1');
    let got = '';
    c.on('data', (d) => {
      got += d;
      if (got.includes('\r\n')) {
        c.destroy();
        resolve(got.split('\r\n')[0]);
      }
    });
    c.on('error', reject);
    const h = { Host: `127.0.0.1:${port}`, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', ...headers };
    c.write(`GET ${path} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  });
}

test('/ws/echo: text and binary back as sent; "close CODE REASON" closes with them', async () => {
  const out = await run(async () => {
    const ws = await connectWebSocket(wsUrl('ws/echo'));
    await ws.send('hi');
    const text = await ws.receive();
    await ws.send(new Uint8Array([7, 8]));
    const bytes = [...(await ws.receive())];
    await ws.send('close 4002 go away');
    const end = await ws.receive();
    return { text, bytes, end, info: ws.closeInfo };
  });
  assert.deepEqual([out.text, out.bytes, out.end], ['hi', [7, 8], null]);
  assert.deepEqual([out.info.code, out.info.reason], [4002, 'go away']);
});

test('/ws/chat: joins, messages to everyone in the room (not other rooms), leaves; binary closes 1003', async () => {
  const out = await run(async () => {
    const a = await connectWebSocket(wsUrl('ws/chat?room=r1&name=ann'));
    const other = await connectWebSocket(wsUrl('ws/chat?room=r2&name=zoe'));
    const seen = async (ws) => JSON.parse(await ws.receive());
    const log = [await seen(a)]; // ann joined
    const b = await connectWebSocket(wsUrl('ws/chat?room=r1&name=bob'));
    log.push(await seen(a)); // bob joined
    await b.send('hello');
    log.push(await seen(a));
    await b.send(new Uint8Array([1]));
    await b.closed;
    log.push(await seen(a)); // bob left
    const zoe = [await seen(other)]; // only her own join
    await a.close();
    await other.close();
    return { log, zoe, bInfo: b.closeInfo };
  });
  assert.deepEqual(out.log.map((m) => [m.type, m.name ?? m.from, m.text ?? m.members.join()]), [
    ['join', 'ann', 'ann'], ['join', 'bob', 'ann,bob'], ['message', 'bob', 'hello'], ['leave', 'bob', 'ann'],
  ]);
  assert.deepEqual(out.zoe.map((m) => m.type), ['join']);
  assert.equal(out.bInfo.code, 1003);
});

test('refused: another origin (403), another host name (404), an unknown path (404), a plain GET (not an upgrade)', async () => {
  const { port } = new URL(srv.url);
  assert.equal(await handshake('/ws/echo', { Origin: `http://127.0.0.1:${port}` }), 'HTTP/1.1 101 Switching Protocols');
  assert.equal(await handshake('/ws/echo', { Origin: 'http://evil.example' }), 'HTTP/1.1 403 Forbidden');
  assert.equal(await handshake('/ws/echo', { Origin: 'not a url' }), 'HTTP/1.1 403 Forbidden');
  assert.equal(await handshake('/ws/echo', { Host: `rebound.example:${port}` }), 'HTTP/1.1 404 Not Found');
  assert.equal(await handshake('/ws/nowhere'), 'HTTP/1.1 404 Not Found');
  assert.equal(await handshake('/ws/echo', { 'Sec-WebSocket-Version': '8' }), 'HTTP/1.1 400 Bad Request');
  assert.equal((await fetch(srv.url + 'ws/echo')).status, 404);
});

test('closing the server ends its open WebSockets (close() does not hang on them)', async () => {
  const own = await startServer({ port: 0 });
  const info = await run(async () => {
    const ws = await connectWebSocket(own.url.replace('http', 'ws') + 'ws/echo');
    await own.close();
    return ws.closed;
  });
  assert.equal(info.wasClean, false);
});
