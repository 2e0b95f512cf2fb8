// Async-style tasks cancel like asyncio without signals (the rule: README
// "JS tasks", bindings/async_ops.js). The scenarios are shared with the
// Chromium page (tests/e2e/pages/async-cancel.js).
import { test } from 'node:test';
import * as wasyncio from '../../bindings/index.js';
import { scenarios } from '../e2e/pages/async-cancel.js';

for (const [name, fn] of scenarios(wasyncio)) test(name, fn);
