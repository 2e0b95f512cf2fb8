// ClientSession (aiohttp.ClientSession's shape) over the runtime's fetch:
// a base URL, default headers, a cookie jar, connection limits (total and
// per host, as TCPConnector(limit, limit_per_host)), and timeouts split as
// ClientTimeout:
//   total    the whole exchange, body included (enforced in C by fetch)
//   connect  until the response headers arrive (fetch does not expose the
//            TCP connect by itself, on any host: this covers connecting,
//            sending and the server's time to answer)
//   read     each body read (read(), text(), json() ... and every chunk of
//            `for await`)
// A request holds its connection slots until its body is read to the end
// or the response is closed.
//
//   const s = new ClientSession({ baseUrl: 'https://api.example/', limitPerHost: 4,
//                                 timeout: { total: 10_000, connect: 2_000 } });
//   const r = yield s.get('items', { headers: { accept: 'application/json' } });
//   const items = yield r.json();
//   s.close();
import { runtimeOf } from './defaults.js';
import { Semaphore } from './sync.js';
import { TimeoutError } from './errors.js';
import { checkOptions } from './options.js';
import { readChunks } from './iterate.js';

const SESSION_OPTIONS = ['baseUrl', 'headers', 'cookies', 'limit', 'limitPerHost', 'timeout', 'runtime'];
const REQUEST_OPTIONS = ['headers', 'body', 'json', 'params', 'redirect', 'timeout', 'signal'];

function checkMs(where, name, v) {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !(v > 0)) throw new RangeError(`${where}: ${name} must be a number of ms > 0 (or null)`);
  return v;
}

function checkTimeout(where, t) {
  const o = checkOptions(`${where}: timeout`, t, ['total', 'connect', 'read']);
  return {
    total: checkMs(where, 'timeout.total', o.total),
    connect: checkMs(where, 'timeout.connect', o.connect),
    read: checkMs(where, 'timeout.read', o.read),
  };
}

function headerPairs(where, h) {
  if (h === undefined || h === null) return [];
  if (typeof Headers !== 'undefined' && h instanceof Headers) return [...h];
  if (Array.isArray(h)) return h.map(([k, v]) => [String(k), String(v)]);
  if (typeof h === 'object') return Object.entries(h).map(([k, v]) => [k, String(v)]);
  throw new TypeError(`${where}: headers must be an object, an array of pairs or a Headers`);
}

