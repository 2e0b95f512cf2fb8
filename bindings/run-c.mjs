#!/usr/bin/env node
// Run a C program compiled with `build.sh cc` (or a wasm build of an
// example) under Node: `node bindings/run-c.mjs build/wasm/prog.mjs [args...]`.
// Its output goes to stdout/stderr; the exit code is the run's status
// (0 on success), set when wa_run's main is done.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModule } from './loader.js';

const [glue, ...args] = process.argv.slice(2);
if (!glue) {
  console.error('usage: run-c.mjs PROGRAM.mjs [args...]');
  process.exit(2);
}
await loadModule(pathToFileURL(resolve(glue)), { arguments: args });
