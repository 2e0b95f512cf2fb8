// Locks and queues in Chromium: the scenarios are in tests/e2e/pages/sync.js
// (JS tasks of both styles and C coroutines sharing the C primitives).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

test('locks and queues in Chromium', async (t) => {
  const page = await b.page();
  await page.goto(b.url + 'test-pages/sync.html');
  await page.waitForSelector('body[data-done="true"]', { state: 'attached', timeout: 60000 });
  const results = await page.evaluate(() => window.results);
  assert.equal(results.length, 5);
  for (const r of results) await t.test(r.name, () => assert.ok(r.ok, r.error));
  assert.deepEqual(page.errors, []);
});
