// An HTTP server under Node (aiohttp.web's shape): routes with parameters,
// handlers as tasks of the runtime (async functions, generator functions,
// or C coroutines of the runtime's module), request bodies and responses
// streamed, each request cancelled when its client goes away, and a
// graceful shutdown that waits for running handlers up to a deadline.
//
//   const app = new WebApp();
//   app.get('/hello/{name}', (req) => `Hello, ${req.params.name}`);
//   app.post('/upload', async (req) => { let n = 0; for await (const c of req) n += c.length; return { n }; });
//   app.get('/c/{name}', { c: 'hello_handler' });        // WA_EXPORT_CORO(hello_handler)
//   const server = await app.listen({ port: 8080 });
//   ...
//   await server.close({ deadline: 5000 });
//
// What a handler returns becomes the response: a string (text/plain), a
// Uint8Array (application/octet-stream), undefined (204), a WebResponse
// (status, headers, and a body that may be an async iterable, written as
// it comes with backpressure), or any other value as JSON. Throwing
// HttpError(status) answers that status; any other error answers 500 and
// is reported to onError. Node's http is taken with process.getBuiltinModule
// when listen() is called: outside Node, listen() throws a clear error.
import { runtimeOf } from './defaults.js';
import { CancelledError } from './errors.js';
import { isGeneratorFunction, isThenable } from './kinds.js';
import { checkOptions } from './options.js';
import { acceptNode } from '#platform';
import { WebSocketConnection } from './websocket.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Answer with an HTTP error status from a handler: `throw new HttpError(404, 'no such item')`. */
export class HttpError extends Error {
  /** @param {number} status @param {string} [message] @param {ErrorOptions} [options] */
  constructor(status, message, options) {
    super(message ?? `HTTP ${status}`, options);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError('new HttpError(status): status must be an integer in [400, 599]');
    this.status = status;
  }
}
Object.defineProperty(HttpError.prototype, 'name', { value: 'HttpError', writable: true, configurable: true });

/** A response with a status, headers and a body (string, bytes, or an (async) iterable of them: streamed). */
export class WebResponse {
  /**
   * @param {any} [body]
   * @param {{ status?: number, headers?: Record<string, string> }} [init]
   */
  constructor(body, init) {
    const o = checkOptions('new WebResponse(body, init)', init, ['status', 'headers']);
    const status = o.status ?? 200;
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError('new WebResponse(body, init): init.status must be an integer in [100, 599]');
    this.status = status;
    this.headers = { ...(o.headers ?? {}) };
    this.body = body;
  }

  /** A JSON response. */
  static json(value, init) {
    const r = new WebResponse(JSON.stringify(value), init);
    r.headers['content-type'] ??= 'application/json';
    return r;
  }
}

/** The request a handler gets. Its body is read with text()/json()/bytes() or `for await` (chunks as they come). */
export class WebRequest {
  /**
   * @internal
   * @param {any} req Node's http.IncomingMessage
   * @param {string} path the URL's pathname
   * @param {Record<string, string>} params
   * @param {URL | null} url the parsed URL, if it was parsed already
   */
  constructor(req, path, params, url) {
    /** @internal */ this._req = req;
    this.method = req.method;
    this.path = path;
    /** Route parameters: '/hello/{name}' gives { name }. */
    this.params = params;
    /** Lower-case names, as Node's http gives them. */
    this.headers = req.headers;
    /** @internal */ this._used = false;
    // made when first asked for: most handlers never look at them
    /** @internal */ this._url = url;
    /** @internal */ this._ac = null;
    /** @internal why it was aborted (before anyone asked for the signal), else undefined */ this._abortReason = undefined;
    /** @internal the handler's task */ this._task = null;
  }

  /** @type {URL} */
  get url() {
    return (this._url ??= new URL(this._req.url, 'http://localhost'));
  }

  /** @type {URLSearchParams} */
  get query() {
    return this.url.searchParams;
  }

  /** Aborts when the client goes away or the server shuts down (the handler's task is cancelled too). */
  get signal() {
    if (!this._ac) {
      this._ac = new AbortController();
      if (this._abortReason !== undefined) this._ac.abort(this._abortReason);
    }
    return this._ac.signal;
  }

  /** @internal abort the signal (now, or when it is made) */
  _abort(reason) {
    if (this._abortReason !== undefined) return;
    this._abortReason = reason;
    this._ac?.abort(reason);
  }

  /** @internal */
  _take() {
    if (this._used) throw new TypeError('the request body was already read');
    this._used = true;
    return this._req;
  }

