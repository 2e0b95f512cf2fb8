// timeout() / timeoutAt() scopes from JS (bindings/timeout.js): the C edge cases
// of tests/c/test_timeout.c by the same names, in generator tasks and async
// tasks (signals), plus scope AbortSignals and external signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, callLater, time, runtime, wait, timeout, timeoutAt, taskGroup,
  currentDeadline, Timeout, CancelledError, TimeoutError, InvalidStateError,
} from '../../bindings/index.js';
import { checkStatsAfterFile, spin, inner } from './combinator_helpers.mjs';

checkStatsAfterFile();

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
      // the deadline leaves the task (one sleep(0)) ample time to end under load
      later = timeout(200, async (s) => {
        await new Promise((r) => setTimeout(r, 300)); // outlives the task and the deadline
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
