// W3, W5 and W6 (DESIGN.md) for JS tasks on the wasyncio scheduler, both
// task styles: generator tasks (`yield q.get()`) and async-function tasks
// (`await q.get()`), on the C Queue / Semaphore / Event that C
// tasks use (bench/c/bench_sync.c). Prints one JSON object per line.
//
//   W3 queue: 1 producer, 4 consumers, Queue({ maxsize: 100 }), m items,
//      taskDone + join; every item seen exactly once           -> items/s
//   W5 limited-io: r requests, each sleeps 10 ms holding a Semaphore(50)
//      (semaphore.with); check peak concurrency == 50           -> s, s/0.2
//   W6 memory: n tasks wait on one Event; (JS heap + C heap with the tasks
//      waiting - before) / n, after a full GC; then set, all finish -> B/task
//
// The async tasks pass no `{ signal: task.signal }`: an operation belongs to
// the async task that created it and cancelling the task withdraws it
// (bindings/async_ops.js), as the consumers' cancel() in W3 shows; reading
// task.signal would give every task an AbortController (~2 KB in Node)
// that asyncio code does not need.
//
// usage: sync.mjs [w3 M] [w5 R] [w6 N] [--runs K] [--only gen|async]
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  run, createTask, sleep, gather, time, runtime, ready, Queue, Semaphore, Event,
} from '../../bindings/index.js';

// the default runtime loads on first use: W6 alone creates an Event before any run()
await ready();

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
};
const runs = Math.max(1, Math.min(31, opt('--runs', 5)));
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
const picked = ['w3', 'w5', 'w6'].filter((w) => argv.includes(w));
const todo = new Set(picked.length ? picked : ['w3', 'w5', 'w6']);
const M3 = opt('w3', 200000);
const R5 = opt('w5', 1000);
const N6 = opt('w6', 100000);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

function* w6waiter(ev, state) {
  state.started++;
  yield ev.wait();
  state.finished++;
}

const styles = {
  gen: {
    w3: (m) => run(function* () {
      const q = new Queue({ maxsize: 100 });
      const seen = new Uint8Array(m);
      let bad = 0;
      const cons = [];
      for (let c = 0; c < 4; c++) {
        cons.push(createTask(function* () {
          for (;;) {
            const i = yield q.get();
            if (seen[i]++) bad++;
            q.taskDone();
          }
        }));
      }
      for (let i = 0; i < m; i++) yield q.put(i);
      yield q.join();
      for (const c of cons) c.cancel();
      yield gather(cons, { returnExceptions: true });
      q.destroy();
      return bad === 0 && seen.every((x) => x === 1);
    }),
    w5: (r) => run(function* () {
      const sem = new Semaphore(50);
      let cur = 0;
      let peak = 0;
      const ts = [];
      for (let i = 0; i < r; i++) {
        ts.push(createTask(function* () {
          yield* sem.with(function* () {
            if (++cur > peak) peak = cur;
            yield sleep(10);
            cur--;
          });
        }));
      }
      yield gather(ts);
      sem.destroy();
      return peak;
    }),
    // one generator function for all tasks, as the baseline has one async
    // function (a function* closure per task costs V8 a prototype object and
    // two hidden classes each)
    w6spawn: (ev, n, state) => {
      for (let i = 0; i < n; i++) createTask(w6waiter(ev, state));
    },
  },
  async: {
    w3: (m) => run(async () => {
      const q = new Queue({ maxsize: 100 });
      const seen = new Uint8Array(m);
      let bad = 0;
      const cons = [];
      for (let c = 0; c < 4; c++) {
        cons.push(createTask(async () => {
          for (;;) {
            const i = await q.get();
            if (seen[i]++) bad++;
            q.taskDone();
          }
        }));
      }
      for (let i = 0; i < m; i++) await q.put(i);
      await q.join();
      for (const c of cons) c.cancel();
      await gather(cons, { returnExceptions: true });
      q.destroy();
      return bad === 0 && seen.every((x) => x === 1);
    }),
    w5: (r) => run(async () => {
      const sem = new Semaphore(50);
      let cur = 0;
      let peak = 0;
      const ts = [];
      for (let i = 0; i < r; i++) {
        ts.push(createTask(async () => {
          await sem.with(async () => {
            if (++cur > peak) peak = cur;
            await sleep(10);
            cur--;
          });
        }));
      }
      await gather(ts);
      sem.destroy();
      return peak;
    }),
    w6spawn: (ev, n, state) => {
      for (let i = 0; i < n; i++) {
        createTask(async () => {
          state.started++;
          await ev.wait();
          state.finished++;
        });
      }
    },
  },
};

