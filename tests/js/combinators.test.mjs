// Combinators from JS (issue 4): the C edge cases of tests/c/test_{timeout,
// wait_for,wait,as_completed,shield,taskgroup,gather_review}.c again, by the
// same names where they carry over, in generator tasks (asyncio's exact
// model) and in async-function tasks (signals), plus what only JS has:
// AbortSignals of scopes, external signals, AggregateError, async iteration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, createFuture, callSoon, callLater, time, runtime, Runtime,
  wait, waitFor, asCompleted, shield, timeout, timeoutAt, taskGroup, currentDeadline,
  TaskGroup, Timeout, AsCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED,
  CancelledError, TimeoutError, InvalidStateError, Task,
} from '../../bindings/index.js';

function snapshot() {
  const s = runtime.stats();
  return {
    futures: s.futures, tasks: s.tasks, handles: s.handles, jsTasks: s.jsTasks, views: s.views,
    opWaiters: s.opWaiters, callbacks: s.callbacks, jsHandles: s.jsHandles,
  };
}

async function settle() {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/** Block the loop for ms (so that timers expire in one turn). */
function spin(ms) {
  const t0 = time();
  while (time() - t0 < ms) { /* busy */ }
}

let baseline;
before(async () => {
  await settle();
  baseline = snapshot();
});

after(async () => {
  // every test's futures, tasks, timers, views and handles are gone again
  await settle();
  assert.deepEqual(snapshot(), baseline, 'runtime.stats() back to baseline after the suite');
});

/**
 * The C tests' inner_body: sleeps ms; when cancelled, swallows it `swallow`
 * times (uncancel), or cleans up for `cleanup` ms and ends cancelled.
 */
function inner(log, { ms, swallow = 0, cleanup = 0, value }) {
  return createTask(function* (task) {
    log.push('start');
    for (;;) {
      try {
        yield sleep(ms);
        break;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        log.push('cancelled');
        if (cleanup > 0) {
          task.uncancel();
          yield sleep(cleanup);
          log.push('cleaned');
          throw e;
        }
        if (swallow-- <= 0) throw e;
        task.uncancel();
        log.push('swallowed');
      }
    }
    log.push('finished');
    return value;
  });
}

// ===========================================================================
// timeout / timeoutAt
// ===========================================================================

test('timeout_expiry_becomes_timeout_error (generator)', async () => {
  await run(function* (me) {
    const t0 = time();
    let scope;
    let caught;
    try {
      yield* timeout(5, function* (s) {
        scope = s;
        assert.ok(s instanceof Timeout);
        assert.equal(s.expired(), false);
        yield sleep(10_000);
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof TimeoutError, String(caught));
    assert.ok(caught.cause instanceof CancelledError, 'the CancelledError is the cause');
    const dt = time() - t0;
    assert.ok(dt >= 4.5 && dt < 5000, `took ${dt}`);
    assert.equal(scope.expired(), true, 'stays true after exit');
    assert.equal(me.cancelling(), 0, 'uncancelled');
    assert.equal(scope.signal.aborted, true);
    assert.equal(me.signal.aborted, false, "the task's own signal stays quiet");
    yield sleep(1); // nothing left pending
  });
});

test('timeout_expiry_becomes_timeout_error (async: scope.signal aborts, task.signal does not)', async () => {
  await run(async (task) => {
    let scope;
    await assert.rejects(timeout(5, async (s) => {
      scope = s;
      await sleep(10_000, undefined, { signal: s.signal });
    }, { task }), (e) => e instanceof TimeoutError && e.cause instanceof CancelledError);
    assert.equal(scope.expired(), true);
    assert.ok(scope.signal.aborted && scope.signal.reason instanceof CancelledError);
    assert.equal(task.cancelling(), 0);
    assert.equal(task.signal.aborted, false);
    await sleep(1, undefined, { signal: task.signal }); // the task goes on normally
  });
});

test('timeout_not_reached_passes_status_through (both styles, same objects)', async () => {
  const obj = { v: 1 };
  const err = new RangeError('mine');
  await run(function* () {
    assert.equal(yield* timeout(1000, function* () { yield sleep(1); return obj; }), obj);
    let caught;
    try { yield* timeout(1000, function* () { yield sleep(0); throw err; }); } catch (e) { caught = e; }
    assert.equal(caught, err);
    assert.equal(yield* timeout(1000, () => 'plain function body'), 'plain function body');
  });
  await run(async (task) => {
    assert.equal(await timeout(1000, async () => obj, { task }), obj);
    await assert.rejects(timeout(1000, async () => { throw err; }, { task }), (e) => e === err);
    let scope;
    await timeout(1000, (s) => { scope = s; }, { signal: task.signal });
    assert.equal(scope.expired(), false);
  });
});

test('timeout_zero_fires_before_the_task_resumes (timeout(0), timeoutAt(past))', async () => {
  await run(function* () {
    let caught;
    try { yield* timeout(0, function* () { yield sleep(0); }); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    caught = null;
    try { yield* timeoutAt(time() - 100, function* () { yield sleep(0); }); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    caught = null;
    try { yield* timeout(-5, function* () { yield sleep(0); }); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError, 'negative: already expired (asyncio)');
  });
});

test('timeout_infinite_never_fires_and_arms_nothing', async () => {
  await run(function* () {
    const h0 = runtime.stats().handles;
    yield* timeout(null, function* (s) {
      assert.equal(runtime.stats().handles, h0, 'no timer');
      assert.equal(s.when(), Infinity);
      assert.equal(s.deadline, Infinity);
      yield sleep(2);
    });
    yield* timeout(Infinity, function* (s) { assert.equal(s.when(), Infinity); yield sleep(0); });
  });
});

test('timeout_reschedule_later', async () => {
  await run(function* () {
    const scope = yield* timeout(3, function* (s) {
      const when = time() + 500;
      s.reschedule(when);
      assert.equal(s.when(), when);
      yield sleep(10); // the old 3 ms deadline is gone
      return s;
    });
    assert.equal(scope.expired(), false);
  });
});

test('timeout_reschedule_earlier', async () => {
  await run(async (task) => {
    const t0 = time();
    await assert.rejects(timeout(10_000, async (s) => {
      s.reschedule(time() + 5);
      await sleep(10_000, undefined, { signal: s.signal });
    }, { task }), TimeoutError);
    assert.ok(time() - t0 < 5000);
  });
});

test('timeout_reschedule_never_and_after_expiry', async () => {
  await run(function* () {
    let scope;
    let caught;
    try {
      yield* timeout(3, function* (s) {
        scope = s;
        s.reschedule(null);
        assert.equal(s.when(), Infinity);
        yield sleep(10);
        assert.throws(() => s.reschedule(NaN), { name: 'RangeError', message: /when/ });
        assert.throws(() => s.reschedule('soon'), { name: 'TypeError', message: /when/ });
        s.reschedule(time() - 1); // into the past: expires at once
        try {
          yield sleep(10_000);
        } catch (e) {
          assert.ok(e instanceof CancelledError);
          assert.equal(s.expired(), true);
          // asyncio: "Cannot change state of expiring Timeout"
          assert.throws(() => s.reschedule(time() + 100), InvalidStateError);
          throw e;
        }
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof TimeoutError);
    assert.throws(() => scope.reschedule(time() + 100), InvalidStateError);
    assert.ok(Number.isNaN(scope.deadline), 'no effective deadline once exited');
  });
});

test('timeout_bad_arguments_change_nothing (TypeError / RangeError / InvalidStateError)', async () => {
  assert.throws(() => timeout(NaN, function* () {}), { name: 'RangeError', message: /timeout\(ms, body\): ms/ });
  assert.throws(() => timeout('5', function* () {}), { name: 'TypeError', message: /ms must be a number/ });
  assert.throws(() => timeoutAt(NaN, function* () {}), { name: 'RangeError', message: /when/ });
  assert.throws(() => timeout(5), { name: 'TypeError', message: /body must be a function/ });
  assert.throws(() => timeout(5, () => {}, { signal: {} }), { name: 'TypeError', message: /options\.signal/ });
  assert.throws(() => timeout(5, () => {}, { task: {} }), { name: 'TypeError', message: /options\.task/ });
  assert.throws(() => timeout(5, () => {}, 7), { name: 'TypeError', message: /options must be an object/ });
  // outside any task: nothing to time out
  await assert.rejects(timeout(5, async () => {}), InvalidStateError);
  assert.throws(() => [...timeout(5, function* () {})], InvalidStateError);
  await run(function* () {
    let caught;
    try { yield timeout(5, function* () {}); } catch (e) { caught = e; }
    assert.ok(caught instanceof TypeError && /yield\*/.test(caught.message), 'yield without the star');
    caught = null;
    try { yield* timeout(5, async () => {}); } catch (e) { caught = e; }
    assert.ok(caught instanceof TypeError && /generator function/.test(caught.message), 'async body in a generator task');
    const once = timeout(5, function* () {});
    yield* once;
    caught = null;
    try { yield* once; } catch (e) { caught = e; }
    assert.ok(caught instanceof TypeError && /already run/.test(caught.message));
  });
  await run(async (task) => {
    await assert.rejects(timeout(5, function* () {}, { task }), TypeError, 'generator body in async code');
  });
});

test('outer_cancellation_passes_through_a_timeout_scope (generator)', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () {
      try {
        yield* timeout(1000, function* () {
          try { yield sleep(10_000); } catch (e) { log.push(`inner:${e.constructor.name}`); throw e; }
        });
      } catch (e) {
        log.push(`exit:${e.constructor.name}`);
        throw e;
      }
    });
    yield sleep(1);
    t.cancel('outer');
    try { yield t; } catch (e) { assert.ok(e instanceof CancelledError && e.message === 'outer'); }
  });
  assert.deepEqual(log, ['inner:CancelledError', 'exit:CancelledError']);
});

test('outer_cancellation_passes_through_a_timeout_scope (async)', async () => {
  await run(async () => {
    let scope;
    const t = createTask(async (task) => timeout(1000, async (s) => {
      scope = s;
      await sleep(10_000, undefined, { signal: s.signal });
    }, { task }));
    await sleep(1);
    t.cancel('outer');
    await assert.rejects(t, (e) => e instanceof CancelledError && e.message === 'outer');
    assert.ok(t.cancelled());
    assert.ok(scope.signal.aborted && t.signal.aborted, 'an outside cancellation aborts both');
    assert.equal(scope.expired(), false);
  });
});

test('async task cancelled from outside inside a scope: a body that catches it (through scope.signal) and returns keeps its result', async () => {
  await run(async () => {
    const t = createTask(async (task) => timeout(1000, async (s) => {
      try {
        await sleep(10_000, undefined, { signal: s.signal });
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        return 'cleaned up';
      }
    }, { task }));
    await sleep(1);
    t.cancel();
    assert.equal(await t, 'cleaned up', 'as with task.signal');
    assert.equal(t.cancelled(), false);
  });
});

test('outer_cancellation_together_with_expiry_stays_a_cancellation', async () => {
  await run(function* (me) {
    let caught;
    try {
      yield* timeout(3, function* (s) {
        callLater(3, () => me.cancel('outer'));
        spin(8); // block the loop past both deadlines
        try {
          yield sleep(10_000);
        } finally {
          assert.equal(s.expired(), true);
        }
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof CancelledError, String(caught));
    assert.equal(me.cancelling(), 1);
    assert.equal(me.uncancel(), 0); // we handle it
  });
});

test('nested_timeouts_outer_fires_first (generator)', async () => {
  await run(function* (me) {
    let inner;
    let outer;
    let innerExit;
    let caught;
    try {
      yield* timeout(5, function* (o) {
        outer = o;
        try {
          yield* timeout(10_000, function* (i) { inner = i; yield sleep(10_000); });
        } catch (e) {
          innerExit = e;
          throw e;
        }
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(innerExit instanceof CancelledError, 'not the inner one: passes through');
    assert.ok(caught instanceof TimeoutError);
    assert.equal(inner.expired(), false);
    assert.equal(outer.expired(), true);
    assert.ok(inner.signal.aborted, 'the outer one aborts the scopes inside it');
    assert.equal(me.cancelling(), 0);
  });
});

test('nested_timeouts_outer_fires_first (async, nested through the signal)', async () => {
  await run(async (task) => {
    let inner;
    await assert.rejects(timeout(5, async (o) => {
      await timeout(10_000, async (i) => {
        inner = i;
        await sleep(10_000, undefined, { signal: i.signal });
      }, { signal: o.signal });
    }, { task }), TimeoutError);
    assert.equal(inner.expired(), false);
    assert.equal(task.cancelling(), 0);
    assert.equal(task.signal.aborted, false);
  });
});

test('nested_timeouts_inner_fires_first (both styles)', async () => {
  await run(function* () {
    yield* timeout(10_000, function* (o) {
      let caught;
      try { yield* timeout(5, function* () { yield sleep(10_000); }); } catch (e) { caught = e; }
      assert.ok(caught instanceof TimeoutError);
      assert.equal(o.expired(), false);
      assert.equal(o.signal.aborted, false, 'the outer scope is not touched');
      yield sleep(1); // the outer block goes on normally
    });
  });
  await run(async (task) => {
    await timeout(10_000, async (o) => {
      await assert.rejects(timeout(5, (i) => sleep(10_000, undefined, { signal: i.signal }), { signal: o.signal }), TimeoutError);
      assert.equal(o.signal.aborted, false);
      await sleep(1, undefined, { signal: o.signal });
    }, { task });
  });
});

test('nested_timeouts_both_fire_outer_wins', async () => {
  await run(function* (me) {
    let innerExit;
    let caught;
    try {
      yield* timeout(3, function* (o) {
        try {
          yield* timeout(4, function* (i) {
            spin(8); // both expire before the task runs again
            try {
              yield sleep(10_000);
            } finally {
              assert.ok(i.expired() && o.expired());
              assert.equal(me.cancelling(), 2);
            }
          });
        } catch (e) {
          innerExit = e;
          throw e;
        }
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(innerExit instanceof CancelledError, "the outer's cancellation is still pending");
    assert.ok(caught instanceof TimeoutError);
    assert.equal(me.cancelling(), 0);
    yield sleep(0);
  });
});

test('timeout_body_that_swallows_or_fails_keeps_its_status', async () => {
  await run(function* () {
    let scope;
    const v = yield* timeout(3, function* (s) {
      scope = s;
      try { yield sleep(10_000); } catch (e) { assert.ok(e instanceof CancelledError); }
      return 'swallowed';
    });
    assert.equal(v, 'swallowed');
    assert.equal(scope.expired(), true);
    const other = new Error('other');
    let caught;
    try {
      yield* timeout(3, function* () {
        try { yield sleep(10_000); } catch { throw other; }
      });
    } catch (e) {
      caught = e;
    }
    assert.equal(caught, other, 'another error passes, the same object');
  });
});

test('timeout_entered_with_a_pending_cancel_count', async () => {
  await run(function* (me) {
    me.cancel();
    try { yield sleep(0); assert.fail(); } catch (e) { assert.ok(e instanceof CancelledError); }
    assert.equal(me.cancelling(), 1);
    let caught;
    try { yield* timeout(3, function* () { yield sleep(10_000); }); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    assert.equal(me.cancelling(), 1);
    assert.equal(me.uncancel(), 0);
  });
});

test('current_deadline_is_the_earliest_enclosing (generator: currentDeadline())', async () => {
  await run(function* () {
    assert.equal(currentDeadline(), Infinity);
    yield* timeout(5000, function* (a) {
      assert.equal(currentDeadline(), a.when());
      yield* timeout(1000, function* (b) {
        assert.equal(currentDeadline(), b.when());
        yield* timeout(8000, function* (c) {
          assert.equal(currentDeadline(), b.when(), 'later than b: b still rules');
          assert.equal(c.deadline, b.when());
          assert.equal(a.deadline, a.when());
          assert.ok(c.when() > b.when());
          yield sleep(0);
        });
        assert.equal(currentDeadline(), b.when());
      });
      assert.equal(currentDeadline(), a.when());
    });
    assert.equal(currentDeadline(), Infinity);
  });
});

test('effective deadline of nested scopes in async code (scope.deadline, currentDeadline(task))', async () => {
  await run(async (task) => {
    assert.equal(currentDeadline(task), Infinity);
    await timeout(5000, async (a) => {
      await sleep(0);
      assert.equal(currentDeadline(task), a.when(), 'after an await: pass the task');
      await timeout(1000, async (b) => {
        assert.equal(b.deadline, b.when());
        await timeout(8000, async (c) => {
          assert.equal(c.deadline, b.when());
          assert.equal(currentDeadline(task), b.when());
        }, { signal: b.signal });
      }, { signal: a.signal });
    }, { task });
    assert.equal(currentDeadline(task), Infinity);
    assert.throws(() => currentDeadline({}), TypeError);
  });
});

test('plain_spawned_task_does_not_inherit_a_deadline', async () => {
  await run(function* () {
    yield* timeout(1000, function* () {
      let d = 0;
      yield createTask(function* () { d = currentDeadline(); });
      assert.equal(d, Infinity, 'asyncio: a timeout cancels only its own task');
    });
  });
});

test('task_ending_inside_a_scope_has_it_disarmed (a scope its task did not wait for)', async () => {
  let later;
  await run(async () => {
    const t = createTask(async (task) => {
      later = timeout(5, async (s) => {
        await new Promise((r) => setTimeout(r, 15)); // outlives the task
        return s.expired();
      }, { task });
      later.then(() => {}, () => {}); // started, not awaited
      await sleep(0);
      return 'done';
    });
    assert.equal(await t, 'done');
    assert.equal(t.cancelled(), false);
    assert.equal(await later, false, 'disarmed when the task ended: never expired, no TimeoutError');
  });
});

test('async task: a scope made before the first await needs no { task }', async () => {
  await run(async () => {
    const t = createTask(async () => timeout(3, (s) => sleep(10_000, undefined, { signal: s.signal })));
    await assert.rejects(t, TimeoutError);
    const u = createTask(async () => taskGroup(async (tg) => { tg.createTask(async () => 7); return 'ok'; }));
    assert.equal(await u, 'ok');
  });
});

test('scope AbortSignal aborts on timeout (also for non-runtime consumers)', async () => {
  await run(async (task) => {
    const seen = [];
    await assert.rejects(timeout(3, (s) => new Promise((resolve, reject) => {
      s.signal.addEventListener('abort', () => {
        seen.push(s.signal.reason.constructor.name);
        reject(s.signal.reason);
      });
    }), { task }), TimeoutError);
    assert.deepEqual(seen, ['CancelledError']);
  });
});

test('external AbortSignal cancels a scope (generator): CancelledError with the cause, the task goes on', async () => {
  await run(function* (me) {
    const ac = new AbortController();
    callLater(2, () => ac.abort(new Error('user pressed stop')));
    let scope;
    let caught;
    try {
      yield* timeout(10_000, function* (s) { scope = s; yield sleep(10_000); }, { signal: ac.signal });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof CancelledError, String(caught));
    assert.equal(caught.message, 'user pressed stop');
    assert.equal(caught.cause.message, 'user pressed stop');
    assert.equal(scope.expired(), false);
    assert.ok(scope.signal.aborted);
    assert.equal(me.cancelling(), 0, "the scope's own cancellation is taken back");
    assert.equal(me.signal.aborted, false);
    yield sleep(1);
    // already aborted: cancelled at once
    caught = null;
    try { yield* timeout(10_000, function* () { yield sleep(10_000); }, { signal: ac.signal }); } catch (e) { caught = e; }
    assert.ok(caught instanceof CancelledError);
    assert.equal(me.cancelling(), 0);
  });
});

test('external AbortSignal cancels a scope (async)', async () => {
  await run(async (task) => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('stop'), 2);
    const body = timeout(null, (s) => sleep(10_000, undefined, { signal: s.signal }), { task, signal: ac.signal });
    await assert.rejects(body, (e) => e instanceof CancelledError && e.message === 'stop');
    assert.equal(task.cancelling(), 0);
    assert.equal(task.signal.aborted, false);
  });
});

// ===========================================================================
// waitFor
// ===========================================================================

test('wait_for_in_time_returns_the_result (same object, both styles)', async () => {
  const obj = { answer: 42 };
  await run(function* (me) {
    const t = createTask(function* () { yield sleep(2); return obj; });
    assert.equal(yield waitFor(t, 1000), obj);
    assert.equal(me.cancelling(), 0);
    assert.equal(yield waitFor(sleep(1, 'op value'), 1000), 'op value');
    assert.equal(yield waitFor(Promise.resolve(obj), 1000), obj);
    assert.equal(yield waitFor(createTask(function* () { return 1; }), null), 1, 'null: no limit');
  });
  await run(async (task) => {
    const t = createTask(async () => { await sleep(2); return obj; });
    assert.equal(await waitFor(t, 1000, { signal: task.signal }), obj);
  });
});

test('wait_for_timeout_cancels_the_inner_and_waits_for_it', async () => {
  const log = [];
  await run(function* (me) {
    const t = inner(log, { ms: 10_000, cleanup: 10, value: 'v' });
    const t0 = time();
    let caught;
    try { yield waitFor(t, 5); } catch (e) { caught = e; }
    const dt = time() - t0;
    assert.ok(caught instanceof TimeoutError, String(caught));
    assert.ok(t.cancelled(), 'done: waitFor waited for the cleanup');
    assert.ok(dt >= 14 && dt < 5000, `took ${dt}`);
    assert.equal(me.cancelling(), 0);
  });
  assert.deepEqual(log, ['start', 'cancelled', 'cleaned']);
});

test('wait_for_inner_ignoring_cancellation_once_returns_its_value (both styles)', async () => {
  const log = [];
  await run(function* () {
    const t = inner(log, { ms: 10, swallow: 1, value: 'late' });
    const t0 = time();
    assert.equal(yield waitFor(t, 3), 'late');
    assert.ok(time() - t0 >= 12);
  });
  assert.deepEqual(log, ['start', 'cancelled', 'swallowed', 'finished']);
  await run(async (task) => {
    const t = createTask(async (me) => {
      try { await sleep(10_000, undefined, { signal: me.signal }); } catch { /* ignored once */ }
      me.uncancel();
      await sleep(5);
      return 'late too';
    });
    assert.equal(await waitFor(t, 3, { signal: task.signal }), 'late too');
  });
});

test('wait_for_result_arriving_with_the_timeout_is_not_lost', async () => {
  const obj = { together: true };
  await run(function* (me) {
    const f = createFuture();
    // f's setter and waitFor's deadline expire in the same loop turn (a
    // callback blocks the loop past both), the setter first
    callLater(3, () => f.setResult(obj));
    callLater(1, () => spin(8));
    assert.equal(yield waitFor(f, 3), obj);
    assert.equal(f.cancelled(), false);
    assert.equal(me.cancelling(), 0);
    yield sleep(0); // no cancellation left behind
  });
});

test('wait_for_zero_on_a_done_future_does_not_wait', async () => {
  await run(function* () {
    const err = new Error('down');
    const f = createFuture();
    f.setException(err);
    for (const ms of [0, -5]) {
      let caught;
      try { yield waitFor(f, ms); } catch (e) { caught = e; }
      assert.equal(caught, err);
    }
    const g = createFuture();
    g.setResult('ready');
    assert.equal(yield waitFor(g, 0), 'ready');
  });
});

test('wait_for_zero_on_a_pending_task_never_starts_it', async () => {
  const log = [];
  await run(function* () {
    const t = inner(log, { ms: 1, value: 'v' });
    let caught;
    try { yield waitFor(t, 0); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    assert.ok(t.cancelled());
  });
  assert.deepEqual(log, [], 'cancelled before its first step');
});

test('wait_for_zero_returns_a_value_the_inner_produces_when_cancelled', async () => {
  const log = [];
  await run(function* () {
    const t = inner(log, { ms: 5, swallow: 1, value: 'kept' });
    yield sleep(0); // let it start sleeping
    assert.equal(yield waitFor(t, 0), 'kept');
  });
});

test('wait_for_cancelled_from_outside_cancels_inner_and_propagates (generator caller)', async () => {
  const log = [];
  await run(function* () {
    const t = inner(log, { ms: 10_000, value: 'v' });
    const w = createTask(function* () {
      try { return yield waitFor(t, 1000); } catch (e) { log.push(`waitFor:${e.constructor.name}`); throw e; }
    });
    yield sleep(1);
    w.cancel('stop');
    try { yield w; } catch (e) { assert.ok(e instanceof CancelledError, 'not TimeoutError, not swallowed'); }
    assert.ok(t.cancelled());
    assert.throws(() => t.result(), (e) => e instanceof CancelledError && e.message === 'stop');
  });
  assert.deepEqual(log, ['start', 'cancelled', 'waitFor:CancelledError']);
});

test('wait_for_cancelled_from_outside_cancels_inner_and_propagates (async caller, signal)', async () => {
  await run(async () => {
    const log = [];
    const t = inner(log, { ms: 10_000, value: 'v' });
    const w = createTask(async (me) => waitFor(t, 1000, { signal: me.signal }));
    await sleep(1);
    w.cancel('stop');
    await assert.rejects(w, CancelledError);
    assert.ok(t.cancelled());
  });
});

test('wait_for_a_plain_future_cancels_it_on_timeout', async () => {
  await run(function* () {
    const f = createFuture();
    let caught;
    try { yield waitFor(f, 3); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError && /3 ms/.test(caught.message));
    assert.ok(f.cancelled());
  });
});

test('wait_for_passes_the_inner_failure_through (the same error object)', async () => {
  await run(function* () {
    const boom = new Error('boom');
    const t = createTask(function* () { yield sleep(1); throw boom; });
    let caught;
    try { yield waitFor(t, 1000); } catch (e) { caught = e; }
    assert.equal(caught, boom);
    const te = new TimeoutError('its own timeout');
    const u = createTask(function* () { yield sleep(1); throw te; });
    caught = null;
    try { yield waitFor(u, 1000); } catch (e) { caught = e; }
    assert.equal(caught, te, "the inner's own TimeoutError is not taken for the deadline");
  });
  assert.throws(() => waitFor(42, 5), { name: 'TypeError', message: /waitFor\(aw, ms\): aw is not awaitable/ });
  assert.throws(() => waitFor(sleep(1), NaN), { name: 'RangeError', message: /ms must not be NaN/ });
  assert.throws(() => waitFor(sleep(1), '5'), { name: 'TypeError', message: /ms must be a number/ });
  const other = await Runtime.create();
  assert.throws(() => waitFor(other.sleep(1), 5), { name: 'TypeError', message: /another runtime/ });
});

// ===========================================================================
// wait
// ===========================================================================

function job(log, ms, name, fail = false) {
  return createTask(function* () {
    yield sleep(ms);
    log.push(name);
    if (fail) throw new Error(`${name} failed`);
    return name;
  }, { name });
}

test('wait_first_completed_returns_after_the_first', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 10_000, 'a'), job(log, 2, 'b'), job(log, 10_000, 'c')];
    const r = yield wait(t, { returnWhen: FIRST_COMPLETED });
    assert.ok(r.done instanceof Set && r.pending instanceof Set);
    assert.deepEqual([...r.done], [t[1]], 'the same Task objects');
    assert.deepEqual([...r.pending], [t[0], t[2]], 'argument order');
    assert.equal(t[0].done(), false);
    for (const x of t) x.cancel();
  });
});

test('wait_first_exception_ignores_cancelled_and_stops_at_a_failure', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 10_000, 'long'), job(log, 1, 'ok'), job(log, 10_000, 'cancelled'), job(log, 8, 'bad', true)];
    yield sleep(0);
    t[2].cancel(); // a cancellation is not an exception
    const { done, pending } = yield wait(t, { returnWhen: FIRST_EXCEPTION });
    assert.deepEqual(new Set(done), new Set([t[1], t[2], t[3]]));
    assert.deepEqual([...pending], [t[0]]);
    assert.equal(t[3].exception().message, 'bad failed');
    t[0].cancel();
  });
  assert.deepEqual(log, ['ok', 'bad']);
});

test('wait_first_exception_without_failures_waits_for_all', async () => {
  const log = [];
  await run(async (task) => {
    const t = [job(log, 1, 'a'), job(log, 5, 'b')];
    const { done, pending } = await wait(t, { returnWhen: FIRST_EXCEPTION, signal: task.signal });
    assert.equal(done.size, 2);
    assert.equal(pending.size, 0);
  });
});

test('wait_all_completed_includes_failures', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 3, 'x', true), job(log, 1, 'y'), job(log, 6, 'z')];
    const { done, pending } = yield wait(t); // ALL_COMPLETED is the default
    assert.equal(done.size, 3);
    assert.equal(pending.size, 0);
    assert.equal(t[0].exception().message, 'x failed'); // read it: not reported
  });
  assert.deepEqual(log, ['y', 'x', 'z']);
});

