// The demo pages in real Chromium, under the server's strict CSP: every
// page loads, runs its C demo to completion with small parameters (URL
// query), shows numbers that make sense, logs no console error, and leaves
// a screenshot in test-results/demo-*.png.
//
// Console errors: none at all, except Chromium's own network log lines
// ("Failed to load resource: ...") for the requests a demo makes to
// endpoints that fail on purpose (a 503, a 404, a connection reset ...);
// those are matched by URL and counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, ARTIFACTS } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

/**
 * Open a demo page; returns the page and a check for console errors.
 * @param {string} path e.g. 'demos/fetch.html?autorun=1'
 * @param {RegExp} [expectedFailures] URLs whose network errors are expected
 */
async function open(path, expectedFailures) {
  const page = await b.page();
  await page.setViewportSize({ width: 1280, height: 900 });
  const network = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /^Failed to load resource/.test(m.text())) network.push(m.location().url);
  });
  await page.goto(b.url + path);
  return {
    page,
    /** no console error except expected network failures; returns their count */
    checkConsole() {
      const unexpected = page.errors.filter((text, i) => {
        if (!/^Failed to load resource/.test(text)) return true;
        return !(expectedFailures && expectedFailures.test(network.shift() ?? ''));
      });
      assert.deepEqual(unexpected, [], 'console errors');
      return page.errors.length;
    },
  };
}

async function finish(page, timeout = 30000) {
  await page.waitForSelector('body[data-done="true"]', { timeout });
  return page.evaluate(() => window.demoResults);
}

