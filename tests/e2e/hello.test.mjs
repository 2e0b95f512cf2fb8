// The first demo page runs C coroutines (wasm) in Chromium under the
// server's strict CSP and prints what the C program prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, ARTIFACTS } from './browser.mjs';

let b;
before(async () => { b = await openBrowser(); });
after(async () => { await b?.close(); });

test('hello page: three C tasks gathered in the browser', async () => {
  const page = await b.page();
  await page.goto(b.url + 'demos/hello.html');
  await page.waitForSelector('body[data-done="true"]', { timeout: 15000 });
  const out = await page.textContent('#out');
  assert.match(out, /A: start, sleeping 300 ms/);
  assert.match(out, /B: done\nC: done\nA: done/);
  const m = /gather: success after (\d+) ms; results: A B C/.exec(out);
  assert.ok(m, out);
  assert.ok(Number(m[1]) >= 299, `took ${m[1]} ms`); // concurrent: B, C, A finish in delay order
  assert.match(await page.textContent('#status'), /finished with status 0/);
  assert.match(await page.textContent('#src'), /wa_gather/);
  await page.screenshot({ path: ARTIFACTS + 'hello.png', fullPage: true });
  assert.deepEqual(page.errors, []);
});
