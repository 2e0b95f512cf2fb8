// fetch on the runtime: the C fetch (runtime/src/fetch.c) seen from JS. The
// request is a runtime operation, so it takes part in cancellation like any
// other: cancelling the task that awaits it (or a timeout, or aborting its
// `signal`) aborts the host request and releases its body reader.
//
//   const r = yield fetch(url, { timeout: 2000 });      // generator task
//   const text = yield r.text();
//   const r2 = await fetch(url, { signal: task.signal }); // async task
//   for await (const chunk of r2) ...                    // streamed body
import { Op } from './ops.js';
import { errorFromStatus, codes, CancelledError } from './errors.js';
import { WA, layout } from './constants.js';
import { checkOptions } from './options.js';

const REDIRECT = { follow: WA.REDIRECT_FOLLOW, error: WA.REDIRECT_ERROR, manual: WA.REDIRECT_MANUAL };
const OPTS = layout.wa_fetch_opts_t;
const FETCH_OPTIONS = ['method', 'headers', 'body', 'redirect', 'timeout', 'signal', 'maxBodyBytes'];
const HEADER = layout.wa_header_t;
/** Largest wasm buffer one read() allocates: a read returns at most one host chunk anyway. */
const READ_BUFFER_MAX = 256 * 1024;
const SIZE_MAX = 0xffffffff; // size_t in wasm32: no body limit
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Frees responses JS forgot to close. */
const forgotten = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ c, ptr }) => { if (ptr.value) c.wa_response_free(ptr.value); })
  : null;

function toBytes(body, where) {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return encoder.encode(body.toString());
  throw new TypeError(`${where}: init.body must be a string, an ArrayBuffer or a typed array`);
}

function headerList(h, where) {
  if (h === undefined || h === null) return [];
  if (typeof Headers !== 'undefined' && h instanceof Headers) return [...h];
  if (Array.isArray(h)) {
    return h.map((p) => {
      if (!Array.isArray(p) || p.length !== 2) throw new TypeError(`${where}: init.headers entries must be [name, value] pairs`);
      return [String(p[0]), String(p[1])];
    });
  }
  if (typeof h === 'object') return Object.entries(h).map(([k, v]) => [k, String(v)]);
  throw new TypeError(`${where}: init.headers must be an object, an array of pairs or a Headers`);
}

/** The request: resolves to a FetchResponse once status and headers are in. */
class FetchOp extends Op {
  constructor(rt, url, init) {
    if (init !== undefined && (init === null || typeof init !== 'object')) throw new TypeError('fetch(url, init): init must be an object');
    init ??= {};
    checkOptions('fetch(url, init)', init, FETCH_OPTIONS);
    super(rt, { signal: init.signal });
    if (typeof url !== 'string' && !(url instanceof URL)) throw new TypeError('fetch(url): url must be a string or a URL');
    const where = 'fetch';
    this._url = String(url);
    this._method = init.method === undefined ? undefined : String(init.method);
    this._headers = headerList(init.headers, where);
    this._body = toBytes(init.body, where);
    if (init.redirect !== undefined && !(init.redirect in REDIRECT)) throw new TypeError('fetch: init.redirect must be "follow", "error" or "manual"');
    this._redirect = REDIRECT[init.redirect ?? 'follow'];
    const t = init.timeout ?? 0;
    if (typeof t !== 'number' || !(t >= 0)) throw new RangeError('fetch: init.timeout must be a number of ms >= 0');
    this._timeout = t;
    const max = init.maxBodyBytes ?? 0;
    if (typeof max !== 'number' || !(max >= 0) || (max !== Infinity && !Number.isInteger(max))) {
      throw new RangeError('fetch: init.maxBodyBytes must be an integer >= 0 or Infinity');
    }
    this._maxBody = max === Infinity || max >= SIZE_MAX ? SIZE_MAX : max; // 0: the default (64 MiB)
  }

