// The whole C unit test suite, compiled to wasm, run in Chromium: stackful
// coroutines, timers and the MessageChannel wake-ups on a real browser loop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

test('C tests in Chromium', async (t) => {
  const page = await b.page();
  await page.goto(b.url + 'test-pages/c-tests.html');
  await page.waitForSelector('body[data-done="true"]', { timeout: 120000 });
  const lines = await page.evaluate(() => window.cTestLines);
  const results = lines.map((l) => /^(ok|not ok) \d+ - (\S+)(?: # (.*))?$/.exec(l)).filter(Boolean);
  assert.ok(results.length > 40);
  for (const [, verdict, name, detail] of results) {
    await t.test(name, { skip: detail?.startsWith('SKIP') ? detail : false }, () => assert.equal(verdict, 'ok', detail));
  }
  for (const l of lines) if (/^# (?!done)/.test(l)) t.diagnostic(l.slice(2)); // measurements
  // Chromium logs every failed or 4xx/5xx resource load as a console error;
  // the fetch tests ask for those on purpose (status codes, resets).
  const netLog = /^Failed to load resource: (net::ERR_|the server responded with a status of \d{3} )/;
  assert.deepEqual(page.errors.filter((e) => !netLog.test(e)), []);
});
