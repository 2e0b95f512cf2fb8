// The entry of a WorkerPool worker (Web Worker or worker_threads), and the
// helpers a JS job module may import from 'wasyncio/worker'.
//
// A worker runs one job at a time, in the order it receives them:
//  - JS jobs: import(module)[name].apply({ signal, id }, args); the result
//    goes back by structured clone (transfer() moves buffers).
//  - C jobs: the pool posts the compiled WebAssembly.Module once; the
//    worker instantiates it with its own memory (no SharedArrayBuffer) and
//    runs the job function, by table index, as a coroutine on its own
//    wasyncio loop, so wa_job_cancelled() can yield to this worker's event
//    loop to receive a cancellation.
// A wasm trap is fatal: the worker reports it and the pool replaces it; so
// is a C job calling exit(), reported as such.
// Isolation: what a job leaves behind (a timer that throws, a promise
// rejected with nobody listening) does not fail the next job. The worker
// reports it to the pool ('stray'), lets the job it is running finish, then
// asks to be replaced ('recycle'): a fresh worker runs the rest.
// options.memoryLimitMb of the pool caps each worker: Node's resourceLimits
// for its JS heap, and here the growth of every wasm memory.
import { instantiate } from './loader.js';
import { CancelledError, codes } from './errors.js';
import { unwrapTransfer } from './transfer.js';
import { poolPort, catchStrayErrors } from '#platform';

export { transfer } from './transfer.js';


/** How often (ms) wa_job_cancelled() lets the worker's event loop run. */
const POLL_MS = 2;
const WA_ECANCELLED = codes.ECANCELLED;

/**
 * The job this worker is running (capture it at the start of a job: after
 * an await another job may be running): `{ id, signal }`. null outside jobs
 * or on the main thread.
 * @returns {{ id: number, signal: AbortSignal } | null}
 */
export function currentJob() {
  return current ? current.api : null;
}

let current = null;
// the pool's side of the channel (null when imported outside a pool worker)
const port = poolPort();
const inWorker = port !== null;
let lastJob = 0;       // id of the latest job that ended
let recycling = false; // a stray error was seen: no new job starts here

// One macrotask hop (lets queued messages, e.g. a cancellation, arrive).
let macrotask;
if (typeof setImmediate === 'function') {
  macrotask = (fn) => setImmediate(fn);
} else {
  const ch = new MessageChannel();
  const fns = [];
  ch.port1.onmessage = () => fns.shift()?.();
  macrotask = (fn) => { fns.push(fn); ch.port2.postMessage(null); };
}

const queue = [];
const cancelledEarly = new Set();
const wasm = new Map(); // key -> { module, glue, inst: Promise<Module> | null }
const modules = new Map(); // href -> Promise<namespace>
let draining = false;

function importModule(href) {
  let p = modules.get(href);
  if (!p) {
    p = import(/* @vite-ignore */ /* webpackIgnore: true */ href);
    modules.set(href, p);
    p.catch(() => modules.delete(href));
  }
  return p;
}

function post(m, transfer) {
  port.post(m, transfer);
}

/** What a thrown value says, for messages (Emscripten's ExitStatus is no Error). */
function describe(e) {
  if (isExit(e)) return `the C job called exit(${e.status})`;
  if (e instanceof Error || (e && typeof e === 'object' && 'message' in e)) return `${e.name || 'Error'}: ${e.message}`;
  return String(e);
}

const isExit = (e) => !!e && typeof e === 'object' && e.name === 'ExitStatus' && typeof e.status === 'number';

/**
 * An error no job awaits: an uncaught exception or an unhandled rejection.
 * A trap or exit() while a C job runs ends that job (its instance is
 * dead). Anything else is a leftover: reported, and the worker is replaced
 * once the running job (which may well be innocent) has ended.
 */
function onStray(err, kind) {
  if (current && current.kind === 'c' && !current.finished && (err instanceof WebAssembly.RuntimeError || isExit(err))) {
    fatal(current.id, err);
    return;
  }
  try {
    post({ t: 'stray', kind, message: describe(err), running: current ? current.id : null, previous: lastJob || null });
  } catch { /* the pool replaces us anyway */ }
  if (!recycling) {
    recycling = true;
    if (!current) post({ t: 'recycle' });
  }
}

/** Refuse to grow any wasm memory past limit bytes (a grow that fails is malloc returning NULL). */
function capWasmMemory(limit) {
  const proto = WebAssembly.Memory.prototype;
  const grow = proto.grow;
  proto.grow = function (pages) {
    if (this.buffer.byteLength + pages * 65536 > limit) {
      throw new RangeError(`wasm memory would pass the worker's memoryLimitMb (${limit / 1048576} MiB)`);
    }
    return grow.call(this, pages);
  };
}

function onMessage(m) {
  switch (m?.t) {
    case 'init':
      if (m.memoryLimitMb) capWasmMemory(m.memoryLimitMb * 1048576);
      for (const href of m.preload || []) importModule(href).catch(() => {});
      break;
    case 'wasm':
      wasm.set(m.key, { module: m.module, glue: m.glue, inst: null });
      break;
    case 'job':
      queue.push(m);
      if (!draining && !recycling) drain();
      break;
    case 'cancel':
      if (current && current.id === m.id) {
        if (!current.cancelled) {
          current.cancelled = true;
          current.controller.abort(new CancelledError('the job was cancelled'));
        }
      } else {
        cancelledEarly.add(m.id);
      }
      break;
    default:
      break;
  }
}

