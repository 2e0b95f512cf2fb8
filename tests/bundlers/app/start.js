// The browser apps' body (bundled by each toolchain, or loaded as is
// through an import map): runs the checks, shows the results. No top-level
// await of its own.
import { checks, HASHED } from './checks.mjs';

/** @param {any} W the app's `import * as W from 'wasyncio'` */
export function start(W) {
  const c = (name) => new URL(`/c/${name}`, location.href).href;
  checks(W, {
    httpbin: location.origin + '/',
    cModule: c('add.mjs'),
    hashed: { module: c(HASHED.glue), wasm: c(HASHED.wasm) },
    jobs: new URL('./jobs.mjs', import.meta.url),
  }).then((results) => {
    window.fixtureResults = results;
    document.body.textContent = JSON.stringify(results, null, 1);
    document.body.dataset.done = 'true';
  });
}
