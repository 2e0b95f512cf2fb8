// The differential test, short run (tests/diff/): random asyncio programs
// run on CPython 3.14's asyncio (Pyodide) and as wasyncio generator tasks
// must leave the same event trace. The long run: npm run difftest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../diff/run.mjs';

test('differential test: 300 random programs, traces equal to CPython asyncio', { timeout: 600_000 }, async (t) => {
  const { stats, failures } = await main(['--count', '300', '--seed', '1', '--quiet']);
  t.diagnostic(`same ${stats.same}, discarded (timer ties) ${stats.tie}`);
  assert.deepEqual(failures, [], 'divergent programs (seeds); run npm run difftest -- --seed S --count 1');
  assert.ok(stats.same >= 250, `too many programs discarded: ${JSON.stringify(stats)}`);
});