test('wait_timeout_returns_sets_and_cancels_nothing', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 1, 'fast'), job(log, 10_000, 'slow')];
    const t0 = time();
    const { done, pending } = yield wait(t, { timeout: 8, returnWhen: ALL_COMPLETED });
    assert.ok(time() - t0 >= 7.5 && time() - t0 < 5000);
    assert.deepEqual([...done], [t[0]]);
    assert.deepEqual([...pending], [t[1]]);
    assert.equal(t[1].done(), false, 'a timeout cancels nothing');
    assert.equal(t[1].cancelling(), 0);
    // FIRST_COMPLETED with a timeout that comes first
    const r = yield wait([t[1]], { timeout: 2, returnWhen: FIRST_COMPLETED });
    assert.equal(r.done.size, 0);
    assert.equal(r.pending.size, 1);
    t[1].cancel();
  });
});

test('wait_with_duplicates_counts_each_future_once', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 1, 'a'), job(log, 10_000, 'b')];
    const r = yield wait([t[0], t[1], t[0], t[1]], { timeout: 10 });
    assert.equal(r.done.size, 1);
    assert.equal(r.pending.size, 1);
    const s = yield wait([t[0], t[0], t[0]]); // the same future: ALL_COMPLETED by it alone
    assert.deepEqual([...s.done], [t[0]]);
    assert.equal(s.pending.size, 0);
    t[1].cancel();
  });
});

