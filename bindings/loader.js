// Loads an Emscripten module built by build.sh (ES module glue + .wasm) in
// Node 18+ and browsers from the same artifacts: the .wasm is compiled once
// (Node: read next to the glue; browsers: compileStreaming with a fallback)
// and the compiled WebAssembly.Module is handed to the glue through
// instantiateWasm, so it can also be posted to workers and reused.

import { baseHref, readLocal } from '#platform';
import { openSocket } from './ws_open.js';

/**
 * An absolute URL: relative strings are resolved against the page
 * (browsers) or the current directory (Node).
 * @param {string | URL} u
 */
function resolveUrl(u) {
  if (u instanceof URL) return u.href;
  return new URL(String(u), baseHref()).href;
}

/**
 * Compile a .wasm file. A response that is not a WebAssembly module (an
 * HTTP error, or an HTML page a dev server or an SPA fallback answers with)
 * fails with an error naming the URL and what came instead.
 * @param {string | URL} url location of the .wasm (file: URL or path in Node)
 * @returns {Promise<WebAssembly.Module>}
 */
export async function compileWasm(url) {
  const local = await readLocal(url);
  if (local) {
    checkWasm(local, url, null);
    return WebAssembly.compile(local);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`wasyncio: cannot load ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  const type = res.headers.get('content-type') || '';
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\b/i.test(type)) {
    return WebAssembly.compileStreaming(res);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  checkWasm(bytes, url, type);
  return WebAssembly.compile(bytes);
}

/** Throw a clear error unless bytes start with the wasm magic number ("\0asm"). */
function checkWasm(bytes, url, type) {
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) return;
  const head = new TextDecoder().decode(bytes.subarray(0, 40)).replace(/\s+/g, ' ').trim();
  throw new Error(`wasyncio: ${url} is not a WebAssembly module` +
    `${type ? ` (content-type ${type})` : ''}; it starts with ${JSON.stringify(head)}` +
    (/^<!doctype|^<html/i.test(head) ? ': the server answered with a page (is the .wasm where the loader looks for it?)' : ''));
}

/**
 * Instantiate an Emscripten module factory with an already compiled Module.
 * @param {(opts: object) => Promise<object>} factory the glue's default export
 * @param {WebAssembly.Module} module
 * @param {object} [overrides] Emscripten Module options (print, printErr ...)
 * @returns {Promise<object>} the Emscripten Module object
 */
export function instantiate(factory, module, overrides = {}) {
  return factory({
    // kept on the Module so the same compiled code can go to workers
    wasyncioWasmModule: module,
    // how the C WebSocket API opens sockets (library_websocket.js)
    wasyncioOpenWebSocket: openSocket,
    ...overrides,
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(module, imports).then(
        (instance) => receive(instance, module),
        (err) => { throw err; },
      );
      return {};
    },
  });
}

/**
 * Load an Emscripten module: its glue (X.mjs) and its .wasm (by default
 * X.wasm next to the glue; say where it is when a bundler or a CDN renamed
 * it). The Module gets `wasyncioWasmModule` (the compiled
 * WebAssembly.Module) and `wasyncioGlueUrl` (href of the glue), so workers
 * can instantiate the very same code.
 * @param {string | URL} glueUrl URL of the .mjs glue
 * @param {object} [overrides]
 * @param {string | URL | WebAssembly.Module} [wasm] the .wasm's URL, or the module compiled
 */
export async function loadModule(glueUrl, overrides = {}, wasm = undefined) {
  const href = resolveUrl(glueUrl);
  const compiled = wasm instanceof WebAssembly.Module ? wasm
    : compileWasm(wasm === undefined ? new URL(href.replace(/\.m?js$/, '.wasm')) : resolveUrl(wasm));
  const glue = import(/* @vite-ignore */ /* webpackIgnore: true */ href).catch((e) => {
    throw new Error(`wasyncio: cannot import the module glue ${href}: ${e?.message ?? e}`, { cause: e });
  });
  const [{ default: factory }, module] = await Promise.all([glue, compiled]);
  return instantiate(factory, module, { wasyncioGlueUrl: href, ...overrides });
}
