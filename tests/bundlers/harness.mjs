// Fixture apps built from the packed tarball (tests/bundlers/fixtures.test.mjs):
// the toolchains (this directory's package.json, installed once per lockfile),
// `npm pack` + install of the package, the custom C module, the builds, and
// a static server with the test endpoints.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEndpoints } from '../../web/endpoints.mjs';
import { HASHED } from './app/checks.mjs';

export const HERE = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WORK = join(HERE, '.work');
const APP = join(HERE, 'app');
const BIN = join(HERE, 'node_modules');

/**
 * Run a command; resolves { status, out } (stdout + stderr). Never throws.
 * A command is killed when it stops making progress (`idle` ms without
 * output: a hang), not for being slow: a build of the runtime on a loaded
 * 2-core machine takes minutes. `timeout` (total ms) is for commands that
 * print little and must end (an app's checks).
 * @param {string} cmd @param {string[]} args @param {{ cwd?: string, env?: object, timeout?: number, idle?: number }} [o]
 */
export function sh(cmd, args, { cwd = HERE, env, timeout = 0, idle = 900_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, timeout });
    let out = '';
    let hung = false;
    let watchdog;
    const progress = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => { hung = true; child.kill('SIGTERM'); }, idle);
    };
    progress();
    child.stdout.on('data', (d) => { out += d; progress(); });
    child.stderr.on('data', (d) => { out += d; progress(); });
    child.on('error', (e) => { out += String(e); });
    child.on('close', (status, signal) => {
      clearTimeout(watchdog);
      if (hung) out += `\n[no output for ${idle / 1000} s: killed as hung]`;
      resolve({ status: status ?? signal, out });
    });
  });
}

async function must(what, cmd, args, o) {
  const r = await sh(cmd, args, o);
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.out.slice(-4000)}`);
  return r.out;
}

/**
 * The toolchains: `npm ci` here when package-lock.json changed since the
 * last install (a stamp in node_modules), else nothing.
 */
export async function installToolchains() {
  const lock = readFileSync(join(HERE, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).update(readFileSync(join(HERE, 'package.json'))).digest('hex');
  const stamp = join(BIN, '.fixtures-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return 'cached';
  await must('npm ci (fixture toolchains)', 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  writeFileSync(stamp, hash);
  return 'installed';
}

/** npm pack the repository and install the tarball here, as an app would. */
export async function packAndInstall() {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  await must('npm pack', 'npm', ['pack', '--pack-destination', WORK, '--silent'], { cwd: ROOT });
  const tgz = readdirSync(WORK).find((f) => f.endsWith('.tgz'));
  await must('npm install <tarball>', 'npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', join(WORK, tgz)]);
  return join(WORK, tgz);
}

/** The custom C module, built with the installed package's build.sh: .work/c/add.{mjs,wasm} (and HASHED copies). */
export async function buildCModule() {
  mkdirSync(join(WORK, 'c'), { recursive: true });
  await must('build.sh cc', 'bash', [join(BIN, 'wasyncio/build.sh'), 'cc', join(APP, 'add.c'), '-o', join(WORK, 'c/add')]);
  // as a bundler names them: hashed, the .wasm's name unrelated to the glue's
  cpSync(join(WORK, 'c/add.mjs'), join(WORK, `c/${HASHED.glue}`));
  cpSync(join(WORK, 'c/add.wasm'), join(WORK, `c/${HASHED.wasm}`));
  return join(WORK, 'c/add.mjs');
}

/** A fresh copy of the app sources in .work/NAME. */
export function appDir(name) {
  const dir = join(WORK, name);
  cpSync(APP, dir, { recursive: true });
  return dir;
}

export const node = (bin, args, o) => must(`${bin} ${args.join(' ')}`, bin, args, o);
export const tool = (rel) => join(BIN, rel);

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json', '.css': 'text/css',
};

/**
 * Serve a built app at / (and the C module at /c/), with the test endpoints
 * (/json, /delay/ms ... of web/endpoints.mjs) on the same origin. Unknown
 * paths get a 404 (no SPA fallback: a wrong asset URL must show).
 * @param {string} root
 */
export async function serve(root) {
  const endpoints = createEndpoints();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (await endpoints.handle(req, res, url)) return;
    let path = decodeURIComponent(url.pathname);
    let base = root;
    if (path.startsWith('/c/')) { base = join(WORK, 'c'); path = path.slice(2); }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if (!file.startsWith(base + sep)) { res.writeHead(403); res.end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