test('wait_on_done_futures_still_suspends_once', async () => {
  const log = [];
  await run(function* () {
    const f = createFuture();
    f.setResult(1);
    createTask(function* () { log.push('other task ran'); });
    const { done } = yield wait([f]);
    log.push('after wait');
    assert.equal(done.size, 1);
  });
  assert.deepEqual(log, ['other task ran', 'after wait']);
});

test('wait_bad_arguments', async () => {
  const f = createFuture();
  assert.throws(() => wait([]), { name: 'RangeError', message: /aws must not be empty/ });
  assert.throws(() => wait(f), { name: 'TypeError', message: /aws must be an iterable/ });
  assert.throws(() => wait([f, sleep(1)]), { name: 'TypeError', message: /aws\[1\] must be a Task or Future/ });
  assert.throws(() => wait([f], { returnWhen: 'SOMETIMES' }), { name: 'RangeError', message: /options\.returnWhen/ });
  assert.throws(() => wait([f], { timeout: NaN }), { name: 'RangeError', message: /options\.timeout/ });
  assert.throws(() => wait([f], { signal: 1 }), { name: 'TypeError', message: /options\.signal/ });
  f.cancel();
});

test('wait_cancelled_withdraws_and_leaves_the_futures_alone (both styles)', async () => {
  await run(function* () {
    const f = createFuture();
    const log = [];
    const t = createTask(function* () {
      try { yield wait([f]); } catch (e) { log.push(e.constructor.name); throw e; }
    });
    yield sleep(1);
    t.cancel();
    try { yield t; } catch { /* cancelled */ }
    assert.equal(f.done(), false, 'not cancelled by wait');
    assert.deepEqual(log, ['CancelledError']);
    f.setResult(null); // no callback left on f
    yield sleep(0);
  });
  await run(async () => {
    const f = createFuture();
    const t = createTask(async (me) => wait([f], { signal: me.signal }));
    await sleep(1);
    t.cancel();
    await assert.rejects(t, CancelledError);
    assert.equal(f.done(), false);
    f.cancel();
  });
});

