// The JS API in Chromium (the npm package as a browser loads it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

test('bindings in Chromium', async (t) => {
  const page = await b.page();
  await page.goto(b.url + 'test-pages/bindings.html');
  await page.waitForSelector('body[data-done="true"]', { timeout: 60000 });
  const results = await page.evaluate(() => window.results);
  assert.ok(results.length >= 6);
  for (const r of results) await t.test(r.name, () => assert.ok(r.ok, r.error));
  assert.deepEqual(page.errors, []);
});