  /** Body chunks (Uint8Array) as they arrive. */
  async *[Symbol.asyncIterator]() {
    for await (const chunk of this._take()) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }

  async bytes() {
    const parts = [];
    let n = 0;
    for await (const c of this) {
      parts.push(c);
      n += c.length;
    }
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  async text() {
    return new TextDecoder().decode(await this.bytes());
  }

  async json() {
    const t = await this.text();
    try {
      return JSON.parse(t);
    } catch (e) {
      throw new HttpError(400, `the request body is not JSON: ${e.message}`);
    }
  }
}

/** '/hello/{name}/x' -> a RegExp with named groups. */
function compile(pattern) {
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) throw new TypeError('route(method, pattern, handler): pattern must be a string starting with "/"');
  const names = [];
  const re = pattern.split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/).map((part) => {
    const m = /^\{(.+)\}$/.exec(part);
    if (m) {
      if (names.includes(m[1])) throw new TypeError(`route: parameter {${m[1]}} appears twice in ${pattern}`);
      names.push(m[1]);
      return `(?<${m[1]}>[^/]+)`;
    }
    return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${re}$`);
}

// A request target's path that the URL parser would keep as it is: no
// percent-escapes, dot segments, backslashes or other characters it
// rewrites, and not starting with '//' (an authority to the parser).
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/** The pathname of a request target, parsing it only when it is not plain: { path, url }. */
function targetPath(target) {
  const q = target.indexOf('?');
  const p = q < 0 ? target : target.slice(0, q);
  if (PLAIN_PATH.test(p) && !DOT_SEGMENT.test(p)) return { path: p, url: null };
  const url = new URL(target, 'http://localhost'); // throws on a bad target
  return { path: url.pathname, url };
}

/** True if a request has a body (RFC 9112 section 6.3: only these headers announce one). */
function hasBody(req) {
  const h = req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

const STATUS_TEXT = { 400: 'Bad Request\n', 404: 'Not Found\n', 405: 'Method Not Allowed\n' };

/** A C handler's wa_fail(400..599, ...) answers that status: an HttpError. */
function httpErrorOfC(e) {
  const code = e?.code;
  if (code >= 400 && code <= 599) return new HttpError(code, e.message.replace(/^[A-Za-z]*Error: /, ''), { cause: e });
  return e;
}

/** The running request of a response (res[ACTIVE]): its 'close' listener finds it there. */
const ACTIVE = Symbol('wasyncio.web.active');

/** res 'close' (one listener for all): the client went away before the response was sent. */
function onResponseClose() {
  const request = this[ACTIVE];
  if (!request || this.writableFinished) return;
  request._abort(new CancelledError('the client went away'));
  request._task.cancel('the client went away');
}

function toBytes(v) {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError('a response body chunk must be a string or bytes');
}

/** A running server (app.listen()). */
export class WebServer {
  /** @internal */
  constructor(app, http, server) {
    /** @internal */ this._app = app;
    /** @internal */ this._server = server;
    /** @internal running handler tasks -> their WebRequest */ this._tasks = new Map();
    /** @internal */ this._closing = null;
    /** @internal open WebSocket connections */ this._sockets = new Set();
    const a = server.address();
    this.port = a.port;
    this.host = a.address;
    this.url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/`;
    /** @internal */ this._closed = new Promise((r) => server.once('close', r));
  }

  /** Handlers running now. */
  get activeRequests() {
    return this._tasks.size;
  }

  /**
   * Graceful shutdown: stop accepting connections, let running handlers
   * finish for up to `deadline` ms, then cancel the rest and close every
   * connection. Resolves once all is closed (any task style can await it).
   * @param {{ deadline?: number }} [options]
   */
  close(options) {
    const o = checkOptions('server.close(options)', options, ['deadline']);
    const deadline = o.deadline ?? 5000;
    if (typeof deadline !== 'number' || !(deadline >= 0)) throw new RangeError('server.close(options): options.deadline must be a number of ms >= 0');
    if (this._closing) return this._closing;
    const s = this._server;
    s.close();
    s.closeIdleConnections?.();
    for (const ws of this._sockets) ws.close(1001, 'the server is shutting down');
    this._closing = (async () => {
      const all = () => Promise.allSettled([...this._tasks.keys()].map((t) => t.then(undefined, () => undefined)));
      let timer;
      const expired = new Promise((r) => { timer = setTimeout(r, deadline, 'expired'); });
      const first = await Promise.race([all().then(() => 'done'), expired]);
      clearTimeout(timer);
      if (first === 'expired') {
        for (const [t, request] of this._tasks) {
          request._abort(new CancelledError('the server is shutting down'));
          t.cancel('the server is shutting down');
        }
        await all();
      }
      s.closeAllConnections?.();
      await this._closed;
    })();
    return this._closing;
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }
}

