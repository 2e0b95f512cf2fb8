// The crawler example (runtime/examples/crawler.c), compiled to wasm, run
// under Node against the test server: it must crawl everything, retry what
// is retryable with backoff, and print sane statistics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadModule } from '../../bindings/loader.js';
import { startServer } from '../../web/server.mjs';

const glue = new URL('../../build/wasm/crawler.mjs', import.meta.url);

let srv;
before(async () => { srv = await startServer({ port: 0 }); });
after(async () => { await srv?.close(); });

/** Run the crawler with args; resolves with its output and final status. */
async function crawl(args) {
  assert.ok(existsSync(glue), `${glue.pathname} is missing: run ./build.sh`);
  const out = [];
  let done;
  const finished = new Promise((r) => (done = r));
  await loadModule(glue, {
    arguments: args,
    print: (l) => out.push(l),
    printErr: (l) => out.push('stderr: ' + l),
    onRunDone: (status, message) => done({ status, message }),
  });
  const { status, message } = await finished;
  return { status, message, text: out.join('\n'), lines: out };
}

const num = (text, re) => {
  const m = re.exec(text);
  assert.ok(m, `${re} not in:\n${text}`);
  return m.slice(1).map(Number);
};

test('crawler: default seeds, retries with backoff, statistics', async () => {
  const before = srv.stats();
  const t0 = performance.now();
  const { status, message, text, lines } = await crawl([srv.url, '--key', 'crawler-test-1']);
  const wall = performance.now() - t0;
  assert.equal(status, 0, `${message}\n${text}`);
  // 20 /links pages, a flaky page (ok on try 3), a slow page, a drip, a 404,
  // a 503 (retried, then given up as an HTTP error), a reset (retried, failed)
  const [urls, secs, workers] = num(text, /crawled (\d+) URLs in ([\d.]+) s with Semaphore\((\d+)\)/);
  assert.equal(urls, 26);
  assert.equal(workers, 8);
  assert.deepEqual(num(text, /ok: (\d+) \(first try: (\d+)\)\s+http errors: (\d+)\s+failed: (\d+)/), [23, 22, 2, 1]);
  const [requests, retries] = num(text, /requests: (\d+)\s+retries: (\d+)/);
  assert.equal(retries, 2 + 3 + 3);
  assert.equal(requests, 26 + retries);
  const [inflight] = num(text, /at most (\d+) requests in flight/);
  assert.ok(inflight >= 2 && inflight <= 8, `in flight: ${inflight}`);
  assert.ok(secs > 0.3 && secs * 1000 <= wall + 50, `took ${secs} s`);
  const [min, mean, p50, p90, p99, max] = num(text,
    /latency ms: min ([\d.]+)\s+mean ([\d.]+)\s+p50 ([\d.]+)\s+p90 ([\d.]+)\s+p99 ([\d.]+)\s+max ([\d.]+)/);
  assert.ok(min > 0 && min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max && min <= mean && mean <= max);
  assert.ok(max >= 300, 'the 300 ms page is the slowest or close to it'); // /delay/300, the drip (400 ms)
  assert.match(text, /200\s+\/flaky\?fail=2&key=crawler-crawler-test-1\s+[\d.]+ ms\s+3 tries/);
  assert.match(text, /503\s+\/status\/503\s+[\d.]+ ms\s+4 tries/);
  assert.match(text, /404\s+\/status\/404\s+[\d.]+ ms\s+1 try\b/);
  assert.match(text, /failed\s+\/reset\?bytes=100\s+network error after 4 tries: \S/);
  for (let i = 0; i < 20; i++) assert.match(text, new RegExp(`200\\s+/links/20/${i}\\s`));
  // backoff grows: the 503's waits are about 100, 200, 400 ms (+-50%)
  const waits = lines.filter((l) => /retry\s+\/status\/503/.test(l)).map((l) => Number(/in (\d+) ms/.exec(l)[1]));
  assert.equal(waits.length, 3);
  waits.forEach((w, i) => assert.ok(w >= 50 * 2 ** i && w <= 150 * 2 ** i, `wait ${i}: ${w}`));
  // the server saw exactly those requests, none left hanging
  const after = srv.stats();
  assert.equal(after.started - before.started, requests);
  assert.equal(after.active, 0);
  assert.equal(after.aborted - before.aborted, 0);
});

test('crawler: concurrency limit, page limit, own seeds', async () => {
  const tag = `crawl-${Date.now()}`;
  const { status, text } = await crawl([srv.url, '--concurrency', '3', '--max-pages', '12',
    `delay/200?tag=${tag}`, '/links/30/0']);
  assert.equal(status, 0, text);
  assert.deepEqual(num(text, /crawled (\d+) URLs in [\d.]+ s with Semaphore\((\d+)\) \(at most (\d+) requests in flight\)/), [12, 3, 3]);
  assert.deepEqual(num(text, /ok: (\d+) \(first try: (\d+)\)\s+http errors: (\d+)\s+failed: (\d+)/), [12, 12, 0, 0]);
});

test('crawler: bad arguments end the run with an error status', async () => {
  const { status, text } = await crawl([srv.url, '--concurrency', '0']);
  assert.notEqual(status, 0);
  assert.match(text, /usage: crawler BASE_URL/);
});
