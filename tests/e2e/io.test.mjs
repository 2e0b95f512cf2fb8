// Issue 17's I/O in real Chromium: files on the Origin Private File System
// (the page's async API and a worker's sync access handles) and the
// browser's WebSocket against the dev server's /ws/ endpoints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

// Chromium logs the handshake the bad-input scenario fails on purpose.
const expected = /^WebSocket connection to 'ws:\/\/[^']+\/ws\/nowhere' failed/;

test('OPFS files and WebSocket in Chromium', async (t) => {
  const page = await b.page();
  await page.goto(b.url + 'test-pages/io.html');
  await page.waitForSelector('body[data-done="true"]', { timeout: 120000 });
  const results = await page.evaluate(() => window.results);
  const names = results.map((r) => r.name);
  for (const where of ['page', 'worker']) {
    assert.ok(names.filter((n) => n.startsWith(`${where}: `)).length >= 4, `${where} file scenarios ran: ${names}`);
  }
  assert.ok(names.filter((n) => n.startsWith('WebSocket: ')).length >= 5, `WebSocket scenarios ran: ${names}`);
  for (const r of results) await t.test(r.name, () => assert.ok(r.ok, r.error));
  assert.deepEqual(page.errors.filter((e) => !expected.test(e)), []);
  await page.close();
});
