// A module worker: the files scenarios on OPFS sync access handles; posts
// each outcome to the page, then { done: true }.
import { fileScenarios } from '/test-pages/io-files.js';

async function check(name, fn) {
  try {
    await fn();
    postMessage({ name, ok: true });
  } catch (e) {
    postMessage({ name, ok: false, error: String((e && e.stack) || e) });
  }
}

fileScenarios(check, 'worker').then(
  () => postMessage({ done: true }),
  (e) => postMessage({ name: 'worker', ok: false, error: String(e), done: true }),
);
