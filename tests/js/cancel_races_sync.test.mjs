// No outcome is dropped, for Condition and Barrier: cancel-while-completing
// races, counted, in both task styles (async tasks without signals). The
// companion of cancel_races.test.mjs (queue, lock, semaphore).
//
// Condition (asyncio 3.13+): a notification that reaches a waiter cancelled
// before it resumes passes on to another waiter (`except BaseException:
// self._notify(1)`), so each notify(1) wakes exactly one waiter: none lost,
// none duplicated. Barrier: a cancelled waiter leaves the count it joined
// (asyncio's `finally: self._count -= 1`); a barrier that passed passes once,
// with distinct arrival indices, and the next round fills from zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, Condition, Barrier, CancelledError } from '../../bindings/index.js';

const ROUNDS = 12;

/** Let the task end (cancelled, or with its result); true if it was cancelled. */
async function settled(t) {
  try { await t; return false; } catch (e) { if (e instanceof CancelledError) return true; throw e; }
}

/** Some loop iterations: the tasks started meanwhile reach their waits. */
async function turns(n = 6) {
  for (let i = 0; i < n; i++) await sleep(0);
}

const waiters = {
  generator: (cond, woke, name) => createTask(function* () {
    yield cond.acquire();
    try { yield cond.wait(); woke.push(name); } finally { cond.release(); }
  }),
  async: (cond, woke, name) => createTask(async () => {
    await cond.acquire();
    try { await cond.wait(); woke.push(name); } finally { cond.release(); }
  }),
};

const arrivals = {
  generator: (b, passed, name) => createTask(function* () { const i = yield b.wait(); passed.push([name, i]); return i; }),
  async: (b, passed, name) => createTask(async () => { const i = await b.wait(); passed.push([name, i]); return i; }),
};

// How the notifier and the cancel of waiter A meet, in one synchronous stretch.
const orders = {
  'cancel, notify': async (cond, a) => { await cond.acquire(); a.cancel(); cond.notify(1); cond.release(); },
  'notify, cancel': async (cond, a) => { await cond.acquire(); cond.notify(1); a.cancel(); cond.release(); },
  'notify, release, cancel': async (cond, a) => { await cond.acquire(); cond.notify(1); cond.release(); a.cancel(); },
};

for (const [style, waiter] of Object.entries(waiters)) {
  for (const [order, meet] of Object.entries(orders)) {
    test(`race, condition notify(1) vs cancel (${style}; ${order}): exactly one waiter wakes`, () => run(async () => {
      const cond = new Condition();
      for (let i = 0; i < ROUNDS; i++) {
        const woke = [];
        const a = waiter(cond, woke, 'a');
        await turns(); // a waits first
        const b = waiter(cond, woke, 'b');
        await turns(); // then b
        await meet(cond, a);
        const aCancelled = await settled(a);
        await turns(); // b wakes if the notification was passed on
        // as asyncio: a cancelled waiter, notified or not, passes the
        // notification on; the count: one notify(1), one wake-up
        assert.deepEqual(woke, ['b'], `round ${i}: one notification, one wake-up`);
        assert.equal(aCancelled, true, `round ${i}: a ends cancelled`);
        b.cancel();
        await settled(b);
        assert.equal(cond.locked(), false, `round ${i}: the lock is free again`);
      }
    }));
  }

  test(`race, condition notifyAll vs cancel (${style}): every waiter not cancelled wakes once`, () => run(async () => {
    const cond = new Condition();
    for (let i = 0; i < ROUNDS; i++) {
      const woke = [];
      const ws = ['a', 'b', 'c'].map((n) => waiter(cond, woke, n));
      await turns();
      await cond.acquire();
      if (i % 2) { cond.notifyAll(); ws[1].cancel(); } else { ws[1].cancel(); cond.notifyAll(); }
      cond.release();
      const cancelled = [];
      for (const [k, t] of ws.entries()) if (await settled(t)) cancelled.push('abc'[k]);
      assert.deepEqual([...woke, ...cancelled].sort(), ['a', 'b', 'c'], `round ${i}: each waiter once (woke ${woke}, cancelled ${cancelled})`);
      assert.equal(cond.locked(), false);
    }
  }));
}

for (const [style, arrive] of Object.entries(arrivals)) {
  test(`race, barrier: the last party arrives as a waiter is cancelled (${style}): one pass, or none, never half`, () => run(async () => {
    const b = new Barrier(2);
    for (let i = 0; i < ROUNDS; i++) {
      const passed = [];
      const a = arrive(b, passed, 'a');
      await turns(); // a waits, the barrier filling
      assert.equal(b.nWaiting, 1);
      let c;
      if (i % 3 === 0) { a.cancel(); c = arrive(b, passed, 'c'); }
      else if (i % 3 === 1) { c = arrive(b, passed, 'c'); a.cancel(); }
      else {
        // c completes the barrier and, in the same stretch (its wait is done
        // at once: no suspension), cancels a, whose wait is done too
        c = createTask(function* () { const k = yield b.wait(); passed.push(['c', k]); a.cancel(); return k; });
      }
      const aCancelled = await settled(a);
      await turns();
      if (c.done()) {
        // the barrier passed: c has an index; a has the other one, or was
        // cancelled after the pass (asyncio lets the cancellation win there)
        const idx = passed.map(([, k]) => k).sort();
        assert.ok(aCancelled ? idx.length === 1 : idx.length === 2, `round ${i}: ${JSON.stringify(passed)}`);
        assert.equal(new Set(idx).size, idx.length, 'distinct arrival indices');
        assert.equal(c.result(), passed.find(([n]) => n === 'c')[1]);
      } else {
        // a left before c came: c waits alone, a third party lets it through
        assert.equal(aCancelled, true);
        assert.deepEqual(passed, []);
        assert.equal(b.nWaiting, 1, `round ${i}: only c waits`);
        const d = arrive(b, passed, 'd');
        await settled(d);
        await settled(c);
        assert.deepEqual(passed.map(([, k]) => k).sort(), [0, 1]);
      }
      assert.equal(b.nWaiting, 0, `round ${i}: the next round fills from zero`);
      assert.equal(b.broken, false);
    }
  }));
}
