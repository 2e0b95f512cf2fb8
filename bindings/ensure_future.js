// asyncio.ensure_future for the JS bindings: a Future (or Task) of this
// runtime as it is; a generator object, an operation or a promise-like
// wrapped in a new task.
import { Future } from './futures.js';
import { Op } from './ops.js';
import { isGenerator, isThenable } from './kinds.js';

/**
 * @param {import('./runtime.js').Runtime} rt
 * @param {unknown} aw
 * @param {object} [options] createTask's options, for a new task
 * @returns {Future}
 */
export function ensureFuture(rt, aw, options) {
  if (aw instanceof Future) {
    if (aw._rt !== rt) throw new TypeError('ensureFuture(aw): the future belongs to another runtime');
    return aw;
  }
  if (!(isGenerator(aw) || aw instanceof Op || isThenable(aw))) {
    throw new TypeError(typeof aw === 'function'
      ? 'ensureFuture(aw): aw must be an awaitable or a generator object, not a function (call it, or use createTask)'
      : 'ensureFuture(aw): aw must be a Future, a Task, an operation, a promise or a generator object');
  }
  return rt.createTask(/** @type {any} */ (aw), options);
}
