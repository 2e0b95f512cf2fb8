// Combinators (issue 4) in the browser: a few of the tests/js/ combinator tests
// in both task styles, each reporting ok/failed into window.results.
import {
  ready,
  run, createTask, sleep, time, runtime, wait, waitFor, asCompleted, shield, timeout, taskGroup,
  currentDeadline, FIRST_COMPLETED, CancelledError, TimeoutError,
} from '/bindings/index.js';

await ready(); // the default runtime loads on first use

const results = [];
window.results = results;
const out = document.getElementById('out');

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (e) {
    results.push({ name, ok: false, error: String((e && e.stack) || e) });
  }
  out.textContent += `${results.at(-1).ok ? 'ok' : 'FAILED'} ${name}\n`;
}

function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }

function stats() {
  const s = runtime.stats();
  return JSON.stringify([s.futures, s.tasks, s.handles, s.jsTasks, s.views, s.opWaiters, s.callbacks, s.jsHandles]);
}
const baseline = stats();

await check('timeout scope (generator): TimeoutError, task uncancelled, task.signal quiet', async () => {
  await run(function* (me) {
    let caught;
    try { yield* timeout(5, function* () { yield sleep(10000); }); } catch (e) { caught = e; }
    assert(caught instanceof TimeoutError && caught.cause instanceof CancelledError, caught);
    assert(me.cancelling() === 0 && !me.signal.aborted, 'uncancelled');
  });
});

await check('timeout scope (async): scope.signal reaches a browser fetch', async () => {
  await run(async (task) => {
    let scope;
    const t0 = time();
    try {
      await timeout(30, async (s) => {
        scope = s;
        // a request the dev server holds open
        const r = await fetch('/delay/5000', { signal: s.signal });
        await r.text();
      }, { task });
      throw new Error('no timeout');
    } catch (e) {
      assert(e instanceof TimeoutError, e);
    }
    assert(scope.expired() && scope.signal.aborted && !task.signal.aborted, 'signals');
    assert(time() - t0 < 2000, 'took ' + (time() - t0));
  });
});

await check('nested timeouts: outer first, effective deadline', async () => {
  await run(function* () {
    let innerExit;
    let caught;
    try {
      yield* timeout(5, function* (o) {
        try {
          yield* timeout(10000, function* (i) {
            assert(i.deadline === o.when() && currentDeadline() === o.when(), 'effective deadline');
            yield sleep(10000);
          });
        } catch (e) { innerExit = e; throw e; }
      });
    } catch (e) { caught = e; }
    assert(innerExit instanceof CancelledError && caught instanceof TimeoutError, `${innerExit} ${caught}`);
  });
});

await check('waitFor: result in time (same object), timeout cancels the inner', async () => {
  await run(async (task) => {
    const obj = { v: 1 };
    const t = createTask(async () => { await sleep(2); return obj; });
    assert((await waitFor(t, 1000, { signal: task.signal })) === obj, 'identity');
    const slow = createTask(function* () { yield sleep(10000); });
    try { await waitFor(slow, 5); throw new Error('no'); } catch (e) { assert(e instanceof TimeoutError, e); }
    assert(slow.cancelled(), 'inner cancelled');
  });
});

await check('wait FIRST_COMPLETED, asCompleted with for await, shield', async () => {
  await run(async () => {
    const a = createTask(async () => { await sleep(2); return 'a'; });
    const b = createTask(function* () { yield sleep(10000); });
    const { done, pending } = await wait([a, b], { returnWhen: FIRST_COMPLETED });
    assert(done.has(a) && pending.has(b), 'sets');
    const inner = createTask(async () => { await sleep(5); return 'inner'; });
    const outer = shield(inner);
    outer.cancel();
    assert((await inner) === 'inner', 'inner kept running');
    b.cancel();
    const order = [];
    for await (const f of asCompleted([sleep(20, 'slow'), sleep(2, 'fast')])) order.push(await f);
    assert(order.join() === 'fast,slow', order);
  });
});

await check('TaskGroup: first failure cancels the rest, AggregateError with the original errors', async () => {
  const bad = new Error('bad');
  const log = [];
  await run(function* () {
    let caught;
    try {
      yield* taskGroup(function* (tg) {
        tg.createTask(function* () { yield sleep(2); throw bad; });
        tg.createTask(async (t) => {
          try { await sleep(10000, null, { signal: t.signal }); } catch (e) { log.push('cancelled'); throw e; }
        });
        yield sleep(10000);
      });
    } catch (e) { caught = e; }
    assert(caught instanceof AggregateError && caught.errors[0] === bad, caught);
  });
  await run(async (task) => {
    let reason;
    try {
      await taskGroup(async (tg) => {
        tg.signal.addEventListener('abort', () => { reason = tg.signal.reason; });
        tg.createTask(async () => { throw bad; });
        await sleep(10000, null, { signal: tg.signal });
      }, { task });
    } catch (e) {
      assert(e instanceof AggregateError && e.errors[0] === bad, e);
    }
    assert(reason instanceof CancelledError && !task.signal.aborted, 'group signal');
  });
  assert(log.join() === 'cancelled', log);
});

await check('no leaks: runtime.stats() back to baseline', async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  assert(stats() === baseline, `${stats()} vs ${baseline}`);
});

document.body.dataset.done = 'true';