/** The application: routes and how to answer. */
export class WebApp {
  /**
   * @param {{ runtime?: import('./runtime.js').Runtime, onError?: (error: unknown, req: WebRequest) => void }} [options]
   */
  constructor(options) {
    const o = checkOptions('new WebApp(options)', options, ['runtime', 'onError']);
    if (o.runtime !== undefined) runtimeOf(o, 'new WebApp(options)'); // checks it
    /** @internal the runtime (options.runtime, else the default one when listen() is called) */ this._rt = o.runtime ?? null;
    /** @internal */ this._routes = [];
    /** @internal */ this._onError = o.onError ?? ((e, req) => console.error(`wasyncio web: ${req.method} ${req.path} failed:`, e));
  }

  /**
   * Add a route. pattern: '/items/{id}'. handler: a function (async or
   * not) or a generator function (a generator task) taking the WebRequest,
   * or { c: 'name' }: a C coroutine exported with WA_EXPORT_CORO(name),
   * given the request as a JSON string ({ method, path, params, query,
   * headers, body }) and answering with its string result (wa_return_string);
   * wa_fail(code 400..599, ...) answers that status with the message.
   * @param {string} method
   * @param {string} pattern
   * @param {Function | { c: string }} handler
   */
  route(method, pattern, handler) {
    const m = String(method).toUpperCase();
    if (m !== '*' && !METHODS.includes(m)) throw new TypeError(`route(method, pattern, handler): method must be one of ${METHODS.join(', ')} or '*'`);
    const isC = handler !== null && typeof handler === 'object' && typeof handler.c === 'string';
    if (typeof handler !== 'function' && !isC) throw new TypeError('route(method, pattern, handler): handler must be a function or { c: "coroutine name" }');
    this._routes.push({ method: m, re: compile(pattern), handler, pattern });
    return this;
  }

  /**
   * A WebSocket route: handler(ws, req) runs as a task with the open
   * WebSocketConnection once the upgrade is done; when it returns the
   * connection is closed (1000; 1011 if it threw). options: protocols
   * (offered subprotocols, first match wins), maxQueue, highWaterMark.
   * @param {string} pattern
   * @param {(ws: WebSocketConnection, req: WebRequest) => unknown} handler
   * @param {{ protocols?: string[], maxQueue?: number, highWaterMark?: number }} [options]
   */
  ws(pattern, handler, options) {
    const isC = handler !== null && typeof handler === 'object' && typeof handler.c === 'string';
    if (typeof handler !== 'function' && !isC) throw new TypeError('ws(pattern, handler): handler must be a function or { c: "coroutine name" }');
    const o = checkOptions('ws(pattern, handler, options)', options, ['protocols', 'maxQueue', 'highWaterMark']);
    this._routes.push({ method: 'WS', re: compile(pattern), handler, pattern, options: o });
    return this;
  }

  get(pattern, handler) { return this.route('GET', pattern, handler); }
  post(pattern, handler) { return this.route('POST', pattern, handler); }
  put(pattern, handler) { return this.route('PUT', pattern, handler); }
  patch(pattern, handler) { return this.route('PATCH', pattern, handler); }
  delete(pattern, handler) { return this.route('DELETE', pattern, handler); }

  /**
   * Start listening (Node only). Resolves to a WebServer.
   * @param {{ port?: number, host?: string }} [options]
   */
  async listen(options) {
    const o = checkOptions('app.listen(options)', options, ['port', 'host']);
    this._rt ??= runtimeOf(undefined, 'app.listen()');
    const http = typeof process === 'object' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('http') : null;
    if (!http) throw new TypeError('app.listen(): the HTTP server needs Node 20.16 or newer (its http module); browsers cannot listen');
    const server = http.createServer();
    let ws;
    server.on('request', (req, res) => this._handle(ws, req, res));
    server.on('upgrade', (req, socket, head) => this._upgrade(ws, req, socket, head));
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    ws = new WebServer(this, http, server);
    return ws;
  }

