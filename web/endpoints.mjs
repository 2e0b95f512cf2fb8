// Test endpoints served next to the demos (see server.mjs): a small
// httpbin for the fetch tests, the demos and the benchmarks.
//
//   GET  /health                       "ok"
//   GET  /delay/{ms}                   JSON after ms (0..60000); notices a client abort
//   ANY  /status/{code}                that status (200..599), a short text body
//   GET  /bytes/{n}?seed=s             n deterministic bytes (see lcgBytes), streamed
//   GET  /drip?numbytes=&duration=&chunks=&delay=&code=
//                                      numbytes '*' in `chunks` pieces spread over
//                                      duration ms (first piece at once), after delay ms
//   GET  /endless                      a body that never ends ('*', as fast as the client
//                                      reads; no content-length)
//   GET  /gzip-bomb?mb=n               a small gzip body (content-encoding: gzip) that
//                                      inflates to n MiB of zeros (1..1024)
//   GET  /json                         a fixed JSON document
//   ANY  /echo[?raw=1]                 method, URL, headers and body as JSON (raw=1:
//                                      the body itself, with the request's content-type);
//                                      bodies up to 1 MiB (raw: 8 MiB), else 413
//   ANY  /get                          same as /echo (target of the redirects)
//   GET  /redirect/{n}[?status=302]    n redirects, then /get (the query string is kept)
//   GET  /redirect-to?url=&status=     one redirect to url, a path on this server
//                                      (/...; anything else is a 400: no open redirect)
//   GET  /reset?bytes=&total=&delay=&headers=1
//                                      headers (content-length total), `bytes` bytes of
//                                      body, then after delay ms a TCP reset (RST);
//                                      headers=0 resets before any response
//   GET  /close-mid-body?...           the same, ending with a plain close (FIN)
//   GET  /flaky?fail=k&key=K&code=503  the first k requests with key K fail with code,
//                                      later ones succeed (for retry logic)
//   GET  /links/{n}/{offset}           an HTML page linking to /links/{n}/{i}, i != offset
//   GET  /stats[?tag=T]                JSON counts of endpoint requests (optionally only
//                                      those with ?tag=T): started, finished (response
//                                      fully sent), aborted (the client closed the
//                                      connection first), reset (by /reset, /close-mid-body),
//                                      active, maxActive (the peak of active)
//
// Memory stays bounded whatever the requests: bodies are capped (413 above
// the cap, at once when content-length says so), responses of more than 64
// KiB are written in 64 KiB pieces as the client takes them (never blocking
// the event loop), and at most MAX_HEAVY such large requests run at a time
// (others get 503 with retry-after).
//
// Every endpoint request may carry `tag=T` in its query string, for /stats.
// State (stats, flaky counters) belongs to one createEndpoints() instance,
// i.e. to one server: tests running their own servers do not interfere.
// Same origin only: no CORS headers. server.mjs adds the CSP header to
// every response.
import { STATUS_CODES } from 'node:http';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';

const MAX_DELAY = 60000;
const MAX_BYTES = 64 * 1024 * 1024;
/** Largest request body /echo takes: as JSON (which repeats it ~3 times), raw. */
export const MAX_ECHO_JSON = 1024 * 1024;
export const MAX_ECHO_RAW = 8 * 1024 * 1024;
/** Piece size of large responses; requests above it count as heavy. */
const CHUNK = 64 * 1024;
/** Heavy requests (large bodies or responses) running at once, per server. */
export const MAX_HEAVY = 8;
const STARS = Buffer.alloc(CHUNK, '*');
const EXES = Buffer.alloc(CHUNK, 'x');

/** Fill out with the generator's bytes from state x; returns the next state. */
function lcgFill(out, x) {
  for (let i = 0; i < out.length; i++) {
    x = (Math.imul(1103515245, x) + 12345) & 0x7fffffff;
    out[i] = (x >>> 16) & 0xff;
  }
  return x;
}

/**
 * The bytes of /bytes/{n}?seed=s: x = seed; for each byte
 * x = (1103515245 * x + 12345) mod 2^31, byte = (x >> 16) & 0xff.
 * @param {number} n
 * @param {number} seed
 */
export function lcgBytes(n, seed = 42) {
  const out = Buffer.allocUnsafe(n);
  lcgFill(out, seed >>> 0 & 0x7fffffff);
  return out;
}

/**
 * gzip of mb MiB of zeros, about 1 KiB per MiB, built without compressing
 * mb MiB: one MiB deflated from a fresh state and ended with a full flush
 * is the same bytes for every MiB, so the stream is that piece mb times,
 * an empty final block and the gzip trailer (CRC-32 and length). A few are
 * cached.
 */