// ===========================================================================
// asCompleted
// ===========================================================================

test('as_completed_yields_in_completion_order (generator: yield it.next())', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 12, 'slow'), job(log, 2, 'fast'), job(log, 6, 'mid')];
    const it = asCompleted(t);
    assert.ok(it instanceof AsCompleted);
    assert.equal(it.remaining, 3);
    const order = [];
    for (;;) {
      const { value, done } = yield it.next();
      if (done) break;
      assert.ok(t.includes(value), 'the same Task objects');
      order.push(yield value);
    }
    assert.deepEqual(order, ['fast', 'mid', 'slow']);
    assert.equal(it.remaining, 0);
    assert.deepEqual(yield it.next(), { value: undefined, done: true }, 'still the end');
  });
});

test('as_completed_yields_in_completion_order (async: for await)', async () => {
  await run(async () => {
    const order = [];
    const err = new Error('second fails');
    const aws = [sleep(30, 'slow'), createTask(async () => { await sleep(5); throw err; }), Promise.resolve('now')];
    for await (const f of asCompleted(aws)) {
      assert.ok(f instanceof Task, 'other awaitables arrive wrapped in tasks');
      try { order.push(await f); } catch (e) { order.push(e); }
    }
    assert.deepEqual(order, ['now', err, 'slow']);
  });
});

