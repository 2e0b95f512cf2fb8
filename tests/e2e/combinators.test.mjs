// Combinators (issue 4) in Chromium: tests/e2e/pages/combinators.js runs a
// few scenarios of the tests/js/ combinator tests on the browser's event loop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

test('combinators in Chromium', async (t) => {
  const page = await b.page();
  await page.goto(b.url + 'test-pages/combinators.html');
  await page.waitForSelector('body[data-done="true"]', { state: 'attached', timeout: 60000 });
  const results = await page.evaluate(() => window.results);
  assert.ok(results.length >= 7, JSON.stringify(results));
  for (const r of results) await t.test(r.name, () => assert.ok(r.ok, r.error));
  assert.deepEqual(page.errors, []);
});
