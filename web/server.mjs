// Dev server for the demos, the tests and the benchmarks.
//
//   node web/server.mjs [--port 8080] [--host 127.0.0.1] [--allow-host NAME]...
//
// Serves web/ at /, the built runtime at /dist/, the bindings at /bindings/,
// wasm builds of the C examples and demos at /wasm/ (sources at /examples/), and the test endpoints
// (web/endpoints.mjs) at their own paths, WebSocket endpoints at /ws/ (web/ws_endpoints.mjs). Binds 127.0.0.1 only by default.
// Every page is sent with a strict Content-Security-Policy: no eval, no
// inline script, nothing from other origins (wasm compilation needs
// 'wasm-unsafe-eval', which allows wasm and nothing else).
//
// Safe to leave running: files are served only from inside the mounted
// folders (symlinks leading out are refused), requests naming a host other
// than an IP address, localhost or an --allow-host name are refused (421;
// DNS rebinding), a malformed %-escape is a 400, and the endpoints bound
// their memory (see endpoints.mjs).
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEndpoints } from './endpoints.mjs';
import { createWsEndpoints } from './ws_endpoints.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** URL prefix -> directory (relative to the repository root). */
const MOUNTS = [
  ['/dist/', 'dist/'],
  ['/bindings/', 'bindings/'],
  ['/wasm/', 'build/wasm/'],
  ['/examples/', 'runtime/examples/'],
  ['/test-pages/', 'tests/e2e/pages/'],
  ['/bench-pages/', 'bench/pages/'],
  ['/', 'web/'],
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.c': 'text/plain; charset=utf-8',
  '.h': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths browsers ask for by themselves: /favicon.ico on every page without a <link rel=icon> (JSON, C sources ...). */
const ALIASES = new Map([['/favicon.ico', 'web/favicon.svg']]);

/** A malformed %-escape in the URL: answered with 400. */
class BadRequest extends Error {}

const within = (file, dir) => file.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The file a path names and the folder it must stay in, or null. */
function resolveFile(pathname) {
  if (ALIASES.has(pathname)) return { file: join(root, ALIASES.get(pathname)), base: root };
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    let rel;
    try {
      rel = decodeURIComponent(pathname.slice(prefix.length)) || 'index.html';
    } catch {
      throw new BadRequest(`malformed %-escape in ${pathname}`);
    }
    if (rel.includes('\0')) throw new BadRequest('NUL in path');
    const base = join(root, dir);
    const file = normalize(join(base, rel));
    if (!within(file, base)) return null; // no ../ escapes
    return { file, base };
  }
  return null;
}

/** The real path of file if it is inside base's real path (symlinks resolved), else null. */
async function realInside(file, base) {
  const [f, b] = await Promise.all([realpath(file).catch(() => null), realpath(base).catch(() => null)]);
  return f && b && within(f, b) ? f : null;
}

