// Where the package's assets are (wasyncio.wasm, wasyncio.mjs, worker.js,
// worker.node.js): by default next to the code that names them, found
// through `new URL('…', import.meta.url)` (bundlers emit and rewrite those);
// configure({ assetsURL }) says another place, e.g. for a bundler that
// leaves them alone (esbuild) or a CDN.

import { baseHref } from '#platform';

let assetsHref = null;
let locked = null;

/**
 * Where the assets are. Call it before the default runtime loads (its
 * first use) and before a WorkerPool starts a worker.
 * @param {{ assetsURL?: string | URL | null }} options assetsURL: the
 *   directory (trailing slash implied) holding the files of the package's
 *   dist/; relative to the page (browsers) or the current directory (Node);
 *   null for the default.
 */
export function configure(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('configure(options): options must be an object');
  const { assetsURL } = options;
  if (assetsURL !== undefined && assetsURL !== null && typeof assetsURL !== 'string' && !(assetsURL instanceof URL)) {
    throw new TypeError('configure: options.assetsURL must be a URL, a string or null');
  }
  if (assetsURL === undefined) return;
  if (locked) throw new Error(`configure: options.assetsURL must be set before ${locked}`);
  if (assetsURL === null) { assetsHref = null; return; }
  let s = assetsURL instanceof URL ? assetsURL.href : assetsURL;
  if (!s) throw new TypeError('configure: options.assetsURL must not be empty');
  if (!s.endsWith('/')) s += '/';
  assetsHref = new URL(s, baseHref()).href;
}

/**
 * The configured URL of asset `name`, or null (then the caller uses its
 * literal `new URL(name, import.meta.url)`).
 * @param {string} name
 * @returns {URL | null}
 */
export function configuredAsset(name) {
  return assetsHref === null ? null : new URL(name, assetsHref);
}

/**
 * Called when an asset location is first used: configure() then throws
 * (the runtime or worker already loaded from the old place).
 * @param {string} what
 */
export function lockAssets(what) {
  locked ??= what;
}