function checkLimit(where, name, v, dflt) {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${where}: options.${name} must be an integer >= 0 (0: no limit)`);
  return v;
}

/**
 * A response of a session: the FetchResponse's status and headers, its
 * body operations under the session's read timeout, and its connection
 * slots given back once the body is read or the response closed.
 */
export class SessionResponse {
  /** @internal */
  constructor(session, res, release, readTimeout) {
    /** @internal */ this._s = session;
    /** @internal ms, 0: none */ this._readTimeout = readTimeout;
    /** The underlying FetchResponse. */
    this.response = res;
    /** @internal */ this._release = release;
    this.status = res.status;
    this.statusText = res.statusText;
    this.url = res.url;
    this.redirected = res.redirected;
    this.headers = res.headers;
  }

  get ok() {
    return this.response.ok;
  }

  /** @internal op under the read timeout; slots go back when the body ends */
  _body(op, ends) {
    const rt = this._s._rt;
    const ms = this._readTimeout;
    const self = this;
    return rt.createTask(function* sessionRead() {
      try {
        const v = ms ? yield rt.waitFor(op, ms) : yield op;
        if (ends || v === null) self.close();
        return v;
      } catch (e) {
        self.close();
        if (e instanceof TimeoutError) throw new TimeoutError(`read timeout: no data for ${ms} ms from ${self.url}`, { cause: e });
        throw e;
      }
    });
  }

  text() { return this._body(this.response.text(), true); }
  json() { return this._body(this.response.json(), true); }
  bytes() { return this._body(this.response.bytes(), true); }
  arrayBuffer() { return this._body(this.response.arrayBuffer(), true); }
  /** The next chunk (at most maxBytes) or null at the end. */
  read(maxBytes) { return this._body(this.response.read(maxBytes), false); }

  /** Chunks of the body, for `for await`. */
  [Symbol.asyncIterator]() {
    return readChunks(this, () => this.close());
  }

  /** Free the response (aborting an unread body) and give its slots back. */
  close() {
    this.response.close();
    const r = this._release;
    this._release = null;
    if (r) r();
  }

  async [Symbol.asyncDispose]() {
    this.close();
  }
}

/** A cookie jar: name=value per host (no paths, no expiry but Max-Age=0 / past Expires). */
class CookieJar {
  constructor() {
    this._hosts = new Map();
  }

  store(url, headers) {
    let lines = [];
    if (typeof headers.getSetCookie === 'function') lines = headers.getSetCookie();
    if (!lines.length) {
      const v = headers.get('set-cookie');
      if (v) lines = v.split(/,(?=\s*[^;=\s]+=)/);
    }
    if (!lines.length) return;
    const host = new URL(url).host;
    const jar = this._hosts.get(host) ?? new Map();
    for (const line of lines) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v = ''] = a.split('=').map((s) => s.trim());
        if (/^max-age$/i.test(k)) return Number(v) <= 0;
        if (/^expires$/i.test(k)) return Date.parse(v) < Date.now();
        return false;
      });
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    this._hosts.set(host, jar);
  }

  header(url) {
    const jar = this._hosts.get(new URL(url).host);
    if (!jar || !jar.size) return null;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** name -> value of a host's cookies. */
  get(host) {
    return Object.fromEntries(this._hosts.get(host) ?? []);
  }
}

/** aiohttp.ClientSession's counterpart; see the top of this file. */
export class ClientSession {
  /**
   * @param {{ baseUrl?: string | URL, headers?: object, cookies?: boolean,
   *   limit?: number, limitPerHost?: number,
   *   timeout?: { total?: number | null, connect?: number | null, read?: number | null },
   *   runtime?: import('./runtime.js').Runtime }} [options]
   */
  constructor(options) {
    const where = 'new ClientSession(options)';
    const o = checkOptions(where, options, SESSION_OPTIONS);
    /** @internal */ this._rt = runtimeOf(o, where);
    if (o.baseUrl !== undefined && typeof o.baseUrl !== 'string' && !(o.baseUrl instanceof URL)) throw new TypeError(`${where}: options.baseUrl must be a string or a URL`);
    /** @internal */ this._base = o.baseUrl === undefined ? undefined : new URL(String(o.baseUrl));
    /** @internal */ this._headers = headerPairs(where, o.headers);
    if (o.cookies !== undefined && typeof o.cookies !== 'boolean') throw new TypeError(`${where}: options.cookies must be a boolean`);
    /** The cookie jar (null with cookies: false). */
    this.cookies = o.cookies === false ? null : new CookieJar();
    /** @internal */ this._timeout = checkTimeout(where, o.timeout);
    const limit = checkLimit(where, 'limit', o.limit, 100);
    /** @internal */ this._perHost = checkLimit(where, 'limitPerHost', o.limitPerHost, 0);
    /** @internal */ this._all = limit ? new Semaphore(limit, { runtime: this._rt }) : null;
    /** @internal host -> Semaphore */ this._hosts = new Map();
    /** @internal responses not yet closed */ this._open = new Set();
    /** @internal */ this._closed = false;
  }

  /** True once close() was called. */
  get closed() {
    return this._closed;
  }

  /** @internal the per-host semaphore */
  _hostSem(host) {
    if (!this._perHost) return null;
    let s = this._hosts.get(host);
    if (!s) this._hosts.set(host, (s = new Semaphore(this._perHost, { runtime: this._rt })));
    return s;
  }

  /**
   * Make a request: a Task resolving to a SessionResponse once the headers
   * are in. url is resolved against baseUrl. init: headers (merged over the
   * session's), body, json (a value sent as JSON), params (query
   * parameters), redirect, timeout (overrides the session's, same shape),
   * signal. Unknown options throw TypeError.
   * @param {string} method
   * @param {string | URL} url
   * @param {object} [init]
   */
  request(method, url, init) {
    const where = `session.request(${JSON.stringify(method)}, url, init)`;
    if (this._closed) throw new TypeError(`${where}: the session is closed`);
    if (typeof method !== 'string' || !method) throw new TypeError(`${where}: method must be a non-empty string`);
    if (typeof url !== 'string' && !(url instanceof URL)) throw new TypeError(`${where}: url must be a string or a URL`);
    const o = checkOptions(where, init, REQUEST_OPTIONS);
    const full = new URL(String(url), this._base);
    if (o.params !== undefined) {
      if (o.params === null || typeof o.params !== 'object') throw new TypeError(`${where}: init.params must be an object`);
      for (const [k, v] of Object.entries(o.params)) full.searchParams.append(k, String(v));
    }
    const timeout = o.timeout === undefined ? this._timeout : { ...this._timeout, ...checkTimeout(where, o.timeout) };
    const headers = new Map(this._headers.map(([k, v]) => [k.toLowerCase(), v]));
    for (const [k, v] of headerPairs(where, o.headers)) headers.set(k.toLowerCase(), v);
    let body = o.body;
    if (o.json !== undefined) {
      if (body !== undefined) throw new TypeError(`${where}: give init.body or init.json, not both`);
      body = JSON.stringify(o.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    const cookie = this.cookies?.header(full);
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    const rt = this._rt;
    const session = this;
    const fetchInit = { method, headers: [...headers], body, redirect: o.redirect, timeout: timeout.total, signal: o.signal };
    const all = this._all;
    const host = this._hostSem(full.host);
    return rt.createTask(function* sessionRequest() {
      const held = [];
      const release = () => { for (const s of held.splice(0)) s.release(); };
      try {
        if (all) { yield all.acquire({ signal: o.signal }); held.push(all); }
        if (host) { yield host.acquire({ signal: o.signal }); held.push(host); }
        if (session._closed) throw new TypeError(`${where}: the session was closed`);
        const op = rt.fetch(full, fetchInit);
        let res;
        try {
          res = timeout.connect ? yield rt.waitFor(op, timeout.connect) : yield op;
        } catch (e) {
          if (e instanceof TimeoutError && timeout.connect) throw new TimeoutError(`connect timeout: no response from ${full.host} within ${timeout.connect} ms`, { cause: e });
          throw e;
        }
        session.cookies?.store(full, res.headers);
        const sr = new SessionResponse(session, res, () => { session._open.delete(sr); release(); }, timeout.read);
        session._open.add(sr);
        return sr;
      } catch (e) {
        release();
        throw e;
      }
    }, { name: `${method} ${full}` });
  }

  get(url, init) { return this.request('GET', url, init); }
  head(url, init) { return this.request('HEAD', url, init); }
  post(url, init) { return this.request('POST', url, init); }
  put(url, init) { return this.request('PUT', url, init); }
  patch(url, init) { return this.request('PATCH', url, init); }
  delete(url, init) { return this.request('DELETE', url, init); }

  /** Close the session: open responses are closed (aborting unread bodies); later requests throw. */
  close() {
    this._closed = true;
    for (const r of [...this._open]) r.close();
  }

  async [Symbol.asyncDispose]() {
    this.close();
  }
}
