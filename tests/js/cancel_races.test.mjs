// No outcome is dropped: cancel-while-completing races, counted. In every
// round a task waits on an operation; in one synchronous stretch the
// operation is completed (an item put, a slot freed, the lock released) and
// the task is cancelled, in both orders, in both task styles (async tasks
// without signals). Afterwards every item is in exactly one place (the task
// got it, or the queue still has it) and every lock or slot is free again:
// nothing lost, nothing duplicated. The rule (README "No outcome is
// dropped"): an operation the cancellation can still withdraw is withdrawn
// (its item or slot stays with its source); one that already completed
// keeps its outcome (the task gets it; the cancellation comes at its next
// await), as asyncio does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, Queue, Lock, Semaphore, CancelledError } from '../../bindings/index.js';

const ROUNDS = 20;
const styles = {
  generator: (op, after) => createTask(function* () { const v = yield op(); after(v); return v; }),
  async: (op, after) => createTask(async () => { const v = await op(); after(v); return v; }),
};

/** Let the task end (cancelled, or with its result). */
async function settled(t) {
  try { await t; } catch (e) { if (!(e instanceof CancelledError)) throw e; }
}

for (const [style, spawn] of Object.entries(styles)) {
  test(`race, queue get (${style}): each item ends in the task or in the queue, once`, () => run(async () => {
    const q = new Queue();
    const got = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = spawn(() => q.get(), (v) => got.push(v));
      await sleep(0); // t waits in get()
      if (i % 2) { q.putNowait(i); t.cancel(); } else { t.cancel(); q.putNowait(i); }
      await settled(t);
    }
    const left = [];
    while (!q.empty()) left.push(q.getNowait());
    assert.deepEqual([...got, ...left].sort((a, b) => a - b), Array.from({ length: ROUNDS }, (_, i) => i));
  }));

  test(`race, queue put into a full queue (${style}): each item is put once or not at all`, () => run(async () => {
    const q = new Queue(1);
    const out = [];
    const putOk = [];
    for (let i = 0; i < ROUNDS; i++) {
      q.putNowait(`filler${i}`);
      const t = spawn(() => q.put(i), () => putOk.push(i));
      await sleep(0); // t waits in put()
      if (i % 2) { out.push(q.getNowait()); t.cancel(); } else { t.cancel(); out.push(q.getNowait()); }
      await settled(t);
      while (!q.empty()) out.push(q.getNowait());
    }
    const items = out.filter((v) => typeof v === 'number').sort((a, b) => a - b);
    assert.deepEqual(items, putOk.sort((a, b) => a - b), 'exactly the puts that completed are in the queue');
    assert.equal(out.filter((v) => typeof v === 'string').length, ROUNDS, 'every filler once');
  }));

  test(`race, lock (${style}): a lock handed to a cancelled waiter is not lost`, () => run(async () => {
    const lock = new Lock();
    let held = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await lock.acquire();
      const t = spawn(() => lock.acquire(), () => { held++; lock.release(); });
      await sleep(0); // t waits for the lock
      if (i % 2) { lock.release(); t.cancel(); } else { t.cancel(); lock.release(); }
      await settled(t);
      assert.equal(lock.locked(), false, `round ${i}: the lock is free again`);
    }
    assert.ok(held <= ROUNDS);
  }));

  test(`race, semaphore (${style}): a slot handed to a cancelled waiter is not lost`, () => run(async () => {
    const sem = new Semaphore(1);
    for (let i = 0; i < ROUNDS; i++) {
      await sem.acquire();
      const t = spawn(() => sem.acquire(), () => sem.release());
      await sleep(0);
      if (i % 2) { sem.release(); t.cancel(); } else { t.cancel(); sem.release(); }
      await settled(t);
      assert.equal(sem.value, 1, `round ${i}: the slot is back`);
    }
  }));
}
