// Loads an Emscripten module built by build.sh (ES module glue + .wasm) in
// Node 18+ and browsers from the same artifacts: the .wasm is compiled once
// (Node: read next to the glue; browsers: compileStreaming with a fallback)
// and the compiled WebAssembly.Module is handed to the glue through
// instantiateWasm, so it can also be posted to workers and reused.

const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);

/**
 * An absolute URL: relative strings are resolved against the page
 * (browsers) or the current directory (Node).
 * @param {string | URL} u
 */
function resolveUrl(u) {
  if (u instanceof URL) return u.href;
  const s = String(u);
  if (typeof location !== 'undefined' && location.href) return new URL(s, location.href).href;
  if (isNode) return new URL(s, 'file://' + process.cwd().replace(/\\/g, '/') + '/').href;
  return new URL(s).href;
}

/**
 * Compile a .wasm file.
 * @param {string | URL} url location of the .wasm (file: URL or path in Node)
 * @returns {Promise<WebAssembly.Module>}
 */
export async function compileWasm(url) {
  if (isNode && (typeof url !== 'string' || !/^https?:/.test(url)) && !(url instanceof URL && /^https?:/.test(url.protocol))) {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(fetch(url));
    } catch (e) {
      // wrong MIME type (application/wasm) from some servers: fall back
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`wasyncio: cannot load ${url}: HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
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
 * Load glue + wasm that sit side by side (X.mjs and X.wasm). The Module
 * gets `wasyncioWasmModule` (the compiled WebAssembly.Module) and
 * `wasyncioGlueUrl` (href of the glue), so workers can instantiate the
 * very same code.
 * @param {string | URL} glueUrl URL of the .mjs glue
 * @param {object} [overrides]
 */
export async function loadModule(glueUrl, overrides = {}) {
  const href = resolveUrl(glueUrl);
  const wasmUrl = new URL(href.replace(/\.m?js$/, '.wasm'));
  const [{ default: factory }, module] = await Promise.all([import(href), compileWasm(wasmUrl)]);
  return instantiate(factory, module, { wasyncioGlueUrl: href, ...overrides });
}
