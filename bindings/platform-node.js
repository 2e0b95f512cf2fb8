// The host's Node side, reached as `#platform` (package.json "imports",
// condition "node"): worker_threads, the core count, files, the current
// directory. Browser builds resolve `#platform` to platform-web.js, so they
// never see a `node:*` import; both files export the same names.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import { AsyncLocalStorage } from 'node:async_hooks';
import { configuredAsset, lockAssets } from './assets.js';

// Node 20 has no stable global WebSocket: our own RFC 6455 endpoint (client
// and the server's upgrade). Browsers have theirs and never load this.
export { connectNode, acceptNode } from './ws_node.js';

export const isNode = true;

/** Storage that follows async functions across awaits (context_vars.js). */
export function asyncLocalStorage() {
  return new AsyncLocalStorage();
}

/** Number of logical cores of this machine (at least 1). */
export function cpuCount() {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** The URL relative locations resolve against: the current directory. */
export function baseHref() {
  return pathToFileURL(process.cwd() + '/').href;
}

/** file: URL of an absolute path. */
export function pathHref(path) {
  return pathToFileURL(path).href;
}

/**
 * The bytes of a local file (a path or a file: URL), or null if url is an
 * http(s) URL (fetched instead).
 * @param {string | URL} url
 * @returns {Promise<Uint8Array | null>}
 */
export async function readLocal(url) {
  const s = url instanceof URL ? url.href : String(url);
  if (/^https?:/i.test(s)) return null;
  return readFile(/^file:/i.test(s) ? new URL(s) : s);
}

// The pool's worker script: bindings/worker.js next to this file in the
// sources; in the bundle (dist/wasyncio.node.js), its own bundle
// dist/worker.node.js (dist/worker.js is the browsers').
const BUNDLED_WORKER = import.meta.url.endsWith('/platform-node.js') ? null : new URL('./worker.node.js', import.meta.url);

/** URL of the pool's worker script (configure({ assetsURL }) overrides). */
export function workerHref() {
  return (configuredAsset('worker.node.js') ?? BUNDLED_WORKER ?? new URL('./worker.js', import.meta.url)).href;
}

// Node options for workers: the parent's, minus those that run code of
// their own (`node -e '...'` would run the script again in every worker).
function workerExecArgv() {
  const out = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') { i++; continue; }
    if (/^(--eval=|--print=|--input-type|-pe$|--test|--watch)/.test(a)) continue;
    out.push(a);
  }
  return out;
}

/**
 * A pool worker (worker_threads): post(), terminate(), ref()/unref();
 * sink gets message(m), error(err), exit(code).
 */
export class WorkerHost {
  constructor(name, sink, memoryLimitMb) {
    lockAssets('a WorkerPool starts a worker');
    const resourceLimits = memoryLimitMb ? { maxOldGenerationSizeMb: memoryLimitMb } : undefined;
    this.w = new Worker(new URL(workerHref()), { name, execArgv: workerExecArgv(), workerData: { wasyncioPoolWorker: true }, resourceLimits });
    this.w.on('message', (m) => sink.message(m));
    this.w.on('error', (e) => sink.error(e));
    this.w.on('messageerror', (e) => sink.error(e));
    this.w.on('exit', (code) => sink.exit(code));
    this.refd = true;
  }

  post(m, transfer) { this.w.postMessage(m, transfer); }
  terminate() { this.w.terminate().catch(() => {}); }
  ref() { this.w.ref(); }
  unref() { this.w.unref(); }
}

/**
 * Inside a pool worker: call fn(error, kind) for every uncaught exception
 * and unhandled rejection instead of ending the worker.
 * @param {(error: unknown, kind: string) => void} fn
 */
export function catchStrayErrors(fn) {
  process.on('uncaughtException', (e) => fn(e, 'uncaught exception'));
  process.on('unhandledRejection', (e) => fn(e, 'unhandled rejection'));
}

/**
 * Inside a pool worker: how to talk to the pool ({ post, listen }); null on
 * the main thread or in a worker the pool did not start.
 */
export function poolPort() {
  if (isMainThread || !workerData?.wasyncioPoolWorker) return null;
  return {
    post: (m, t) => parentPort.postMessage(m, t),
    listen: (fn) => parentPort.on('message', fn),
  };
}
