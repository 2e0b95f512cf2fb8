// Barrier from JS (bindings/sync.js).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, gather, runtime, Barrier, BrokenBarrierError } from '../../bindings/index.js';
import { leakFree, ticks, warmUp } from './sync_helpers.mjs';

before(() => warmUp([runtime]));

test('Barrier: parties meet and get indices 0..n-1 (both styles); cycles repeat', () => leakFree(async () => {
  const b = new Barrier(3);
  assert.equal(b.parties, 3);
  await run(function* () {
    for (let cycle = 0; cycle < 2; cycle++) {
      const ts = [
        createTask(function* () { return yield b.wait(); }),
        createTask(async (task) => b.wait({ signal: task.signal })),
      ];
      yield* ticks();
      assert.equal(b.nWaiting, 2);
      const mine = yield b.wait();
      const idx = [...(yield gather(ts)), mine].sort();
      assert.deepEqual(idx, [0, 1, 2]);
      yield* ticks();
    }
  });
  assert.equal(b.broken, false);
  b.destroy();
}));

test('Barrier: reset breaks current waiters; abort breaks it until reset (BrokenBarrierError)', () => leakFree(async () => {
  const b = new Barrier(2);
  await run(function* () {
    const t = createTask(function* () { return yield b.wait(); });
    yield* ticks();
    b.reset();
    yield gather([t], { returnExceptions: true });
    assert.ok(t.exception() instanceof BrokenBarrierError);
    assert.equal(b.broken, false);
    const u = createTask(async () => b.wait());
    yield* ticks();
    b.abort();
    assert.equal(b.broken, true);
    yield gather([u], { returnExceptions: true });
    assert.ok(u.exception() instanceof BrokenBarrierError);
    try {
      yield b.wait();
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof BrokenBarrierError);
    }
    b.reset();
    assert.equal(b.broken, false);
    const v = createTask(function* () { return yield b.wait(); });
    assert.deepEqual([yield b.wait(), yield v].sort(), [0, 1]);
  });
  b.destroy();
}));