  /** @internal match a route: { route, params } or a status (404 / 405; 400: a parameter is not decodable) */
  _match(method, path) {
    let wrongMethod = false;
    for (const r of this._routes) {
      if ((r.method === 'WS') !== (method === 'WS')) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      if (r.method === '*' || r.method === method || (method === 'HEAD' && r.method === 'GET')) {
        const params = {};
        const g = m.groups;
        try {
          if (g) for (const k in g) params[k] = decodeURIComponent(g[k]);
        } catch {
          return 400; // a bad %-escape in a parameter
        }
        return { route: r, params };
      }
      wrongMethod = true;
    }
    return wrongMethod ? 405 : 404;
  }

  /** @internal one request */
  _handle(server, req, res) {
    let target;
    try {
      target = targetPath(req.url);
    } catch {
      res.writeHead(400).end('bad request URL\n');
      return;
    }
    const found = this._match(req.method, target.path);
    if (typeof found === 'number') {
      res.writeHead(found, { 'content-type': 'text/plain; charset=utf-8' }).end(STATUS_TEXT[found]);
      return;
    }
    const request = new WebRequest(req, target.path, found.params, target.url);
    const handler = found.route.handler;
    let task;
    if (typeof handler !== 'function' && !hasBody(req)) {
      // a C handler with no body to read first: its coroutine is the
      // request's task (one task, not a JS task awaiting a C one)
      task = this._spawnC(handler, request, '');
      request._direct = true;
    } else {
      // the handler's task is a generator (no closure per request); it
      // starts eagerly, as asyncio's eager_task_factory: a handler that
      // answers at once answers here, without waiting for a loop turn
      task = this._rt.createTask(this._respond(handler, request, res), { name: `${req.method} ${target.path}`, eager: true });
    }
    if (task.done()) {
      this._finished(server, task, res, request);
      return;
    }
    request._task = task;
    res[ACTIVE] = request;
    res.on('close', onResponseClose);
    server?._tasks.set(task, request);
    task.addDoneCallback(() => this._finished(server, task, res, request));
  }

  /** @internal the body of a request's task: run the handler, send what it returned */
  * _respond(handler, request, res) {
    const value = yield* this._call(handler, request);
    const streaming = this._send(res, value, request);
    if (streaming) yield streaming;
  }

