// Event from JS (bindings/sync.js).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, gather, runtime, Event } from '../../bindings/index.js';
import { leakFree, ticks, warmUp } from './sync_helpers.mjs';

before(() => warmUp([runtime]));

test('Event: set wakes every waiter in FIFO order, both styles; clear; isSet; a set event does not wait', () => leakFree(async () => {
  const ev = new Event();
  const order = [];
  await run(function* () {
    const ts = [];
    for (let i = 0; i < 6; i++) {
      ts.push(i % 2
        ? createTask(async (task) => { assert.equal(await ev.wait({ signal: task.signal }), true); order.push(i); })
        : createTask(function* () { assert.equal(yield ev.wait(), true); order.push(i); }));
      yield* ticks(1);
    }
    assert.equal(ev.isSet(), false);
    assert.deepEqual(order, []);
    ev.set();
    assert.equal(ev.isSet(), true);
    yield gather(ts);
    // woken in FIFO order; generator tasks resume inside the scheduler's
    // turn, async ones in the promise jobs after it
    assert.deepEqual(order.filter((i) => i % 2 === 0), [0, 2, 4]);
    assert.deepEqual(order.filter((i) => i % 2 === 1), [1, 3, 5]);
    assert.equal(yield ev.wait(), true);
    ev.clear();
    assert.equal(ev.isSet(), false);
    const w = createTask(function* () { yield ev.wait(); return 'again'; });
    yield* ticks();
    assert.equal(w.done(), false);
    ev.set();
    ev.clear(); // a woken waiter returns even if the event is cleared before it runs
    assert.equal(yield w, 'again');
    const c = createTask(function* () { yield ev.wait(); });
    yield* ticks();
    c.cancel();
    yield* ticks();
    assert.equal(c.cancelled(), true);
  });
  ev.destroy();
}));
