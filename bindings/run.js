// asyncio.run for JS: main as a task, then every task still alive is
// cancelled and awaited (a few rounds); under Node, a run that can never
// finish rejects with EDEADLOCK instead of hanging.
import { InvalidStateError, WasyncioError, codes } from './errors.js';

const CLEANUP_ROUNDS = 8;
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);

export class Runner {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal the run in progress: { task, deadlock } */ this._running = null;
  }

  async run(main, options = {}) {
    const rt = this._rt;
    if (this._running) throw new InvalidStateError('run() cannot be called while another run() is in progress');
    const task = rt.createTask(main, { name: options.name ?? 'main' });
    const state = { task, deadlock: false };
    this._running = state;
    const onBeforeExit = () => this._deadlock(state);
    if (isNode) process.on('beforeExit', onBeforeExit);
    try {
      let value;
      let error;
      let failed = false;
      try {
        value = await task;
      } catch (e) {
        failed = true;
        error = e;
      }
      await this._cancelLeftovers(task);
      if (state.deadlock) {
        throw new WasyncioError('deadlock: main was waiting for something that can never happen', codes.EDEADLOCK, failed ? { cause: error } : undefined);
      }
      if (failed) throw error;
      return value;
    } finally {
      if (isNode) process.removeListener('beforeExit', onBeforeExit);
      this._running = null;
      rt._unretrieved.flush();
    }
  }

  /** @internal */
  async _cancelLeftovers(main) {
    const rt = this._rt;
    for (let round = 0; round < CLEANUP_ROUNDS; round++) {
      const left = rt.allTasks().filter((t) => t !== main);
      if (!left.length) return;
      for (const t of left) t.cancel();
      await rt.gather(left, { returnExceptions: true }).catch(() => {});
      for (const t of left) {
        if (t.done() && !t.cancelled() && t.exception() != null) {
          rt._loop.report(t.exception(), { message: `unhandled exception during run() shutdown in task "${t.name}"`, task: t });
        }
      }
    }
  }

  /** @internal Node is about to exit with the run unfinished */
  _deadlock(state) {
    if (this._running !== state) return;
    state.deadlock = true;
    for (const t of this._rt.allTasks()) t.cancel('wasyncio: deadlock');
  }
}
