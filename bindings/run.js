// run() for JS: main runs as a JS task and C runs the rest (runtime/src/run.c,
// the same code as wa_run): when main is done, every task still alive is
// cancelled and awaited, a few rounds; a run that can never finish ends with
// EDEADLOCK (Node: the loop went idle with the run unfinished); leftovers
// that do not end within options.cleanupTimeout ms of main's end, or that
// ignore a deadlock's cancellation, make run() reject with an error naming
// them. run() always settles, and the runtime stays usable after it.
import { InvalidStateError, WasyncioError, codes, errorFromStatus } from './errors.js';

/** How the C run ended (run.c: WA_RUN_DEADLOCK, WA_RUN_GAVE_UP). */
const ENDED_DEADLOCK = 1;
const ENDED_GAVE_UP = 2;
/** Default options.cleanupTimeout (ms), as run.c's WA_RUN_CLEANUP_MS. */
const CLEANUP_TIMEOUT = 5000;

export class Runner {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal the run in progress: { task, resolve } */ this._running = null;
  }

  /** run(main, options): see Runtime.run. */
  async run(main, options = {}) {
    const rt = this._rt;
    if (options === null || typeof options !== 'object') throw new TypeError('run(main, options): options must be an object');
    const limit = options.cleanupTimeout ?? CLEANUP_TIMEOUT;
    if (typeof limit !== 'number' || !(limit >= 0)) throw new RangeError('run: options.cleanupTimeout must be a number of ms >= 0 (Infinity: no limit)');
    if (this._running || rt._c.wa__js_run_active()) throw new InvalidStateError('run() cannot be called while another run() is in progress');
    const task = rt.createTask(main, { name: options.name ?? 'main' });
    const ended = new Promise((resolve) => { this._running = { task, resolve }; });
    const rc = rt._c.wa__js_run_start(task._ptr, limit === Infinity ? -1 : limit);
    if (rc !== 0) {
      this._running = null;
      task.cancel();
      throw errorFromStatus(rc, 'run() could not start');
    }
    const { status, message, how } = await ended;
    try {
      if (how === 0) {
        // main's own outcome, as its view has it (identity kept)
        return await task;
      }
      let cause;
      if (task.done() && !task.cancelled()) cause = task.exception() ?? undefined;
      throw new WasyncioError(message, how === ENDED_DEADLOCK ? codes.EDEADLOCK : status, cause !== undefined ? { cause } : undefined);
    } finally {
      rt._unretrieved.flush();
      if (rt._debug.on) rt._debug.flush();
    }
  }

  /** C (bridge.js): the run is over, cleanup included. */
  done(status, messagePtr, how) {
    const r = this._running;
    this._running = null;
    if (r) r.resolve({ status, message: this._rt._mem.str(messagePtr), how });
  }
}
