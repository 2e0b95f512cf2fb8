#!/usr/bin/env node
// Per-frame C stack checks for a linked wasm module (build.sh runs this
// between the link and Asyncify):
//
//   node runtime/host/stack_check.mjs IN.wasm OUT.wat [--handler NAME]
//
// binaryen's stack-check pass compares every write of __stack_pointer (each
// frame's prologue and epilogue) with two globals, [limit, base], and traps
// when the new value is outside, before the frame writes anything. The pass
// (binaryen 108) only lets the host set those globals through an export;
// this step gives C a direct, free way instead: the import
// env.wa__stack_limits_set(base, limit) (coro_asyncify.c) becomes a function
// that writes them, and the base starts at the top of the address space so
// nothing is checked until the runtime sets limits for a task.
//
// --handler NAME: before trapping, call the imported function NAME(sp) (the
// JS host's, which throws an error the host turn turns into "task X
// overflowed its stack"). The pass's own handler option produces invalid
// code in binaryen 108, hence this rewrite of the trap.
//
// Output is text (names kept for the Asyncify lists); the next wasm-opt
// reads it. Fails loudly if the module does not have the expected shape.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output, ...rest] = process.argv.slice(2);
const hi = rest.indexOf('--handler');
const handler = hi >= 0 ? rest[hi + 1] : null;
if (!input || !output || (hi >= 0 && !handler)) {
  console.error('usage: stack_check.mjs IN.wasm OUT.wat [--handler NAME]');
  process.exit(2);
}
const fail = (msg) => {
  console.error(`stack_check: ${input}: ${msg}`);
  process.exit(1);
};

execFileSync('wasm-opt', [input, '--stack-check', '-S', '-o', output], { stdio: 'inherit' });
let wat = readFileSync(output, 'utf8');

// The pass's globals, read from the setter it exports.
const setter = /\(export "__set_stack_limits" \(func \$([^)\s]+)\)\)/.exec(wat);
if (!setter) fail('no __set_stack_limits export: did the stack-check pass run?');
const body = new RegExp(`\\(func \\$${esc(setter[1])} \\(param \\$0 i32\\) \\(param \\$1 i32\\)\\s*` +
  `\\(global\\.set \\$(\\S+)\\s*\\(local\\.get \\$0\\)\\s*\\)\\s*\\(global\\.set \\$(\\S+)\\s*\\(local\\.get \\$1\\)`).exec(wat);
if (!body) fail('unexpected __set_stack_limits body');
const [, base, limit] = body;

// The import C calls becomes a function writing those globals.
const imp = /^ *\(import "env" "wa__stack_limits_set" \(func \$(\S+) \(param i32 i32\)\)\)\n/m.exec(wat);
if (!imp) fail('no import env.wa__stack_limits_set (coro_asyncify.c declares it)');
wat = wat.replace(imp[0], '');
const end = wat.lastIndexOf(')');
wat = wat.slice(0, end) +
  ` (func $${imp[1]} (param $0 i32) (param $1 i32)\n  (global.set $${base} (local.get $0))\n  (global.set $${limit} (local.get $1))\n )\n` +
  wat.slice(end);

// Nothing is checked until the runtime sets a task's limits.
const baseDecl = new RegExp(`\\(global \\$${esc(base)} \\(mut i32\\) \\(i32\\.const 0\\)\\)`);
if (!baseDecl.test(wat)) fail(`unexpected declaration of ${base}`);
wat = wat.replace(baseDecl, `(global $${base} (mut i32) (i32.const -1))`);

if (handler) {
  if (!new RegExp(`\\(import "env" "${esc(handler)}" \\(func \\$${esc(handler)} \\(param i32\\)\\)\\)`).test(wat)) {
    fail(`no import env.${handler}(i32) to call on overflow`);
  }
  const checks = wat.split(`(global.get $${limit})`).length - 1;
  let n = 0;
  wat = wat.replace(new RegExp(`(\\(global\\.get \\$${esc(limit)}\\)\\s*\\)\\s*\\)\\s*)\\(unreachable\\)`, 'g'), (m, pre) => {
    n++;
    return `${pre}(block (call $${handler} (global.get $__stack_pointer)) (unreachable))`;
  });
  if (n !== checks || n === 0) fail(`rewrote ${n} of ${checks} stack checks`);
}
writeFileSync(output, wat);

function esc(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
