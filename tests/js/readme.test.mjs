// Doc tests: every code block of README.md runs as written. JS blocks run
// under Node against the built package (installed as node_modules/wasyncio
// of a scratch app) and print what their `// → ...` comments say; they are
// also type-checked as TypeScript (`tsc --strict`). C blocks with a main()
// compile (-Wall -Wextra -Werror) against the native runtime and run; shell
// blocks are syntax-checked. A block that cannot run says why with a
// directive (tests/docs/extract.mjs). And the README names no file that is
// not there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractBlocks, expectedOutput } from '../docs/extract.mjs';
import { startServer } from '../../web/server.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const README = join(root, 'README.md');
const blocks = extractBlocks(README);
const JS = new Set(['js', 'javascript', 'mjs']);
const SH = new Set(['sh', 'bash', 'shell']);

let work;
let server;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'wasyncio-readme-'));
  mkdirSync(join(work, 'node_modules'));
  symlinkSync(root, join(work, 'node_modules', 'wasyncio'), 'dir');
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'readme-app', private: true, type: 'module' }));
  server = await startServer({ port: 0 });
});
after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * Run a command in the work directory (asynchronously: the test server lives
 * in this process). err is cut to its end: a stack through the minified
 * bundle prints a whole line of it.
 */
function sh(cmd, args, { input, timeout = 120_000, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: work, env: env ?? process.env, timeout });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (e) => { err += String(e); });
    child.on('close', (status) => {
      err = err.split('\n').map((l) => (l.length > 300 ? l.slice(0, 300) + ' …' : l)).join('\n');
      resolve({ status, out, err: err.length > 4000 ? '…' + err.slice(-4000) : err });
    });
    // a program that exits without reading stdin makes this write fail
    // (EPIPE): not an error of the block (its exit status says)
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

const directive = (b, kind) => b.directives.find((d) => d.kind === kind);

test('README.md has code blocks, and every directive is known', () => {
  assert.ok(blocks.length >= 10, `${blocks.length} blocks`);
  for (const b of blocks) {
    for (const d of b.directives) {
      assert.ok(['skip', 'save', 'setup', 'no-types'].includes(d.kind), `README.md:${b.line}: unknown directive ${d.kind}`);
      if (d.kind === 'skip' || d.kind === 'no-types') assert.ok(d.arg, `README.md:${b.line}: ${d.kind} needs a reason`);
    }
  }
});

for (const b of blocks) {
  const name = `README.md:${b.line} (${b.lang || 'no language'})`;
  test(name, async (t) => {
    const skip = directive(b, 'skip');
    if (skip) return t.skip(skip.arg);
    const save = directive(b, 'save');
    if (save) {
      writeFileSync(join(work, save.arg), b.code);
      if (b.lang === 'c') {
        const r = await sh('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', `-I${root}runtime/include`, save.arg]);
        assert.equal(r.status, 0, `${save.arg} does not compile:\n${r.err}`);
      } else if (JS.has(b.lang)) {
        const r = await sh(process.execPath, ['--check', save.arg]);
        assert.equal(r.status, 0, `${save.arg}:\n${r.err}`);
      }
      return;
    }
    const setup = directive(b, 'setup');
    if (setup) {
      const r = await sh('bash', ['-c', setup.arg], { timeout: 300_000 });
      assert.equal(r.status, 0, `setup "${setup.arg}" failed:\n${r.out}${r.err}`);
    }
    if (JS.has(b.lang)) {
      const file = `block-${b.line}.mjs`;
      writeFileSync(join(work, file), b.code);
      const r = await sh(process.execPath, ['--import', fileURLToPath(new URL('../docs/httpbin.mjs', import.meta.url)), file], {
        env: { ...process.env, WASYNCIO_DOCTEST_HTTPBIN: server.url },
      });
      assert.equal(r.status, 0, `exit ${r.status}:\n${r.out}${r.err}`);
      const want = expectedOutput(b.code);
      if (want.length) assert.deepEqual(r.out.trimEnd().split('\n').map((l) => l.trimEnd()), want, 'output (the // → comments)');
    } else if (b.lang === 'c') {
      const file = `block-${b.line}.c`;
      writeFileSync(join(work, file), b.code);
      if (!/\bint main\s*\(/.test(b.code)) {
        const r = await sh('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', `-I${root}runtime/include`, file]);
        assert.equal(r.status, 0, r.err);
        return;
      }
      const lib = join(root, 'build/native/libwasyncio.a');
      assert.ok(existsSync(lib), `${lib} is missing: run bash build.sh`);
      const exe = `block-${b.line}`;
      let r = await sh('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', `-I${root}runtime/include`, file, lib, '-o', exe]);
      assert.equal(r.status, 0, `does not compile:\n${r.err}`);
      r = await sh(`./${exe}`, []);
      assert.equal(r.status, 0, `exit ${r.status}:\n${r.out}${r.err}`);
    } else if (SH.has(b.lang)) {
      const r = await sh('bash', ['-n'], { input: b.code });
      assert.equal(r.status, 0, r.err);
    } else if (b.lang === 'json') {
      JSON.parse(b.code);
    } else {
      assert.fail(`a ${b.lang || 'plain'} block: mark it <!-- doctest: skip REASON --> or teach the extractor`);
    }
  });
}

test('README JS blocks type-check (tsc --strict, as .ts files)', async () => {
  const files = [];
  for (const b of blocks) {
    if (!JS.has(b.lang) || directive(b, 'skip') || directive(b, 'save') || directive(b, 'no-types')) continue;
    const file = `types-${b.line}.ts`;
    writeFileSync(join(work, file), b.code + '\nexport {};\n');
    files.push(file);
  }
  assert.ok(files.length >= 5);
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', lib: ['es2022', 'dom'], types: [] },
    files,
  }));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const r = await sh(process.execPath, [tsc, '-p', 'tsconfig.json']);
  // types-LINE.ts(l,c) -> README.md:(LINE + l - 1)
  const out = r.out.replace(/types-(\d+)\.ts\((\d+),(\d+)\)/g, (_, base, l, c) => `README.md:${Number(base) + Number(l) - 1}:${c}`);
  assert.equal(r.status, 0, out);
});

test('README names no file that is not in the repository', () => {
  const md = readFileSync(README, 'utf8');
  assert.doesNotMatch(md, /DESIGN\.md/);
  for (const [, target] of md.matchAll(/\]\(([^)#:]+)(?:#[^)]*)?\)/g)) {
    assert.ok(existsSync(join(root, target)), `link to ${target}`);
  }
  // repository paths in code spans: runtime/..., bindings/..., web/..., tests/..., bench/...
  for (const [, path] of md.matchAll(/`((?:runtime|bindings|web|tests|bench|\.ci)\/[\w./{},-]*)`/g)) {
    const expanded = path.includes('{') ? [] : [path.replace(/\/$/, '')];
    for (const p of expanded) assert.ok(existsSync(join(root, p)), `\`${path}\` is named in README.md but does not exist`);
  }
});
