// Node ESM entry: `import` of the installed package.
import * as W from 'wasyncio';
import { checks } from './checks.mjs';

const results = await checks(W, {
  httpbin: process.env.FIXTURE_HTTPBIN,
  cModule: process.env.FIXTURE_C_MODULE,
  hashed: JSON.parse(process.env.FIXTURE_C_HASHED),
  jobs: new URL('./jobs.mjs', import.meta.url),
});
console.log(JSON.stringify(results));
