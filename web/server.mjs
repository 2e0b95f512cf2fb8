// Dev server for the demos, the tests and the benchmarks.
//
//   node web/server.mjs [--port 8080] [--host 127.0.0.1]
//
// Serves web/ at /, the built runtime at /dist/, the bindings at /bindings/,
// wasm builds of the C examples and demos at /wasm/ (sources at /examples/), and the test endpoints
// (web/endpoints.mjs) at their own paths. Binds 127.0.0.1 only by default.
// Every page is sent with a strict Content-Security-Policy: no eval, no
// inline script, nothing from other origins (wasm compilation needs
// 'wasm-unsafe-eval', which allows wasm and nothing else).
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEndpoints } from './endpoints.mjs';

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

function resolveFile(pathname) {
  if (ALIASES.has(pathname)) return join(root, ALIASES.get(pathname));
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    const rel = decodeURIComponent(pathname.slice(prefix.length)) || 'index.html';
    const base = join(root, dir);
    const file = normalize(join(base, rel));
    if (!file.startsWith(base.endsWith(sep) ? base : base + sep)) return null; // no ../ escapes
    return file;
  }
  return null;
}

async function serveStatic(req, res, pathname) {
  let file = resolveFile(pathname);
  if (!file) return false;
  let st = await stat(file).catch(() => null);
  if (st && st.isDirectory()) {
    file = join(file, 'index.html');
    st = await stat(file).catch(() => null);
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
 * Start the server.
 * @param {{ port?: number, host?: string, quiet?: boolean }} [opts] port 0 picks a free one
 * @returns {Promise<{ server: http.Server, url: string, close: () => Promise<void>,
 *                    stats: (tag?: string) => object }>} stats: the endpoints' counters
 */
export async function startServer({ port = 8080, host = '127.0.0.1', quiet = true } = {}) {
  const endpoints = createEndpoints(); // per-server state (stats, flaky counters)
  const server = http.createServer(async (req, res) => {
    res.setHeader('content-security-policy', CSP); // on everything, endpoints included
    try {
      const url = new URL(req.url, 'http://x');
      if (await endpoints.handle(req, res, url)) return;
      if ((req.method === 'GET' || req.method === 'HEAD') && (await serveStatic(req, res, url.pathname))) return;
      res.writeHead(404, { 'content-type': 'text/plain', 'content-security-policy': CSP });
      res.end('not found\n');
    } catch (e) {
      if (!quiet) console.error(e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  });
  server.keepAliveTimeout = 1000;
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
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const port = Number(arg('--port', process.env.PORT || 8080));
  const host = arg('--host', '127.0.0.1');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port: ${port}`);
    process.exit(2);
  }
  startServer({ port, host, quiet: false }).then(
    ({ url }) => console.log(`wasyncio demos: ${url}  (Ctrl+C to stop)`),
    (e) => {
      console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: try --port ${port + 1}` : e.message);
      process.exit(1);
    },
  );
}
