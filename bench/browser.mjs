#!/usr/bin/env node
// Runs bench/pages/core.html in Chromium (playwright-core + Debian's
// /usr/bin/chromium) and prints its JSON lines, for bench/run.mjs.
// usage: browser.mjs [--runs R]
import { chromium } from 'playwright-core';
import { startServer } from '../web/server.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const srv = await startServer({ port: 0 });
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${srv.url}bench-pages/core.html?runs=${runs}`);
  await page.waitForSelector('body[data-done="true"]', { timeout: 10 * 60_000 });
  for (const l of await page.evaluate(() => window.benchLines)) console.log(l);
} finally {
  await browser.close();
  await srv.close();
}