  _start() {
    const rt = this._rt;
    const M = rt.M;
    const c = rt._c;
    const allocs = [];
    const alloc = (n) => {
      const p = c.wa_js_malloc(n);
      if (!p) throw new RangeError('fetch: out of wasm memory');
      allocs.push(p);
      return p;
    };
    const str = (s) => {
      const n = M.lengthBytesUTF8(s) + 1;
      const p = alloc(n);
      M.stringToUTF8(s, p, n);
      return p;
    };
    try {
      const url = str(this._url);
      const opts = alloc(OPTS.size);
      M.HEAPU8.fill(0, opts, opts + OPTS.size);
      const method = this._method === undefined ? 0 : str(this._method);
      let hdrs = 0;
      if (this._headers.length) {
        const ptrs = this._headers.map(([k, v]) => [str(k), str(v)]);
        hdrs = alloc(HEADER.size * ptrs.length);
        ptrs.forEach(([k, v], i) => {
          M.HEAPU32[(hdrs + HEADER.size * i + HEADER.name) >> 2] = k;
          M.HEAPU32[(hdrs + HEADER.size * i + HEADER.value) >> 2] = v;
        });
      }
      let body = 0;
      if (this._body && this._body.length) {
        body = alloc(this._body.length);
        M.HEAPU8.set(this._body, body);
      }
      const u32 = M.HEAPU32;
      u32[(opts + OPTS.method) >> 2] = method;
      u32[(opts + OPTS.headers) >> 2] = hdrs;
      u32[(opts + OPTS.nheaders) >> 2] = this._headers.length;
      u32[(opts + OPTS.body) >> 2] = body;
      u32[(opts + OPTS.body_len) >> 2] = this._body ? this._body.length : 0;
      M.HEAP32[(opts + OPTS.redirect) >> 2] = this._redirect;
      M.HEAPF64[(opts + OPTS.timeout_ms) >> 3] = this._timeout;
      u32[(opts + OPTS.max_body) >> 2] = this._maxBody;
      const rc = c.wa_fetch_start(rt._mem.cell, url, opts);
      if (rc !== 0) throw errorFromStatus(rc, `fetch(${JSON.stringify(this._url)}): invalid request (URL, method, header or body)`);
      return M.HEAPU32[rt._mem.cell >> 2];
    } finally {
      for (const p of allocs) c.wa_js_free(p); // C copied what it needs
    }
  }

  _outcome(rt, ptr) {
    const M = rt.M;
    const c = rt._c;
    if (c.wa_future_status(ptr) !== 0) return rt._views.readOutcome(ptr);
    const rc = c.wa_fetch_finish(ptr, rt._mem.cell);
    if (rc !== 0) return { ok: false, error: errorFromStatus(rc, 'fetch: the response was already taken'), cancelled: rc === codes.ECANCELLED };
    return { ok: true, value: new FetchResponse(rt, M.HEAPU32[rt._mem.cell >> 2]) };
  }

  _discard(response) {
    response.close();
  }
}

/** The outcome of a read or body op whose bytes went back to the response. */
function rolledBack() {
  return { ok: false, error: new CancelledError('cancelled: the bytes read were given back to the response'), cancelled: true };
}

/** Reads the rest of the body. */
class BodyOp extends Op {
  constructor(response, convert) {
    super(response._rt, response._signalOpts);
    this._response = response;
    this._conv = convert;
  }

  _start() {
    const r = this._response;
    r._use();
    const rc = r._rt._c.wa_response_body_start(r._rt._mem.cell, r._live());
    if (rc !== 0) throw errorFromStatus(rc, 'reading the body failed');
    return r._rt.M.HEAPU32[r._rt._mem.cell >> 2];
  }

  _outcome(rt, ptr) {
    const M = rt.M;
    const c = rt._c;
    const cell = rt._mem.cell;
    const rc = c.wa_response_body_finish(ptr, cell, cell + 4);
    // the task was cancelled as the body arrived: C gave it back to the
    // response (a later read or body gets it)
    if (rc === codes.ECANCELLED && c.wa_future_status(ptr) === 0) return rolledBack();
    // the body is consumed (or failed): the C response is no longer needed;
    // status and headers stay on the JS object
    if (rc !== 0) {
      const out = rt._views.readOutcome(ptr);
      this._response.close();
      return out;
    }
    const p = M.HEAPU32[cell >> 2];
    const len = M.HEAPU32[(cell + 4) >> 2];
    const bytes = M.HEAPU8.slice(p, p + len);
    c.wa_js_free(p);
    this._response.close();
    return { ok: true, value: this._conv(bytes) };
  }
}