function stats(ms) {
  ms.sort((a, b) => a - b);
  return { med: ms[ms.length >> 1], min: ms[0], max: ms.at(-1) };
}

const emit = (o) => console.log(JSON.stringify(o));

async function timed(fn) {
  const t0 = time();
  const r = await fn();
  return [time() - t0, r];
}

/** Heap in use: JS (after a full GC) and the C heap of the runtime. */
function heap() {
  gc();
  gc();
  return { js: process.memoryUsage().heapUsed, c: runtime.syncStats().heapBytes };
}

async function w6(style, n) {
  const ev = new Event();
  const state = { started: 0, finished: 0 };
  let result;
  await run(function* () {
    // warm-up: grow the loop's ready ring and the JS tables to n once
    styles[style].w6spawn(ev, n, state);
    while (state.started < n) yield sleep(0);
    ev.set();
    while (state.finished < n) yield sleep(0);
    ev.clear();
    state.started = state.finished = 0;
  });
  await sleep(0);
  const before = heap();
  const t0 = time();
  await run(function* () {
    styles[style].w6spawn(ev, n, state);
    while (state.started < n) yield sleep(0);
    const t1 = time();
    const after = heap();
    if (runtime.stats().tasks < n + 1) throw new Error(`W6: only ${runtime.stats().tasks} tasks alive`);
    ev.set();
    while (state.finished < n) yield sleep(0);
    const t2 = time();
    result = { after, spawn_ms: t1 - t0, finish_ms: t2 - t1 };
  });
  ev.destroy();
  const js = result.after.js - before.js;
  const c = result.after.c - before.c;
  return {
    bytes: (js + c) / n, js: js / n, c: c / n, spawn_ms: result.spawn_ms, finish_ms: result.finish_ms,
  };
}

const r1 = (x) => +x.toFixed(1);
const r3 = (x) => +x.toFixed(3);

for (const style of ['gen', 'async']) {
  if (only && only !== style) continue;
  const w = styles[style];
  const kind = `wasyncio-js-${style}`;
  if (todo.has('w3')) {
    await w.w3(Math.max(10, Math.floor(M3 / 10)));
    const ms = [];
    for (let r = 0; r < runs; r++) {
      const [dt, ok] = await timed(() => w.w3(M3));
      if (!ok) throw new Error('W3: items not seen exactly once');
      ms.push(dt);
    }
    const s = stats(ms);
    emit({ workload: 'W3', kind, m: M3, runs, median_ms: r3(s.med), min_ms: r3(s.min), max_ms: r3(s.max), rate: Math.round(M3 / (s.med / 1e3)), unit: 'items/s' });
  }
  if (todo.has('w5')) {
    await w.w5(100);
    const n = Math.min(runs, 3);
    const ms = [];
    for (let r = 0; r < n; r++) {
      const [dt, peak] = await timed(() => w.w5(R5));
      if (peak !== 50) throw new Error(`W5: peak concurrency ${peak}, expected 50`);
      ms.push(dt);
    }
    const s = stats(ms);
    const ideal = (R5 / 50) * 10;
    emit({ workload: 'W5', kind, requests: R5, runs: n, median_ms: r3(s.med), min_ms: r3(s.min), max_ms: r3(s.max), seconds: r3(s.med / 1e3), ratio: r3(s.med / ideal), peak: 50, value: r3(s.med / 1e3), better: 'lower', unit: 's' });
  }
  if (todo.has('w6')) {
    const m = await w6(style, N6);
    emit({ workload: 'W6', kind, n: N6, bytes_per_task: r1(m.bytes), js_bytes_per_task: r1(m.js), c_bytes_per_task: r1(m.c), spawn_ms: r1(m.spawn_ms), finish_ms: r1(m.finish_ms), value: r1(m.bytes), better: 'lower', unit: 'B/task' });
  }
}