async function serveStatic(req, res, pathname) {
  const found = resolveFile(pathname);
  if (!found) return false;
  let file = await realInside(found.file, found.base);
  let st = file && (await stat(file).catch(() => null));
  if (st && st.isDirectory()) {
    file = await realInside(join(file, 'index.html'), found.base);
    st = file && (await stat(file).catch(() => null));
  }
  if (!st || !st.isFile()) return false;
  // The bindings' sources import `#platform` (package.json "imports"), a
  // bare specifier browsers cannot resolve without a bundler (and workers
  // have no import maps): resolve it here as a browser bundler would.
  const body = pathname.startsWith('/bindings/') && file.endsWith('.js')
    ? Buffer.from((await readFile(file, 'utf8')).replace(/(from\s*|import\s*\(\s*)(['"])#platform\2/g, '$1$2./platform-web.js$2'))
    : null;
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] || 'application/octet-stream',
    'content-length': body ? body.length : st.size,
    'cache-control': 'no-cache',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  if (body) res.end(body);
  else createReadStream(file).pipe(res);
  return true;
}

/**
 * Whether a request's Host header is one this server answers to: an IP
 * address (v4 or [v6]), localhost or *.localhost, or one of allowHosts.
 * Any other name may be an attacker's domain rebound to this address (DNS
 * rebinding), which would let its pages read ours.
 * @param {string | undefined} hostHeader
 * @param {Set<string>} allowHosts lower-case names
 */
export function hostAllowed(hostHeader, allowHosts) {
  if (!hostHeader) return false;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(hostHeader.trim());
  if (!m) return false;
  const name = m[1].toLowerCase().replace(/\.$/, '');
  if (name.startsWith('[')) return isIP(name.slice(1, -1)) === 6;
  return isIP(name) === 4 || name === 'localhost' || name.endsWith('.localhost') || allowHosts.has(name);
}

/**
 * Start the server.
 * @param {{ port?: number, host?: string, quiet?: boolean, allowHosts?: string[] }} [opts]
 *   port 0 picks a free one; allowHosts: host names answered besides IP
 *   addresses and localhost (e.g. the machine's name when bound to 0.0.0.0)
 * @returns {Promise<{ server: http.Server, url: string, close: () => Promise<void>,
 *                    stats: (tag?: string) => object }>} stats: the endpoints' counters
 */
export async function startServer({ port = 8080, host = '127.0.0.1', quiet = true, allowHosts = [] } = {}) {
  const endpoints = createEndpoints(); // per-server state (stats, flaky counters)
  const allowed = new Set(allowHosts.map((h) => h.toLowerCase()));
  const server = http.createServer(async (req, res) => {
    res.setHeader('content-security-policy', CSP); // on everything, endpoints included
    try {
      if (!hostAllowed(req.headers.host, allowed)) {
        res.writeHead(421, { 'content-type': 'text/plain' });
        res.end(`unknown host ${JSON.stringify(req.headers.host ?? '')}: use an IP address or localhost, or start the server with --allow-host NAME\n`);
        return;
      }
      let url;
      try {
        url = new URL(req.url, 'http://x');
      } catch {
        throw new BadRequest('malformed URL');
      }
      if (await endpoints.handle(req, res, url)) return;
      if ((req.method === 'GET' || req.method === 'HEAD') && (await serveStatic(req, res, url.pathname))) return;
      res.writeHead(404, { 'content-type': 'text/plain', 'content-security-policy': CSP });
      res.end('not found\n');
    } catch (e) {
      const bad = e instanceof BadRequest;
      if (!quiet && !bad) console.error(e);
      if (!res.headersSent) res.writeHead(bad ? 400 : 500, { 'content-type': 'text/plain' });
      res.end(bad ? `bad request: ${e.message}\n` : 'internal error\n');
    }
  });
  server.keepAliveTimeout = 1000;
  const ws = createWsEndpoints(); // WebSocket routes (ws_endpoints.mjs)
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    let url = null;
    try { url = new URL(req.url, 'http://x'); } catch { /* answered below */ }
    if (hostAllowed(req.headers.host, allowed) && url && ws.upgrade(req, socket, head, url)) return;
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nno WebSocket here\n');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  const url = `http://${host}:${addr.port}/`;
  return {
    server,
    url,
    stats: endpoints.stats,
    close: () => new Promise((r) => { ws.closeAll(); server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const port = Number(arg('--port', process.env.PORT || 8080));
  const host = arg('--host', '127.0.0.1');
  const allowHosts = process.argv.flatMap((a, i) => (a === '--allow-host' && process.argv[i + 1] ? [process.argv[i + 1]] : []));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port: ${port}`);
    process.exit(2);
  }
  startServer({ port, host, quiet: false, allowHosts }).then(
    ({ url }) => console.log(`wasyncio demos: ${url}  (Ctrl+C to stop)`),
    (e) => {
      console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: try --port ${port + 1}` : e.message);
      process.exit(1);
    },
  );
}
