// The loop from JS (bindings/loop.js): callSoon/callLater/callAt order,
// errors in callbacks, yielding to the host, many timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, callSoon, callLater, callAt, time, Runtime,
} from '../../bindings/index.js';

test('callSoon runs in FIFO order; callLater/callAt in time order; handles cancel', async () => {
  const log = [];
  await run(function* () {
    callSoon((x) => log.push(x), 's1');
    const h = callSoon((x) => log.push(x), 'cancelled');
    callSoon((x) => log.push(x), 's2');
    h.cancel();
    assert.ok(h.cancelled());
    callLater(20, () => log.push('l20'));
    callAt(time() + 10, () => log.push('at10'));
    const h2 = callLater(5, () => log.push('never'));
    h2.cancel();
    yield sleep(40);
  });
  assert.deepEqual(log, ['s1', 's2', 'at10', 'l20']);
});

test('an exception in a callback is reported and the loop goes on', async () => {
  const reports = [];
  const rt = await Runtime.create({ onError: (err) => reports.push(err.message) });
  const log = [];
  await rt.run(function* () {
    rt.callSoon(() => { throw new Error('cb failed'); });
    rt.callSoon(() => log.push('next'));
    yield rt.sleep(1);
  });
  assert.deepEqual(reports, ['cb failed']);
  assert.deepEqual(log, ['next']);
});

test('a turn of long callbacks still yields to the host after the time budget', async () => {
  const order = [];
  const busy = (name) => {
    const t0 = performance.now();
    while (performance.now() - t0 < 12) { /* a CPU-bound step */ }
    order.push(name);
  };
  await run(function* () {
    setTimeout(() => order.push('host timer'), 0);
    for (let i = 1; i <= 4; i++) callSoon(busy, 'busy' + i);
    yield sleep(80);
  });
  // the 5 ms budget is over after the first 12 ms callback: the host's own
  // timer gets its turn long before the fourth callback
  assert.ok(order.indexOf('host timer') < 3, order.join(' '));
  assert.deepEqual(order.filter((x) => x.startsWith('busy')), ['busy1', 'busy2', 'busy3', 'busy4']);
});

test('20,000 sleeps at pseudo-random deadlines all end (a lost host timer once ended runs early)', async () => {
  for (let round = 0; round < 3; round++) {
    let x = 42 + round;
    const woke = [];
    await run(function* () {
      const ts = [];
      for (let i = 0; i < 20000; i++) {
        x = (1103515245 * x + 12345) % 2147483648;
        const ms = x % 41;
        ts.push(createTask(function* () {
          const deadline = time() + ms;
          yield sleep(ms);
          woke.push(time() - deadline);
        }));
      }
      yield gather(ts);
    });
    assert.equal(woke.length, 20000);
    assert.ok(woke.every((late) => late >= -0.05), 'no sleep ended early');
  }
});
