#!/usr/bin/env node
// JS soak: many JS tasks (both styles) and many cancelled queue gets on the
// default runtime, then the runtime's object counts, its wasm memory and the
// JS heap must be back at their baseline (taken after a warm-up round).
//
//   node tests/soak/soak.mjs [TASKS [QUEUE_OPS]]   defaults 1000000 100000
//
// `npm run soak` runs it with the C soak (tests/c/programs/soak.c);
// tests/js/soak.test.mjs runs a short version.
import v8 from 'node:v8';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { run, createTask, gather, sleep, Queue, runtime, CancelledError } from '../../bindings/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const BATCH = 10000;

async function settleHeap() {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 10)); // FinalizationRegistry callbacks
    gc();
  }
  return process.memoryUsage().heapUsed;
}

async function round(tasks, queueOps) {
  let finished = 0;
  let put = 0;
  let got = 0;
  await run(async () => {
    for (let done = 0; done < tasks; done += BATCH) {
      const k = Math.min(BATCH, tasks - done);
      const ts = [];
      for (let i = 0; i < k; i++) {
        ts.push(createTask(i & 1
          ? function* () { yield sleep(0); finished++; }
          : async () => { await sleep(0); finished++; }));
      }
      await gather(ts);
    }
    const q = new Queue();
    for (let i = 0; i < queueOps; i++) {
      switch (i % 3) {
        case 0: { // a getter task cancelled while it waits
          const t = createTask(function* () { return yield q.get(); });
          await sleep(0);
          t.cancel();
          const [r] = await gather([t], { returnExceptions: true });
          if (!(r instanceof CancelledError)) throw new Error(`getter ${i}: ${r}`);
          break;
        }
        case 1: { // an awaited get aborted by its signal
          const ac = new AbortController();
          const p = q.get({ signal: ac.signal }).then(() => 'got', (e) => e);
          await sleep(0);
          ac.abort();
          if (!((await p) instanceof CancelledError)) throw new Error(`get ${i} was not cancelled`);
          break;
        }
        default: { // woken with an item, cancelled before it ran: the item stays
          const t = createTask(function* () { return yield q.get(); });
          await sleep(0);
          q.putNowait(++put);
          t.cancel();
          const [r] = await gather([t], { returnExceptions: true });
          if (r === put) got++;
          else if (r instanceof CancelledError && q.getNowait() === put) got++;
          else throw new Error(`item ${put} lost (${r})`);
          break;
        }
      }
    }
    if (q.qsize() !== 0) throw new Error(`${q.qsize()} items left in the queue`);
    q.destroy();
  });
  if (finished !== tasks) throw new Error(`${finished} of ${tasks} tasks finished`);
  if (got !== put) throw new Error(`put ${put} items, got ${got}`);
}

const COUNTS = ['futures', 'tasks', 'handles', 'ready', 'jsTasks', 'views', 'opWaiters', 'callbacks', 'jsHandles'];

/**
 * Run the soak; returns its report ({ ok, ... }).
 * @param {{ tasks?: number, queueOps?: number, heapSlack?: number }} [o]
 */
export async function soakJs({ tasks = 1_000_000, queueOps = 100_000, heapSlack = 8 * 1024 * 1024 } = {}) {
  await round(Math.min(tasks, Math.max(BATCH, tasks / 10)), Math.ceil(queueOps / 10) + 3); // warm-up
  const heap0 = await settleHeap();
  const s0 = runtime.stats();
  const t0 = performance.now();
  await round(tasks, queueOps);
  const ms = performance.now() - t0;
  const heap1 = await settleHeap();
  const s1 = runtime.stats();
  const grew = COUNTS.filter((k) => s1[k] > s0[k]);
  const ok = grew.length === 0 && s1.wasmBytes === s0.wasmBytes && heap1 <= heap0 + heapSlack;
  return {
    ok, tasks, queueOps, ms: Math.round(ms), jsHeap: [heap0, heap1], wasmBytes: [s0.wasmBytes, s1.wasmBytes],
    counts: Object.fromEntries(COUNTS.map((k) => [k, [s0[k], s1[k]]])), grew,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [tasks = 1_000_000, queueOps = 100_000] = process.argv.slice(2).map(Number);
  const report = await soakJs({ tasks, queueOps });
  console.log(JSON.stringify(report));
  process.exit(report.ok ? 0 : 1);
}
