// Types for bindings/loader.js.

// WebAssembly.Module comes from the DOM lib; Node projects without it
// (@types/node only) get an opaque one.
declare global {
  namespace WebAssembly {
    interface Module {}
  }
}
/** Compile a .wasm (Node: from a file URL or path; browsers: fetch + compileStreaming). */
export declare function compileWasm(url: string | URL): Promise<WebAssembly.Module>;
/** Instantiate an Emscripten factory with an already compiled module. */
export declare function instantiate(
  factory: (opts: object) => Promise<any>,
  module: WebAssembly.Module,
  overrides?: Record<string, unknown>,
): Promise<any>;
/** Load X.mjs + X.wasm side by side. */
export declare function loadModule(glueUrl: string | URL, overrides?: Record<string, unknown>, wasm?: string | URL | WebAssembly.Module): Promise<any>;
