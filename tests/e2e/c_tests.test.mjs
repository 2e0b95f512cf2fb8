// The whole C unit test suite, compiled to wasm, run in Chromium: stackful
// coroutines, timers and the MessageChannel wake-ups on a real browser loop,
// and fetch; once in the page itself and once in a dedicated Web Worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

// Chromium logs every failed or 4xx/5xx resource load as a console error;
// the fetch tests ask for those on purpose (status codes, resets).
const netLog = /^Failed to load resource: (net::ERR_|the server responded with a status of \d{3} )/;

async function runPage(t, path) {
  const page = await b.page();
  await page.goto(b.url + path);
  await page.waitForSelector('body[data-done="true"]', { timeout: 120000 });
  const lines = await page.evaluate(() => window.cTestLines);
  const results = lines.map((l) => /^(ok|not ok) \d+ - (\S+)(?: # (.*))?$/.exec(l)).filter(Boolean);
  assert.ok(results.length > 40, lines.slice(-5).join('\n'));
  for (const [, verdict, name, detail] of results) {
    await t.test(name, { skip: detail?.startsWith('SKIP') ? detail : false }, () => assert.equal(verdict, 'ok', detail));
  }
  for (const l of lines) if (/^# (?!done)/.test(l)) t.diagnostic(l.slice(2)); // measurements
  assert.ok(lines.some((l) => /^# done: \d+ run, 0 failed/.test(l)), lines.slice(-3).join('\n'));
  assert.deepEqual(page.errors.filter((e) => !netLog.test(e)), []);
  await page.close();
}

test('C tests in Chromium', (t) => runPage(t, 'test-pages/c-tests.html'));

test('C tests in a Chromium Web Worker', (t) => runPage(t, 'test-pages/c-tests-worker.html'));