async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}demo-${name}.png`, fullPage: true });
}

// Times are only checked from below (never before what the demo waits
// for): how much faster concurrency is belongs to bench/, not to a test
// that must pass on a loaded machine.
const atLeast = (v, lo, what) => assert.ok(v >= lo, `${what}: ${v} < ${lo}`);

test('index page: a card for every demo, every link loads', async () => {
  const { page, checkConsole } = await open('');
  const links = await page.$$eval('#demos a', (as) => as.map((a) => a.getAttribute('href')));
  for (const p of ['fetch', 'crawler', 'search', 'queue', 'cpu', 'cancel', 'hello', 'io']) {
    assert.ok(links.includes(`/demos/${p}.html`), `index links ${p}`);
  }
  for (const href of links) {
    const r = await page.request.get(b.url + href.slice(1));
    assert.equal(r.status(), 200, href);
    assert.match(r.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  }
  await shot(page, 'index');
  checkConsole();
  await page.close();
});

test('demo 1: sequential, gather, Semaphore and pool: the concurrency each allows, at the server', async () => {
  const { page, checkConsole } = await open('demos/fetch.html?autorun=1&n=6&delay=200&workers=3&limit=2');
  const r = await finish(page);
  const m = r.modes;
  const d = 200;
  atLeast(m.seq.ms, 6 * d, 'sequential');
  atLeast(m.gather.ms, d, 'gather');
  atLeast(m.limit.ms, 3 * d, 'Semaphore(2)');
  atLeast(m.pool.ms, 2 * d, 'pool of 3');
  // what the server saw: requests in flight at once
  assert.deepEqual([m.seq.peak, m.pool.peak, m.gather.peak, m.limit.peak], [1, 3, 6, 2]);
  for (const k of ['seq', 'pool', 'gather', 'limit']) {
    assert.equal(m[k].ok, 6, `${k}: all 6 requests ok`);
    assert.equal(m[k].requests, 6, `${k}: 6 requests reached the server`);
  }
  assert.match(await page.textContent('#src'), /WA_EXPORT_CORO\(compare\)/);
  await shot(page, 'fetch');
  checkConsole();
  await page.close();
});

test('favicon.ico is served (browsers ask for it on pages without an icon link: JSON, C sources)', async () => {
  const page = await b.page();
  const r = await page.request.get(b.url + 'favicon.ico');
  assert.equal(r.status(), 200);
  assert.equal(r.headers()['content-type'], 'image/svg+xml');
  assert.match(await r.text(), /<svg/);
  await page.close();
});

test('demo 1: Stop cancels the running C task and its requests', async () => {
  const { page, checkConsole } = await open('demos/fetch.html?n=4&delay=3000');
  await page.waitForFunction(() => /ready/.test(document.getElementById('status').textContent));
  await page.click('#run');
  await page.waitForFunction(() => /\d\/4…|running/.test(document.getElementById('status').textContent));
  await page.waitForTimeout(300);
  await page.click('#stop');
  const r = await finish(page, 10000);
  assert.equal(r.stopped, true);
  assert.equal(r.modes.seq, undefined, 'the stopped way has no time');
  assert.match(await page.textContent('#status'), /stopped/);
  const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => tr.cells[1].textContent));
  assert.equal(rows[0], 'stopped');
  checkConsole();
  await page.close();
});

test('demo 2: crawler statistics (limit, retries with backoff, failures)', async () => {
  // timeout 4000 ms: far from both the slow page (600 ms, which a loaded
  // machine can stretch by seconds) and the slower one (30 s)
  const { page, checkConsole } = await open('demos/crawler.html?autorun=1&pages=8&concurrency=3&tries=3&backoff=50&timeout=4000',
    /\/(status\/(404|503)|flaky|reset)\?/);
  const r = await finish(page, 120000);
  const s = r.stats;
  // 8 linked pages + 7 seeds: flaky (ok on try 3), slow 600 ms (ok), 2000 ms
  // (times out 3 times: fails), 404 (an HTTP error, not retried), 503 (fails
  // after 3 tries), reset mid-body (fails after 3 tries), drip (ok)
  assert.equal(s.pages, 15);
  assert.equal(s.ok, 11, 'links + flaky + slow + drip');
  assert.equal(s.httpErrors, 1, '404');
  assert.equal(s.failed, 3, 'timeout, 503, reset');
  assert.equal(s.firstTry, 10, 'all ok pages but flaky');
  assert.equal(s.requests, 8 + 3 + 1 + 3 + 1 + 3 + 3 + 1);
  assert.equal(s.retries, 2 * 4);
  // the C side counts requests in flight exactly; the server counts one
  // until its connection closes, which for a request aborted at its
  // timeout comes a moment after the crawler has moved on: one more at most
  assert.equal(s.peak, 3, 'the limit was reached and never passed');
  assert.ok(r.server.maxActive <= 4, `server saw ${r.server.maxActive} in flight`);
  assert.equal(r.server.started, s.requests, 'the server counted every request');
  assert.ok(s.latency.p50 > 0 && s.latency.max >= 1299, JSON.stringify(s.latency));
  assert.equal(r.timeline.failed, 3);
  assert.equal(r.timeline.done, 13, 'URL tasks that did not fail, and the crawl');
  assert.equal(await page.$$eval('#pages-table tbody tr', (t) => t.length), 15);
  // requests at once: the crawler's count next to its limit, the server's apart
  const metrics = await page.$$eval('#metrics .metric', (ms) => ms.map((m) => [m.querySelector('span').textContent, m.querySelector('b').textContent]));
  const byLabel = Object.fromEntries(metrics);
  assert.equal(byLabel['most requests at once (limit 3)'], '3');
  assert.equal(byLabel['most at once, as the server saw them'], String(r.server.maxActive));
  assert.ok(!metrics.some(([, v]) => /server/.test(v)), 'no "(server n)" in a value');
  await shot(page, 'crawler');
  const n = checkConsole();
  assert.equal(n, 9, 'Chromium logged the failing requests: 503 x 5 (flaky twice), 404, reset x 3');
  await page.close();
});

test('demo 3: parallel search ends at the timeout with partial results', async () => {
  // Delta answers after 10 s, far past the 2 s timeout; the others well before
  const { page, checkConsole } = await open('demos/search.html?autorun=1&timeout=2000&s3d=10000',
    /\/(drip\?delay=\d+&code=500|reset\?)/);
  const r = await finish(page);
  atLeast(r.end.ms, 1999, 'search time: the timeout');
  const by = Object.fromEntries(r.sources.map((s) => [s.name, s]));
  assert.equal(by.Alpha.result, 'ok');
  assert.equal(by.Beta.result, 'ok');
  assert.equal(by.Gamma.result, 'error');
  assert.match(by.Gamma.error, /HTTP 500/);
  assert.equal(by.Delta.result, 'timeout');
  assert.equal(by.Epsilon.result, 'error');
  atLeast(by.Alpha.ms, 150, 'Alpha answered after its delay');
  assert.deepEqual([r.end.ok, r.end.failed, r.end.timedOut], [2, 2, 1]);
  assert.ok(r.end.hits >= 2);
  assert.deepEqual([r.timeline.done, r.timeline.failed, r.timeline.cancelled], [3, 2, 1]);
  assert.ok((await page.$$('#hits li')).length === r.end.hits);
  await shot(page, 'search');
  checkConsole();
  await page.close();
});

test('demo 4: producers/consumers: every item consumed once, depth bounded, consumers cancelled after join', async () => {
  const { page, checkConsole } = await open('demos/queue.html?autorun=1&items=40&producers=2&consumers=3&maxsize=5&produce=10&consume=40');
  const r = await finish(page);
  const e = r.end;
  assert.deepEqual([e.produced, e.consumed, e.dupes, e.missing, e.unfinished], [40, 40, 0, 0, 0]);
  assert.equal(e.maxDepth, 5, 'producers are faster: the queue fills up to maxsize, never more');
  assert.equal(e.perConsumer.reduce((a, x) => a + x, 0), 40);
  assert.ok(e.perConsumer.every((x) => x > 0), 'every consumer worked');
  assert.ok(e.joinedAt >= e.producedAt && e.joinedAt >= e.lastDone - 0.001, 'join() returns after the last task_done');
  assert.ok(r.samples >= 80, 'a depth sample per put and get');
  assert.deepEqual([r.timeline.done, r.timeline.cancelled, r.timeline.failed], [3, 3, 0], 'main and producers done, consumers cancelled');
  await shot(page, 'queue');
  checkConsole();
  await page.close();
});

test('demo 5: CPU work: frames keep flowing on the worker pool, the main thread freezes; both runs side by side', async () => {
  const { page, checkConsole } = await open('demos/cpu.html?autorun=1&bands=2&iter=5000&size=640x400');
  const r = await finish(page, 60000);
  // one worker fewer than cores by default, so the page keeps a core to draw with
  assert.equal(r.defaultWorkers, Math.max(1, r.cores - 1));
  assert.equal(Number(r.params.workers), r.defaultWorkers);
  assert.equal(r.checksumsMatch, true, 'the same image both ways');
  assert.ok(r.main.longestGap >= 0.8 * r.main.slowestBand && r.main.longestGap > 100,
    `main thread: longest frame gap ${r.main.longestGap} ms (slowest band ${r.main.slowestBand} ms)`);
  assert.ok(r.pool.longestGap < r.main.longestGap / 2,
    `pool: longest frame gap ${r.pool.longestGap} ms vs main ${r.main.longestGap} ms`);
  assert.ok(r.pool.frames > r.main.frames, `frames drawn: pool ${r.pool.frames}, main ${r.main.frames}`);
  assert.ok(r.main.dropped > r.pool.dropped);
  // the side-by-side charts: one per run, each with that run's frames
  const drawn = await page.$$eval('.side-by-side canvas', (cs) => cs.map((c) => Number(c.dataset.frames)));
  assert.deepEqual(drawn, [r.pool.frames, r.main.frames]);
  const captions = await page.$$eval('.side-by-side .cap', (els) => els.map((e) => e.textContent));
  for (const c of captions) assert.match(c, /longest gap .* dropped/);
  await shot(page, 'cpu');
  checkConsole();
  await page.close();
});

test('demo 6: wait_for, timeout scope, shield and TaskGroup; cancel buttons', async () => {
  // users 2400 ms: far past prices' failure at 1000 ms (it must be cancelled)
  const { page, checkConsole } = await open('demos/cancel.html?autorun=1&users=2400');
  let r = await finish(page);
  // 1. wait_for: the 1500 ms job is cancelled at the 1000 ms limit; the
  // scoped job keeps its partial result
  const t = Object.fromEntries(r.timeouts.items.map((i) => [i.name, i]));
  assert.equal(t['job 300 ms'].outcome, 'done');
  assert.equal(t['job 1500 ms'].outcome, 'timed out');
  assert.equal(t['scoped job'].outcome, 'timed out, kept partial result');
  assert.equal(r.timeouts.tasks['job 1500 ms'], 'cancelled');
  assert.equal(r.timeouts.tasks['scoped job'], 'ok');
  // 2. shield: autorun presses "cancel handler": the handler and its notify
  // are cancelled, the shielded save completes
  assert.deepEqual(r.shield.tasks, { 'shield demo': 'ok', 'save (shielded)': 'ok', handler: 'cancelled', notify: 'cancelled' });
  // 3. TaskGroup: prices fails, its siblings are cancelled, the owner fails
  assert.deepEqual(r.group.tasks, { 'task group': 'failed', users: 'cancelled', orders: 'cancelled', prices: 'failed', stock: 'cancelled' });
  assert.deepEqual(r.group.items[0].errors, ['prices: upstream answered 503']);
  await shot(page, 'cancel');

  // A cancel button is pressed from outside the page's loop: what must still
  // run at the press runs for 10 s (the inputs' maximum), so a loaded
  // machine's slow click cannot come after it ended
  const startAndCancel = async (sc, name, long = {}) => {
    for (const [input, ms] of Object.entries(long)) await page.fill(`#${input}`, String(ms));
    await page.click(`#sc-${sc} button.start`);
    const btn = page.locator(`#sc-${sc} .live-tasks button[data-task="${name}"]`);
    await btn.waitFor();
    await page.waitForTimeout(300);
    await btn.click();
    await page.waitForFunction((s) => window.demoResults?.last === s && document.body.dataset.done === 'true', sc);
    return page.evaluate((s) => window.demoResults[s], sc);
  };
  // cancelling the handler cancels notify, not the shielded save
  r = { shield: await startAndCancel('shield', 'handler', { 's-notify': 10000 }) };
  assert.deepEqual(r.shield.tasks, { 'shield demo': 'ok', 'save (shielded)': 'ok', handler: 'cancelled', notify: 'cancelled' });
  assert.deepEqual(r.shield.items[0], { ev: 'result', handler: 'cancelled', save: 'done', notify: 'cancelled' });
  // cancelling the save directly cancels it, shield or not
  r = { shield: await startAndCancel('shield', 'save (shielded)', { 's-save': 10000, 's-notify': 3000 }) };
  assert.equal(r.shield.tasks['save (shielded)'], 'cancelled');
  // a cancelled child of a TaskGroup is not a failure: the others finish
  await page.uncheck('#g-fail');
  r = { group: await startAndCancel('group', 'orders', { 'g-orders': 10000 }) };
  assert.deepEqual(r.group.tasks, { 'task group': 'ok', users: 'ok', orders: 'cancelled', prices: 'ok', stock: 'ok' });
  assert.equal(r.group.items[0].group, 'ok');
  // cancelling the owner cancels every child
  r = { group: await startAndCancel('group', 'task group', { 'g-users': 10000, 'g-orders': 10000, 'g-prices': 10000, 'g-stock': 10000 }) };
  assert.deepEqual(r.group.tasks, { 'task group': 'cancelled', users: 'cancelled', orders: 'cancelled', prices: 'cancelled', stock: 'cancelled' });
  // the scoped job's deadline pushed back by 500 ms while it runs (the
  // page lists each deadline: the first, then the moved one); it still
  // times out (10 x 1 s of work > 5.5 s) and keeps its partial result. A
  // 5 s limit: the press comes long before it, however slow the machine
  await page.fill('#t-limit', '5000');
  await page.fill('#t-scoped', '10000');
  await page.click('#sc-timeouts button.start');
  await page.locator('#extend:not([disabled])').waitFor();
  await page.click('#extend');
  await page.waitForFunction(() => window.demoResults?.last === 'timeouts' && document.body.dataset.done === 'true');
  r = await page.evaluate(() => window.demoResults.timeouts);
  const scoped = r.items.find((i) => i.name === 'scoped job');
  assert.equal(scoped.outcome, 'timed out, kept partial result');
  assert.ok(scoped.steps < 10, `scoped job did ${scoped.steps} steps`);
  assert.equal(await page.locator('#sc-timeouts li.hint').count(), 2, 'the deadline was moved once');
  await shot(page, 'cancel-interactive');
  checkConsole();
  await page.close();
});

