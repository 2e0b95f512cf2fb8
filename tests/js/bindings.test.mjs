// The JS API on the C scheduler: the classic asyncio tutorial examples,
// cancellation in both task styles, gather, names, errors, callbacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, gather, currentTask, allTasks, createFuture, callSoon, callLater, callAt,
  time, runtime, Runtime, Task, Future, CancelledError, InvalidStateError, WasyncioError, codes,
} from '../../bindings/index.js';

/** Stats that must return to their baseline after a test. */
function snapshot() {
  const s = runtime.stats();
  return { futures: s.futures, tasks: s.tasks, handles: s.handles, jsTasks: s.jsTasks, views: s.views, opWaiters: s.opWaiters, callbacks: s.callbacks, jsHandles: s.jsHandles };
}

async function settle() {
  // let pending releases (done callbacks, promise jobs) happen
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

test('three concurrent tasks finish in delay order, not start order (generators)', async () => {
  const t0 = time();
  const log = [];
  const result = await run(function* main() {
    function* say(what, ms) {
      yield sleep(ms);
      log.push(what);
      return what;
    }
    const a = createTask(say('a', 120));
    const b = createTask(say('b', 40));
    const c = createTask(say('c', 80));
    return yield gather(a, b, c);
  });
  const dt = time() - t0;
  assert.deepEqual(result, ['a', 'b', 'c']);
  assert.deepEqual(log, ['b', 'c', 'a']);
  assert.ok(dt >= 119, `took ${dt} ms`); // concurrent: the log order above
});

test('three concurrent tasks finish in delay order, not start order (async functions)', async () => {
  const t0 = time();
  const order = [];
  const result = await run(async () => {
    const work = async (v, ms) => { await sleep(ms); order.push(v); return v; };
    return gather(createTask(() => work(1, 100)), createTask(() => work(2, 30)), createTask(() => work(3, 60)));
  });
  const dt = time() - t0;
  assert.deepEqual(result, [1, 2, 3]);
  assert.deepEqual(order, [2, 3, 1]);
  assert.ok(dt >= 99, `took ${dt} ms`);
});

test('create a task, cancel it, catch CancelledError (generator: thrown in at the yield)', async () => {
  const log = [];
  await run(function* () {
    const t = createTask(function* background() {
      try {
        for (;;) {
          log.push('tick');
          yield sleep(20);
        }
      } catch (e) {
        log.push(e instanceof CancelledError ? `cancelled: ${e.message}` : 'other');
        throw e;
      }
    });
    yield sleep(50);
    assert.equal(t.cancel('enough'), true);
    assert.equal(t.cancelling(), 1);
    try {
      yield t;
      assert.fail('awaiting a cancelled task must throw');
    } catch (e) {
      assert.ok(e instanceof CancelledError);
      assert.equal(e.message, 'enough');
    }
    assert.equal(t.cancelled(), true);
    assert.throws(() => t.result(), CancelledError);
    assert.throws(() => t.exception(), CancelledError);
    assert.equal(t.cancel(), false, 'cancelling a done task returns false');
  });
  assert.deepEqual(log, ['tick', 'tick', 'tick', 'cancelled: enough']);
});

test('async task: cancel reaches the operation awaited with the task signal', async () => {
  const before = snapshot();
  await run(async () => {
    const t = createTask(async (task) => {
      await sleep(10_000, undefined, { signal: task.signal });
    });
    await sleep(5);
    t.cancel('stop');
    await assert.rejects(t, (e) => e instanceof CancelledError && e.message === 'stop');
    assert.ok(t.signal.aborted);
    assert.ok(t.cancelled());
  });
  await settle();
  assert.deepEqual(snapshot(), before, 'the 10 s timer was withdrawn, nothing leaked');
});

test('async task that never sees its cancellation still ends cancelled (asyncio rule)', async () => {
  await run(async () => {
    let release;
    const outside = new Promise((r) => { release = r; }); // not a runtime operation
    const t = createTask(async () => {
      await outside;
      return 'finished anyway';
    });
    await sleep(1);
    t.cancel();
    release();
    await assert.rejects(t, CancelledError);
  });
});

test('async task that catches the CancelledError and returns keeps its result', async () => {
  await run(async () => {
    const t = createTask(async (task) => {
      try {
        await sleep(10_000, undefined, { signal: task.signal });
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        return 'cleaned up';
      }
    });
    await sleep(1);
    t.cancel();
    assert.equal(await t, 'cleaned up');
    assert.equal(t.cancelled(), false);
  });
});

test('generator task: uncancel lets it continue after catching', async () => {
  const r = await run(function* () {
    const t = createTask(function* (task) {
      try {
        yield sleep(10_000);
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        assert.equal(task.uncancel(), 0);
        yield sleep(1);
        return 'survived';
      }
    });
    yield sleep(1);
    t.cancel();
    return yield t;
  });
  assert.equal(r, 'survived');
});

test('cancel before start: the body never runs', async () => {
  let ran = false;
  await run(function* () {
    const t = createTask(function* () { ran = true; });
    t.cancel();
    try { yield t; } catch (e) { assert.ok(e instanceof CancelledError); }
  });
  assert.equal(ran, false);
});

test('gather: ordered results; first failure rejects while the others keep running', async () => {
  await run(function* () {
    const log = [];
    const ok = createTask(function* () { yield sleep(30); log.push('ok done'); return 'ok'; });
    const bad = createTask(function* () { yield sleep(5); throw new Error('boom'); });
    try {
      yield gather(ok, bad);
      assert.fail('must reject');
    } catch (e) {
      assert.equal(e.message, 'boom', 'the very same error object travels');
    }
    assert.equal(ok.done(), false, 'the sibling is not cancelled');
    assert.equal(yield ok, 'ok');
    assert.deepEqual(log, ['ok done']);
  });
});

test('gather with returnExceptions collects errors in place', async () => {
  const res = await run(function* () {
    const err = new TypeError('bad');
    return yield gather([
      createTask(function* () { return 1; }),
      createTask(function* () { throw err; }),
      sleep(1, 'slept'),
      Promise.resolve('promise'),
      createTask(function* () { yield sleep(1000); }).cancel() && null,
    ].filter((x) => x !== null), { returnExceptions: true });
  });
  assert.equal(res[0], 1);
  assert.ok(res[1] instanceof TypeError && res[1].message === 'bad');
  assert.equal(res[2], 'slept');
  assert.equal(res[3], 'promise');
});

test('cancelling a gather cancels its children', async () => {
  await run(function* () {
    const a = createTask(function* () { yield sleep(10_000); });
    const b = createTask(function* () { yield sleep(10_000); });
    const g = gather(a, b);
    yield sleep(1);
    assert.equal(g.cancel(), true);
    try { yield g; assert.fail(); } catch (e) { assert.ok(e instanceof CancelledError); }
    assert.ok(a.cancelled() && b.cancelled());
  });
});

test('task names: default, custom, renamed', async () => {
  await run(function* () {
    const a = createTask(function* () {}, { name: 'fetcher' });
    const b = createTask(function* () {});
    assert.equal(a.name, 'fetcher');
    assert.match(b.name, /^Task-\d+$/);
    b.name = 'renamed';
    assert.equal(b.name, 'renamed');
    yield gather(a, b);
    assert.equal(a.name, 'fetcher');
    assert.equal(b.name, 'renamed');
    assert.throws(() => { b.name = 5; }, TypeError);
  });
});

test('tasks awaiting tasks, generator and async mixed', async () => {
  const r = await run(function* () {
    const a = createTask(function* () { yield sleep(5); return 1; });
    const b = createTask(async () => (await a) + 1);
    const c = createTask(function* () { return (yield b) + 1; });
    return yield c;
  });
  assert.equal(r, 3);
});

test('100,000 JS tasks', async () => {
  const n = 100_000;
  const sum = await run(function* () {
    const tasks = [];
    for (let i = 0; i < n; i++) tasks.push(createTask(function* () { yield sleep(0); return i; }));
    const res = yield gather(tasks);
    return res.reduce((s, v) => s + v, 0);
  });
  assert.equal(sum, (n * (n - 1)) / 2);
  await settle();
  assert.equal(runtime.stats().tasks, 0);
});

test('currentTask and allTasks', async () => {
  await run(function* () {
    const me = currentTask();
    assert.ok(me instanceof Task);
    assert.equal(me.name, 'main');
    let seen;
    const t = createTask(function* () { seen = currentTask(); yield sleep(1); }, { name: 'child' });
    yield sleep(0);
    assert.equal(seen, t);
    const names = allTasks().map((x) => x.name).sort();
    assert.deepEqual(names, ['child', 'main']);
    yield t;
  });
  assert.equal(currentTask(), null);
});

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

test('Future: result, exception, callbacks, states', async () => {
  await run(function* () {
    const f = createFuture();
    assert.throws(() => f.result(), InvalidStateError);
    const order = [];
    f.addDoneCallback(() => order.push(1));
    f.addDoneCallback(() => order.push(2));
    callLater(2, () => f.setResult({ answer: 42 }));
    const v = yield f;
    assert.deepEqual(v, { answer: 42 });
    assert.equal(f.result(), v, 'same object');
    assert.throws(() => f.setResult(1), InvalidStateError);
    yield sleep(0);
    assert.deepEqual(order, [1, 2]);
    const g = createFuture();
    g.setException(new RangeError('nope'));
    try { yield g; assert.fail(); } catch (e) { assert.ok(e instanceof RangeError); }
    const h = createFuture();
    assert.equal(h.cancel('x'), true);
    assert.ok(h.cancelled());
  });
});

test('a cancelled task awaiting a future cancels that future (asyncio)', async () => {
  await run(function* () {
    const f = createFuture();
    const t = createTask(function* () { yield f; });
    yield sleep(0);
    t.cancel();
    try { yield t; } catch { /* cancelled */ }
    assert.ok(f.cancelled());
  });
});

test('yielding a promise works; yielding a non-awaitable throws TypeError into the generator', async () => {
  const r = await run(function* () {
    const v = yield new Promise((res) => setTimeout(() => res('from promise'), 5));
    let caught;
    try { yield 42; } catch (e) { caught = e; }
    assert.ok(caught instanceof TypeError);
    assert.match(caught.message, /not awaitable/);
    return v;
  });
  assert.equal(r, 'from promise');
});

test('an operation can be awaited once', async () => {
  await run(function* () {
    const op = sleep(1);
    yield op;
    let caught;
    try { yield op; } catch (e) { caught = e; }
    assert.ok(caught instanceof TypeError);
  });
});

test('task.signal aborts on cancel; an external signal cancels a task', async () => {
  await run(async () => {
    const ac = new AbortController();
    const t = createTask(async (task) => {
      await sleep(10_000, undefined, { signal: task.signal });
    }, { signal: ac.signal });
    await sleep(1);
    ac.abort('user pressed stop');
    await assert.rejects(t, (e) => e instanceof CancelledError && e.message === 'user pressed stop');
    assert.ok(t.signal.aborted);
    assert.ok(t.signal.reason instanceof CancelledError);
    const pre = new AbortController();
    pre.abort();
    const t2 = createTask(function* () { return 1; }, { signal: pre.signal });
    await assert.rejects(t2, CancelledError);
  });
});

test('run(): returns main result, cancels leftovers, rejects with main error, refuses nesting', async () => {
  let leftover;
  const r = await run(function* () {
    leftover = createTask(function* () { yield sleep(10_000); });
    yield sleep(1);
    return 'main done';
  });
  assert.equal(r, 'main done');
  assert.ok(leftover.cancelled(), 'leftover task was cancelled at the end of run()');
  await assert.rejects(run(function* () { throw new RangeError('main failed'); }), RangeError);
  await run(async () => {
    await assert.rejects(run(function* () {}), InvalidStateError);
  });
});

test('a failure nobody retrieves is reported to onError; cancellations are quiet', async () => {
  const rt = await Runtime.create({ onError: (err, ctx) => reports.push([err, ctx.message]) });
  const reports = [];
  await rt.run(function* () {
    rt.createTask(function* () { throw new Error('lost'); }, { name: 'loser' });
    const c = rt.createTask(function* () { yield rt.sleep(1000); });
    yield rt.sleep(1);
    c.cancel();
    yield rt.sleep(1);
    const seen = rt.createTask(function* () { throw new Error('seen'); });
    try { yield seen; } catch { /* retrieved */ }
  });
  assert.equal(reports.length, 1, JSON.stringify(reports.map((r) => r[1])));
  assert.equal(reports[0][0].message, 'lost');
  assert.match(reports[0][1], /Task "loser" exception was never retrieved/);
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

test('wrong arguments throw TypeError / RangeError naming the argument', () => {
  assert.throws(() => createTask(123), { name: 'TypeError', message: /createTask\(fn\)/ });
  assert.throws(() => createTask(function* () {}, { name: 5 }), { name: 'TypeError', message: /options\.name/ });
  assert.throws(() => createTask(function* () {}, { signal: {} }), { name: 'TypeError', message: /signal/ });
  assert.throws(() => sleep(-1), { name: 'RangeError', message: /ms must be >= 0/ });
  assert.throws(() => sleep(NaN), { name: 'RangeError' });
  assert.throws(() => sleep('1'), { name: 'TypeError', message: /ms must be a number/ });
  assert.throws(() => sleep(1, 0, { signal: 'x' }), { name: 'TypeError', message: /options\.signal/ });
  assert.throws(() => callSoon('nope'), { name: 'TypeError', message: /fn must be a function/ });
  assert.throws(() => callLater(-5, () => {}), { name: 'RangeError', message: /ms must be >= 0/ });
  assert.throws(() => callAt(NaN, () => {}), { name: 'RangeError', message: /when/ });
  assert.throws(() => gather(5), { name: 'TypeError', message: /gather: argument 0/ });
  assert.throws(() => runtime.spawnC('nope'), { name: 'TypeError', message: /no C coroutine "nope"/ });
  assert.throws(() => runtime.register('', () => {}), TypeError);
  assert.equal(runtime.stats().tasks, 0, 'nothing was created by the failed calls');
});

test('status codes map to error classes', () => {
  assert.equal(codes.ECANCELLED, -1);
  const e = new WasyncioError('x', codes.ENETWORK);
  assert.equal(e.codeName, 'ENETWORK');
  assert.ok(e instanceof Error);
});

test('task churn leaves nothing behind (JS tables and C objects)', async () => {
  await settle();
  const before = snapshot();
  await run(function* () {
    for (let round = 0; round < 20; round++) {
      const ts = [];
      for (let i = 0; i < 500; i++) {
        ts.push(createTask(i % 2 ? function* () { yield sleep(0); return { i }; } : async () => { await sleep(0); return 'x'.repeat(i % 7); }));
      }
      const cancelled = ts.filter((_, i) => i % 5 === 0);
      for (const t of cancelled) t.cancel();
      yield gather(ts, { returnExceptions: true });
    }
    const f = createFuture();
    f.setResult(new Uint8Array([1, 2, 3]));
    yield f;
  });
  await settle();
  assert.deepEqual(snapshot(), before);
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
