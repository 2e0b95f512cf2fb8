#!/usr/bin/env node
// `npm run bench:server`: the tutorials' "Hello, {name}" HTTP server, the
// same route on four servers, each in a process of its own, loaded by the
// same client on the same machine; one table of requests/s and latency
// percentiles side by side:
//
//   wasyncio WebApp, JS handler    an async function
//   wasyncio WebApp, C handler     a C coroutine (tests/c/modules/web_handlers.c)
//   node:http                      a plain request listener
//   aiohttp                        aiohttp.web on CPython (Debian's python3-aiohttp)
//
//   node bench/server.mjs [--duration 5] [--connections 50] [--rounds 3] [--only js,c,node,aiohttp]
//
// With --rounds N the servers take turns N times (js, c, node, aiohttp,
// js, c, ...) and each cell is the median of its N runs: on a shared,
// busy machine one run of each says more about the neighbours than about
// the servers.
//
// The load generator is wrk (Debian's `wrk`); without it, autocannon if it
// is installed; without either, the table says so. A server that cannot
// start (aiohttp missing ...) gets a row saying why. Numbers depend on the
// machine and on what else runs: compare the rows of one run, not runs.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};

// ---- the servers (`--serve KIND`: run one, print "listening PORT") -------

async function serve(kind) {
  let port;
  if (kind === 'node') {
    const server = createServer((req, res) => {
      const m = /^\/hello\/([^/?]+)$/.exec(req.url);
      if (!m) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('not found\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Hello, ${decodeURIComponent(m[1])}`);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    port = server.address().port;
  } else {
    const { Runtime, WebApp } = await import('../bindings/index.js');
    const rt = await Runtime.create(kind === 'c' ? { module: new URL('../build/wasm/modules/web_handlers.mjs', import.meta.url) } : {});
    const app = new WebApp({ runtime: rt });
    if (kind === 'c') app.get('/hello/{name}', { c: 'hello_now_handler' });
    else app.get('/hello/{name}', async (req) => `Hello, ${req.params.name}`);
    // the server runs on the runtime until the process is killed
    rt.run(async () => {
      const server = await app.listen({ port: 0, host: '127.0.0.1' });
      console.log(`listening ${new URL(server.url).port}`);
      await rt.createFuture(); // forever
    }).catch((e) => { console.error(e); process.exit(1); });
    return;
  }
  console.log(`listening ${port}`);
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3]);
} else {
  await main();
}

// ---- the driver -----------------------------------------------------------

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Debian's python3 (with python3-aiohttp), else whatever python3 is on PATH. */
function python() {
  for (const p of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(p, ['-c', 'import aiohttp'], { stdio: 'ignore' }).status === 0) return p;
  }
  return null;
}

/** Start a server process; resolves to { port, proc } once it listens. */
function start(cmd, args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { proc.kill(); reject(new Error('did not start in 30 s')); }, 30_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), proc });
      }
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}): ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** ms from wrk's "1.23ms" / "456.00us" / "1.02s". */
function wrkMs(s) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * { us: 1e-3, ms: 1, s: 1e3, m: 6e4 }[m[2]];
}