/** Reads the next chunk of the body (null at the end). */
class ReadOp extends Op {
  constructor(response, max) {
    super(response._rt, response._signalOpts);
    if (!Number.isInteger(max) || max < 1 || max > 1 << 30) throw new RangeError('response.read(maxBytes): maxBytes must be an integer in [1, 2^30]');
    this._response = response;
    this._max = max;
    this._buf = 0;
  }

  _start() {
    const r = this._response;
    const M = r._rt.M;
    const c = r._rt._c;
    // wasm memory never shrinks: allocate what one chunk can hold, not maxBytes
    const cap = Math.min(this._max, READ_BUFFER_MAX);
    this._buf = c.wa_js_malloc(cap);
    if (!this._buf) throw new RangeError('response.read: out of wasm memory');
    const rc = c.wa_response_read_start(r._rt._mem.cell, r._live(), this._buf, cap);
    if (rc !== 0) {
      c.wa_js_free(this._buf);
      this._buf = 0;
      throw errorFromStatus(rc, rc === codes.ESTATE ? 'another read of this response is pending' : 'reading the body failed');
    }
    return M.HEAPU32[r._rt._mem.cell >> 2];
  }

  _outcome(rt, ptr) {
    const M = rt.M;
    const c = rt._c;
    try {
      const rc = c.wa_response_read_finish(ptr, rt._mem.cell);
      // cancelled as the bytes arrived: C gave them back (the next read gets them)
      if (rc === codes.ECANCELLED && c.wa_future_status(ptr) === 0) return rolledBack();
      if (rc !== 0) {
        const out = rt._views.readOutcome(ptr);
        if (!out.cancelled) this._response.close(); // failed: nothing more to read
        return out;
      }
      const n = M.HEAPU32[rt._mem.cell >> 2];
      if (n === 0) {
        this._response.close(); // end of the body
        return { ok: true, value: null };
      }
      return { ok: true, value: M.HEAPU8.slice(this._buf, this._buf + n) };
    } finally {
      c.wa_js_free(this._buf); // the host no longer writes into it
      this._buf = 0;
    }
  }
}

/**
 * A response: status and headers at once, the body as operations
 * (`text()`, `json()`, `bytes()`, `arrayBuffer()`, `read()`) or as an async
 * iterable of Uint8Array chunks. Reading the body to its end frees the
 * response's memory in wasm; if you do not read it, close it (`close()`,
 * `using`): that also aborts the request. (A forgotten response is freed
 * when it is garbage-collected.)
 */
export class FetchResponse {
  /** @internal */
  constructor(rt, ptr) {
    const M = rt.M;
    const c = rt._c;
    /** @internal */ this._rt = rt;
    /** @internal */ this._ref = { value: ptr };
    /** @internal */ this._signalOpts = undefined;
    /** @internal */ this._used = false;
    const s = (p) => (p ? M.UTF8ToString(p) : '');
    /** HTTP status (0 for an opaque response). */
    this.status = c.wa_response_status(ptr);
    this.statusText = s(c.wa_response_status_text(ptr));
    /** Final URL after redirects. */
    this.url = s(c.wa_response_url(ptr));
    this.type = s(c.wa_response_type(ptr));
    this.redirected = c.wa_response_redirected(ptr) !== 0;
    const n = c.wa_response_header_count(ptr);
    const pairs = [];
    for (let i = 0; i < n; i++) {
      if (c.wa_response_header_at(ptr, i, rt._mem.cell, rt._mem.cell + 4) === 0) {
        pairs.push([s(M.HEAPU32[rt._mem.cell >> 2]), s(M.HEAPU32[(rt._mem.cell + 4) >> 2])]);
      }
    }
    /** @type {Headers} */
    this.headers = typeof Headers === 'function' ? new Headers(pairs) : new Map(pairs);
    forgotten?.register(this, { c: rt._c, ptr: this._ref }, this);
  }

