// How a task's cancellation reaches the scopes open in it (bindings/scopes.js):
// C keeps the task's list of open scopes and names the scope a cancellation
// comes from (its deadline, its group's failure, its external signal); the
// scope's signal and those of the scopes inside it abort, the others and
// the task's own signal do not. Deep nesting checks the list is read whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, timeout, TimeoutError, CancelledError } from '../../bindings/index.js';
import { checkStatsAfterFile } from './combinator_helpers.mjs';

checkStatsAfterFile();

const DEPTH = 40; // more than the first buffer bindings/scopes.js reads C's list into

/** DEPTH nested scopes in a generator task; the one at `expiring` has a short deadline. */
function* nest(scopes, expiring, depth = 0) {
  if (depth === DEPTH) {
    yield sleep(10_000);
    return 'not reached';
  }
  return yield* timeout(depth === expiring ? 1 : 10_000, function* (s) {
    scopes.push(s);
    return yield* nest(scopes, expiring, depth + 1);
  });
}

test('a deadline deep inside aborts that scope and those inside it, not the outer ones nor the task', async () => {
  await run(function* (me) {
    const scopes = [];
    let caught;
    try {
      yield* nest(scopes, 30);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof TimeoutError, String(caught));
    assert.equal(scopes.length, DEPTH);
    assert.deepEqual(scopes.map((s) => s.signal.aborted), scopes.map((_, i) => i >= 30));
    assert.deepEqual(scopes.map((s) => s.expired()), scopes.map((_, i) => i === 30));
    assert.equal(me.signal.aborted, false);
    assert.equal(me.cancelling(), 0);
  });
});

test('a cancellation from outside aborts every scope of the task, the outermost first', async () => {
  await run(function* () {
    const scopes = [];
    const order = [];
    const task = createTask(function* () { yield* nest(scopes, -1); });
    while (scopes.length < DEPTH) yield sleep(0);
    scopes.forEach((s, i) => s.signal.addEventListener('abort', () => order.push(i)));
    task.cancel('stop');
    let caught;
    try { yield task; } catch (e) { caught = e; }
    assert.ok(caught instanceof CancelledError && task.cancelled(), String(caught));
    assert.deepEqual(order, scopes.map((_, i) => i), 'every scope, outermost first');
    assert.ok(scopes.every((s) => s.signal.reason instanceof CancelledError && s.signal.reason.message === 'stop'));
    assert.equal(task.signal.aborted, true);
  });
});

test('an external signal on a scope in the middle aborts it and those inside only; the task goes on', async () => {
  await run(function* (me) {
    const ac = new AbortController();
    const scopes = [];
    let caught;
    function* deep(depth) {
      if (depth === DEPTH) { ac.abort('user stop'); yield sleep(10_000); return; }
      yield* timeout(10_000, function* (s) {
        scopes.push(s);
        yield* deep(depth + 1);
      }, depth === 20 ? { signal: ac.signal } : undefined);
    }
    try {
      yield* deep(0);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof CancelledError && caught.message === 'user stop', String(caught));
    assert.deepEqual(scopes.map((s) => s.signal.aborted), scopes.map((_, i) => i >= 20));
    assert.equal(me.cancelling(), 0, "the signal's cancellation is taken back");
    assert.equal(me.signal.aborted, false);
    yield sleep(1);
  });
});
