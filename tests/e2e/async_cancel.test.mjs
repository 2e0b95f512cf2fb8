// Async-style tasks cancel without signals in Chromium: the same scenarios
// as under Node (tests/js/async_cancel.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

test('async tasks cancel without signals in Chromium', async (t) => {
  const page = await b.page();
  await page.goto(b.url + 'test-pages/async-cancel.html');
  await page.waitForSelector('body[data-done="true"]', { timeout: 60000 });
  const results = await page.evaluate(() => window.results);
  assert.ok(results.length >= 11, JSON.stringify(results));
  for (const r of results) await t.test(r.name, () => assert.ok(r.ok, r.error));
  assert.deepEqual(page.errors, []);
});
