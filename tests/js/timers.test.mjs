// Timers at the edges, on the JS host (Node): deadlines in the past (even
// negative, as a browser's clock allows early in a page's life) fire at
// once whether scheduled inside or outside a loop turn; deadlines beyond
// what setTimeout takes (2^31-1 ms) arm a capped host timer that re-arms
// when it fires, instead of firing after 1 ms forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, sleep, callAt, callLater, createTask, time } from '../../bindings/index.js';

const MAX_DELAY = 2 ** 31 - 1;
const DAY = 86_400_000;

/** Record the host timers armed while fn runs (setTimeout is looked up at call time). */
async function watchTimers(fn, { fireEarly = false } = {}) {
  const real = globalThis.setTimeout;
  const delays = [];
  globalThis.setTimeout = (cb, ms, ...a) => {
    delays.push(ms);
    // fireEarly: a capped timer "expires" after 1 ms, as if its ~24.8 days
    // had passed while the deadline is still ahead
    return real(cb, fireEarly && ms >= MAX_DELAY ? 1 : ms, ...a);
  };
  try {
    return { result: await fn(delays), delays };
  } finally {
    globalThis.setTimeout = real;
  }
}

const overflowWarnings = [];
process.on('warning', (w) => { if (w.name === 'TimeoutOverflowWarning') overflowWarnings.push(w); });

test('callAt with a negative deadline, outside a loop turn: fires at once, later timers still fire', async () => {
  const log = [];
  await new Promise((resolve) => {
    // called from a plain Node timer callback: no wasyncio turn is running
    setImmediate(() => {
      callAt(-1e9, () => log.push('negative'));
      callAt(time() - 1, () => log.push('past'));
      callLater(5, () => { log.push('later'); resolve(); });
    });
  });
  assert.deepEqual(log, ['negative', 'past', 'later']);
});

test('callAt in the past inside a loop turn (task), and a negative deadline: both before a later sleep', async () => {
  const log = [];
  await run(function* () {
    callAt(-1e9, () => log.push('negative'));
    callAt(time() - 1, () => log.push('past'));
    yield sleep(1);
    log.push('slept');
  });
  assert.deepEqual(log, ['negative', 'past', 'slept']);
});

test('sleep(30 days): one capped host timer, no 1 ms wake-ups, no TimeoutOverflowWarning', async () => {
  const before = overflowWarnings.length;
  const { delays } = await watchTimers(async (armed) => {
    const t = createTask(function* () { yield sleep(30 * DAY); return 'woke'; });
    // (polling with setImmediate: setTimeout is the thing being watched)
    while (!armed.includes(MAX_DELAY)) await new Promise((r) => setImmediate(r));
    const end = performance.now() + 50; // a flood would arm a timer every 1 ms
    while (performance.now() < end) await new Promise((r) => setImmediate(r));
    assert.equal(t.done(), false);
    t.cancel();
    await assert.rejects(t);
  });
  assert.ok(delays.every((d) => d <= MAX_DELAY), `host delays: ${delays}`);
  assert.deepEqual(delays, [MAX_DELAY], 'one capped timer, armed once');
  await new Promise((r) => setImmediate(r));
  assert.equal(overflowWarnings.length, before);
});

test('a capped host timer that fires early re-arms for the rest; the deadline is kept', async () => {
  const { result, delays } = await watchTimers(async () => {
    const log = [];
    const h = callLater(40 * DAY, () => log.push('fired?!'));
    // the capped timer fires after 1 ms here: C must re-arm, not run the callback
    await run(function* () { yield sleep(30); });
    h.cancel();
    return { log };
  }, { fireEarly: true });
  assert.deepEqual(result.log, []);
  const capped = delays.filter((d) => d === MAX_DELAY).length;
  assert.ok(capped >= 2, `re-armed after the early wake-up: ${delays}`);
});

test('callLater(Infinity) never fires and arms no host timer', async () => {
  const { delays } = await watchTimers(async () => {
    const h = callLater(Infinity, () => assert.fail('fired'));
    await new Promise((r) => setImmediate(r));
    h.cancel();
  });
  assert.deepEqual(delays, []);
});