/** One load run: { rps, p50, p90, p99, errors }. */
function load(tool, url, { duration, connections }) {
  if (tool === 'wrk') {
    const r = spawnSync('wrk', ['-t', '1', '-c', String(connections), '-d', `${duration}s`, '--latency', url], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`wrk: ${r.stderr || r.stdout}`);
    const pct = (p) => wrkMs((new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(r.stdout) ?? [])[1] ?? '');
    const errs = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)[1]),
      p50: pct(50), p90: pct(90), p99: pct(99),
      errors: (errs ? Number(errs[1]) : 0) + (sock ? sock.slice(1).reduce((s, v) => s + Number(v), 0) : 0),
    };
  }
  const r = spawnSync('npx', ['--no-install', 'autocannon', '-j', '-c', String(connections), '-d', String(duration), url], { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(`autocannon: ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  return { rps: j.requests.average, p50: j.latency.p50, p90: j.latency.p90, p99: j.latency.p99, errors: j.errors + j.non2xx };
}

async function main() {
  const duration = Number(arg('--duration', '5'));
  const connections = Number(arg('--connections', '50'));
  const only = arg('--only', null)?.split(',');
  const rounds = Number(arg('--rounds', '1'));
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError('--rounds must be an integer >= 1');
  const tool = has('wrk') ? 'wrk' : spawnSync('npx', ['--no-install', 'autocannon', '--version'], { cwd: root, stdio: 'ignore' }).status === 0 ? 'autocannon' : null;
  const py = python();
  const self = fileURLToPath(import.meta.url);
  const servers = [
    ['wasyncio WebApp, JS handler', 'js', () => start(process.execPath, [self, '--serve', 'js'])],
    ['wasyncio WebApp, C handler', 'c', () => start(process.execPath, [self, '--serve', 'c'])],
    ['node:http', 'node', () => start(process.execPath, [self, '--serve', 'node'])],
    ['aiohttp (CPython)', 'aiohttp', () => (py ? start(py, [root + 'bench/server_aiohttp.py']) : Promise.reject(new Error('python3-aiohttp is not installed (Debian: apt-get install python3-aiohttp)')))],
  ].filter(([, k]) => !only || only.includes(k));

  console.log(`"Hello, {name}": GET /hello/Ann, ${connections} connections, ${duration} s per server after a 1 s warm-up` +
    `${rounds > 1 ? `, median of ${rounds} interleaved rounds` : ''}; ` +
    `load generator: ${tool ?? 'none'}; ${cpus().length} cores, Node ${process.versions.node}; ${new Date().toISOString().slice(0, 16)}Z`);
  if (!tool) {
    console.log('no load generator: install wrk (Debian: apt-get install wrk) or autocannon (npm i -D autocannon)');
    return;
  }
  const runs = new Map(servers.map(([label]) => [label, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [label, , startIt] of servers) {
      const got = runs.get(label);
      if (got.error) continue;
      let s = null;
      try {
        s = await startIt();
        const url = `http://127.0.0.1:${s.port}/hello/Ann`;
        const body = await (await fetch(url)).text();
        if (body !== 'Hello, Ann') throw new Error(`answered ${JSON.stringify(body)}`);
        load(tool, url, { duration: 1, connections }); // warm-up (JIT, connections)
        got.push(load(tool, url, { duration, connections }));
      } catch (e) {
        got.error = e.message;
      } finally {
        s?.proc.kill();
      }
    }
  }
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const rows = [...runs].map(([label, got]) => (got.error ? { label, error: got.error } : {
    label,
    rps: median(got.map((r) => r.rps)),
    p50: median(got.map((r) => r.p50)),
    p90: median(got.map((r) => r.p90)),
    p99: median(got.map((r) => r.p99)),
    errors: got.reduce((n, r) => n + r.errors, 0),
  }));
  const base = rows.find((r) => r.label === 'node:http' && !r.error);
  const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const table = [['server', 'requests/s', 'vs node:http', 'p50 ms', 'p90 ms', 'p99 ms', 'errors']];
  for (const r of rows) {
    if (r.error) table.push([r.label, `not run: ${r.error}`, '', '', '', '', '']);
    else table.push([r.label, f(r.rps, 0), base ? `${f(r.rps / base.rps)}x` : '–', f(r.p50), f(r.p90), f(r.p99), String(r.errors)]);
  }
  const width = table[0].map((_, i) => Math.max(...table.filter((row) => !row[1].startsWith('not run') || i === 0).map((row) => row[i].length)));
  for (const row of table) {
    if (row[1].startsWith('not run')) console.log(`${row[0].padEnd(width[0])}  ${row[1]}`);
    else console.log(row.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  '));
  }
}
