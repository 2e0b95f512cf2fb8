// W3, W5 and W6 (DESIGN.md) in plain Node: an async queue, a semaphore and
// an event built on promises and async functions, the baseline a JS
// developer has without wasyncio. The same parameters and checks as
// bench/js/sync.mjs. Prints one JSON object per line.
//
//   W3 queue: 1 producer, 4 consumers, AsyncQueue(maxsize 100), m items,
//      taskDone + join (asyncio.Queue's semantics; waiters FIFO)   -> items/s
//   W5 limited-io: r requests, each sleeps 10 ms (setTimeout) holding a
//      Semaphore(50); check peak concurrency == 50                  -> s, s/0.2
//   W6 memory: n async functions wait on one event (a promise);
//      (JS heap with them waiting - before) / n after a full GC     -> B/task
//
// usage: promises-sync.mjs [w3 M] [w5 R] [w6 N] [--runs K]
import v8 from 'node:v8';
import vm from 'node:vm';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
};
const runs = Math.max(1, Math.min(31, opt('--runs', 5)));
const picked = ['w3', 'w5', 'w6'].filter((w) => argv.includes(w));
const todo = new Set(picked.length ? picked : ['w3', 'w5', 'w6']);
const M3 = opt('w3', 200000);
const R5 = opt('w5', 1000);
const N6 = opt('w6', 100000);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const now = () => performance.now();

/** A FIFO of waiters / items: an array with a moving head, compacted now and then. */
class Deque {
  constructor() {
    this.a = [];
    this.h = 0;
  }

  get length() {
    return this.a.length - this.h;
  }

  push(x) {
    this.a.push(x);
  }

  shift() {
    const x = this.a[this.h];
    this.a[this.h++] = undefined;
    if (this.h > 1024 && this.h * 2 > this.a.length) {
      this.a = this.a.slice(this.h);
      this.h = 0;
    }
    return x;
  }
}

/** asyncio.Queue in promises: put/get wait, taskDone/join. */
class AsyncQueue {
  constructor(maxsize = 0) {
    this.maxsize = maxsize;
    this.items = new Deque();
    this.getters = new Deque();
    this.putters = new Deque();
    this.unfinished = 0;
    this.joiners = [];
  }

  full() {
    return this.maxsize > 0 && this.items.length >= this.maxsize;
  }

  async put(item) {
    while (this.full()) await new Promise((r) => this.putters.push(r));
    this.items.push(item);
    this.unfinished++;
    if (this.getters.length) this.getters.shift()();
  }

  async get() {
    while (!this.items.length) await new Promise((r) => this.getters.push(r));
    const item = this.items.shift();
    if (this.putters.length) this.putters.shift()();
    return item;
  }

  taskDone() {
    if (this.unfinished <= 0) throw new Error('taskDone() called too many times');
    if (--this.unfinished === 0) {
      for (const r of this.joiners) r();
      this.joiners = [];
    }
  }

  join() {
    return this.unfinished ? new Promise((r) => this.joiners.push(r)) : Promise.resolve();
  }
}

/** asyncio.Semaphore in promises (FIFO, a released slot handed to the first waiter). */
class Semaphore {
  constructor(n) {
    this.value = n;
    this.waiters = new Deque();
  }

  acquire() {
    if (this.value > 0 && !this.waiters.length) {
      this.value--;
      return Promise.resolve();
    }
    return new Promise((r) => this.waiters.push(r));
  }

  release() {
    if (this.waiters.length) this.waiters.shift()();
    else this.value++;
  }
}

/** asyncio.Event in promises. */
class Event {
  constructor() {
    this.promise = new Promise((r) => { this.resolve = r; });
  }

  wait() {
    return this.promise;
  }

  set() {
    this.resolve();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sleep0 = () => new Promise((r) => setImmediate(r));

async function w3(m) {
  const q = new AsyncQueue(100);
  const seen = new Uint8Array(m);
  let bad = 0;
  let stop = false;
  const t0 = now();
  const consumers = Array.from({ length: 4 }, async () => {
    while (!stop) {
      const i = await q.get();
      if (i < 0) return;
      if (seen[i]++) bad++;
      q.taskDone();
    }
  });
  for (let i = 0; i < m; i++) await q.put(i);
  await q.join();
  const dt = now() - t0;
  stop = true;
  for (let c = 0; c < 4; c++) q.put(-1); // wake the consumers so they end
  await Promise.all(consumers);
  if (bad || !seen.every((x) => x === 1)) throw new Error('W3: items not seen exactly once');
  return dt;
}

async function w5(r) {
  const sem = new Semaphore(50);
  let cur = 0;
  let peak = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: r }, async () => {
    await sem.acquire();
    try {
      if (++cur > peak) peak = cur;
      await sleep(10);
      cur--;
    } finally {
      sem.release();
    }
  }));
  const dt = now() - t0;
  if (peak !== 50) throw new Error(`W5: peak concurrency ${peak}, expected 50`);
  return dt;
}

async function w6(n) {
  const ev = new Event();
  let started = 0;
  let finished = 0;
  const waiter = async () => {
    started++;
    await ev.wait();
    finished++;
  };
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = now();
  const all = [];
  for (let i = 0; i < n; i++) all.push(waiter()); // kept, as a task list would be
  while (started < n) await sleep0();
  const t1 = now();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  ev.set();
  await Promise.all(all);
  const t2 = now();
  if (finished !== n) throw new Error(`W6: ${finished} of ${n} finished`);
  return { bytes: (after - before) / n, spawn_ms: t1 - t0, finish_ms: t2 - t1 };
}

function stats(ms) {
  ms.sort((a, b) => a - b);
  return { med: ms[ms.length >> 1], min: ms[0], max: ms.at(-1) };
}

const emit = (o) => console.log(JSON.stringify(o));
const r1 = (x) => +x.toFixed(1);
const r3 = (x) => +x.toFixed(3);
const kind = 'node-promises';

if (todo.has('w3')) {
  await w3(Math.max(10, Math.floor(M3 / 10)));
  const ms = [];
  for (let r = 0; r < runs; r++) ms.push(await w3(M3));
  const s = stats(ms);
  emit({ workload: 'W3', kind, m: M3, runs, median_ms: r3(s.med), min_ms: r3(s.min), max_ms: r3(s.max), rate: Math.round(M3 / (s.med / 1e3)), unit: 'items/s' });
}
if (todo.has('w5')) {
  await w5(100);
  const n = Math.min(runs, 3);
  const ms = [];
  for (let r = 0; r < n; r++) ms.push(await w5(R5));
  const s = stats(ms);
  const ideal = (R5 / 50) * 10;
  emit({ workload: 'W5', kind, requests: R5, runs: n, median_ms: r3(s.med), min_ms: r3(s.min), max_ms: r3(s.max), seconds: r3(s.med / 1e3), ratio: r3(s.med / ideal), peak: 50, value: r3(s.med / 1e3), better: 'lower', unit: 's' });
}
if (todo.has('w6')) {
  await w6(Math.min(N6, 10000)); // warm-up
  const m = await w6(N6);
  emit({ workload: 'W6', kind, n: N6, bytes_per_task: r1(m.bytes), spawn_ms: r1(m.spawn_ms), finish_ms: r1(m.finish_ms), value: r1(m.bytes), better: 'lower', unit: 'B/task', note: 'JS heap only' });
}