  /** @internal a request's task is done: answer its failure, forget it */
  _finished(server, task, res, request) {
    res[ACTIVE] = null;
    server?._tasks.delete(task);
    let e;
    if (task.cancelled()) {
      e = null;
    } else {
      e = task.exception(); // (retrieved: this is where its error goes)
      if (request._direct) {
        if (e === null) {
          if (!res.destroyed) this._send(res, task.result(), request);
          return;
        }
        e = httpErrorOfC(e);
      }
      if (e === null) return;
    }
    if (e === null) {
      if (!res.headersSent && !res.destroyed) res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Service Unavailable\n');
      else res.destroy();
      return;
    }
    const status = e instanceof HttpError ? e.status : 500;
    if (status === 500) this._onError(e, request);
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(status === 500 ? 'Internal Server Error\n' : `${e.message}\n`);
    } else {
      res.destroy(); // a streamed response failed midway: the client sees it cut
    }
  }

  /** @internal an upgrade request: a WebSocket route's handler, or 404 */
  _upgrade(server, req, socket, head) {
    let url;
    try {
      url = new URL(req.url, 'http://localhost');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const found = this._match('WS', url.pathname);
    if (typeof found === 'number' || server?._closing) {
      socket.end(`HTTP/1.1 ${server?._closing ? '503 Service Unavailable' : found === 400 ? '400 Bad Request' : '404 Not Found'}\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const o = found.route.options;
    const sock = acceptNode(req, socket, head, { protocols: o.protocols });
    if (!sock) return;
    const rt = this._rt;
    const request = new WebRequest(req, url.pathname, found.params, url);
    const handler = found.route.handler;
    if (typeof handler !== 'function') {
      this._upgradeC(server, sock, request, handler.c, o);
      return;
    }
    const conn = new WebSocketConnection(rt, sock, { maxQueue: o.maxQueue, highWaterMark: o.highWaterMark });
    const app = this;
    const task = rt.createTask(function* websocket() {
      const v = handler(conn, request);
      if (isGeneratorFunction(handler)) yield* v;
      else if (isThenable(v)) yield v;
    }, { name: `WS ${url.pathname}` });
    server?._tasks.set(task, request);
    server?._sockets.add(conn);
    task.then(() => {
      if (!conn.closeInfo) conn.close(1000, '');
    }, (e) => {
      if (!(e instanceof CancelledError)) app._onError(e, request);
      if (!conn.closeInfo) sock.close(e instanceof CancelledError ? 1001 : 1011, e instanceof CancelledError ? 'going away' : 'internal error');
    }).finally(() => {
      server?._tasks.delete(task);
      server?._sockets.delete(conn);
    });
  }

  /**
   * @internal a C handler's WebSocket: the socket goes to the C API
   * (wa_ws_accepted), the request as JSON with it; once the task is over
   * the socket is closed (1000; 1011 failed, 1001 cancelled) and freed.
   */
  _upgradeC(server, sock, request, name, o) {
    const rt = this._rt;
    const M = rt.M;
    if (typeof M?.wasyncioAcceptWebSocket !== 'function') {
      sock.close(1011, 'the runtime module has no C WebSocket');
      return;
    }
    const ptr = M.wasyncioAcceptWebSocket(sock, o.maxQueue ?? 64, o.highWaterMark ?? 1 << 20);
    if (!ptr) return;
    const arg = JSON.stringify({
      ws: ptr, path: request.path, params: request.params,
      query: request._req.url.includes('?') ? Object.fromEntries(request.query) : {}, headers: request.headers,
      protocol: sock.protocol ?? '',
    });
    let task;
    try {
      task = rt.spawnC(name, arg, { name });
    } catch (e) { // no such coroutine in the module
      this._onError(e, request);
      M._wa__ws_accept_end(ptr, 1011);
      return;
    }
    // graceful shutdown closes it as it closes the JS handlers' sockets
    const conn = { close: (code, reason) => { if (sock.readyState === 1) sock.close(code, reason); } };
    server?._tasks.set(task, request);
    server?._sockets.add(conn);
    task.then(() => 1000, (e) => {
      if (!(e instanceof CancelledError)) this._onError(e, request);
      return e instanceof CancelledError ? 1001 : 1011;
    }).then((code) => {
      M._wa__ws_accept_end(ptr, code);
      server?._tasks.delete(task);
      server?._sockets.delete(conn);
    });
  }

  /** @internal run the handler in the request's task (yield*): its value */
  * _call(handler, request) {
    if (typeof handler === 'function') {
      if (isGeneratorFunction(handler)) return yield* handler(request);
      const v = handler(request);
      return isThenable(v) ? yield v : v;
    }
    // a C coroutine with a body: read it, then run the coroutine
    const body = yield request.text();
    try {
      return yield this._spawnC(handler, request, body);
    } catch (e) {
      throw httpErrorOfC(e);
    }
  }

  /** @internal start C coroutine handler.c with the request as JSON: its task */
  _spawnC(handler, request, body) {
    const arg = JSON.stringify({
      method: request.method, path: request.path, params: request.params,
      query: request._req.url.includes('?') ? Object.fromEntries(request.query) : {}, headers: request.headers, body,
    });
    return this._rt.spawnC(handler.c, arg, { name: handler.c });
  }

  /** @internal write value as the response: at once, or (a streamed body) a promise of its end */
  _send(res, value, request) {
    if (value === undefined) {
      res.writeHead(204).end();
      return null;
    }
    let r = value;
    if (!(value instanceof WebResponse)) {
      if (typeof value === 'string') {
        // the common case, without a WebResponse
        res.writeHead(200, { 'content-length': Buffer.byteLength(value), 'content-type': 'text/plain; charset=utf-8' });
        res.end(request.method === 'HEAD' ? undefined : value);
        return null;
      }
      if (value instanceof Uint8Array || value instanceof ArrayBuffer) r = new WebResponse(value, { headers: { 'content-type': 'application/octet-stream' } });
      else r = WebResponse.json(value);
    }
    const body = r.body;
    const streamed = body !== null && body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array) && !(body instanceof ArrayBuffer) &&
      (typeof body[Symbol.asyncIterator] === 'function' || typeof body[Symbol.iterator] === 'function');
    if (!streamed) {
      const bytes = body === null || body === undefined ? new Uint8Array(0) : toBytes(body);
      res.writeHead(r.status, { 'content-length': bytes.length, ...r.headers });
      res.end(request.method === 'HEAD' ? undefined : bytes);
      return null;
    }
    return this._stream(res, r, request);
  }

  /** @internal write a streamed body as it comes, with backpressure */
  async _stream(res, r, request) {
    res.writeHead(r.status, r.headers);
    for await (const chunk of r.body) {
      if (res.destroyed || request._abortReason !== undefined) throw new CancelledError('the request was cancelled');
      if (!res.write(toBytes(chunk))) {
        // backpressure: wait until the socket drains (or closes)
        await new Promise((resolve) => {
          const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    await new Promise((resolve) => res.end(resolve));
  }
}
