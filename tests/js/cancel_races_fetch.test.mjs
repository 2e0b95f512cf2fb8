// No outcome is dropped, for fetch bodies: a read that completes as its
// task is cancelled, in both task styles, against the local test server.
// The rule (README "fetch"): bytes read before the cancellation are never
// lost: an async task's await returns them (the cancellation comes at its
// next wait); in a generator task the cancellation wins, as asyncio's, and
// the bytes go back to the response: the next read returns them, so the
// stream stays readable and whole. Counted: every round, what the task got
// followed by what is read afterwards is the body, byte for byte.
//
// The stretch is exact, with a hook on the real parts: the read's C future
// gets a done callback before the task's own wake-up (as the C test
// fetch_cancel_after_completion_rolls_back does), which cancels the task:
// the bytes have arrived, the task has not resumed yet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, currentTask, fetch, CancelledError } from '../../bindings/index.js';
import { startServer } from '../../web/server.mjs';

let srv;
before(async () => { srv = await startServer({ port: 0 }); });
after(() => srv.close());

const ROUNDS = 10;

/** op, a runtime operation: when its C future completes, before whoever awaits it resumes, call fn. */
function onCompletion(op, fn) {
  const start = op._start;
  op._start = function () {
    const ptr = start.call(this);
    op._rt._views.wrap(ptr).addDoneCallback(fn);
    return ptr;
  };
  return op;
}

const readers = {
  generator: (res, got) => createTask(function* () {
    const me = currentTask();
    const b = yield onCompletion(res.read(8), () => me.cancel());
    got.push(b);
  }),
  async: (res, got) => createTask(async () => {
    const me = currentTask();
    const b = await onCompletion(res.read(8), () => me.cancel());
    got.push(b);
  }),
};

async function readAll(res, into) {
  for (let b; (b = await res.read(1 << 16)) !== null;) into.push(...b);
}

for (const [style, reader] of Object.entries(readers)) {
  test(`race, fetch body read vs cancel (${style}): the bytes are delivered or stay readable, once`, () => run(async () => {
    let kept = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const url = `${srv.url}bytes/64?seed=${i + 1}`;
      const want = [...await (await fetch(url)).bytes()];
      assert.equal(want.length, 64);
      const res = await fetch(url);
      const seen = [];
      const got = [];
      const t = reader(res, got);
      try { await t; } catch (e) { if (!(e instanceof CancelledError)) throw e; }
      assert.equal(t.cancelled(), true, `round ${i}: the task ends cancelled`);
      if (got.length) {
        kept++;
        seen.push(...got[0]);
      }
      await readAll(res, seen);
      assert.deepEqual(seen, want, `round ${i}: every byte once, in order`);
    }
    // async tasks keep what they read; generator tasks give it back
    assert.equal(kept, style === 'async' ? ROUNDS : 0);
  }));
}
