// TaskGroup from JS (bindings/taskgroup.js): the C edge cases of
// tests/c/test_taskgroup.c by the same names, in both task styles, plus
// AggregateError, group signals and entering by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, callSoon, callLater, time, runtime, wait, timeout, taskGroup,
  currentDeadline, TaskGroup, CancelledError, TimeoutError, InvalidStateError,
} from '../../bindings/index.js';
import { checkStatsAfterFile, inner } from './combinator_helpers.mjs';

checkStatsAfterFile();

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
      // a wide margin: both children start in one turn, but a loaded machine
      // can pause between their first steps
      a = tg.createTask(kid(log, { ms: 150, name: 'a' }));
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
