// retry(fn, options): run an attempt again after a failure, waiting
// exponentially longer between attempts with random jitter (the crawler
// pattern). An attempt is whatever fn() returns that a task can await: a
// generator, a promise, an operation (fetch, session.get ...). A response
// with a retryable status (429, 5xx by default) counts as a failure: it is
// closed and the attempt made again; after the last attempt it is
// returned as it is. Cancellation is never retried.
import { CancelledError, TimeoutError, WasyncioError, codes } from './errors.js';
import { runtimeOf } from './defaults.js';
import { checkOptions } from './options.js';

const RETRY_STATUS = [429, 500, 502, 503, 504];

/** The default: network failures and timeouts. */
export function isRetryableError(e) {
  return e instanceof TimeoutError || (e instanceof WasyncioError && e.code === codes.ENETWORK);
}

function isResponse(v) {
  return v !== null && typeof v === 'object' && typeof v.status === 'number' && typeof v.close === 'function';
}

function checkNum(where, name, v, min) {
  if (typeof v !== 'number' || !(v >= min)) throw new RangeError(`${where}: options.${name} must be a number >= ${min}`);
  return v;
}

/**
 * The delay before attempt n+1 (n >= 1 failed attempts): min(maxDelay,
 * baseDelay * factor^(n-1)), times a random factor in [0, 1) with full
 * jitter (AWS's "full jitter"), or as is without.
 */
export function backoffDelay(n, { baseDelay = 100, factor = 2, maxDelay = 10_000, jitter = true, random = Math.random } = {}) {
  const d = Math.min(maxDelay, baseDelay * factor ** (n - 1));
  return jitter ? d * random() : d;
}

/**
 * Run fn() until it succeeds, at most `attempts` times. Returns a Task
 * (await it from either task style; cancelling it stops the retries).
 * options: attempts (3), baseDelay (100 ms), factor (2), maxDelay (10 s),
 * jitter (true), retryOn(error) (default: network failures and timeouts),
 * retryStatus (statuses retried, default [429, 500, 502, 503, 504]),
 * onRetry(attempt, errorOrResponse, delay), random (for tests), runtime.
 * @template T
 * @param {() => any} fn
 * @param {object} [options]
 */
export function retry(fn, options) {
  const where = 'retry(fn, options)';
  if (typeof fn !== 'function') throw new TypeError(`${where}: fn must be a function`);
  const o = checkOptions(where, options, ['attempts', 'baseDelay', 'factor', 'maxDelay', 'jitter', 'retryOn', 'retryStatus', 'onRetry', 'random', 'runtime']);
  const attempts = o.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`${where}: options.attempts must be an integer >= 1`);
  const backoff = {
    baseDelay: checkNum(where, 'baseDelay', o.baseDelay ?? 100, 0),
    factor: checkNum(where, 'factor', o.factor ?? 2, 1),
    maxDelay: checkNum(where, 'maxDelay', o.maxDelay ?? 10_000, 0),
    jitter: o.jitter ?? true,
    random: o.random ?? Math.random,
  };
  if (typeof backoff.jitter !== 'boolean') throw new TypeError(`${where}: options.jitter must be a boolean`);
  const retryOn = o.retryOn ?? isRetryableError;
  const retryStatus = o.retryStatus ?? RETRY_STATUS;
  if (typeof retryOn !== 'function') throw new TypeError(`${where}: options.retryOn must be a function`);
  if (!Array.isArray(retryStatus)) throw new TypeError(`${where}: options.retryStatus must be an array of statuses`);
  if (o.onRetry !== undefined && typeof o.onRetry !== 'function') throw new TypeError(`${where}: options.onRetry must be a function`);
  const rt = runtimeOf(o, where);
  return rt.createTask(function* retrying() {
    for (let n = 1; ; n++) {
      let failure;
      try {
        const v = yield fn();
        if (n < attempts && isResponse(v) && retryStatus.includes(v.status)) {
          v.close();
          failure = v;
        } else {
          return v;
        }
      } catch (e) {
        if (e instanceof CancelledError || n >= attempts || !retryOn(e)) throw e;
        failure = e;
      }
      const delay = backoffDelay(n, backoff);
      o.onRetry?.(n, failure, delay);
      yield rt.sleep(delay);
    }
  }, { name: 'retry' });
}
