// Async context managers (asyncContextManager / withContext) and async
// iteration from generator tasks (aiter / anext / forAwait), in both task
// styles, with errors passing through the manager and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run, createTask, sleep, Queue, Lock, CancelledError,
  asyncContextManager, withContext, provide, aiter, anext, forAwait,
} from '../../bindings/index.js';

function recorder() {
  const log = [];
  const asyncCm = asyncContextManager(async function* (name) {
    log.push(`enter ${name}`);
    await sleep(1);
    try {
      yield name.toUpperCase();
    } catch (e) {
      log.push(`caught ${e.message}`);
      if (e.message === 'suppress me') return;
      if (e.message === 'replace me') throw new Error('replaced');
      throw e;
    } finally {
      await sleep(1);
      log.push(`exit ${name}`);
    }
  });
  const genCm = asyncContextManager(function* (name) {
    log.push(`enter ${name}`);
    yield sleep(1);
    try {
      yield provide(name.toUpperCase());
    } catch (e) {
      log.push(`caught ${e.message}`);
      if (e.message === 'suppress me') return;
      throw e;
    } finally {
      yield sleep(1);
      log.push(`exit ${name}`);
    }
  });
  return { log, asyncCm, genCm };
}

for (const kind of ['asyncCm', 'genCm']) {
  test(`${kind}: used from a generator task and from async code`, async () => {
    const r = recorder();
    const cm = r[kind];
    const out = await run(function* () {
      const a = yield* withContext(cm('a'), function* (v) {
        r.log.push(`body ${v}`);
        yield sleep(1);
        return v + '!';
      });
      const b = yield createTask(async () => withContext(cm('b'), async (v) => {
        r.log.push(`body ${v}`);
        await sleep(1);
        return v + '?';
      }));
      return [a, b];
    });
    assert.deepEqual(out, ['A!', 'B?']);
    assert.deepEqual(r.log, ['enter a', 'body A', 'exit a', 'enter b', 'body B', 'exit b']);
  });

  test(`${kind}: the body's error goes through the manager (suppressed or not)`, async () => {
    const r = recorder();
    const cm = r[kind];
    const out = await run(async () => {
      const s = await withContext(cm('s'), async () => { throw new Error('suppress me'); });
      await assert.rejects(withContext(cm('k'), async () => { throw new Error('keep me'); }), /keep me/);
      return s;
    });
    assert.equal(out, undefined);
    assert.deepEqual(r.log, ['enter s', 'caught suppress me', 'exit s', 'enter k', 'caught keep me', 'exit k']);
  });

  test(`${kind}: cancelling the task inside the body runs the manager's cleanup`, async () => {
    const r = recorder();
    const cm = r[kind];
    await run(function* () {
      const t = createTask(function* () {
        yield* withContext(cm('c'), function* () {
          yield sleep(10_000);
        });
      });
      yield sleep(20);
      t.cancel();
      try {
        yield t;
        assert.fail('not cancelled');
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
    });
    assert.deepEqual(r.log, ['enter c', 'caught ', 'exit c']);
  });
}

test('a replacement error from the manager replaces the body\'s', async () => {
  const r = recorder();
  await run(function* () {
    try {
      yield* withContext(r.asyncCm('x'), function* () { throw new Error('replace me'); });
      assert.fail('no error');
    } catch (e) {
      assert.equal(e.message, 'replaced');
    }
  });
});

test('enter/exit by hand, Symbol.asyncDispose, and misuse errors', async () => {
  const r = recorder();
  await run(async () => {
    const cm = r.genCm('h');
    assert.equal(await cm.enter(), 'H');
    assert.equal(await cm.exit(), false);
    assert.throws(() => cm.enter(), /already entered/);
    const cm2 = r.asyncCm('d');
    await cm2.enter();
    await cm2[Symbol.asyncDispose]();
    const twice = asyncContextManager(async function* () { yield 1; yield 2; });
    const t = twice();
    await t.enter();
    await assert.rejects(t.exit(), /didn't stop/);
    const never = asyncContextManager(async function* () {});
    await assert.rejects(never().enter(), /didn't yield/);
  });
  assert.deepEqual(r.log, ['enter h', 'exit h', 'enter d', 'exit d']);
  assert.throws(() => asyncContextManager(() => 1), /generator function/);
  assert.throws(() => withContext({}, () => 1), /AsyncContextManager/);
});

test('a lock as a generator-style context manager', async () => {
  const locked = asyncContextManager(function* (lock) {
    yield lock.acquire();
    try {
      yield provide(lock);
    } finally {
      lock.release();
    }
  });
  const order = [];
  await run(function* () {
    const lock = new Lock();
    const worker = (n) => createTask(function* () {
      yield* withContext(locked(lock), function* () {
        order.push(`in ${n}`);
        yield sleep(5);
        order.push(`out ${n}`);
      });
    });
    yield worker(1);
    const a = worker(2);
    const b = worker(3);
    yield a;
    yield b;
  });
  assert.deepEqual(order, ['in 1', 'out 1', 'in 2', 'out 2', 'in 3', 'out 3']);
});

test('aiter/anext and forAwait from a generator task over a queue', async () => {
  const got = await run(function* () {
    const q = new Queue();
    createTask(function* () {
      for (let i = 1; i <= 4; i++) { yield q.put(i); yield sleep(1); }
      q.shutdown();
    });
    const it = aiter(q);
    const seen = [];
    const first = yield anext(it);
    seen.push(first.value);
    yield* forAwait(it, function* (v) {
      yield sleep(1);
      seen.push(v);
      if (v === 3) return forAwait.BREAK;
    });
    return seen;
  });
  assert.deepEqual(got, [1, 2, 3]);
});

test('forAwait in async code, over a sync iterable of promises, and bad input', async () => {
  const seen = [];
  await run(async () => {
    await forAwait([1, Promise.resolve(2), 3], async (v) => { seen.push(v); });
  });
  assert.deepEqual(seen, [1, 2, 3]);
  assert.throws(() => aiter(42), /async iterable/);
  assert.throws(() => anext({}), /async iterator/);
  assert.throws(() => forAwait([], 1), /body must be a function/);
});
