// An async task cancelled after its step ran and before the engine calls
// then() on the Task or Future it awaits (the await's thenable job runs a
// microtask later): the cancellation must reach that Task/Future, as
// asyncio's would, not wait for an operation that never comes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, createFuture, sleep, CancelledError } from '../../bindings/index.js';

for (const kind of ['sleep', 'Task', 'Future']) {
  test(`a cancel between an async task's step and its await of a ${kind} is delivered there`, async () => {
    const out = await run(async () => {
      let awaited = null;
      let stepped;
      const stepDone = new Promise((resolve) => { stepped = resolve; });
      const reader = createTask(async () => {
        await sleep(1);
        stepped(); // main resumes in the next microtask, before this await's then()
        if (kind === 'sleep') await sleep(1e9);
        else if (kind === 'Task') await (awaited = createTask(function* () { yield sleep(1e9); }));
        else await (awaited = createFuture());
      });
      await stepDone;
      reader.cancel('stop');
      // bounded, so that the bug fails the test instead of hanging it
      const outcome = await Promise.race([
        reader.then(() => 'finished', (e) => (e instanceof CancelledError ? 'cancelled' : String(e))),
        new Promise((resolve) => setTimeout(resolve, 5000, 'still waiting')).then((v) => v),
      ]);
      return { outcome, awaitedCancelled: awaited ? awaited.cancelled() : null };
    });
    assert.equal(out.outcome, 'cancelled');
    if (kind !== 'sleep') assert.equal(out.awaitedCancelled, true);
  });
}