test('as_completed timeout: done ones first, then TimeoutError, then the iterator is closed', async () => {
  const log = [];
  await run(function* () {
    const t = [job(log, 10_000, 'a'), job(log, 1, 'b'), job(log, 10_000, 'c')];
    yield t[1]; // b done before the iterator starts (no race with its timer) ...
    const it = asCompleted(t, { timeout: 20 });
    yield sleep(25); // ... then the timeout
    assert.deepEqual(yield it.next(), { value: t[1], done: false }, 'what completed before the timeout comes first');
    let caught;
    try { yield it.next(); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    assert.deepEqual(yield it.next(), { value: undefined, done: true }, 'closed after it threw (JS iterator rule)');
    assert.equal(t[0].done(), false, 'the timeout cancels nothing');
    t[0].cancel();
    t[2].cancel();
  });
  await run(async () => {
    const slow = createTask(async (me) => { await sleep(10_000, undefined, { signal: me.signal }); });
    const seen = [];
    await assert.rejects(async () => {
      for await (const f of asCompleted([sleep(1, 'quick'), slow], { timeout: 10 })) seen.push(await f);
    }, TimeoutError);
    assert.deepEqual(seen, ['quick']);
    slow.cancel();
  });
});

test('as_completed_waiting_next_gets_the_timeout', async () => {
  await run(function* () {
    const f = createFuture();
    const it = asCompleted([f], { timeout: 3 });
    const t0 = time();
    let caught;
    try { yield it.next(); } catch (e) { caught = e; }
    assert.ok(caught instanceof TimeoutError);
    assert.ok(time() - t0 < 5000);
    f.setResult(null); // changes nothing: its callback was withdrawn
    assert.equal((yield it.next()).done, true);
  });
});

test('as_completed_done_futures_first_and_duplicates_once', async () => {
  await run(function* () {
    const f = [createFuture(), createFuture(), createFuture()];
    f[2].setResult(2);
    f[1].setResult(1);
    const it = asCompleted([f[0], f[1], f[2], f[1], f[0]]);
    assert.equal(it.remaining, 3);
    assert.equal((yield it.next()).value, f[1], 'done ones in argument order');
    assert.equal((yield it.next()).value, f[2]);
    f[0].setResult(0);
    assert.equal((yield it.next()).value, f[0]);
    assert.equal((yield it.next()).done, true);
    const empty = asCompleted([], { timeout: 5 });
    assert.equal((yield empty.next()).done, true, 'empty input: the end at once');
  });
  assert.throws(() => asCompleted(5), { name: 'TypeError', message: /aws must be an iterable/ });
  assert.throws(() => asCompleted([7]), { name: 'TypeError', message: /aws\[0\] is not awaitable/ });
  assert.throws(() => asCompleted([], { timeout: NaN }), { name: 'RangeError', message: /options\.timeout/ });
});

test('as_completed_cancelled_next_loses_nothing', async () => {
  await run(function* () {
    const f = [createFuture(), createFuture()];
    const it = asCompleted(f);
    // 1: cancelled while waiting
    let t = createTask(function* () { return yield it.next(); });
    yield sleep(0);
    t.cancel();
    try { yield t; } catch { /* cancelled */ }
    assert.equal(it.remaining, 2);
    // 2: served, but cancelled before it could run: the item goes back
    t = createTask(function* () { return yield it.next(); });
    yield sleep(0);
    callSoon(() => f[1].setResult('one')); // f[1] done ...
    callSoon(() => t.cancel()); // ... the consumer cancelled before it runs
    try { yield t; } catch (e) { assert.ok(e instanceof CancelledError); }
    assert.equal(it.remaining, 2);
    assert.equal((yield it.next()).value, f[1]);
    f[0].setResult('zero');
    assert.equal((yield it.next()).value, f[0]);
    assert.equal((yield it.next()).done, true);
  });
});

test('as_completed_next_start_serves_waiters_in_order (concurrent next() calls)', async () => {
  await run(async () => {
    const f = [createFuture(), createFuture()];
    const it = asCompleted(f);
    const n1 = it.next().then((r) => r);
    const n2 = it.next().then((r) => r);
    const n3 = it.next().then((r) => r); // only 2 items: the end, at once
    assert.deepEqual(await n3, { value: undefined, done: true });
    f[1].setResult(1);
    assert.equal((await n1).value, f[1]);
    f[0].setResult(0);
    assert.equal((await n2).value, f[0], 'the end of n3 did not close the iterator under n2');
    assert.equal((await it.next()).done, true);
    assert.equal(it.remaining, 0);
  });
});

test('as_completed: break out of for await closes it; nexts waiting at close end', async () => {
  await run(async () => {
    const f = [createFuture(), createFuture()];
    callLater(1, () => f[0].setResult('first'));
    const it = asCompleted(f);
    for await (const x of it) {
      assert.equal(x, f[0]);
      break; // return(): withdraws from f[1]
    }
    assert.equal(it.remaining, 0);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    const g = createFuture();
    const it2 = asCompleted([g]);
    const pending = it2.next().then((r) => r); // waiting ...
    await sleep(1);
    await it2[Symbol.asyncDispose](); // ... when it is closed
    assert.deepEqual(await pending, { value: undefined, done: true });
    f[1].cancel();
    g.cancel();
  });
});

test('wait, waitFor, asCompleted and shield work in plain async code too (outside any task)', async () => {
  const t = createTask(async () => { await sleep(2); return 't'; });
  assert.equal(await waitFor(t, 1000), 't');
  assert.equal(await waitFor(sleep(1, 'op'), 1000), 'op');
  await assert.rejects(waitFor(sleep(1000), 2), TimeoutError);
  const f = createFuture();
  const { done, pending } = await wait([t, f], { timeout: 2 });
  assert.ok(done.has(t) && pending.has(f));
  const order = [];
  for await (const x of asCompleted([sleep(10, 'b'), sleep(1, 'a')])) order.push(await x);
  assert.deepEqual(order, ['a', 'b']);
  const s = shield(f);
  s.cancel();
  assert.equal(f.done(), false);
  f.setResult('f');
  assert.equal(await f, 'f');
});

// ===========================================================================
// shield
// ===========================================================================

test('shield_cancel_outer_inner_keeps_running', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () { yield sleep(5); log.push('worker:0'); return 'work'; });
    const outer = shield(t);
    assert.notEqual(outer, t);
    assert.equal(outer.cancel('x'), true);
    assert.equal(outer.cancelled(), true, 'at once: a plain future');
    assert.equal(t.done(), false);
    assert.equal(t.cancelling(), 0);
    assert.equal(yield t, 'work');
    assert.equal(outer.cancelled(), true);
  });
  assert.deepEqual(log, ['worker:0']);
});