async function drain() {
  draining = true;
  while (queue.length) {
    const m = queue.shift();
    if (cancelledEarly.delete(m.id)) {
      post({ t: 'result', id: m.id, cancelled: true });
      continue;
    }
    const controller = new AbortController();
    const ctx = {
      id: m.id, kind: m.kind, controller, cancelled: false, lastYield: performance.now(),
      api: Object.freeze({ id: m.id, signal: controller.signal }),
    };
    current = ctx;
    try {
      if (m.kind === 'js') await runJs(m, ctx);
      else await runC(m, ctx);
    } finally {
      current = null;
      lastJob = m.id;
    }
    if (recycling) { // the pool runs the queued jobs elsewhere
      post({ t: 'recycle' });
      break;
    }
  }
  draining = false;
}

function replyError(id, e) {
  try {
    post({ t: 'result', id, ok: false, error: e });
  } catch {
    // not cloneable: send what describes it
    const info = e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { message: String(e) };
    post({ t: 'result', id, ok: false, error: null, info });
  }
}

async function runJs(m, ctx) {
  let value;
  try {
    const ns = await importModule(m.module);
    const fn = ns[m.name];
    if (typeof fn !== 'function') throw new TypeError(`${m.module} has no exported function "${m.name}"`);
    value = fn.apply(ctx.api, m.args);
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
      value = await value;
    }
  } catch (e) {
    if (ctx.cancelled && e === ctx.controller.signal.reason) post({ t: 'result', id: m.id, cancelled: true });
    else replyError(m.id, e);
    return;
  }
  const [v, list] = unwrapTransfer(value);
  try {
    post({ t: 'result', id: m.id, ok: true, value: v }, list);
  } catch (e) {
    replyError(m.id, new TypeError(`the job's result could not be sent back: ${e.message}`));
  }
}

// ---- C jobs -----------------------------------------------------------------

function fatal(id, e) {
  const what = describe(e);
  try { post({ t: 'fatal', id, message: what }); } catch { /* ending anyway */ }
  // The instance is not trusted after a trap; stop taking work. The pool
  // terminates this worker when it reads the message.
  queue.length = 0;
}

function wasmInstance(key) {
  const w = wasm.get(key);
  if (!w) return Promise.reject(new Error(`no wasm module #${key} was sent to this worker`));
  if (!w.inst) {
    w.inst = (async () => {
      const { default: factory } = await import(/* @vite-ignore */ /* webpackIgnore: true */ w.glue);
      let M = null;
      const host = {
        // wa_host_job_done: the job function returned
        jobDone(id, status, data, len, msgPtr) {
          const ctx = current;
          if (!ctx || ctx.id !== id) return;
          if (status === 0) {
            const bytes = M.HEAPU8.slice(data, data + len);
            post({ t: 'result', id, ok: true, value: bytes }, [bytes.buffer]);
          } else if (status === WA_ECANCELLED) {
            post({ t: 'result', id, cancelled: true });
          } else {
            post({ t: 'result', id, ok: false, code: status, message: msgPtr ? M.UTF8ToString(msgPtr) : '' });
          }
          ctx.finished = true;
          ctx.onDone?.();
        },
        // wa_host_job_poll: -1 outside a job; bit 0 cancelled, bit 1 time to yield
        poll() {
          const ctx = current;
          if (!ctx || ctx.finished) return -1;
          let r = ctx.cancelled ? 1 : 0;
          if (!ctx.cancelled && performance.now() - ctx.lastYield >= POLL_MS) r |= 2;
          return r;
        },
        // wa_host_job_yield: complete future f after one macrotask
        yield(f) {
          if (current) current.lastYield = performance.now();
          M._wa_ref(f);
          macrotask(() => {
            if (current) current.lastYield = performance.now();
            M._wa_future_set_result(f, 0, 0);
            M._wa_release(f);
          });
        },
      };
      M = await instantiate(factory, w.module, {
        noInitialRun: true,
        wasyncioWorker: host,
        print: (s) => console.log(s),
        printErr: (s) => console.error(s),
      });
      return M;
    })();
  }
  return w.inst;
}

async function runC(m, ctx) {
  let M;
  try {
    M = await wasmInstance(m.key);
  } catch (e) {
    replyError(m.id, e);
    return;
  }
  const input = new Uint8Array(m.input);
  const p = M._wa_js_malloc(input.length || 1);
  if (!p) {
    replyError(m.id, new RangeError('out of wasm memory in the worker'));
    return;
  }
  M.HEAPU8.set(input, p);
  const done = new Promise((resolve) => { ctx.onDone = resolve; });
  try {
    const rc = M._wa__job_start(m.id, m.fn, p, input.length, m.stack);
    if (rc !== 0) {
      post({ t: 'result', id: m.id, ok: false, code: rc, message: `starting the C job failed (status ${rc})` });
      return;
    }
    M._wa_run_once(0);
  } catch (e) {
    fatal(m.id, e);
    return new Promise(() => {}); // the pool terminates us
  }
  // A trap in a later turn (after the job yielded) is an uncaught error:
  // the pool sees it (Node: 'error' + 'exit'; browsers: 'error') and fails
  // this job.
  await done;
}

if (inWorker) {
  catchStrayErrors(onStray);
  port.listen(onMessage);
  post({ t: 'ready' });
}
