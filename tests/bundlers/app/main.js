// Browser entry of the fixture apps (bundled by each toolchain, or loaded
// as is through an import map). No top-level await of its own.
import * as W from 'wasyncio';
import { checks } from './checks.mjs';

checks(W, {
  httpbin: location.origin + '/',
  cModule: new URL('/c/add.mjs', location.href).href,
  jobs: new URL('./jobs.mjs', import.meta.url),
}).then((results) => {
  window.fixtureResults = results;
  document.body.textContent = JSON.stringify(results, null, 1);
  document.body.dataset.done = 'true';
});
