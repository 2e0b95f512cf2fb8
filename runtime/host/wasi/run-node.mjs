#!/usr/bin/env node
// Run a WASI build (build/wasi/*.wasm) under Node's node:wasi:
//   node runtime/host/wasi/run-node.mjs [--dir=PATH ...] build/wasi/three_tasks.wasm [args...]
// (any WASI runtime works too: wasmtime, wasmer ...). The exit code is the
// program's. --dir=PATH preopens directory PATH (relative to the current
// directory) under the same name: the program's files (wasyncio/fs.h) live
// there; without it the program sees no file system.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const preopens = {};
while (argv[0]?.startsWith('--dir=')) {
  const dir = argv.shift().slice('--dir='.length);
  preopens[dir] = dir;
}
const [file, ...args] = argv;
if (!file) {
  console.error('usage: run-node.mjs [--dir=PATH ...] PROGRAM.wasm [args...]');
  process.exit(2);
}
process.removeAllListeners('warning'); // node:wasi is "experimental"
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, preopens, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
