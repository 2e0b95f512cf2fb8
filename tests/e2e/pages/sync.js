// Locks and queues (bindings/sync.js) in the browser: the C primitives
// shared by JS tasks of both styles and by C coroutines
// (tests/c/modules/sync_interop.c), the cancellation race, leak checks.
// Each scenario reports ok/failed into window.results.
import {
  ready,
  run, createTask, sleep, gather, runtime, Runtime, Queue, PriorityQueue, Lock, Semaphore, Event,
  Barrier, Condition, QueueShutDown, CancelledError, ValueError, BoundedSemaphore,
} from '/bindings/index.js';

await ready(); // the default runtime loads on first use

const results = [];
window.results = results;
const out = document.getElementById('out');

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (e) {
    results.push({ name, ok: false, error: String((e && e.stack) || e) });
  }
  out.textContent += `${results.at(-1).ok ? 'ok' : 'FAILED'} ${name}\n`;
}

function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }

const turn = () => new Promise((r) => setTimeout(r, 0));
function* ticks(n = 2) {
  for (let i = 0; i < n; i++) {
    yield sleep(0);
    yield turn();
  }
}

function snapshot(rt) {
  const s = rt.stats();
  const y = rt.syncStats();
  return JSON.stringify([s.futures, s.tasks, s.views, s.opWaiters, s.jsHandles, y.objects, y.heapBytes]);
}

async function leakFree(rt, fn) {
  await turn();
  rt.M._wa_loop_trim();
  const before = snapshot(rt);
  await fn();
  await turn();
  await turn();
  rt.M._wa_loop_trim();
  const after = snapshot(rt);
  assert(after === before, `stats back to baseline: ${before} -> ${after}`);
}

const crt = await Runtime.create({ module: new URL('/wasm/modules/sync_interop.mjs', location.href) });
// warm-up (one-off growth of loop rings and tables is not a leak)
for (const rt of [runtime, crt]) {
  await rt.run(function* () {
    const q = new Queue({ maxsize: 4, runtime: rt });
    const ts = [];
    for (let i = 0; i < 64; i++) ts.push(rt.createTask(i % 2 ? function* () { yield q.put(i); } : async () => { await q.get(); }));
    yield rt.sleep(1);
    yield rt.gather(ts);
    q.destroy();
  });
}

await check('W3 in the page: 1 producer, 4 consumers (2 generator, 2 async), Queue(100), join; every item once', () => leakFree(runtime, async () => {
  const m = 20000;
  const seen = new Uint8Array(m);
  await run(function* () {
    const q = new Queue({ maxsize: 100 });
    const cons = [];
    for (let c = 0; c < 4; c++) {
      cons.push(c % 2
        ? createTask(async (task) => {
          for await (const i of q.iter({ signal: task.signal })) { seen[i]++; q.taskDone(); }
        })
        : createTask(function* () {
          for (;;) {
            let i;
            try { i = yield q.get(); } catch (e) { if (e instanceof QueueShutDown) return; throw e; }
            seen[i]++;
            q.taskDone();
          }
        }));
    }
    for (let i = 0; i < m; i++) yield q.put(i);
    yield q.join();
    q.shutdown();
    yield gather(cons);
    q.destroy();
  });
  assert(seen.every((x) => x === 1), 'every item seen exactly once');
}));

await check('a C producer coroutine and JS consumers share one queue', () => leakFree(crt, async () => {
  const q = new Queue({ maxsize: 8, runtime: crt });
  const n = 3000;
  const seen = new Uint8Array(n);
  await crt.run(function* () {
    const cons = [
      crt.createTask(function* () {
        for (;;) {
          let x;
          try { x = yield q.get(); } catch (e) { if (e instanceof QueueShutDown) return; throw e; }
          seen[x]++;
          q.taskDone();
        }
      }),
      crt.createTask(async (task) => { for await (const x of q.iter({ signal: task.signal })) { seen[x]++; q.taskDone(); } }),
    ];
    yield crt.sleep(0);
    yield turn();
    const prod = crt.spawnC('produce', new Float64Array([q.ptr, n, 0]));
    assert((yield prod) === n, 'all put');
    yield q.join();
    q.shutdown();
    yield crt.gather(cons);
  });
  q.destroy();
  assert(seen.every((x) => x === 1), 'every item seen exactly once');
}));

