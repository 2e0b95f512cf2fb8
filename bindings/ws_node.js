// A minimal WebSocket endpoint (RFC 6455) on a Node's net socket, for Node
// 20, which has no stable global WebSocket: the client side (over a
// Node's http upgrade request) and the server side (web.js's upgrade). It
// speaks the subset of the browser's WebSocket that websocket.js uses
// (onopen / onmessage / onclose / onerror, send, close, bufferedAmount,
// readyState), plus pause()/resume() so a full receive buffer stops
// reading from the socket (TCP backpressure), which browsers cannot do.
// Limits: no extensions (no permessage-deflate), messages up to
// maxMessage bytes (default 16 MiB; larger ones close with 1009).

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 section 1.3
const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

function node(name) {
  const m = typeof process === 'object' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(name) : null;
  if (!m) throw new TypeError(`WebSocket under Node needs Node 20.16 or newer (${name})`);
  return m;
}

/** Sec-WebSocket-Accept for a key. */
export function acceptKey(key) {
  return node('crypto').createHash('sha1').update(key + GUID).digest('base64');
}

/** One end of a WebSocket connection over an upgraded socket. */
export class NodeWebSocket {
  /**
   * @param {any} socket a net.Socket
   * @param {Buffer} head bytes already read past the handshake
   * @param {{ client: boolean, protocol?: string, url?: string, maxMessage?: number }} o
   */
  constructor(socket, head, o) {
    this._socket = socket;
    this._client = o.client;
    this.protocol = o.protocol ?? '';
    this.url = o.url ?? '';
    this._max = o.maxMessage ?? 16 * 1024 * 1024;
    this.readyState = OPEN;
    this.binaryType = 'arraybuffer';
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this._buf = Buffer.alloc(0);
    this._frag = null; // { opcode, parts, size } while a fragmented message comes
    this._closeSent = false;
    this._closeInfo = null;
    this._closeTimer = null;
    this._decoder = new TextDecoder('utf-8', { fatal: true });
    /** messages (and the close) that came before anyone listened: websocket.js replays them */
    this._early = [];
    this._earlyClose = null;
    socket.setNoDelay(true);
    socket.on('data', (d) => this._onData(d));
    socket.on('error', (e) => this._fail(e));
    socket.on('close', () => this._finish());
    if (head && head.length) queueMicrotask(() => this._onData(head));
  }

  /** Bytes handed to the socket and not yet sent. */
  get bufferedAmount() {
    return this._socket.writableLength;
  }

  /** Stop reading from the socket (the peer's sends back up over TCP). */
  pause() {
    this._socket.pause();
  }

  resume() {
    this._socket.resume();
  }

