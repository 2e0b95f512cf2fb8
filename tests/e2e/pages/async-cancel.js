// Async-style tasks cancel like asyncio, without signals: the scenarios of
// the asyncio tutorials written in plain async code. Shared by the Node test
// (tests/js/async_cancel.test.mjs) and the Chromium page (async-cancel.html):
// scenarios(api) returns [name, fn] pairs; fn throws on failure.
export function scenarios({ run, createTask, sleep, gather, currentTask, Queue, Lock, Event, timeout, CancelledError, TimeoutError }) {
  const check = (cond, msg) => { if (!cond) throw new Error('assertion failed: ' + msg); };
  const rejectsWith = async (p, cls) => {
    try { await p; } catch (e) { check(e instanceof cls, `expected ${cls.name}, got ${e && e.name}: ${e && e.message}`); return e; }
    throw new Error(`expected ${cls.name}, got a result`);
  };
  return [
    ['cancel the background task: the ticker stops at its await and cleans up', () => run(async () => {
      const log = [];
      const ready = new Event();
      let ticks = 0;
      const ticker = createTask(async () => {
        try {
          for (;;) {
            await sleep(2);
            if (++ticks === 2) ready.set();
          }
        } finally {
          log.push('cleanup');
        }
      });
      await ready.wait();
      ticker.cancel('stop');
      const e = await rejectsWith(ticker, CancelledError);
      check(e.message === 'stop', 'cancel message ' + e.message);
      check(ticker.cancelled(), 'the ticker ended cancelled');
      const n = ticks;
      await sleep(20);
      check(ticks === n, `no tick after cancel (${n} -> ${ticks})`);
      check(log.join() === 'cleanup', log.join());
    })],
    ['leaked tasks: run() cancels what main leaves behind and settles', async () => {
      let leaked;
      const r = await run(async () => {
        leaked = createTask(async () => { for (;;) await sleep(1000); });
        await sleep(1);
        return 'main done';
      });
      check(r === 'main done', r);
      check(leaked.cancelled(), 'the leftover ended cancelled');
    }],
    ['a cancelled queue get withdraws: the item put later stays in the queue', () => run(async () => {
      const q = new Queue();
      const getter = createTask(async () => q.get());
      await sleep(1);
      getter.cancel();
      await rejectsWith(getter, CancelledError);
      q.putNowait('x');
      check(q.qsize() === 1, 'item kept, qsize ' + q.qsize());
      check(q.getNowait() === 'x', 'the same item');
    })],
    ['a cancelled lock waiter withdraws: the lock passes to the next waiter', () => run(async () => {
      const lock = new Lock();
      await lock.acquire();
      const order = [];
      const a = createTask(async () => { await lock.acquire(); order.push('a'); lock.release(); });
      const b = createTask(async () => { await lock.acquire(); order.push('b'); lock.release(); });
      await sleep(1);
      a.cancel();
      lock.release();
      await rejectsWith(a, CancelledError);
      await b;
      check(order.join() === 'b', order.join());
      check(!lock.locked(), 'lock free');
    })],
    ['after an await of a foreign promise, { signal: task.signal } reaches the next operation', () => run(async () => {
      let release;
      const foreign = new Promise((r) => { release = r; });
      const seen = [];
      const t = createTask(async (task) => {
        await foreign; // not a runtime operation: the code after it is not the task's
        seen.push(currentTask() === null ? 'not current' : 'current?!');
        await sleep(10_000, undefined, { signal: task.signal });
        seen.push('slept?!');
      });
      await sleep(1);
      t.cancel();
      release();
      await rejectsWith(t, CancelledError);
      check(seen.join() === 'not current', seen.join());
    })],
    ['a task that cancels itself gets CancelledError at its next operation', () => run(async () => {
      const seen = [];
      const t = createTask(async () => {
        await sleep(1);
        currentTask().cancel('self');
        seen.push('still running');
        await sleep(10_000);
        seen.push('slept?!');
      });
      const e = await rejectsWith(t, CancelledError);
      check(e.message === 'self', e.message);
      check(seen.join() === 'still running', seen.join());
    })],
    ['awaiting a task: cancelling the awaiter cancels the awaited task (asyncio)', () => run(async () => {
      const inner = createTask(async () => { await sleep(10_000); });
      const outer = createTask(async () => { await inner; });
      await sleep(1);
      outer.cancel();
      await rejectsWith(outer, CancelledError);
      check(inner.cancelled(), 'inner cancelled too');
    })],
    ['after `await op` the task is current; operations made there belong to it', () => run(async () => {
      let me;
      const seen = [];
      const reached = new Event();
      const t = createTask(async () => {
        me = currentTask();
        await sleep(1);
        seen.push(currentTask() === me);
        const q = new Queue();
        await q.put(1);
        seen.push(currentTask() === me);
        reached.set();
        await sleep(10_000);
      });
      await reached.wait();
      check(me === t, 'current in the first part');
      check(currentTask() !== t, 'main is not t');
      t.cancel();
      await rejectsWith(t, CancelledError);
      check(seen.join() === 'true,true', seen.join());
    })],
    ['a body that catches the cancellation goes on, and ends with its result', () => run(async () => {
      const t = createTask(async () => {
        try { await sleep(10_000); } catch (e) { check(e instanceof CancelledError, 'CancelledError at the await'); }
        await sleep(1);
        return 'finished anyway';
      });
      await sleep(1);
      t.cancel();
      check(await t === 'finished anyway', 'result');
    })],
    ['gather of async tasks: cancelling the gather cancels them where they wait', () => run(async () => {
      const done = [];
      const mk = (n) => createTask(async () => { try { await sleep(10_000); } finally { done.push(n); } });
      const g = gather(mk(1), mk(2), mk(3));
      await sleep(1);
      g.cancel();
      await rejectsWith(g, CancelledError);
      check(done.sort().join() === '1,2,3', done.join());
    })],
    ["the tutorials' gather: async functions' promises, variadic, results in call order", () => run(async () => {
      const order = [];
      async function fetchData(n, ms) { await sleep(ms); order.push(n); return { n }; }
      const r = await gather(fetchData(1, 300), fetchData(2, 100), fetchData(3, 200));
      check(r.map((x) => x.n).join() === '1,2,3', 'results in call order');
      check(order.join() === '2,3,1', 'ran concurrently, finished by delay: ' + order.join());
      // a failure: gather rejects with it; the others go on (asyncio's default)
      async function boom() { await sleep(1); throw new RangeError('boom'); }
      const slow = fetchData(4, 20);
      const e = await rejectsWith(gather(boom(), slow), RangeError);
      check(e.message === 'boom', e.message);
      await sleep(40);
      check(order.includes(4), 'the other awaitable was not cancelled');
      const mixed = await gather(boom(), fetchData(5, 1), { returnExceptions: true });
      check(mixed[0] instanceof RangeError && mixed[1].n === 5, 'returnExceptions');
    })],
    ['timeout() around plain async code: the deadline reaches the await', () => run(async () => {
      const t0 = Date.now();
      await rejectsWith(timeout(20, async () => { await sleep(10_000); }), TimeoutError);
      check(Date.now() - t0 < 5000, 'ended at the deadline, not after the sleep');
    })],
  ];
}
