// WebSocket as async streams on the runtime: connect, send (waiting while
// the socket's send buffer is above a high-water mark), receive / `for
// await` over messages from a bounded buffer, close codes.
//
//   const ws = yield connectWebSocket('ws://127.0.0.1:8080/chat');   // generator task
//   yield ws.send('hello');
//   for await (const msg of ws) console.log(msg);                    // async task
//   yield ws.close(1000, 'bye');
//
// The socket: the host's WebSocket (browsers, Node 22+), or on Node 20,
// which has no stable global one, ws_node.js (a small RFC 6455 client on a
// Node's http upgrade; no runtime dependency). Backpressure on receive: at
// most maxQueue messages wait in the buffer; under Node the socket then
// stops reading (TCP pushes back on the sender); browsers cannot pause a
// WebSocket, so there the connection closes with 1009 if twice maxQueue
// messages pile up. Cancelling receive() withdraws it (no message is
// lost); leaving a `for await` early, or cancelling the task in it,
// closes the socket (1000); cancelling connect closes what it opened.
import { runtimeOf } from './defaults.js';
import { Queue } from './queue.js';
import { CancelledError, QueueShutDown } from './errors.js';
import { checkOptions } from './options.js';
import { openSocket } from './ws_open.js';

const CONNECT_OPTIONS = ['protocols', 'signal', 'maxQueue', 'highWaterMark', 'headers', 'runtime'];

/** Why a WebSocket closed: { code, reason, wasClean }. */
export class WebSocketClosed {
  constructor(code, reason, wasClean) {
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
  }
}