  /** Resolves once the socket's send buffer has drained (or it closed). */
  drained() {
    const s = this._socket;
    if (!s.writableNeedDrain || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { s.off('drain', done); s.off('close', done); resolve(); };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  send(data) {
    if (this.readyState !== OPEN) throw new TypeError('WebSocket.send: the socket is not open');
    if (typeof data === 'string') this._frame(1, Buffer.from(data, 'utf8'));
    else if (data instanceof ArrayBuffer) this._frame(2, Buffer.from(data));
    else if (ArrayBuffer.isView(data)) this._frame(2, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else throw new TypeError('WebSocket.send: data must be a string, an ArrayBuffer or a typed array');
  }

  close(code = 1000, reason = '') {
    if (this.readyState >= CLOSING) return;
    this.readyState = CLOSING;
    this._sendClose(code, reason);
    // the peer answers with its close frame, then we end; do not wait forever
    this._closeTimer ??= setTimeout(() => this._socket.destroy(), 5000);
    this._closeTimer.unref?.();
  }

  _sendClose(code, reason) {
    if (this._closeSent) return;
    this._closeSent = true;
    const r = Buffer.from(reason, 'utf8').subarray(0, 123);
    const p = Buffer.alloc(2 + r.length);
    p.writeUInt16BE(code, 0);
    r.copy(p, 2);
    this._frame(8, code === 1005 ? Buffer.alloc(0) : p);
  }

  _frame(opcode, payload) {
    const n = payload.length;
    const maskLen = this._client ? 4 : 0;
    const head = Buffer.alloc(2 + (n < 126 ? 0 : n < 65536 ? 2 : 8) + maskLen);
    head[0] = 0x80 | opcode;
    let at = 2;
    if (n < 126) head[1] = n;
    else if (n < 65536) { head[1] = 126; head.writeUInt16BE(n, 2); at = 4; }
    else { head[1] = 127; head.writeBigUInt64BE(BigInt(n), 2); at = 10; }
    let body = payload;
    if (this._client) {
      head[1] |= 0x80;
      const mask = node('crypto').randomBytes(4);
      mask.copy(head, at);
      body = Buffer.alloc(n);
      for (let i = 0; i < n; i++) body[i] = payload[i] ^ mask[i & 3];
    }
    if (this._socket.destroyed) return;
    this._socket.write(head);
    if (n) this._socket.write(body);
  }

  /** A protocol error: close with code, then drop the connection. */
  _protocolError(code, why) {
    this._closeInfo ??= { code, reason: why, wasClean: false };
    this._sendClose(code, why);
    this.readyState = CLOSING;
    this._socket.end();
    setTimeout(() => this._socket.destroy(), 1000).unref?.();
  }

  _onData(d) {
    this._buf = this._buf.length ? Buffer.concat([this._buf, d]) : d;
    while (this.readyState !== CLOSED) {
      const b = this._buf;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        const big = b.readBigUInt64BE(2);
        if (big > BigInt(this._max)) return this._protocolError(1009, 'message too big');
        len = Number(big);
        at = 10;
      }
      if ((b[0] & 0x70) !== 0) return this._protocolError(1002, 'reserved bits set (no extensions were agreed)');
      if (masked === this._client) return this._protocolError(1002, this._client ? 'a server must not mask frames' : 'a client must mask frames');
      if (len > this._max) return this._protocolError(1009, 'message too big');
      const need = at + (masked ? 4 : 0) + len;
      if (b.length < need) return;
      let payload = b.subarray(at + (masked ? 4 : 0), need);
      if (masked) {
        const mask = b.subarray(at, at + 4);
        payload = Buffer.from(payload);
        for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      }
      this._buf = b.subarray(need);
      this._onFrame(fin, opcode, payload);
    }
  }

  _onFrame(fin, opcode, payload) {
    if (opcode >= 8) {
      if (!fin || payload.length > 125) return this._protocolError(1002, 'bad control frame');
      if (opcode === 8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        let reason = '';
        try {
          reason = this._decoder.decode(payload.subarray(2));
        } catch {
          return this._protocolError(1007, 'close reason is not UTF-8');
        }
        this._closeInfo ??= { code, reason, wasClean: true };
        this._sendClose(code === 1005 ? 1000 : code, reason); // echo it
        this.readyState = CLOSING;
        this._socket.end();
        // a server's socket is half-open after end(): a peer that never
        // ends its side must not keep it (and the server's close) forever
        this._closeTimer ??= setTimeout(() => this._socket.destroy(), 5000);
        this._closeTimer.unref?.();
        return;
      }
      if (opcode === 9) this._frame(10, payload); // ping -> pong
      return;
    }
    if (opcode === 0) {
      if (!this._frag) return this._protocolError(1002, 'continuation without a message');
      this._frag.parts.push(payload);
      this._frag.size += payload.length;
      if (this._frag.size > this._max) return this._protocolError(1009, 'message too big');
      if (!fin) return;
      const { opcode: op, parts } = this._frag;
      this._frag = null;
      return this._deliver(op, Buffer.concat(parts));
    }
    if (opcode !== 1 && opcode !== 2) return this._protocolError(1002, `unknown opcode ${opcode}`);
    if (this._frag) return this._protocolError(1002, 'a new message inside a fragmented one');
    if (!fin) {
      this._frag = { opcode, parts: [payload], size: payload.length };
      return;
    }
    this._deliver(opcode, payload);
  }

  _deliver(opcode, payload) {
    let data;
    if (opcode === 1) {
      try {
        data = this._decoder.decode(payload);
      } catch {
        return this._protocolError(1007, 'a text message is not UTF-8');
      }
    } else {
      data = payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength);
    }
    if (this.onmessage) this.onmessage({ data });
    else this._early.push(data);
  }

  _fail(e) {
    this._closeInfo ??= { code: 1006, reason: e?.message ?? 'connection error', wasClean: false };
    this.onerror?.({ error: e });
  }

  _finish() {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    clearTimeout(this._closeTimer);
    const info = this._closeInfo ?? { code: 1006, reason: 'the connection was lost', wasClean: false };
    if (this.onclose) this.onclose(info);
    else this._earlyClose = info;
  }
}

/**
 * Connect as a client (Node): resolves to an open NodeWebSocket.
 * @param {string} url ws: or wss:
 * @param {{ protocols?: string[], signal?: AbortSignal, maxMessage?: number, headers?: Record<string, string> }} o
 */
export function connectNode(url, o) {
  const u = new URL(url);
  const secure = u.protocol === 'wss:';
  const mod = node(secure ? 'https' : 'http');
  const key = node('crypto').randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const headers = {
      ...(o.headers ?? {}),
      connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13',
    };
    if (o.protocols?.length) headers['sec-websocket-protocol'] = o.protocols.join(', ');
    const req = mod.request({
      hostname: u.hostname, port: u.port || (secure ? 443 : 80), path: u.pathname + u.search, headers, signal: o.signal,
    });
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== acceptKey(key)) {
        socket.destroy();
        reject(new Error(`WebSocket ${url}: the server's handshake is wrong`));
        return;
      }
      resolve(new NodeWebSocket(socket, head, { client: true, protocol: res.headers['sec-websocket-protocol'], url, maxMessage: o.maxMessage }));
    });
    req.on('response', (res) => {
      res.resume();
      reject(new Error(`WebSocket ${url}: the server answered HTTP ${res.statusCode} instead of switching protocols`));
    });
    req.on('error', (e) => reject(e));
    req.end();
  });
}

/**
 * Answer an upgrade request (server side): returns the open NodeWebSocket,
 * or null after answering 400 to a request that is not a WebSocket
 * handshake.
 * @param {any} req an http.IncomingMessage
 * @param {any} socket a net.Socket
 * @param {Buffer} head
 */
export function acceptNode(req, socket, head, o = {}) {
  const key = req.headers['sec-websocket-key'];
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !key || req.headers['sec-websocket-version'] !== '13') {
    socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\n\r\nnot a WebSocket handshake\n');
    return null;
  }
  const wanted = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const protocol = o.protocols?.find((p) => wanted.includes(p));
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`);
  return new NodeWebSocket(socket, head, { client: false, protocol, url: req.url, maxMessage: o.maxMessage });
}