await check('cancellation race: a getter woken then cancelled before it runs loses nothing (generator and async)', () => leakFree(runtime, async () => {
  const q = new Queue();
  await run(function* () {
    const a = createTask(function* () { return yield q.get(); });
    const b = createTask(function* () { return yield q.get(); });
    yield* ticks();
    q.putNowait('x');
    a.cancel();
    assert((yield b) === 'x', 'b got the item');
    yield gather([a], { returnExceptions: true });
    assert(a.cancelled(), 'a cancelled');
    const t = createTask(async (task) => q.get({ signal: task.signal }));
    yield* ticks();
    q.putNowait('y');
    t.cancel();
    yield gather([t], { returnExceptions: true });
    // asyncio: the woken get is withdrawn, the item stays in the queue
    assert(t.cancelled() && q.getNowait() === 'y', 'async: cancelled, the item stays');
    const l = new Lock();
    yield l.acquire();
    const u = createTask(function* () { yield l.acquire(); });
    yield* ticks();
    l.release();
    u.cancel();
    yield gather([u], { returnExceptions: true });
    assert(u.cancelled() && !l.locked(), 'the lock is free again');
    l.destroy();
  });
  q.destroy();
}));

await check('Lock FIFO across C and JS tasks; Semaphore.with; BoundedSemaphore ValueError', () => leakFree(crt, async () => {
  const lock = new Lock({ runtime: crt });
  const log = new Queue({ runtime: crt });
  await crt.run(function* () {
    yield lock.acquire();
    const ts = [];
    for (let i = 0; i < 4; i++) {
      ts.push(i % 2
        ? crt.spawnC('lock_put', new Float64Array([lock.ptr, log.ptr, i, 1]))
        : crt.createTask(function* () { yield* lock.with(function* () { log.putNowait(i); yield crt.sleep(1); }); }));
      yield crt.sleep(0);
    }
    lock.release();
    yield crt.gather(ts);
  });
  const got = [];
  while (!log.empty()) got.push(log.getNowait());
  assert(JSON.stringify(got) === '[0,1,2,3]', got);
  lock.destroy();
  log.destroy();
  const sem = new Semaphore(2, { runtime: crt });
  let cur = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 6 }, () => sem.with(async () => {
    peak = Math.max(peak, ++cur);
    await crt.sleep(3);
    cur--;
  })));
  assert(peak === 2, 'peak ' + peak);
  sem.destroy();
  const b = new BoundedSemaphore(1, { runtime: crt });
  let err;
  try { b.release(); } catch (e) { err = e; }
  assert(err instanceof ValueError, String(err));
  b.destroy();
}));

await check('Event, Barrier, Condition and PriorityQueue', () => leakFree(runtime, async () => {
  const ev = new Event();
  const bar = new Barrier(3);
  const cond = new Condition();
  const pq = new PriorityQueue();
  await run(function* () {
    const w = [createTask(function* () { yield ev.wait(); return 1; }), createTask(async () => (await ev.wait()) && 2)];
    yield* ticks();
    ev.set();
    assert(JSON.stringify(yield gather(w)) === '[1,2]', 'event');
    const idx = yield gather(bar.wait(), bar.wait(), bar.wait());
    assert(JSON.stringify([...idx].sort()) === '[0,1,2]', idx);
    let ready = false;
    const c = createTask(function* () { yield cond.acquire(); const v = yield cond.waitFor(() => ready && 'ready'); cond.release(); return v; });
    yield* ticks();
    yield cond.acquire();
    ready = true;
    cond.notifyAll();
    cond.release();
    assert((yield c) === 'ready', 'waitFor');
    for (const [x, p] of [['b', 2], ['a1', 1], ['c', 3], ['a2', 1]]) pq.putNowait(x, p);
    const order = [yield pq.get(), yield pq.get(), yield pq.get(), yield pq.get()];
    assert(order.join() === 'a1,a2,b,c', order);
  });
  for (const o of [ev, bar, cond, pq]) o.destroy();
  let e2;
  try { await ev.wait(); } catch (e) { e2 = e; }
  assert(e2 && e2.code === -7, 'destroyed: ESHUTDOWN');
  void CancelledError;
}));

document.body.dataset.done = 'true';