/** One WebSocket connection (client or server side). */
export class WebSocketConnection {
  /** @internal */
  constructor(rt, sock, { maxQueue = 64, highWaterMark = 1 << 20 } = {}) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._sock = sock;
    /** @internal */ this._q = new Queue({ maxsize: maxQueue, runtime: rt });
    /** @internal messages past a full buffer */ this._overflow = [];
    /** @internal */ this._max = maxQueue;
    /** @internal */ this._hwm = highWaterMark;
    /** @internal */ this._ended = false;
    /** The negotiated subprotocol ('' if none). */
    this.protocol = sock.protocol ?? '';
    /** @type {WebSocketClosed | null} set once closed */
    this.closeInfo = null;
    let closedResolve;
    /** Resolves with a WebSocketClosed once the connection is closed. */
    this.closed = new Promise((r) => { closedResolve = r; });
    sock.binaryType = 'arraybuffer';
    sock.onmessage = (ev) => this._onMessage(ev.data);
    sock.onerror = () => {}; // the close that follows says what happened
    sock.onclose = (ev) => {
      this.closeInfo = new WebSocketClosed(ev.code, ev.reason ?? '', !!ev.wasClean);
      this._ended = true;
      this._refill();
      closedResolve(this.closeInfo);
    };
    // what came between the open and now (the connecting task resumed later)
    const early = sock._early ?? [];
    sock._early = [];
    for (const data of early) this._onMessage(data);
    if (sock._earlyClose) sock.onclose(sock._earlyClose);
  }

  /** @internal */
  _onMessage(data) {
    const msg = typeof data === 'string' ? data : new Uint8Array(data);
    if (this._overflow.length === 0 && !this._q.full()) {
      this._q.putNowait(msg);
      return;
    }
    this._overflow.push(msg);
    if (typeof this._sock.pause === 'function') this._sock.pause();
    else if (this._overflow.length > this._max) this._sock.close(1009, 'the receive buffer is full');
  }

  /** @internal move waiting messages into the buffer; end it once closed and drained */
  _refill() {
    while (this._overflow.length && !this._q.full()) this._q.putNowait(this._overflow.shift());
    if (!this._overflow.length) {
      if (this._ended) this._q.shutdown();
      else this._sock.resume?.();
    }
  }

  /** Messages waiting in the receive buffer. */
  get buffered() {
    return this._q.qsize() + this._overflow.length;
  }

  /** Bytes sent and not yet on the wire. */
  get bufferedAmount() {
    return this._sock.bufferedAmount;
  }

  /**
   * The next message (a string, or a Uint8Array for binary), or null once
   * the connection is closed and every message was taken. A Task: await
   * it from either task style; cancelling it takes nothing.
   * @param {{ signal?: AbortSignal }} [options]
   */
  receive(options) {
    const o = checkOptions('ws.receive(options)', options, ['signal']);
    const self = this;
    // the signal cancels the Task (a generator task's `yield op` does not
    // watch the op's own signal)
    return this._rt.createTask(function* receive() {
      try {
        const m = yield self._q.get();
        self._refill();
        return m;
      } catch (e) {
        if (e instanceof QueueShutDown) return null;
        throw e;
      }
    }, { signal: o.signal, name: 'WebSocket receive' });
  }

  /**
   * Send a message (string: text, bytes: binary). Waits first while more
   * than highWaterMark bytes wait to be sent. A Task.
   * @param {string | ArrayBuffer | ArrayBufferView} data
   */
  send(data) {
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      throw new TypeError('ws.send(data): data must be a string, an ArrayBuffer or a typed array');
    }
    const self = this;
    const rt = this._rt;
    return rt.createTask(function* send() {
      while (self._sock.bufferedAmount > self._hwm && !self.closeInfo) {
        // Node's socket says when it drained; browsers have no event for it
        yield typeof self._sock.drained === 'function' ? self._sock.drained() : rt.sleep(10);
      }
      if (self.closeInfo || self._sock.readyState !== 1) throw new TypeError(`ws.send: the connection is closed${self.closeInfo ? ` (${self.closeInfo.code})` : ''}`);
      self._sock.send(data);
    });
  }

  /**
   * Close with a code (1000, or 3000-4999) and a reason; resolves with the
   * WebSocketClosed once the connection is closed.
   * @param {number} [code]
   * @param {string} [reason]
   */
  close(code = 1000, reason = '') {
    if (code !== 1000 && code !== 1001 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new RangeError('ws.close(code, reason): code must be 1000, 1001 or in [3000, 4999]');
    }
    if (typeof reason !== 'string' || new TextEncoder().encode(reason).length > 123) throw new RangeError('ws.close(code, reason): reason must be a string of at most 123 bytes');
    if (!this.closeInfo) this._sock.close(code, reason);
    return this.closed;
  }

  /**
   * Messages until the connection closes; leaving the loop early, or
   * cancelling the task in it, closes the connection (1000). next()
   * returns a Task (not an async generator's promise), so an async task
   * in `for await` awaits a runtime Task and its cancellation reaches the
   * pending receive.
   */
  [Symbol.asyncIterator]() {
    const self = this;
    const rt = this._rt;
    let finished = false;
    const end = (value) => ({ value, done: true });
    return {
      next() {
        if (finished) return Promise.resolve(end(undefined));
        const t = rt.createTask(function* next() {
          const m = yield self.receive();
          if (m === null) {
            finished = true;
            return end(undefined);
          }
          return { value: m, done: false };
        }, { name: 'WebSocket next' });
        // cancelled (perhaps before it ran) or failed: the loop is over
        t.addDoneCallback(() => {
          if (!t.cancelled() && !t.exception()) return;
          finished = true;
          if (!self.closeInfo) self._sock.close(1000, '');
        });
        return t;
      },
      return(value) {
        finished = true;
        return rt.createTask(function* close() {
          if (!self.closeInfo) yield self.close(1000, '');
          return end(value);
        }, { name: 'WebSocket close' });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }

  async [Symbol.asyncDispose]() {
    if (!this.closeInfo) await this.close();
  }
}

/**
 * Open a WebSocket connection: a Task resolving to a WebSocketConnection.
 * options: protocols, signal, maxQueue (messages buffered, default 64),
 * highWaterMark (bytes waiting to be sent before send() waits, default 1
 * MiB), headers (Node only), runtime.
 * @param {string | URL} url ws: or wss:
 * @param {object} [options]
 */
export function connectWebSocket(url, options) {
  const where = 'connectWebSocket(url, options)';
  const o = checkOptions(where, options, CONNECT_OPTIONS);
  const rt = runtimeOf(o, where);
  const u = new URL(String(url));
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`${where}: url must be ws: or wss:`);
  const maxQueue = o.maxQueue ?? 64;
  if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new RangeError(`${where}: options.maxQueue must be an integer >= 1`);
  const highWaterMark = o.highWaterMark ?? 1 << 20;
  if (typeof highWaterMark !== 'number' || !(highWaterMark >= 0)) throw new RangeError(`${where}: options.highWaterMark must be a number >= 0`);
  const protocols = o.protocols ?? [];
  if (!Array.isArray(protocols)) throw new TypeError(`${where}: options.protocols must be an array of strings`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError(`${where}: options.signal must be an AbortSignal`);
  return rt.createTask(function* connect() {
    // aborted before this task ran: the listener below would never fire
    if (o.signal?.aborted) throw new CancelledError('connect was aborted', { cause: o.signal.reason });
    const ac = new AbortController();
    const onAbort = () => ac.abort(o.signal.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const opening = openSocket(u.href, protocols, ac.signal, o.headers);
    try {
      const sock = yield opening;
      return new WebSocketConnection(rt, sock, { maxQueue, highWaterMark });
    } catch (e) {
      // cancelled: abort the attempt, and close the socket should it open anyway
      ac.abort();
      opening.then((s) => s.close(1001, ''), () => {});
      if (o.signal?.aborted && !(e instanceof CancelledError)) throw new CancelledError('connect was aborted', { cause: e });
      throw e;
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  }, { name: `WebSocket ${u.href}` });
}
