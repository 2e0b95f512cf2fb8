// Debug mode, asyncio's debug mode (PYTHONASYNCIODEBUG) for wasyncio:
// `Runtime.create({ debug: true })`, or for the default runtime the
// environment variable WASYNCIO_DEBUG_MODE=1 (Node) or the URL flag
// `?wasyncio-debug` (browsers). It warns
//  - when a runtime operation was created and never awaited (with where it
//    was created), at the end of the run() it was made in;
//  - when one step of a task, one continuation of an async task or one
//    callback holds the loop longer than slowMs (default 100; names the task);
//  - when an async task is cancelled while it awaits something the runtime
//    cannot withdraw (a foreign promise: pass { signal: task.signal }).
// task.getStack() / runtime.dumpTasks() show what each task waits on (in
// any mode). Off, it costs one check per operation, step and callback.
import { Future, Task, KIND_C, KIND_ASYNC, ASYNC_DELIVERED } from './futures.js';

const SLOW_MS = 100;

/** Debug mode requested for the default runtime by the environment. */
export function debugFromEnvironment() {
  try {
    if (typeof process === 'object' && process.env && /^(1|true|yes)$/i.test(process.env.WASYNCIO_DEBUG_MODE ?? '')) return true;
    if (typeof location === 'object' && location.search) return new URLSearchParams(location.search).has('wasyncio-debug');
  } catch { /* no environment to read */ }
  return false;
}

export class Debug {
  /**
   * @param {import('./runtime.js').Runtime} rt
   * @param {boolean | { slowMs?: number, warn?: (message: string) => void }} option
   */
  constructor(rt, option) {
    if (option !== undefined && typeof option !== 'boolean' && (option === null || typeof option !== 'object')) {
      throw new TypeError('options.debug must be a boolean or an object { slowMs, warn }');
    }
    const o = typeof option === 'object' ? option : {};
    if (o.slowMs !== undefined && !(typeof o.slowMs === 'number' && o.slowMs >= 0)) throw new RangeError('options.debug.slowMs must be a number >= 0');
    if (o.warn !== undefined && typeof o.warn !== 'function') throw new TypeError('options.debug.warn must be a function');
    /** @internal */ this._rt = rt;
    /** Debug mode is on. */
    this.on = option === true || typeof option === 'object';
    /** @internal */ this._slowMs = o.slowMs ?? SLOW_MS;
    /** @internal */ this._warn = o.warn ?? ((m) => console.warn(`wasyncio: ${m}`));
    /** @internal records of the operations made while on, not yet checked */ this._recs = new Set();
    /** @internal an operation collected before anyone awaited it */
    this._gone = typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((rec) => { if (this._recs.delete(rec) && !rec.started) this._neverAwaited(rec); })
      : null;
    /** @internal start of the step or callback being timed */ this._t0 = 0;
    /** @internal tasks already warned about an unreachable cancellation */ this._warned = new WeakSet();
  }

  /** An operation was created (debug on). */
  opCreated(op) {
    const rec = { name: op.constructor.name, where: new Error('created here').stack ?? '', started: false, ref: new WeakRef(op) };
    op._debugRec = rec;
    this._recs.add(rec);
    this._gone?.register(op, rec);
  }

  /** End of a run(): operations created and never awaited. */
  flush() {
    for (const rec of this._recs) {
      const op = rec.ref.deref();
      if (!rec.started && !op?._shared) this._neverAwaited(rec);
    }
    this._recs.clear();
  }

  /** @internal */
  _neverAwaited(rec) {
    const site = rec.where.split('\n').slice(2).find((l) => !/\/bindings\//.test(l))?.trim() ?? '(unknown)';
    this._warn(`${rec.name} was never awaited; created ${site}`);
  }

  /** Time a step, continuation or callback: begin. */
  begin() {
    this._t0 = performance.now();
  }

  /** ... end: warn if it held the loop too long. */
  end(what) {
    const dt = performance.now() - this._t0;
    if (dt > this._slowMs) this._warn(`${typeof what === 'function' ? what() : what} held the loop for ${Math.round(dt)} ms (slowMs ${this._slowMs})`);
  }

  /** Async task t was cancelled with nothing the runtime could withdraw. */
  unreachable(t) {
    if (this._rt._tasks.current === t) return; // it cancelled itself: its next operation throws
    if ((t._async !== null && (t._async.flags & ASYNC_DELIVERED) !== 0) || t._awaitPtr !== 0) return; // a cancellation reached it already, or its body is over
    if (this._warned.has(t)) return;
    this._warned.add(t);
    this._warn(`task "${t.name}" was cancelled while it awaits something the runtime cannot withdraw (a promise from elsewhere?): pass { signal: task.signal } to it`);
  }
}

/**
 * What task t waits on, outermost first: descriptions like
 * 'Task "worker" (async) awaits SleepOp', following awaited tasks.
 * @param {Task} t
 * @returns {string[]}
 */
export function stackOf(t) {
  const out = [];
  const seen = new Set();
  for (let cur = t; cur instanceof Task && !seen.has(cur); ) {
    seen.add(cur);
    const style = cur._kind === KIND_C ? 'C' : cur._kind === KIND_ASYNC ? 'async' : 'generator';
    if (cur.done()) {
      out.push(`Task "${cur.name}" (${style}) is done`);
      break;
    }
    const aw = cur._kind === KIND_ASYNC ? (cur._async?.opWait?.op ?? cur._async?.futWait ?? null) : cur._awaiting;
    if (aw == null) {
      out.push(`Task "${cur.name}" (${style}) ${cur._kind === KIND_C ? 'runs C code' : cur._kind === KIND_ASYNC ? 'awaits no runtime operation (a promise from elsewhere, or it is running)' : 'is ready or running'}`);
      break;
    }
    out.push(`Task "${cur.name}" (${style}) awaits ${aw instanceof Task ? `Task "${aw.name}"` : aw instanceof Future ? aw.constructor.name : aw?.constructor?.name ?? typeof aw}`);
    cur = aw;
  }
  return out;
}