test('demo 7: live chat over WebSocket and a crawler that saves to OPFS, on one timeline', async () => {
  const room = `e2e-${Date.now().toString(36)}`;
  const { page, checkConsole } = await open(`demos/io.html?autorun=1&messages=3&pages=8&concurrency=2&room=${room}`);
  const r = await finish(page);
  // chat: every message went to the server and back, and the bot answered each
  assert.equal(r.chat.sent, 3);
  assert.equal(r.chat.ownEchoes, 3);
  assert.equal(r.chat.botReplies, 3);
  const said = r.chat.log.filter((l) => !/joined|left/.test(l));
  assert.deepEqual(said, [1, 2, 3].flatMap((i) => [`you message ${i} of 3`, `bot got “message ${i} of 3” from you`]));
  assert.ok(r.chat.log.includes('bot joined (in the room: you, bot)'), r.chat.log.join('\n'));
  // crawl: every page fetched once, saved, and listed back from OPFS
  const c = r.crawl;
  assert.equal(c.requests, 8);
  assert.deepEqual(c.saved.map((f) => f.name), Array.from({ length: 8 }, (_, i) => `page-00${i}.html`));
  for (const f of c.saved) {
    assert.ok(f.bytes > 100, `${f.name}: ${f.bytes} bytes`);
    assert.equal(f.links, 7, f.name);
  }
  assert.ok(c.peak <= 2 + 1, `at most the limit at the server (one more while a connection closes): ${c.peak}`);
  // what the page shows
  assert.match(await page.textContent('#status'), /saved 8 pages to OPFS/);
  assert.equal(await page.$$eval('#files-table tbody tr', (trs) => trs.length), 8);
  assert.equal(await page.$$eval('#chat-log li.bot', (lis) => lis.length), 3);
  assert.ok(r.timeline.tasks >= 8 + 3, `the timeline has the page tasks and the chat's: ${JSON.stringify(r.timeline)}`);
  assert.equal(r.timeline.failed, 0);
  await shot(page, 'io');
  checkConsole();
  await page.close();
});
