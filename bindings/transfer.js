// Marking values to be transferred (moved), not copied, between threads:
// `transfer(buffer)` in a job's arguments (main thread -> worker) or in a
// job's return value (worker -> main thread). Piscina calls this move().
//
// The mark is recognised by a registered symbol, so marks made by separate
// copies of this module (main thread, worker) are the same.

const MARK = Symbol.for('wasyncio.transfer');

/**
 * Mark value so that the listed transferables (default: the value's own
 * ArrayBuffer) are moved to the other thread instead of copied. The sender
 * can no longer use a moved buffer (it is detached).
 * @template T
 * @param {T} value an ArrayBuffer, a typed array / DataView, or any
 *   structured-cloneable value together with an explicit list
 * @param {Transferable[]} [list] what to move (default: the value's buffer)
 * @returns {T} a marked wrapper, unwrapped on the other side
 */
export function transfer(value, list) {
  if (list !== undefined && !Array.isArray(list)) throw new TypeError('transfer(value, list): list must be an array');
  if (list === undefined) {
    if (value instanceof ArrayBuffer) list = [value];
    else if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) list = [value.buffer];
    else if (isTransferable(value)) list = [value];
    else throw new TypeError('transfer(value): value has no ArrayBuffer to move; pass the list of transferables');
  }
  return /** @type {any} */ ({ [MARK]: list, value });
}

function isTransferable(v) {
  return (typeof MessagePort !== 'undefined' && v instanceof MessagePort) ||
    (typeof ImageBitmap !== 'undefined' && v instanceof ImageBitmap) ||
    (typeof OffscreenCanvas !== 'undefined' && v instanceof OffscreenCanvas) ||
    (typeof ReadableStream !== 'undefined' && v instanceof ReadableStream);
}

/** True if v was made by transfer(). */
export function isTransfer(v) {
  return v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, MARK);
}

/**
 * Unwrap marks at the top level of a value or of an argument list; returns
 * [plain value, transfer list].
 * @param {unknown} v
 * @param {Transferable[]} [into]
 */
export function unwrapTransfer(v, into = []) {
  if (isTransfer(v)) {
    for (const t of v[MARK]) if (!into.includes(t)) into.push(t);
    return [v.value, into];
  }
  return [v, into];
}

/** unwrapTransfer over each element of an array of arguments. */
export function unwrapArgs(args) {
  const list = [];
  const out = args.map((a) => unwrapTransfer(a, list)[0]);
  return [out, list];
}
