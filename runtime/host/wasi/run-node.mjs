#!/usr/bin/env node
// Run a WASI build (build/wasi/*.wasm) under Node's node:wasi:
//   node runtime/host/wasi/run-node.mjs build/wasi/three_tasks.wasm [args...]
// (any WASI runtime works too: wasmtime, wasmer ...). The exit code is the
// program's.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-node.mjs PROGRAM.wasm [args...]');
  process.exit(2);
}
process.removeAllListeners('warning'); // node:wasi is "experimental"
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
