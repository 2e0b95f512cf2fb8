// The task event stream and the timeline recorder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtime, run, createTask, sleep, gather } from '../../bindings/index.js';

test('task events arrive in scheduling order for JS tasks', async () => {
  const events = [];
  const stop = runtime.onTaskEvent((e) => {
    if (e.name === 'a' || e.name === 'b') events.push(`${e.type}:${e.name}${e.outcome ? ':' + e.outcome : ''}`);
  });
  await run(function* () {
    const a = createTask(function* () { yield sleep(5); }, { name: 'a' });
    const b = createTask(function* () { yield sleep(1000); }, { name: 'b' });
    yield sleep(15);
    b.cancel();
    yield gather([a, b], { returnExceptions: true });
  });
  stop();
  assert.deepEqual(events, [
    'created:a', 'created:b', 'started:a', 'suspended:a', 'started:b', 'suspended:b',
    'resumed:a', 'done:a:ok', 'cancelling:b', 'resumed:b', 'done:b:cancelled',
  ]);
});

test('timeline: spans per task, outcomes, and tracing stops', async () => {
  const tl = runtime.recordTimeline();
  await run(function* () {
    const ok = createTask(function* () { yield sleep(20); return 1; }, { name: 'ok' });
    const bad = createTask(function* () { yield sleep(5); throw new Error('x'); }, { name: 'bad' });
    yield gather([ok, bad], { returnExceptions: true });
  });
  tl.stop();
  const byName = new Map([...tl.tasks.values()].map((t) => [t.name, t]));
  const ok = byName.get('ok');
  assert.equal(ok.outcome, 'ok');
  assert.equal(byName.get('bad').outcome, 'failed');
  assert.deepEqual(ok.spans.map((s) => s.state), ['waiting', 'running', 'waiting', 'running']);
  const waited = ok.spans[2].to - ok.spans[2].from;
  assert.ok(waited >= 19 && waited < 200, `waited ${waited}`);
  const n = tl.tasks.size;
  await run(function* () { yield sleep(1); });
  assert.equal(tl.tasks.size, n, 'nothing recorded after stop()');
  assert.throws(() => runtime.onTaskEvent(5), TypeError);
});
