// Unretrieved failures outside run() (the loop driven by the host, tasks
// made from event handlers): reported once, at the end of the loop turn in
// which the task failed — after that turn and the JS code it resumed — and
// never for a failure someone retrieved by then (await, gather, wait,
// taskGroup, returnExceptions, exception()). No garbage collection needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, Event, CancelledError } from '../../bindings/index.js';

const reports = [];
const rt = await Runtime.create({ onError: (e, ctx) => reports.push(`${ctx.message}: ${e.message}`) });

/** After t has finished and the turn it finished in is over. */
async function afterItsTurn(t) {
  await new Promise((resolve) => t.addDoneCallback(() => resolve()));
  await new Promise((resolve) => setImmediate(resolve));
}

test('outside run(): a failed task nobody awaits is reported at the end of its turn, once', async () => {
  reports.length = 0;
  const t = rt.createTask(async () => { await rt.sleep(1); throw new Error('lost async'); }, { name: 'lostA' });
  const g = rt.createTask(function* () { yield rt.sleep(1); throw new Error('lost gen'); }, { name: 'lostG' });
  await afterItsTurn(t);
  await afterItsTurn(g);
  assert.deepEqual(reports.sort(), [
    'Task "lostA" exception was never retrieved: lost async',
    'Task "lostG" exception was never retrieved: lost gen',
  ]);
  // later: retrieving it, garbage collection, a run(): nothing more
  assert.equal(t.exception().message, 'lost async');
  globalThis.gc?.();
  await rt.run(async () => { await rt.sleep(1); });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(reports.length, 2, 'exactly once');
});

test('outside run(): a failure retrieved in the turn it failed in is not reported', async () => {
  reports.length = 0;
  const ev = new Event({ runtime: rt });
  // the task tells its watchers, then fails; they retrieve the failure in
  // the same turn: a generator task in the loop's batch, an async task in
  // the continuation the turn resumes
  const t = rt.createTask(function* () { yield rt.sleep(1); ev.set(); throw new Error('seen'); }, { name: 'seen' });
  const seen = [];
  const g = rt.createTask(function* () {
    yield ev.wait();
    yield rt.sleep(0);
    try { yield t; } catch (e) { seen.push(`gen: ${e.message}`); }
  });
  const a = rt.createTask(async () => {
    await ev.wait();
    await rt.sleep(0);
    try { await t; } catch (e) { seen.push(`async: ${e.message}`); }
  });
  await afterItsTurn(a);
  await afterItsTurn(g);
  assert.deepEqual(seen.sort(), ['async: seen', 'gen: seen']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(reports, []);
});

test('outside run(): gather, wait, taskGroup and returnExceptions retrieve; cancellations are quiet', async () => {
  reports.length = 0;
  async function bad(msg) { await rt.sleep(1); throw new Error(msg); }
  const g1 = rt.gather(bad('g1'), rt.sleep(2, 'ok'), { returnExceptions: true });
  const g2 = rt.gather(bad('g2'), rt.sleep(2, 'ok'));
  const w1 = rt.createTask(async () => bad('w1'));
  const w = rt.wait([w1]);
  const tg = rt.createTask(() => rt.taskGroup(async (group) => { group.createTask(bad('tg')); }));
  const c = rt.createTask(async () => { await rt.sleep(10_000); });
  c.cancel();
  const [r1, r2, r3, r4] = await Promise.allSettled([g1, g2, w, tg]);
  assert.deepEqual(r1.value.map((v) => (v instanceof Error ? v.message : v)), ['g1', 'ok']);
  assert.equal(r2.reason.message, 'g2');
  assert.equal([...r3.value.done][0], w1);
  assert.equal(r4.reason.errors[0].message, 'tg');
  await assert.rejects(c, CancelledError);
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(reports, [], 'nothing retrieved was reported');
});
