// Node CommonJS entry: the package is ESM only, so `await import()`.
const { pathToFileURL } = require('node:url');

(async () => {
  const W = await import('wasyncio');
  const { checks } = await import('./checks.mjs');
  const results = await checks(W, {
    httpbin: process.env.FIXTURE_HTTPBIN,
    cModule: process.env.FIXTURE_C_MODULE,
    hashed: JSON.parse(process.env.FIXTURE_C_HASHED),
    jobs: pathToFileURL(require.resolve('./jobs.mjs')),
  });
  console.log(JSON.stringify(results));
})();