const bombs = new Map();
function gzipBomb(mb) {
  let p = bombs.get(mb);
  if (!p) {
    if (bombs.size >= 4) bombs.clear();
    p = (async () => {
      const zeros = Buffer.alloc(1024 * 1024);
      const piece = deflateRawSync(zeros, { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
      let crc = 0;
      for (let i = 0; i < mb; i++) {
        crc = crc32(zeros, crc);
        if (i % 16 === 15) await new Promise(setImmediate); // never block for long
      }
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE((mb * 1024 * 1024) % 2 ** 32, 4);
      const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
      return Buffer.concat([header, ...Array(mb).fill(piece), Buffer.from([3, 0]), trailer]);
    })();
    bombs.set(mb, p);
  }
  return p;
}

/** Resolves once res can take more (or is gone). */
function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Write n bytes made by fill(buf) in CHUNK pieces, each once the client took the last. */
async function writePieces(res, n, fill) {
  let left = n;
  while (left > 0 && !res.destroyed) {
    const k = Math.min(CHUNK, left);
    left -= k;
    if (!res.write(fill(k))) await drained(res);
    else await new Promise(setImmediate); // let other requests run
  }
}

function intParam(v, dflt, lo, hi) {
  if (v === null || v === undefined || v === '') return dflt;
  if (!/^-?\d+$/.test(v)) return NaN;
  const n = Number(v);
  return n >= lo && n <= hi ? n : NaN;
}

function send(res, code, body, type = 'text/plain; charset=utf-8', extra = {}) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(code, { 'content-type': type, 'content-length': buf.length, 'cache-control': 'no-store', ...extra });
  res.end(buf);
}

function sendJson(res, code, obj, extra) {
  send(res, code, JSON.stringify(obj) + '\n', 'application/json', extra);
}

function bad(res, msg) {
  send(res, 400, `bad request: ${msg}\n`);
}

/** 413, closing the connection (the rest of the body is not read). */
function tooLarge(res, limit) {
  send(res, 413, `request body over ${limit} bytes\n`, undefined, { connection: 'close' });
}

/** The request body, or null (413 sent) if it is over limit bytes. */
function readBody(req, res, limit) {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    tooLarge(res, limit);
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const parts = [];
    let n = 0;
    const onData = (d) => {
      n += d.length;
      if (n > limit) {
        req.off('data', onData);
        req.pause();
        tooLarge(res, limit);
        resolve(null);
        return;
      }
      parts.push(d);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

const JSON_DOC = {
  slideshow: {
    author: 'wasyncio',
    date: '2024-01-01',
    title: 'Sample Slide Show',
    slides: [
      { title: 'Wake up to WonderWidgets!', type: 'all' },
      { title: 'Overview', type: 'all', items: ['Why WonderWidgets are great', 'Who buys WonderWidgets'] },
    ],
  },
};

/**
 * A set of endpoints with its own state (one per server).
 * @returns {{ handle: (req: import('node:http').IncomingMessage,
 *                      res: import('node:http').ServerResponse, url: URL) => Promise<boolean>,
 *            stats: (tag?: string) => object }}
 */
export function createEndpoints() {
  const zero = () => ({ started: 0, finished: 0, aborted: 0, reset: 0, active: 0, maxActive: 0 });
  const total = zero();
  const byTag = new Map();
  const flaky = new Map();
  let heavy = 0;

  // Take one of the MAX_HEAVY slots until res closes; false (503 sent) if none is free.
  function heavySlot(res) {
    if (heavy >= MAX_HEAVY) {
      send(res, 503, `busy: ${MAX_HEAVY} large requests running, retry\n`, undefined, { 'retry-after': '1' });
      return false;
    }
    heavy++;
    res.on('close', () => heavy--);
    return true;
  }

  function counters(tag) {
    const list = [total];
    if (tag) {
      let c = byTag.get(tag);
      if (!c) {
        if (byTag.size > 10000) byTag.clear(); // bounded memory for long runs
        c = zero();
        byTag.set(tag, c);
      }
      list.push(c);
    }
    return list;
  }

  // Count a request from start to its end: the response fully sent
  // ('finish'), or the connection closed first (aborted by the client, or
  // reset on purpose by /reset and /close-mid-body).
  function track(req, res, tag) {
    const cs = counters(tag);
    for (const c of cs) {
      c.started++;
      if (++c.active > c.maxActive) c.maxActive = c.active;
    }
    res.on('close', () => {
      const key = res.writableFinished ? 'finished' : res.wasReset ? 'reset' : 'aborted';
      for (const c of cs) { c.active--; c[key]++; }
    });
  }

  const routes = [
    [/^\/delay\/(\d+)$/, (req, res, url, m) => {
      const ms = intParam(m[1], 0, 0, MAX_DELAY);
      if (Number.isNaN(ms)) return bad(res, `delay must be 0..${MAX_DELAY} ms`);
      const timer = setTimeout(() => sendJson(res, 200, { delay: ms, url: url.pathname + url.search }), ms);
      res.on('close', () => clearTimeout(timer));
    }],
    [/^\/status\/(\d+)$/, (req, res, url, m) => {
      const code = intParam(m[1], 0, 200, 599);
      if (Number.isNaN(code)) return bad(res, 'status must be 200..599');
      const extra = [301, 302, 303, 307, 308].includes(code) ? { location: '/get' } : {};
      if (code === 204 || code === 304) {
        res.writeHead(code, extra);
        res.end();
        return;
      }
      send(res, code, `${code} ${STATUS_CODES[code] || 'Unknown'}\n`, undefined, extra);
    }],
    [/^\/bytes\/(\d+)$/, async (req, res, url, m) => {
      const n = intParam(m[1], 0, 0, MAX_BYTES);
      const seed = intParam(url.searchParams.get('seed'), 42, 0, 0x7fffffff);
      if (Number.isNaN(n) || Number.isNaN(seed)) return bad(res, `n must be 0..${MAX_BYTES}, seed 0..2^31-1`);
      if (n <= CHUNK) return send(res, 200, lcgBytes(n, seed), 'application/octet-stream');
      if (!heavySlot(res)) return;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n, 'cache-control': 'no-store' });
      let x = seed >>> 0 & 0x7fffffff;
      await writePieces(res, n, (k) => {
        const buf = Buffer.allocUnsafe(k);
        x = lcgFill(buf, x);
        return buf;
      });
      res.end();
    }],
    [/^\/drip$/, (req, res, url) => {
      const p = url.searchParams;
      const numbytes = intParam(p.get('numbytes'), 10, 0, MAX_BYTES);
      const duration = intParam(p.get('duration'), 2000, 0, MAX_DELAY);
      const delay = intParam(p.get('delay'), 0, 0, MAX_DELAY);
      const code = intParam(p.get('code'), 200, 200, 599);
      let chunks = intParam(p.get('chunks'), Math.min(numbytes, 100), 1, 100000);
      if ([numbytes, duration, delay, code, chunks].some(Number.isNaN)) return bad(res, 'drip parameters');
      chunks = Math.max(1, Math.min(chunks, numbytes));
      if (numbytes > CHUNK && !heavySlot(res)) return;
      const every = chunks > 1 ? duration / (chunks - 1) : 0;
      let sent = 0;
      let i = 0;
      let timer = null;
      const step = () => {
        timer = null;
        const n = Math.floor(((i + 1) * numbytes) / chunks) - sent;
        sent += n;
        i++;
        writePieces(res, n, (k) => STARS.subarray(0, k)).then(() => {
          if (i >= chunks) res.end();
          else if (!res.destroyed) timer = setTimeout(step, every);
        });
      };
      res.on('close', () => { if (timer) clearTimeout(timer); });
      timer = setTimeout(() => {
        res.writeHead(code, { 'content-type': 'application/octet-stream', 'content-length': numbytes, 'cache-control': 'no-store' });
        if (numbytes === 0) {
          timer = null;
          res.end();
          return;
        }
        res.flushHeaders();
        step();
      }, delay);
    }],
    [/^\/json$/, (req, res) => sendJson(res, 200, JSON_DOC)],
    [/^\/endless$/, async (req, res) => {
      if (!heavySlot(res)) return;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
      await writePieces(res, Infinity, (k) => STARS.subarray(0, k)); // until the client goes
    }],
    [/^\/gzip-bomb$/, async (req, res, url) => {
      const mb = intParam(url.searchParams.get('mb'), 64, 1, 1024);
      if (Number.isNaN(mb)) return bad(res, 'gzip-bomb?mb=1..1024');
      const body = await gzipBomb(mb);
      send(res, 200, body, 'application/octet-stream', { 'content-encoding': 'gzip', connection: 'close' });
    }],
    [/^\/(echo|get)$/, async (req, res, url) => {
      const raw = url.searchParams.get('raw') === '1';
      const big = !(Number(req.headers['content-length'] ?? 0) <= CHUNK); // unknown length: big
      if (big && !heavySlot(res)) return;
      const body = await readBody(req, res, raw ? MAX_ECHO_RAW : MAX_ECHO_JSON);
      if (!body) return;
      if (raw) {
        send(res, 200, body, req.headers['content-type'] || 'application/octet-stream');
        return;
      }
      sendJson(res, 200, {
        method: req.method,
        url: url.pathname + url.search,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: body.toString('utf8'),
        bodyLength: body.length,
        bodyBase64: body.toString('base64'),
      });
    }],
    [/^\/redirect\/(\d+)$/, (req, res, url, m) => {
      const n = intParam(m[1], 0, 1, 100);
      const status = intParam(url.searchParams.get('status'), 302, 300, 308);
      if (Number.isNaN(n) || Number.isNaN(status)) return bad(res, 'redirect/{1..100}, status 300..308');
      const next = n > 1 ? `/redirect/${n - 1}` : '/get';
      send(res, status, `redirecting to ${next}\n`, undefined, { location: next + url.search });
    }],
    [/^\/redirect-to$/, (req, res, url) => {
      const to = url.searchParams.get('url');
      const status = intParam(url.searchParams.get('status'), 302, 300, 308);
      if (!to || Number.isNaN(status)) return bad(res, 'redirect-to?url=...&status=300..308');
      // A path on this server only: '//host' and '/\\host' would leave it.
      if (!/^\/(?![/\\])/.test(to)) return bad(res, 'redirect-to only redirects to a path on this server (/...)');
      send(res, status, `redirecting to ${to}\n`, undefined, { location: to });
    }],
    [/^\/(reset|close-mid-body)$/, (req, res, url, m) => {
      const p = url.searchParams;
      const bytes = intParam(p.get('bytes'), 1000, 0, MAX_BYTES);
      const totalLen = intParam(p.get('total'), bytes * 2 + 1000, 1, 2 * MAX_BYTES);
      const delay = intParam(p.get('delay'), 50, 0, MAX_DELAY);
      if ([bytes, totalLen, delay].some(Number.isNaN) || totalLen <= bytes) return bad(res, 'reset parameters (total > bytes)');
      const headers = p.get('headers') !== '0';
      const kill = () => {
        res.wasReset = true;
        const s = res.socket || req.socket;
        if (!s) return;
        if (m[1] === 'reset' && typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
        else s.destroy();
      };
      if (bytes > CHUNK && !heavySlot(res)) return;
      if (headers) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': totalLen, 'cache-control': 'no-store' });
        if (bytes) writePieces(res, bytes, (k) => EXES.subarray(0, k));
        else res.flushHeaders();
      }
      const timer = setTimeout(kill, delay);
      res.on('close', () => clearTimeout(timer));
    }],
    [/^\/flaky$/, (req, res, url) => {
      const p = url.searchParams;
      const fail = intParam(p.get('fail'), 1, 0, 1000);
      const code = intParam(p.get('code'), 503, 400, 599);
      if (Number.isNaN(fail) || Number.isNaN(code)) return bad(res, 'flaky?fail=0..1000&code=400..599');
      const key = p.get('key') || '';
      const seen = flaky.get(key) || 0;
      if (flaky.size > 10000 && !flaky.has(key)) flaky.clear();
      flaky.set(key, seen + 1);
      if (seen < fail) send(res, code, `flaky: failure ${seen + 1} of ${fail}\n`);
      else send(res, 200, `flaky: ok after ${fail} failures\n`);
    }],
    [/^\/links\/(\d+)\/(\d+)$/, (req, res, url, m) => {
      const n = intParam(m[1], 0, 1, 1000);
      const offset = intParam(m[2], 0, 0, 1000);
      if (Number.isNaN(n) || Number.isNaN(offset) || offset >= n) return bad(res, 'links/{n 1..1000}/{offset < n}');
      let html = `<!doctype html>\n<html><head><title>Links ${offset}</title></head><body>\n`;
      for (let i = 0; i < n; i++) {
        html += i === offset ? `${i} ` : `<a href="/links/${n}/${i}">${i}</a> `;
      }
      html += '\n</body></html>\n';
      send(res, 200, html, 'text/html; charset=utf-8');
    }],
  ];

  function stats(tag) {
    return { ...(tag ? byTag.get(tag) || zero() : total) };
  }

  async function handle(req, res, url) {
    const path = url.pathname;
    if (path === '/health') {
      send(res, 200, 'ok\n');
      return true;
    }
    if (path === '/stats') {
      sendJson(res, 200, stats(url.searchParams.get('tag')));
      return true;
    }
    for (const [re, fn] of routes) {
      const m = re.exec(path);
      if (!m) continue;
      track(req, res, url.searchParams.get('tag'));
      await fn(req, res, url, m);
      return true;
    }
    return false;
  }

  return { handle, stats };
}

const shared = createEndpoints();

/**
 * Handle req if it is a test endpoint (with state shared by every caller of
 * this function; servers make their own with createEndpoints()).
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} url
 * @returns {Promise<boolean>} true if handled
 */
export function handleEndpoint(req, res, url) {
  return shared.handle(req, res, url);
}
