// JS values <-> wa_value_t in wasm memory (see wasyncio.h, section "JS
// interop"): undefined is the NULL pointer; null, booleans, numbers, strings
// (UTF-8) and bytes are copied; every other JS value stays on the JS side and
// crosses as a WA_VALUE_JS handle.

import { WA, layout } from './constants.js';

export const VALUE_NULL = WA.VALUE_NULL;
export const VALUE_BOOL = WA.VALUE_BOOL;
export const VALUE_NUMBER = WA.VALUE_NUMBER;
export const VALUE_STRING = WA.VALUE_STRING;
export const VALUE_BYTES = WA.VALUE_BYTES;
export const VALUE_JS = WA.VALUE_JS;
export const VALUE_FUTURE = WA.VALUE_FUTURE;

/** Layout of wa_value_t: type i32 @0, len u32 @4, union @8 (f64 or pointer);
 * a string's or bytes' payload follows the struct. */
const HEADER = layout.wa_value_t.size;
const { type: TYPE, len: LEN, u: U } = layout.wa_value_t;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Marshals values for one module instance.
 */
export class ValueCodec {
  /**
   * @param {any} M the Emscripten module
   * @param {ReturnType<import('./bridge.js').cFunctions>} c its C functions
   * @param {{ futureToC: (v: unknown) => number, futureFromC: (ptr: number) => unknown,
   *           isFutureLike: (v: unknown) => boolean }} hooks from the Runtime
   */
  constructor(M, c, hooks) {
    this.M = M;
    this.c = c;
    this.hooks = hooks;
    /** @type {Map<number, unknown>} WA_VALUE_JS handles */
    this.handles = new Map();
    this.nextHandle = 1;
  }

  /**
   * Copy a JS value into a new wa_value_t; returns its address (0 for undefined).
   * The caller (or whoever it hands it to) owns it.
   * @param {unknown} v
   * @returns {number}
   */
  toC(v) {
    const M = this.M;
    switch (typeof v) {
      case 'undefined':
        return 0;
      case 'number':
        return this.check(this.c.wa_value_number(v));
      case 'boolean':
        return this.check(this.c.wa_value_bool(v ? 1 : 0));
      case 'string': {
        // UTF-8 is at most 3 bytes per UTF-16 unit
        if (v.length < 1024) {
          const n = M.lengthBytesUTF8(v);
          const p = this.alloc(VALUE_STRING, n + 1);
          M.stringToUTF8(v, p + HEADER, n + 1);
          M.HEAPU32[(p + LEN) >> 2] = n;
          return p;
        }
        const bytes = encoder.encode(v);
        const p = this.alloc(VALUE_STRING, bytes.length + 1);
        M.HEAPU8.set(bytes, p + HEADER);
        M.HEAPU8[p + HEADER + bytes.length] = 0;
        M.HEAPU32[(p + LEN) >> 2] = bytes.length;
        return p;
      }
      case 'object':
        if (v === null) return this.check(this.c.wa_value_null());
        if (this.hooks.isFutureLike(v)) {
          const p = this.alloc(VALUE_FUTURE, 0);
          M.HEAPU32[(p + U) >> 2] = this.hooks.futureToC(v); // the value owns that reference
          return p;
        }
        if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
          const src = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
          const p = this.alloc(VALUE_BYTES, src.length || 1);
          M.HEAPU8.set(src, p + HEADER);
          M.HEAPU32[(p + LEN) >> 2] = src.length;
          return p;
        }
      // fall through: other objects stay on the JS side
      default:
        return this.handleToC(v);
    }
  }

  /** A WA_VALUE_JS value holding v itself (never copied). */
  handleToC(v) {
    const h = this.nextHandle++;
    if (this.nextHandle > 0xfffffff0) this.nextHandle = 1;
    this.handles.set(h, v);
    const p = this.alloc(VALUE_JS, 0);
    this.M.HEAPU32[(p + U) >> 2] = h;
    return p;
  }

  /** @returns {number} */
  alloc(type, payload) {
    const p = this.check(this.c.wa__value_alloc(type, payload));
    return p;
  }

  check(p) {
    if (!p) throw new RangeError('wasyncio: out of wasm memory');
    return p;
  }

  /**
   * Read a wa_value_t (not freed).
   * @param {number} p address, 0 for undefined
   */
  fromC(p) {
    if (!p) return undefined;
    const M = this.M;
    const type = M.HEAP32[(p + TYPE) >> 2];
    switch (type) {
      case VALUE_NULL:
        return null;
      case VALUE_BOOL:
        return M.HEAP32[(p + U) >> 2] !== 0;
      case VALUE_NUMBER:
        return M.HEAPF64[(p + U) >> 3];
      case VALUE_STRING: {
        const len = M.HEAPU32[(p + LEN) >> 2];
        const at = M.HEAPU32[(p + U) >> 2];
        return decoder.decode(M.HEAPU8.subarray(at, at + len));
      }
      case VALUE_BYTES: {
        const len = M.HEAPU32[(p + LEN) >> 2];
        const at = M.HEAPU32[(p + U) >> 2];
        return M.HEAPU8.slice(at, at + len);
      }
      case VALUE_JS:
        return this.handles.get(M.HEAPU32[(p + U) >> 2]);
      case VALUE_FUTURE:
        return this.hooks.futureFromC(M.HEAPU32[(p + U) >> 2]);
      default:
        return undefined;
    }
  }

  /** Free a wa_value_t made by toC that nobody took. */
  free(p) {
    if (p) this.c.wa_value_free(p);
  }

  /** Called by C (wa_value_free) when a WA_VALUE_JS value dies. */
  release(h) {
    this.handles.delete(h);
  }
}
