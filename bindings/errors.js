// Error classes (asyncio's names) and the mapping between C status codes
// (WA_E... in wasyncio.h) and JS errors.

import { codes } from './constants.js';

/** C status codes (WA_OK, WA_E... of wasyncio.h; generated). */
export { codes };

const codeNames = new Map(Object.entries(codes).map(([k, v]) => [v, k]));

function named(cls, name) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  return cls;
}

/** A failure reported by the C runtime; `code` is a WA_E... status code. */
export class WasyncioError extends Error {
  /**
   * @param {string} message
   * @param {number} [code]
   * @param {ErrorOptions} [options]
   */
  constructor(message, code = codes.EFAILED, options) {
    super(message, options);
    /** @type {number} */
    this.code = code;
    /** @type {string} */
    this.codeName = codeNames.get(code) || (code > 0 ? 'EAPP' : 'EUNKNOWN');
  }
}
named(WasyncioError, 'WasyncioError');

/** The task or the operation was cancelled (asyncio.CancelledError). */
export class CancelledError extends Error {}
named(CancelledError, 'CancelledError');

/** A deadline passed (asyncio.TimeoutError). */
export class TimeoutError extends Error {}
named(TimeoutError, 'TimeoutError');

/** Operation not allowed in the object's current state (asyncio.InvalidStateError). */
export class InvalidStateError extends Error {}
named(InvalidStateError, 'InvalidStateError');

/** getNowait() on an empty queue (asyncio.QueueEmpty). */
export class QueueEmpty extends Error {}
named(QueueEmpty, 'QueueEmpty');

/** putNowait() on a full queue (asyncio.QueueFull). */
export class QueueFull extends Error {}
named(QueueFull, 'QueueFull');

/** The queue was shut down (asyncio.QueueShutDown). */
export class QueueShutDown extends Error {}
named(QueueShutDown, 'QueueShutDown');

/** The barrier is broken (asyncio.BrokenBarrierError). */
export class BrokenBarrierError extends Error {}
named(BrokenBarrierError, 'BrokenBarrierError');

// ---- issue 5 (bindings/sync.js): asyncio's ValueError ----------------------
/**
 * A value out of bounds for the object's state (Python's ValueError):
 * releasing a BoundedSemaphore too often, taskDone() called more times than
 * items were put. A WasyncioError with code EVALUE.
 */
export class ValueError extends WasyncioError {
  /**
   * @param {string} [message]
   * @param {ErrorOptions} [options]
   */
  constructor(message, options) {
    super(message ?? '', codes.EVALUE, options);
  }
}
named(ValueError, 'ValueError');
// ---------------------------------------------------------------------------

const byCode = new Map([
  [codes.ECANCELLED, CancelledError],
  [codes.ETIMEDOUT, TimeoutError],
  [codes.ESTATE, InvalidStateError],
  [codes.EEMPTY, QueueEmpty],
  [codes.EFULL, QueueFull],
  [codes.ESHUTDOWN, QueueShutDown],
  [codes.EBROKEN, BrokenBarrierError],
  [codes.EVALUE, ValueError],
]);

/**
 * The JS error for a C status code.
 * @param {number} code
 * @param {string | null} [message]
 * @returns {Error}
 */
export function errorFromStatus(code, message) {
  const cls = byCode.get(code);
  if (cls) return new cls(message || '');
  if (code === codes.EINVAL) return new TypeError(message || 'invalid argument');
  return new WasyncioError(message || describe(code), code);
}

/**
 * The C status code that stands for a JS error.
 * @param {unknown} err
 * @returns {number}
 */
export function statusOf(err) {
  if (err instanceof WasyncioError) return err.code || codes.EFAILED;
  for (const [code, cls] of byCode) if (err instanceof cls) return code;
  return codes.EHOST;
}

/**
 * A short text for a status code.
 * @param {number} code
 */
export function describe(code) {
  return codeNames.get(code) || (code > 0 ? 'application error ' + code : 'error ' + code);
}

/**
 * The message to hand to C for a JS error.
 * @param {unknown} err
 */
export function messageOf(err) {
  if (err instanceof Error) return err.message ? `${err.name}: ${err.message}` : err.name;
  try {
    return String(err);
  } catch {
    return 'unprintable error';
  }
}