test('shield_cancelling_the_awaiting_task_spares_the_inner (both styles)', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () { yield sleep(30); log.push('worker:0'); return 'work'; });
    const a = createTask(function* () {
      try { return yield shield(t); } catch (e) { log.push(`awaiter:${e.constructor.name}`); throw e; }
    });
    yield sleep(0);
    a.cancel();
    try { yield a; } catch { /* cancelled */ }
    assert.equal(t.done(), false);
    assert.equal(yield t, 'work');
  });
  assert.deepEqual(log, ['awaiter:CancelledError', 'worker:0']);
  await run(async () => {
    const t = createTask(async () => { await sleep(20); return 'work'; });
    const a = createTask(async (me) => shield(t, { signal: me.signal }));
    await sleep(1);
    a.cancel();
    await assert.rejects(a, CancelledError);
    assert.equal(await t, 'work');
  });
});

test('shield_propagates_result_error_and_cancellation (same objects)', async () => {
  await run(function* () {
    const obj = { r: 1 };
    let inner = createFuture();
    let outer = shield(inner);
    inner.setResult(obj);
    assert.equal(yield outer, obj);
    const err = new TypeError('down');
    inner = createFuture();
    outer = shield(inner);
    inner.setException(err);
    let caught;
    try { yield outer; } catch (e) { caught = e; }
    assert.equal(caught, err);
    inner = createFuture(); // the inner cancelled by other means cancels the outer
    outer = shield(inner);
    inner.cancel('direct');
    caught = null;
    try { yield outer; } catch (e) { caught = e; }
    assert.ok(caught instanceof CancelledError);
    assert.ok(outer.cancelled());
    assert.equal(yield shield(sleep(1, 'op')), 'op', 'an operation runs in a task of its own');
  });
});

test('shield_of_a_done_future_is_the_future_itself', async () => {
  await run(function* () {
    const f = createFuture();
    f.setResult(null);
    assert.equal(shield(f), f);
    const t = createTask(function* () { return 1; });
    yield t;
    assert.equal(shield(t), t);
  });
  assert.throws(() => shield(3), { name: 'TypeError', message: /shield\(aw\): aw is not awaitable/ });
});

test('shield_inner_failure_after_outer_cancel_is_not_lost_silently', async () => {
  const reports = [];
  const rt = await Runtime.create({ onError: (err, ctx) => reports.push([err.message, ctx.message]) });
  await rt.run(function* () {
    const inner = rt.createFuture();
    const outer = rt.shield(inner);
    outer.cancel();
    inner.setException(new Error('later'));
    yield rt.sleep(0);
    const t = rt.createTask(function* () { yield rt.sleep(1); throw new Error('read through the shield'); });
    try { yield rt.shield(t); } catch { /* retrieved through the outer */ }
  });
  await settle();
  assert.deepEqual(reports.map((r) => r[0]), ['later']);
});

// ===========================================================================
// TaskGroup
// ===========================================================================

function kid(log, { ms, fail = null, name, cleanup = 0 }) {
  return function* (task) {
    try {
      yield sleep(ms);
    } catch (e) {
      if (cleanup > 0) {
        task.uncancel();
        yield sleep(cleanup);
      }
      log.push(`${name}:cancelled`);
      throw e;
    }
    log.push(`${name}:done`);
    if (fail) throw fail;
    return name;
  };
}

test('taskgroup_waits_for_every_child (generator)', async () => {
  const log = [];
  await run(function* () {
    let a;
    let group;
    const v = yield* taskGroup(function* (tg) {
      group = tg;
      assert.ok(tg instanceof TaskGroup);
      a = tg.createTask(kid(log, { ms: 6, name: 'a' }));
      tg.createTask(kid(log, { ms: 2, name: 'b' }));
      assert.equal(tg.size, 2);
      return 'body value';
    });
    assert.equal(v, 'body value');
    assert.equal(a.done(), true);
    assert.equal(group.size, 0);
  });
  assert.deepEqual(log, ['b:done', 'a:done']);
});

test('taskgroup_waits_for_every_child (async, mixed task styles)', async () => {
  const log = [];
  await run(async (task) => {
    const v = await taskGroup(async (tg) => {
      tg.createTask(async () => { await sleep(6); log.push('a:done'); });
      tg.createTask(kid(log, { ms: 2, name: 'b' }));
      await sleep(1, undefined, { signal: tg.signal });
      return 'async body';
    }, { task });
    assert.equal(v, 'async body');
  });
  assert.deepEqual(log, ['b:done', 'a:done']);
});

test('taskgroup_child_failure_cancels_siblings_and_the_body (generator)', async () => {
  const log = [];
  const bad = new Error('bad failed');
  await run(function* (me) {
    let caught;
    let group;
    try {
      yield* taskGroup(function* (tg) {
        group = tg;
        tg.createTask(kid(log, { ms: 2, name: 'bad', fail: bad }));
        tg.createTask(kid(log, { ms: 10_000, name: 'slow' }));
        try {
          yield sleep(10_000); // the body, interrupted
        } catch (e) {
          log.push(`body:${e.constructor.name}`);
          assert.equal(me.cancelling(), 1);
          throw e;
        }
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof AggregateError, String(caught));
    assert.deepEqual(caught.errors, [bad], 'the original error object');
    assert.equal(caught.message, 'unhandled errors in a TaskGroup (1 sub-exception)');
    assert.equal(me.cancelling(), 0, "the group's own cancel withdrawn");
    assert.equal(me.signal.aborted, false);
    assert.ok(group.signal.aborted);
    yield sleep(1); // the body goes on normally afterwards
  });
  assert.deepEqual(log, ['bad:done', 'slow:cancelled', 'body:CancelledError']);
});

test('taskgroup_child_failure_cancels_siblings_and_the_body (async: the body awaits with tg.signal)', async () => {
  const log = [];
  const bad = new RangeError('bad');
  await run(async (task) => {
    await assert.rejects(taskGroup(async (tg) => {
      tg.createTask(async () => { await sleep(2); throw bad; });
      tg.createTask(async (t) => {
        try { await sleep(10_000, undefined, { signal: t.signal }); } catch (e) { log.push('slow:cancelled'); throw e; }
      });
      try {
        await sleep(10_000, undefined, { signal: tg.signal });
      } catch (e) {
        log.push(`body:${e.constructor.name}`);
        throw e;
      }
    }, { task }), (e) => e instanceof AggregateError && e.errors.length === 1 && e.errors[0] === bad);
    assert.equal(task.cancelling(), 0);
    assert.equal(task.signal.aborted, false);
    await sleep(1, undefined, { signal: task.signal });
  });
  assert.deepEqual(log, ['slow:cancelled', 'body:CancelledError']);
});

test('taskgroup_failure_message_and_status_of_the_owner', async () => {
  await run(function* () {
    const owner = createTask(function* () {
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () { yield sleep(1); throw new Error('k failed'); });
        yield sleep(10_000);
      });
    });
    let caught;
    try { yield owner; } catch (e) { caught = e; }
    assert.ok(caught instanceof AggregateError, 'even for a single failure');
    assert.equal(owner.exception(), caught);
  });
});

