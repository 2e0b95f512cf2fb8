// The C WebSocket API (runtime/include/wasyncio/websocket.h) against real
// servers on 127.0.0.1: tests/c/programs/ws_client.c, compiled to wasm and
// run under Node (bindings/run-c.mjs), talks to WebApp's ws routes and to a
// raw upgrade server that stalls or vanishes. Natively it has no sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractBlocks } from '../docs/extract.mjs';
import { run, WebApp } from '../../bindings/index.js';
import { acceptNode } from '../../bindings/ws_node.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runC = root + 'bindings/run-c.mjs';
const program = 'build/wasm/ws_client.mjs';

/** WebApp routes the C client talks to; log records the flood's sends. */
function app(log) {
  const a = new WebApp();
  a.ws('/echo', async (ws) => {
    for await (const m of ws) await ws.send(typeof m === 'string' ? `echo: ${m}` : m);
  });
  a.ws('/bye', async (ws) => { await ws.close(4001, 'see you'); });
  a.ws('/flood/{n}', function* (ws, req) {
    const n = Number(req.params.n);
    for (let i = 0; i < n; i++) {
      yield ws.send(new Uint8Array(64 * 1024).fill(i & 255));
      log.push(i);
    }
    yield ws.close(4000, 'flood done');
  });
  return a;
}

/** A raw upgrade server: /stall never reads, /vanish sends one message and
 * drops the TCP connection, anything else is answered 404 (no upgrade). */
async function rawServer() {
  const sockets = new Set();
  const server = createServer((req, res) => res.writeHead(404).end('no WebSocket here'));
  server.on('upgrade', (req, socket, head) => {
    sockets.add(socket);
    if (req.url !== '/stall' && req.url !== '/vanish') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const ws = acceptNode(req, socket, head);
    if (!ws) return;
    if (req.url === '/stall') socket.pause();
    if (req.url === '/vanish') {
      ws.send('last words');
      socket.end(() => socket.destroy());
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

/** Run the program; onLine(line) sees its output as it comes. */
function runProgram(args, onLine = () => {}, glue = program) {
  return new Promise((resolve) => {
    const child = spawn('node', ['--no-warnings', runC, glue, ...args], { cwd: root });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (d) => {
      out += d;
      partial += d;
      let i;
      while ((i = partial.indexOf('\n')) >= 0) {
        onLine(partial.slice(0, i));
        partial = partial.slice(i + 1);
      }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Run scenario against a WebApp (and a raw server); returns the output. */
async function scenario(name, { raw = false, onLine, log = [] } = {}) {
  let result;
  await run(async () => {
    const server = raw ? await rawServer() : await app(log).listen();
    const base = raw ? server.url : server.url.replace('http', 'ws');
    try {
      result = await runProgram([name, base], onLine);
    } finally {
      await server.close();
    }
  });
  assert.equal(result.code, 0, `${name}: ${result.out}${result.err}`);
  assert.doesNotMatch(result.out, /FAILED/);
  return result.out;
}

test('natively there are no sockets: connect is WA_EHOST; bad arguments are WA_EINVAL', () => {
  for (const dir of ['native', 'native-asan']) {
    const r = spawnSync(root + `build/${dir}/ws_client`, ['args'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, 'bad arguments: WA_EINVAL\nconnect: WA_EHOST\n');
  }
});

test('wasm under Node: bad arguments are WA_EINVAL; a closed port is WA_ENETWORK', async () => {
  const r = await runProgram(['args']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.out, 'bad arguments: WA_EINVAL\nconnect: WA_ENETWORK\n');
});

test('echo: text and binary round trips, close code and reason, a closed socket says WA_ESHUTDOWN', async () => {
  assert.equal(await scenario('echo'), [
    'text 1: echo: hi',
    'binary 1: 4 bytes 1 2 0 3',
    "closed 1000 'done' clean",
    'after close: send WA_ESHUTDOWN, receive WA_ESHUTDOWN',
    '',
  ].join('\n'));
});

test("the server's close code and reason reach C", async () => {
  assert.equal(await scenario('bye'), "closed 4001 'see you' clean\n");
});

test('cancelled receives take nothing; a cancelled connect leaves nothing behind', async () => {
  assert.equal(await scenario('cancel'), [
    'after cancelled receives: echo: one',
    'then: echo: two',
    'stats: sockets 0 pending 0 host 0',
    '',
  ].join('\n'));
});

test('backpressure on receive: a full buffer holds the server back; every message comes, in order', async () => {
  const log = [];
  let sentWhileIdle = -1;
  const out = await scenario('flood', { log, onLine: (l) => { if (l.startsWith('idle')) sentWhileIdle = log.length; } });
  assert.match(out, /^idle with 4 buffered\nreceived 200 in order\nclosed 4000 'flood done' clean\n$/);
  assert.ok(sentWhileIdle >= 0 && sentWhileIdle < 200, `the sender was held back (sent ${sentWhileIdle} of 200)`);
});

test('backpressure on send: a send waits over the high-water mark, cancelling it withdraws it; order is kept', async () => {
  const raw = await rawServer();
  let result;
  await run(async () => {
    const server = await app([]).listen();
    result = await runProgram(['backpressure', raw.url, server.url.replace('http', 'ws')]);
    await server.close();
  });
  await raw.close();
  assert.equal(result.code, 0, result.out + result.err);
  assert.equal(result.out, "a send waits under backpressure\n8 sends echoed in order\nclosed 4002 'bp done' clean\n");
});

test('the server vanishing: what it sent is taken, then the end with 1006; an HTTP answer is WA_ENETWORK', async () => {
  assert.equal(await scenario('vanish', { raw: true }), [
    'before vanishing: last words',
    "closed 1006 'the connection was lost' unclean",
    'not a WebSocket server: WA_ENETWORK (with a message)',
    '',
  ].join('\n'));
});

test("README's C WebSocket example, built to wasm, talks to an echo server", async () => {
  const block = extractBlocks(join(root, 'README.md')).find((b) => b.lang === 'c' && b.code.includes('wa_ws_connect'));
  assert.ok(block, 'the README has a C WebSocket block');
  const dir = mkdtempSync(join(tmpdir(), 'wasyncio-cws-'));
  try {
    writeFileSync(join(dir, 'echo.c'), block.code);
    const built = await new Promise((resolve) => {
      const child = spawn('bash', [root + 'build.sh', 'cc', join(dir, 'echo.c'), '-o', join(dir, 'echo')], { cwd: root });
      let log = '';
      child.stdout.on('data', (d) => { log += d; });
      child.stderr.on('data', (d) => { log += d; });
      child.on('close', (code) => resolve({ code, log }));
    });
    assert.equal(built.code, 0, built.log);
    let result;
    await run(async () => {
      const server = await app([]).listen();
      result = await runProgram([`${server.url.replace('http', 'ws')}echo`], undefined, join(dir, 'echo.mjs'));
      await server.close();
    });
    assert.equal(result.code, 0, result.out + result.err);
    assert.equal(result.out, 'echo: hello\nclosed 1000 bye\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