  /** True for a 2xx status. */
  get ok() {
    return this.status >= 200 && this.status < 300;
  }

  /** True once the body was taken by text()/json()/bytes()/arrayBuffer(). */
  get bodyUsed() {
    return this._used;
  }

  /**
   * Cancel body operations when this signal aborts (as for fetch).
   * @param {AbortSignal} signal
   */
  withSignal(signal) {
    if (!(signal instanceof AbortSignal)) throw new TypeError('withSignal(signal): signal must be an AbortSignal');
    this._signalOpts = { signal };
    return this;
  }

  /** The rest of the body as text (UTF-8). */
  text() {
    return new BodyOp(this, (b) => decoder.decode(b));
  }

  /** The rest of the body parsed as JSON. */
  json() {
    return new BodyOp(this, (b) => JSON.parse(decoder.decode(b)));
  }

  /** The rest of the body as a Uint8Array. */
  bytes() {
    return new BodyOp(this, (b) => b);
  }

  /** The rest of the body as an ArrayBuffer. */
  arrayBuffer() {
    return new BodyOp(this, (b) => b.buffer);
  }

  /**
   * The next chunk of the body as it arrives (at most maxBytes, and at most
   * 256 KiB: only that much wasm memory is taken per read), or null at the
   * end.
   * @param {number} [maxBytes]
   */
  read(maxBytes = 65536) {
    return new ReadOp(this, maxBytes);
  }

  /** Chunks of the body, for `for await`. */
  async *[Symbol.asyncIterator]() {
    try {
      for (;;) {
        const chunk = await this.read();
        if (chunk === null) return;
        yield chunk;
      }
    } finally {
      this.close();
    }
  }

  /** Free the response; aborts the request if the body was not read to the end. */
  close() {
    const p = this._ref.value;
    if (!p) return;
    this._ref.value = 0;
    forgotten?.unregister(this);
    this._rt._c.wa_response_free(p);
  }

  [Symbol.dispose]() {
    this.close();
  }

  async [Symbol.asyncDispose]() {
    this.close();
  }

  /** @internal */
  _live() {
    if (!this._ref.value) throw new TypeError(this._used ? 'the body was already read' : 'the response was closed');
    return this._ref.value;
  }

  /** @internal */
  _use() {
    if (this._used) throw new TypeError('the body was already read');
    this._used = true;
  }
}

/**
 * Start an HTTP request on the host's fetch. init: method, headers, body
 * (string / ArrayBuffer / typed array), redirect ('follow' | 'error' |
 * 'manual'), timeout (ms, the whole exchange; none by default, as for the
 * host's fetch: a default would cut off long polls and streamed bodies),
 * maxBodyBytes (the most text()/json()/bytes()/arrayBuffer() take, counted
 * decompressed; default 64 MiB, Infinity: none; past it they reject with a
 * WasyncioError 'ETOOBIG' and the request is aborted), signal. HTTP error
 * statuses are responses; network failures reject with a WasyncioError
 * (codeName 'ENETWORK'), timeouts with TimeoutError, cancellation with
 * CancelledError.
 * @param {string | URL} url
 * @param {object} [init]
 * @returns {Op<FetchResponse>}
 */
export function fetchOp(rt, url, init) {
  return new FetchOp(rt, url, init);
}

/** Live fetch objects in the runtime (leak checks). */
export function fetchStats(rt) {
  const M = rt.M;
  const c = rt._c;
  const L = layout.wa_fetch_stats_t;
  const p = c.wa_js_malloc(L.size);
  try {
    c.wa_fetch_get_stats(p);
    const u = (field) => M.HEAPU32[(p + L[field]) >> 2];
    return { responses: u('responses'), pending: u('pending'), hostHandles: u('host_handles') };
  } finally {
    c.wa_js_free(p);
  }
}