test('taskgroup_two_failures_are_both_reported (AggregateError, completion order)', async () => {
  const log = [];
  await run(function* (me) {
    const x = new Error('x');
    const y = new TypeError('y');
    let tx;
    let ty;
    let caught;
    try {
      yield* taskGroup(function* (tg) {
        tx = tg.createTask(kid(log, { ms: 0, name: 'x', fail: x }));
        ty = tg.createTask(kid(log, { ms: 0, name: 'y', fail: y }));
        tg.createTask(kid(log, { ms: 10_000, name: 'z' }));
        // both fail in the same turn, before the cancellation reaches them
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof AggregateError);
    assert.deepEqual(caught.errors, [x, y]);
    assert.equal(caught.message, 'unhandled errors in a TaskGroup (2 sub-exceptions)');
    assert.equal(tx.exception(), x);
    assert.equal(ty.exception(), y);
    assert.equal(me.cancelling(), 0);
  });
  assert.deepEqual(log, ['x:done', 'y:done', 'z:cancelled']);
});

test('taskgroup_cancelled_child_is_not_an_error', async () => {
  const log = [];
  await run(function* () {
    yield* taskGroup(function* (tg) {
      const a = tg.createTask(kid(log, { ms: 10_000, name: 'a' }));
      tg.createTask(kid(log, { ms: 20, name: 'b' }));
      yield sleep(0);
      a.cancel();
      yield sleep(0); // the body is not cancelled
      yield sleep(0);
    });
  });
  assert.deepEqual(log, ['a:cancelled', 'b:done']);
});

test('taskgroup createTask after close or while shutting down -> InvalidStateError; the task never runs', async () => {
  let ran = 0;
  const body = function* () { ran++; };
  await run(function* () {
    let group;
    let caught;
    try {
      yield* taskGroup(function* (tg) {
        group = tg;
        tg.createTask(function* () { yield sleep(1); throw new Error('bad'); });
        try { yield sleep(10_000); } catch (e) { // by the failure
          assert.throws(() => tg.createTask(body), { name: 'InvalidStateError', message: /shutting down/ });
          throw e;
        }
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof AggregateError);
    assert.throws(() => group.createTask(body), { name: 'InvalidStateError', message: /finished/ });
    let clean;
    yield* taskGroup(function* (tg) { clean = tg; });
    assert.throws(() => clean.createTask(body), { name: 'InvalidStateError', message: /finished/ });
    assert.throws(() => new TaskGroup().createTask(body), { name: 'InvalidStateError', message: /not entered/ });
    yield sleep(1);
  });
  assert.equal(ran, 0);
});

test('taskgroup_child_may_spawn_while_the_group_exits', async () => {
  const log = [];
  await run(function* () {
    yield* taskGroup(function* (tg) {
      tg.createTask(function* () {
        yield sleep(2);
        log.push('spawning');
        tg.createTask(kid(log, { ms: 3, name: 'late' }));
      });
    }); // waits for the late one too
  });
  assert.deepEqual(log, ['spawning', 'late:done']);
});

test('taskgroup_outside_cancel_of_the_owner_propagates (generator)', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () {
      yield* taskGroup(function* (tg) {
        tg.createTask(kid(log, { ms: 10_000, name: 'a' }));
        tg.createTask(kid(log, { ms: 10_000, name: 'b' }));
        try { yield sleep(10_000); } catch (e) { log.push(`body:${e.constructor.name}`); throw e; }
      });
    });
    yield sleep(1);
    t.cancel('outside');
    let caught;
    try { yield t; } catch (e) { caught = e; }
    assert.ok(caught instanceof CancelledError && caught.message === 'outside', 'not swallowed');
    assert.ok(t.cancelled());
  });
  assert.deepEqual(log, ['body:CancelledError', 'a:cancelled', 'b:cancelled']);
});

test('taskgroup_outside_cancel_of_the_owner_propagates (async, also when the body ignores its signal)', async () => {
  for (const ignore of [false, true]) {
    const log = [];
    await run(async () => {
      const t = createTask(async (task) => taskGroup(async (tg) => {
        tg.createTask(async (k) => {
          try { await sleep(10_000, undefined, { signal: k.signal }); } catch (e) { log.push('a:cancelled'); throw e; }
        });
        if (ignore) await new Promise((r) => setTimeout(r, 5)); // not a runtime operation
        else await sleep(10_000, undefined, { signal: tg.signal });
        log.push('body returned');
      }, { task }));
      await sleep(1);
      t.cancel('outside');
      await assert.rejects(t, CancelledError);
      assert.ok(t.cancelled());
    });
    assert.deepEqual(log, ignore ? ['body returned', 'a:cancelled'] : ['a:cancelled'], `ignore=${ignore}`);
  }
});

test('taskgroup outside cancel of an async owner whose body ignores it, nothing left to wait for: still propagates', async () => {
  await run(async () => {
    let bodyDone = false;
    const t = createTask(async (task) => {
      await taskGroup(async () => {
        await new Promise((r) => setTimeout(r, 5)); // not a runtime operation
        bodyDone = true;
      }, { task });
      return 'not reached';
    });
    await sleep(1);
    t.cancel('outside');
    await assert.rejects(t, (e) => e instanceof CancelledError);
    assert.ok(bodyDone && t.cancelled());
  });
});

test('taskgroup_outside_cancel_during_exit_cancels_children_and_propagates (both styles)', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* () {
      try {
        yield* taskGroup(function* (tg) { tg.createTask(kid(log, { ms: 10_000, name: 'a' })); });
      } catch (e) {
        log.push(`exit:${e.constructor.name}`);
        throw e;
      }
    });
    yield sleep(1); // the body is done: waiting at the exit
    t.cancel();
    try { yield t; } catch { /* cancelled */ }
    assert.ok(t.cancelled());
  });
  assert.deepEqual(log, ['a:cancelled', 'exit:CancelledError']);
  log.length = 0;
  await run(async () => {
    const t = createTask(async (task) => {
      try {
        await taskGroup(async (tg) => { tg.createTask(kid(log, { ms: 10_000, name: 'b' })); }, { task });
      } catch (e) {
        log.push(`exit:${e.constructor.name}`);
        throw e;
      }
    });
    await sleep(1);
    t.cancel();
    await assert.rejects(t, CancelledError);
  });
  assert.deepEqual(log, ['b:cancelled', 'exit:CancelledError']);
});

test('taskgroup_body_failure_cancels_children_and_is_reported', async () => {
  const log = [];
  await run(function* (me) {
    const broke = new Error('body broke');
    let caught;
    try {
      yield* taskGroup(function* (tg) {
        tg.createTask(kid(log, { ms: 10_000, name: 'a' }));
        yield sleep(1);
        throw broke;
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof AggregateError);
    assert.deepEqual(caught.errors, [broke], "the body's own error object");
    assert.equal(me.cancelling(), 0);
  });
  assert.deepEqual(log, ['a:cancelled']);
});

test('taskgroup_errors_win_over_outside_cancel_which_stays_pending', async () => {
  const log = [];
  await run(function* () {
    const state = {};
    const t = createTask(function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(kid(log, { ms: 2, name: 'bad', fail: new Error('bad') }));
          tg.createTask(kid(log, { ms: 10_000, name: 'other', cleanup: 60 }));
          yield sleep(10_000);
        });
      } catch (e) {
        state.exit = e;
      }
      // the outside cancellation is still pending: the next wait gets it
      const t0 = time();
      try { yield sleep(10_000); } catch (e) { state.after = e; log.push(`after:${e.constructor.name} fast:${time() - t0 < 5000}`); throw e; }
    });
    // the failure (at 2 ms) cancels the owner; an outside cancel follows
    // while the group still waits for "other" to clean up (60 ms)
    for (let i = 0; i < 500 && t.cancelling() < 1; i++) yield sleep(1);
    assert.equal(t.cancelling(), 1);
    callSoon(() => t.cancel('outside'));
    yield sleep(0);
    assert.equal(t.cancelling(), 2);
    try { yield t; } catch { /* cancelled */ }
    assert.ok(t.cancelled());
    assert.ok(state.exit instanceof AggregateError);
    assert.ok(state.after instanceof CancelledError);
  });
  assert.deepEqual(log, ['bad:done', 'other:cancelled', 'after:CancelledError fast:true']);
});

