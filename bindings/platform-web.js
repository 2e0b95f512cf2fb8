// The host's browser side (Web Workers, fetch), reached as `#platform`
// (package.json "imports", condition "default"). platform-node.js exports the
// same names for Node. The worker is started with the literal
// `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`
// so bundlers (Vite, webpack) find, bundle and rename it.
import { configuredAsset, lockAssets } from './assets.js';

export const isNode = false;

function noSocket() {
  throw new TypeError('this host has no WebSocket (globalThis.WebSocket is missing)');
}
/** Browsers use their own WebSocket; a host without one says so. */
export const connectNode = noSocket;
/** Browsers cannot accept connections (WebApp.listen() says so first). */
export const acceptNode = noSocket;

/** Browsers have no storage that follows async functions across awaits. */
export function asyncLocalStorage() {
  return null;
}

/** Number of logical cores (navigator.hardwareConcurrency; 2 if unknown). */
export function cpuCount() {
  return Math.max(1, (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 2);
}

/** The URL relative locations resolve against: the page (or worker script). */
export function baseHref() {
  return globalThis.location?.href;
}

/** An absolute path is a path on this origin. */
export function pathHref(path) {
  return new URL(path, globalThis.location?.href).href;
}

/** Browsers fetch everything. */
export async function readLocal() {
  return null;
}

/** URL of the pool's worker script (configure({ assetsURL }) overrides). */
export function workerHref() {
  return (configuredAsset('worker.js') ?? new URL('./worker.js', import.meta.url)).href;
}

function startWorker() {
  const custom = configuredAsset('worker.js');
  if (custom) return new Worker(custom, { type: 'module' });
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/**
 * A pool worker (Web Worker): post(), terminate(), ref()/unref() (no-ops);
 * sink gets message(m), error(err), exit(code).
 */
export class WorkerHost {
  constructor(name, sink) {
    lockAssets('a WorkerPool starts a worker');
    this.sink = sink;
    this.ended = false;
    this.w = startWorker();
    this.w.onmessage = (e) => sink.message(e.data);
    this.w.onerror = (e) => {
      e.preventDefault?.();
      sink.error(new Error(e.message || 'the worker failed to load or threw an uncaught error'));
    };
    this.w.onmessageerror = () => sink.error(new Error('a message from the worker could not be deserialized'));
  }

  post(m, transfer) { this.w.postMessage(m, transfer); }

  // Browsers fire no event when a worker ends: report it ourselves.
  terminate() {
    if (this.ended) return;
    this.ended = true;
    this.w.terminate();
    this.w.onmessage = this.w.onerror = this.w.onmessageerror = null;
    queueMicrotask(() => this.sink.exit(null));
  }

  ref() {}
  unref() {}
}

/**
 * Inside a pool worker: call fn(error, kind) for every uncaught exception
 * and unhandled rejection instead of reporting them to the page.
 * @param {(error: unknown, kind: string) => void} fn
 */
export function catchStrayErrors(fn) {
  self.addEventListener('error', (ev) => {
    ev.preventDefault();
    fn(ev.error ?? new Error(ev.message), 'uncaught exception');
  });
  self.addEventListener('unhandledrejection', (ev) => {
    ev.preventDefault();
    fn(ev.reason, 'unhandled rejection');
  });
}

/**
 * Inside a pool worker (a module Web Worker): how to talk to the pool
 * ({ post, listen }); null elsewhere. self.close() from a job ends the
 * worker without any event on the main side: it says so first, so the pool
 * fails that job and replaces it.
 */
export function poolPort() {
  if (typeof WorkerGlobalScope === 'undefined' || !(self instanceof WorkerGlobalScope)) return null;
  const realClose = self.close.bind(self);
  self.close = () => {
    try { self.postMessage({ t: 'closing' }); } catch { /* closing anyway */ }
    realClose();
  };
  return {
    post: (m, t) => self.postMessage(m, t),
    listen: (fn) => self.addEventListener('message', (e) => fn(e.data)),
  };
}
