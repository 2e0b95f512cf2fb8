// C and JS on one scheduler: JS starts C coroutines exported from a module
// (tests/c/modules/interop.c) and awaits them; C awaits JS tasks, futures
// and promises, and calls JS functions; values cross both ways.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, CancelledError, WasyncioError, TimeoutError, Task } from '../../bindings/index.js';

const moduleUrl = new URL('../../build/wasm/modules/interop.mjs', import.meta.url);
let rt;
before(async () => {
  rt = await Runtime.create({ module: moduleUrl });
});

test('JS starts a C coroutine and awaits it', async () => {
  const t = rt.spawnC('add_one', 41);
  assert.ok(t instanceof Task);
  assert.equal(t.name, 'add_one');
  assert.equal(await t, 42);
});

test('values cross both ways: numbers, strings, bytes, booleans, null, undefined, objects', async () => {
  const obj = { deep: [1, 2] };
  const cases = [0, -1.5, 2 ** 53, NaN, Infinity, 'hello', 'héllo wörld ✓ 𝄞', '', true, false, null, undefined];
  for (const v of cases) {
    const got = await rt.spawnC('echo', v);
    assert.ok(Object.is(got, v), `echo(${String(v)}) gave ${String(got)}`);
  }
  const bytes = await rt.spawnC('echo', new Uint8Array([1, 2, 250]));
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual([...bytes], [1, 2, 250]);
  assert.deepEqual([...(await rt.spawnC('transform', new Uint8Array([1, 2, 3])))], [3, 2, 1]);
  assert.deepEqual([...(await rt.spawnC('transform', new Uint16Array([1]).buffer))], [0, 1]);
  assert.equal(await rt.spawnC('transform', 'héllo'), 6, 'strings cross as UTF-8');
  const long = 'x'.repeat(100_000) + '✓';
  assert.equal(await rt.spawnC('transform', long), 100_003);
  await assert.rejects(rt.spawnC('echo', obj), /cannot copy a value of type 6/);
  // an object crosses as a handle: C hands back the very same object
  const t = rt.createTask(function* () { return obj; });
  assert.equal(await rt.spawnC('echo', t), obj);
});

test('a C task awaits a JS task, a JS future and a promise', async () => {
  const jsTask = rt.createTask(function* () { yield rt.sleep(5); return 9; });
  assert.equal(await rt.spawnC('await_js', jsTask), 10);
  const f = rt.createFuture();
  const c = rt.spawnC('await_js', f);
  await rt.sleep(2);
  assert.equal(c.done(), false);
  f.setResult(1);
  assert.equal(await c, 2);
  assert.equal(await rt.spawnC('await_js', new Promise((r) => setTimeout(() => r(100), 3))), 101);
  const failing = rt.createTask(async () => { throw new RangeError('js side failed'); });
  await assert.rejects(rt.spawnC('await_js', failing), (e) => e instanceof WasyncioError && /js side failed/.test(e.message));
});

test('C calls a registered JS function (sync and async); errors come back with their message', async () => {
  rt.register('jsDouble', async (x) => {
    if (x === 'bad') throw new Error('refused');
    await new Promise((r) => setTimeout(r, 2));
    return x * 2;
  });
  assert.equal(await rt.spawnC('call_js', 21), 42);
  await assert.rejects(rt.spawnC('call_js', 'bad'), /refused/);
  rt.register('jsDouble', (x) => x * 3);
  assert.equal(await rt.spawnC('call_js', 5), 15);
  assert.equal(await rt.spawnC('call_missing'), 'EINVAL');
});

test('C and JS tasks mixed in one gather (generator, async, C, promise, sleep)', async () => {
  const res = await rt.run(function* () {
    return yield rt.gather(
      rt.spawnC('add_one', 1),
      rt.createTask(function* () { yield rt.sleep(3); return 'gen'; }),
      rt.createTask(async () => { await rt.sleep(1); return 'async'; }),
      rt.spawnC('transform', 'abc'),
      Promise.resolve('promise'),
      rt.sleep(2, 'slept'),
    );
  });
  assert.deepEqual(res, [2, 'gen', 'async', 3, 'promise', 'slept']);
});

test('cancelling a C task from JS; C failures become errors with codes', async () => {
  const t = rt.spawnC('nap', 10_000);
  await rt.sleep(1);
  t.cancel('from js');
  await assert.rejects(t, (e) => e instanceof CancelledError && e.message === 'from js');
  assert.ok(t.signal.aborted);
  await assert.rejects(rt.spawnC('fail_app'), (e) => e instanceof WasyncioError && e.code === 42 && e.message === 'application failure');
  await assert.rejects(rt.spawnC('add_one', 'x'), (e) => e instanceof TypeError && /expected a number/.test(e.message));
  const raw = await rt.spawnC('raw_result');
  assert.equal(typeof raw, 'number', 'a C result that is not a value arrives as its address');
  assert.ok(raw > 0);
});

test('a JS task awaits a C task that is cancelled by a JS signal', async () => {
  const ac = new AbortController();
  const c = rt.spawnC('nap', 10_000, { signal: ac.signal, name: 'napper' });
  assert.equal(c.name, 'napper');
  const waiter = rt.createTask(function* () {
    try { yield c; } catch (e) { return e instanceof CancelledError ? 'saw cancel' : 'other'; }
  });
  await rt.sleep(1);
  ac.abort();
  assert.equal(await waiter, 'saw cancel');
});

test('spawnC argument errors name the argument', () => {
  assert.throws(() => rt.spawnC(5), { name: 'TypeError', message: /spawnC\(name\)/ });
  assert.throws(() => rt.spawnC('add_one', 1, { stackSize: -1 }), { name: 'RangeError', message: /stackSize/ });
  assert.throws(() => rt.spawnC('add_one', 1, { name: 7 }), { name: 'TypeError', message: /options\.name/ });
});

test('no leaks after interop traffic', async () => {
  const before = rt.stats();
  for (let i = 0; i < 200; i++) {
    await rt.gather(rt.spawnC('echo', 'v' + i), rt.spawnC('echo', new Uint8Array(64)), rt.createTask(function* () { return { i }; }));
  }
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  const after = rt.stats();
  for (const k of ['futures', 'tasks', 'handles', 'jsTasks', 'views', 'opWaiters', 'jsHandles']) {
    assert.equal(after[k], before[k], k);
  }
});

test('TimeoutError class is exported for timeouts', () => {
  assert.ok(new TimeoutError('x') instanceof Error);
});