test('taskgroup_child_failing_during_exit_cancels_the_others (both styles)', async () => {
  const log = [];
  await run(function* (me) {
    const t0 = time();
    let caught;
    try {
      yield* taskGroup(function* (tg) {
        tg.createTask(kid(log, { ms: 3, name: 'bad', fail: new Error('bad') }));
        tg.createTask(kid(log, { ms: 10_000, name: 'slow' }));
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof AggregateError);
    assert.ok(time() - t0 < 5000);
    assert.equal(me.cancelling(), 0);
    yield sleep(0);
  });
  assert.deepEqual(log, ['bad:done', 'slow:cancelled']);
  log.length = 0;
  await run(async (task) => {
    await assert.rejects(taskGroup(async (tg) => {
      tg.createTask(kid(log, { ms: 3, name: 'bad', fail: new Error('bad') }));
      tg.createTask(kid(log, { ms: 10_000, name: 'slow' }));
    }, { task }), AggregateError);
    assert.equal(task.cancelling(), 0);
    assert.equal(task.signal.aborted, false);
  });
  assert.deepEqual(log, ['bad:done', 'slow:cancelled']);
});

test('taskgroup_children_inherit_the_effective_deadline (both styles)', async () => {
  await run(function* () {
    yield* timeout(5000, function* (outer) {
      yield* taskGroup(function* (tg) {
        assert.equal(tg.deadline, outer.when());
        // a scope inside the body after the group does not bound the group
        yield* timeout(1000, function* (inner) {
          assert.equal(tg.deadline, outer.when());
          assert.equal(currentDeadline(), inner.when());
          let d = 0;
          yield tg.createTask(function* () { d = currentDeadline(); });
          assert.equal(d, outer.when());
        });
      });
    });
  });
  await run(async (task) => {
    await timeout(5000, async (outer) => {
      await taskGroup(async (tg) => {
        assert.equal(tg.deadline, outer.when());
        const child = tg.createTask(async (me) => {
          await sleep(1);
          return currentDeadline(me);
        });
        assert.equal(await child, outer.when());
      }, { signal: outer.signal });
    }, { task });
  });
});

test('taskgroup_deadline_flows_through_nested_groups', async () => {
  await run(function* () {
    yield* timeout(3000, function* (s) {
      let d = 0;
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () {
          yield* timeout(100_000, function* () {
            yield* taskGroup(function* (tg2) {
              tg2.createTask(function* () { d = currentDeadline(); });
            });
          });
        });
      });
      assert.equal(d, s.when(), 'the grandchild sees the outermost');
    });
  });
});

test('taskgroup_inside_an_expiring_timeout (both styles)', async () => {
  const log = [];
  await run(function* (me) {
    let groupExit;
    let caught;
    try {
      yield* timeout(4, function* () {
        try {
          yield* taskGroup(function* (tg) {
            tg.createTask(kid(log, { ms: 10_000, name: 'a' }));
            yield sleep(10_000);
          });
        } catch (e) {
          groupExit = e;
          throw e;
        }
      });
    } catch (e) {
      caught = e;
    }
    assert.ok(groupExit instanceof CancelledError, "the scope's cancellation passes the group");
    assert.ok(caught instanceof TimeoutError);
    assert.equal(me.cancelling(), 0);
  });
  assert.deepEqual(log, ['a:cancelled']);
  log.length = 0;
  await run(async (task) => {
    await assert.rejects(timeout(4, async (s) => {
      await taskGroup(async (tg) => {
        tg.createTask(kid(log, { ms: 10_000, name: 'b' }));
        // the body ignores tg.signal: the deadline still reaches the group's exit
      }, { signal: s.signal });
    }, { task }), TimeoutError);
    assert.equal(task.cancelling(), 0);
    assert.equal(task.signal.aborted, false);
  });
  assert.deepEqual(log, ['b:cancelled']);
});

test('TaskGroup AbortSignal aborts on the first failure; an external signal cancels the group', async () => {
  await run(async (task) => {
    let reason;
    await assert.rejects(taskGroup(async (tg) => {
      tg.signal.addEventListener('abort', () => { reason = tg.signal.reason; });
      tg.createTask(async () => { throw new Error('x'); });
      await sleep(10_000, undefined, { signal: tg.signal });
    }, { task }), AggregateError);
    assert.ok(reason instanceof CancelledError);
    const log = [];
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 3);
    await assert.rejects(taskGroup(async (tg) => {
      tg.createTask(kid(log, { ms: 10_000, name: 'k' }));
      await sleep(10_000, undefined, { signal: tg.signal });
    }, { task, signal: ac.signal }), (e) => e instanceof CancelledError && e.message === 'stop' && e.cause.message === 'stop');
    assert.deepEqual(log, ['k:cancelled']);
    assert.equal(task.cancelling(), 0);
    assert.equal(task.signal.aborted, false);
  });
  await run(function* (me) {
    const ac = new AbortController();
    callLater(2, () => ac.abort('stop'));
    let caught;
    try {
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () { yield sleep(10_000); });
        yield sleep(10_000);
      }, { signal: ac.signal });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof CancelledError && caught.message === 'stop', String(caught));
    assert.equal(me.cancelling(), 0);
  });
});

test('TaskGroup entered by hand in async code: enter() and Symbol.asyncDispose', async () => {
  const log = [];
  await run(async (task) => {
    const tg = new TaskGroup({ task }).enter();
    tg.createTask(kid(log, { ms: 15, name: 'a' }));
    tg.createTask(async () => { await sleep(1); log.push('b:done'); });
    await tg[Symbol.asyncDispose](); // what `await using` calls
    assert.deepEqual(log, ['b:done', 'a:done']);
    const tg2 = new TaskGroup({ signal: task.signal }).enter();
    tg2.createTask(kid(log, { ms: 10_000, name: 'c' }));
    await sleep(1); // c has started
    const err = new Error('body failed');
    await assert.rejects(tg2.exit(err), (e) => e instanceof AggregateError && e.errors[0] === err);
    assert.deepEqual(log.slice(2), ['c:cancelled']);
    await assert.rejects(tg2.exit(), InvalidStateError);
    assert.throws(() => tg2.enter(), InvalidStateError);
  });
  assert.throws(() => new TaskGroup({ runtime: 5 }), { name: 'TypeError', message: /options\.runtime/ });
  assert.throws(() => new TaskGroup({ task: 5 }), { name: 'TypeError', message: /options\.task/ });
  assert.throws(() => taskGroup(function* () {}, { task: {} }), { name: 'TypeError', message: /options\.task/ });
  assert.throws(() => taskGroup(5), { name: 'TypeError', message: /body must be a function/ });
  assert.throws(() => new TaskGroup().enter(), InvalidStateError); // outside a task
});

// ===========================================================================
// gather (issue 4 review)
// ===========================================================================

test('gather_cancelled_while_a_child_is_already_done', async () => {
  const log = [];
  await run(function* () {
    const done = createFuture();
    done.setResult('kept');
    const t = createTask(function* () {
      try { yield sleep(10_000); } catch (e) { log.push('sleeper:cancelled'); throw e; }
    });
    const g = gather([t, done], { returnExceptions: true });
    yield sleep(0);
    assert.equal(g.cancel('stop'), true); // the pending child takes it
    assert.equal(g.done(), false);
    let caught;
    try { yield g; } catch (e) { caught = e; }
    assert.ok(caught instanceof CancelledError && caught.message === 'stop', 'cancelled despite returnExceptions');
    assert.ok(t.cancelled());
    assert.equal(done.result(), 'kept', 'the done child is untouched');
  });
  assert.deepEqual(log, ['sleeper:cancelled']);
});

test('gather_over_done_children_is_done_at_once; duplicates wait once', async () => {
  await run(function* () {
    const f = [createFuture(), createFuture()];
    f[0].setResult(1);
    f[1].setResult(2);
    const g = gather(f);
    assert.equal(g.done(), true, '3.12+: no loop iteration needed');
    assert.deepEqual(yield g, [1, 2]);
    let runs = 0;
    const t = createTask(function* () { runs++; yield sleep(2); return 'x'; });
    assert.deepEqual(yield gather(t, t, t), ['x', 'x', 'x']);
    assert.equal(runs, 1);
  });
});
