// Shared set-up for browser tests: Debian's Chromium driven by
// playwright-core (no browser download), and the dev server on a free port.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { startServer } from '../../web/server.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../test-results/', import.meta.url).pathname;

/**
 * Start the server and a headless Chromium. Returns helpers; call close().
 */
export async function openBrowser() {
  // playwright gives every launch a fresh, temporary user-data-dir.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  let srv;
  try {
    srv = await startServer({ port: 0 });
  } catch (e) {
    await browser.close();
    throw e;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    url: srv.url,
    browser,
    /** A new page that records console errors and page errors. */
    async page() {
      const page = await browser.newPage();
      page.errors = [];
      page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
      page.on('pageerror', (e) => page.errors.push(String(e)));
      return page;
    },
    async close() {
      await browser.close();
      await srv.close();
    },
  };
}
