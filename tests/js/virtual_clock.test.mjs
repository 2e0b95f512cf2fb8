// Runtime.create({ clock: 'virtual' }): time starts at 0 and jumps to the
// next timer whenever nothing is ready, so an hour of timers runs at once,
// always in the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, TimeoutError } from '../../bindings/index.js';

const rt = await Runtime.create({ clock: 'virtual' });

test('virtual clock: an hour of sleeps and timeouts, in deadline order', async () => {
  const t0 = rt.time();
  assert.equal(t0, 0);
  const log = [];
  const result = await rt.run(function* () {
    const sleeper = (ms) => rt.createTask(function* () {
      yield rt.sleep(ms);
      log.push(`woke@${rt.time()}`);
    });
    const tasks = [sleeper(3_600_000), sleeper(1_800_000), sleeper(60_000)];
    try {
      yield rt.waitFor(rt.createFuture(), 1_800_001);
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
      log.push(`timeout@${rt.time()}`);
    }
    yield rt.gather(...tasks);
    return rt.time();
  });
  assert.equal(result, 3_600_000);
  assert.deepEqual(log, ['woke@60000', 'woke@1800000', 'timeout@1800001', 'woke@3600000']);
});

test('virtual clock: no jump while callbacks are ready', async () => {
  const start = rt.time();
  const log = [];
  await rt.run(function* () {
    const t = rt.createTask(function* () {
      yield rt.sleep(10);
      log.push(`timer@${rt.time() - start}`);
    });
    for (let i = 0; i < 100; i++) yield rt.sleep(0);
    log.push(`spun@${rt.time() - start}`);
    yield t;
  });
  assert.deepEqual(log, ['spun@0', 'timer@10']);
});

test("Runtime.create: clock must be 'host' or 'virtual'", async () => {
  await assert.rejects(Runtime.create({ clock: 'fake' }), RangeError);
});
