// Helpers shared by the combinator tests (timeout, waitFor, wait,
// asCompleted, shield, TaskGroup, gather): leak checks and the C tests'
// inner body.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTask, sleep, time, runtime, CancelledError } from '../../bindings/index.js';

/** Counts that must come back to their baseline. */
export function snapshot() {
  const s = runtime.stats();
  return {
    futures: s.futures, tasks: s.tasks, handles: s.handles, jsTasks: s.jsTasks, views: s.views,
    opWaiters: s.opWaiters, callbacks: s.callbacks, jsHandles: s.jsHandles,
  };
}

/** Let pending releases (done callbacks, promise jobs) happen. */
export async function settle() {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/** Block the loop for ms (so that timers expire in one turn). */
export function spin(ms) {
  const t0 = time();
  while (time() - t0 < ms) { /* busy */ }
}

/** Check that every test's futures, tasks, timers, views and handles are gone after the file. */
export function checkStatsAfterFile() {
  let baseline;
  before(async () => {
    await settle();
    baseline = snapshot();
  });
  after(async () => {
    await settle();
    assert.deepEqual(snapshot(), baseline, 'runtime.stats() back to baseline after the suite');
  });
}

/**
 * The C tests' inner_body: sleeps ms; when cancelled, swallows it `swallow`
 * times (uncancel), or cleans up for `cleanup` ms and ends cancelled.
 */
export function inner(log, { ms, swallow = 0, cleanup = 0, value }) {
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

/** A task named `name` that sleeps ms, logs its name, and returns it (or fails). */
export function job(log, ms, name, fail = false) {
  return createTask(function* () {
    yield sleep(ms);
    log.push(name);
    if (fail) throw new Error(`${name} failed`);
    return name;
  }, { name });
}
