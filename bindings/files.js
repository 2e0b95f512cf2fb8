// Files on the runtime (aiofiles' shape): the C file operations
// (runtime/src/fs.c, wasyncio/fs.h) as runtime operations. Under Node they
// run on Node's fs asynchronously; in browsers on the Origin Private File
// System (sync access handles in workers, the async API on the main
// thread); hosts without a file system fail with WasyncioError EHOST.
//
//   const f = yield files.open('out/page.html', 'w');   // generator task
//   yield f.write(html);
//   yield f.close();
//   const text = await files.readFile('out/page.html', { encoding: 'utf8' });
//   for await (const chunk of await files.open('big.bin')) ...   // streamed
//
// Cancelling the awaiting task (or aborting `{ signal }`) withdraws the
// operation: a pending open closes what it opened, a pending read does not
// move the position. Failures are WasyncioErrors: codeName 'ENOENT' (no
// such file or directory), 'EEXIST', 'EIO' (the message says why).
import { Op } from './ops.js';
import { errorFromStatus, codes } from './errors.js';
import { readChunks } from './iterate.js';
import { checkOptions } from './options.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const F = { READ: 1, WRITE: 2, CREATE: 4, TRUNCATE: 8, APPEND: 16, EXCLUSIVE: 32 };
/** Node-style open flags -> wasyncio/fs.h flags. */
const MODES = {
  r: F.READ,
  'r+': F.READ | F.WRITE,
  w: F.WRITE | F.CREATE | F.TRUNCATE,
  'w+': F.READ | F.WRITE | F.CREATE | F.TRUNCATE,
  a: F.WRITE | F.CREATE | F.APPEND,
  'a+': F.READ | F.WRITE | F.CREATE | F.APPEND,
  wx: F.WRITE | F.CREATE | F.TRUNCATE | F.EXCLUSIVE,
  'wx+': F.READ | F.WRITE | F.CREATE | F.TRUNCATE | F.EXCLUSIVE,
  ax: F.WRITE | F.CREATE | F.APPEND | F.EXCLUSIVE,
};

function checkPath(where, path, name = 'path') {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${where}: ${name} must be a non-empty string`);
  if (path.includes('\0')) throw new TypeError(`${where}: ${name} must not contain NUL`);
  return path;
}

function toBytes(where, data) {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`${where}: data must be a string, an ArrayBuffer or a typed array`);
}

/** A C call that starts an op with (strings..., numbers...) -> its future. */
class FsOp extends Op {
  constructor(rt, where, start, convert, options) {
    super(rt, options);
    this._where = where;
    this._startFn = start;
    this._conv = convert;
  }

  _start() {
    const rt = this._rt;
    const rc = this._startFn(rt._c, rt._mem, rt._mem.cell);
    if (rc !== 0) throw errorFromStatus(rc, `${this._where}: ${rc === codes.EINVAL ? 'invalid argument' : 'failed'}`);
    return rt._mem.out();
  }

  _convert(v) {
    return this._conv ? this._conv(v) : undefined;
  }
}

/** Calls fn(c, mem, cell, ...cstrings) with temporary C strings. */
function withStrings(mem, strs, fn) {
  const ps = strs.map((s) => mem.cstr(s));
  try {
    return fn(...ps);
  } finally {
    for (const p of ps) mem.free(p);
  }
}

/** files.open(): resolves to a FileHandle. */
class OpenOp extends FsOp {
  constructor(rt, path, flags, mode, options) {
    super(rt, `open(${JSON.stringify(path)})`, (c, mem, cell) => withStrings(mem, [path], (p) => c.wa_file_open_start(p, flags, cell)), null, options);
    this._path = path;
    this._mode = mode;
  }

  _outcome(rt, ptr) {
    if (rt._c.wa_future_status(ptr) !== 0) return rt._views.readOutcome(ptr);
    const rc = rt._c.wa_file_open_finish(ptr, rt._mem.cell);
    if (rc !== 0) return { ok: false, error: errorFromStatus(rc, 'open: the file was already taken'), cancelled: rc === codes.ECANCELLED };
    return { ok: true, value: new FileHandle(rt, rt._mem.out(), this._path, this._mode) };
  }

  _discard(file) {
    file.close();
  }
}

/** file.read(): the next chunk (a Uint8Array) or null at the end. */
class ReadOp extends Op {
  constructor(file, max, options) {
    super(file._rt, options);
    if (!Number.isInteger(max) || max < 1 || max > 1 << 30) throw new RangeError('read(maxBytes): maxBytes must be an integer in [1, 2^30]');
    this._file = file;
    this._max = max;
    this._buf = 0;
  }

  _start() {
    const rt = this._rt;
    const c = rt._c;
    const fp = this._file._live('read');
    this._buf = c.wa_js_malloc(this._max);
    if (!this._buf) throw new RangeError('read: out of wasm memory');
    const rc = c.wa_file_read_start(fp, this._buf, this._max, rt._mem.cell);
    if (rc !== 0) {
      c.wa_js_free(this._buf);
      this._buf = 0;
      throw errorFromStatus(rc, rc === codes.ESTATE ? `read: another operation on ${this._file.path} is pending` : 'read failed');
    }
    return rt._mem.out();
  }

  _outcome(rt, ptr) {
    const c = rt._c;
    try {
      if (c.wa_future_status(ptr) !== 0) return rt._views.readOutcome(ptr);
      const rc = c.wa_file_read_finish(ptr, rt._mem.cell);
      if (rc !== 0) return { ok: false, error: errorFromStatus(rc, 'read failed'), cancelled: rc === codes.ECANCELLED };
      const n = rt._mem.out();
      return { ok: true, value: n === 0 ? null : rt.M.HEAPU8.slice(this._buf, this._buf + n) };
    } finally {
      c.wa_js_free(this._buf); // the host no longer writes into it
      this._buf = 0;
    }
  }
}

/**
 * An open file: read() / write() / close() as runtime operations, and an
 * async iterable of its chunks. Close it (close(), `await using`): a
 * forgotten handle keeps the host file open.
 */
export class FileHandle {
  /** @internal */
  constructor(rt, ptr, path, mode) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._ptr = ptr;
    /** The path it was opened with. */
    this.path = path;
    /** The mode it was opened with ('r', 'w', 'a' ...). */
    this.mode = mode;
  }

  /** True once close() was called. */
  get closed() {
    return this._ptr === 0;
  }

  /** @internal */
  _live(what) {
    if (!this._ptr) throw new TypeError(`${what}: the file ${this.path} is closed`);
    return this._ptr;
  }

  /**
   * The next chunk at the file's position (at most maxBytes), or null at
   * the end of the file.
   * @param {number} [maxBytes]
   * @param {{ signal?: AbortSignal }} [options]
   */
  read(maxBytes = 65536, options) {
    return new ReadOp(this, maxBytes, checkOptions('read(maxBytes, options)', options, ['signal']));
  }

  /**
   * Write data (string: UTF-8) at the file's position (the end in 'a'
   * modes); resolves to the number of bytes written.
   * @param {string | ArrayBuffer | ArrayBufferView} data
   * @param {{ signal?: AbortSignal }} [options]
   */
  write(data, options) {
    const bytes = toBytes('write(data)', data);
    return new FsOp(this._rt, `write(${this.path})`, (c, mem, cell) => {
      const fp = this._live('write');
      const p = c.wa_js_malloc(Math.max(1, bytes.length));
      if (!p) throw new RangeError('write: out of wasm memory');
      try {
        this._rt.M.HEAPU8.set(bytes, p);
        const rc = c.wa_file_write_start(fp, p, bytes.length, cell);
        if (rc === codes.ESTATE) throw errorFromStatus(rc, `write: another operation on ${this.path} is pending`);
        return rc;
      } finally {
        c.wa_js_free(p); // copied by the host
      }
    }, () => bytes.length, checkOptions('write(data, options)', options, ['signal']));
  }

  /**
   * Close the file (a pending read or write is cancelled); the operation
   * completes once written data is committed. Closing twice is a no-op.
   */
  close() {
    const ptr = this._ptr;
    this._ptr = 0;
    return new FsOp(this._rt, `close(${this.path})`, (c, mem, cell) => (ptr ? c.wa_file_close_start(ptr, cell) : this._doneFuture(c, cell)), null);
  }

  /** @internal an already-done future (closing a closed file) */
  _doneFuture(c, cell) {
    const f = c.wa__js_future_new();
    if (!f) return codes.ENOMEM;
    c.wa_future_set_value(f, 0);
    this._rt.M.HEAPU32[cell >> 2] = f;
    return 0;
  }

  /** Chunks from the position to the end of the file, for `for await`; closes the file at the end. */
  [Symbol.asyncIterator]() {
    return readChunks(this, () => (this._ptr ? this.close() : undefined));
  }

  async [Symbol.asyncDispose]() {
    if (this._ptr) await this.close();
  }
}

/** The file operations of one runtime (`runtime.files`, or `files` from the package). */
export class Files {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
  }

  /**
   * Open a file. mode: 'r' (default), 'r+', 'w', 'w+', 'a', 'a+', 'wx',
   * 'wx+', 'ax' (as Node's fs flags). Resolves to a FileHandle.
   * @param {string} path
   * @param {string} [mode]
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {Op<FileHandle>}
   */
  open(path, mode = 'r', options) {
    checkPath('files.open(path, mode)', path);
    if (!Object.hasOwn(MODES, mode)) throw new TypeError(`files.open(path, mode): mode must be one of ${Object.keys(MODES).join(', ')}`);
    return new OpenOp(this._rt, path, MODES[mode], mode, checkOptions('files.open(path, mode, options)', options, ['signal']));
  }

  /**
   * The whole file: a Uint8Array, or a string with `{ encoding: 'utf8' }`.
   * @param {string} path
   * @param {{ encoding?: 'utf8', signal?: AbortSignal }} [options]
   */
  readFile(path, options) {
    const where = 'files.readFile(path, options)';
    checkPath(where, path);
    const o = checkOptions(where, options, ['encoding', 'signal']);
    if (o.encoding !== undefined && o.encoding !== 'utf8' && o.encoding !== 'utf-8') throw new TypeError(`${where}: options.encoding must be 'utf8'`);
    const text = o.encoding !== undefined;
    return new FsOp(this._rt, `readFile(${JSON.stringify(path)})`,
      (c, mem, cell) => withStrings(mem, [path], (p) => c.wa_fs_read_file_start(p, cell)),
      (v) => (text ? decoder.decode(v) : v), { signal: o.signal });
  }

  /**
   * Create or replace a file with data (a string is written as UTF-8).
   * @param {string} path
   * @param {string | ArrayBuffer | ArrayBufferView} data
   * @param {{ signal?: AbortSignal }} [options]
   */
  writeFile(path, data, options) {
    const where = 'files.writeFile(path, data)';
    checkPath(where, path);
    const bytes = toBytes(where, data);
    const o = checkOptions(where, options, ['signal']);
    return new FsOp(this._rt, `writeFile(${JSON.stringify(path)})`, (c, mem, cell) => withStrings(mem, [path], (p) => {
      const d = c.wa_js_malloc(Math.max(1, bytes.length));
      if (!d) throw new RangeError('writeFile: out of wasm memory');
      try {
        this._rt.M.HEAPU8.set(bytes, d);
        return c.wa_fs_write_file_start(p, d, bytes.length, cell);
      } finally {
        c.wa_js_free(d);
      }
    }), null, o);
  }

  /**
   * { size, mtimeMs, isDirectory, isFile }.
   * @param {string} path
   * @param {{ signal?: AbortSignal }} [options]
   */
  stat(path, options) {
    checkPath('files.stat(path)', path);
    return new FsOp(this._rt, `stat(${JSON.stringify(path)})`,
      (c, mem, cell) => withStrings(mem, [path], (p) => c.wa_fs_stat_start(p, cell)),
      (v) => JSON.parse(v), checkOptions('files.stat(path, options)', options, ['signal']));
  }

  /**
   * True if path exists (a file or a directory).
   * @param {string} path
   */
  async exists(path) {
    try {
      await this.stat(path);
      return true;
    } catch (e) {
      if (e?.code === codes.ENOENT) return false;
      throw e;
    }
  }

  /**
   * The names in a directory, sorted.
   * @param {string} path
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {Op<string[]>}
   */
  list(path, options) {
    checkPath('files.list(path)', path);
    return new FsOp(this._rt, `list(${JSON.stringify(path)})`,
      (c, mem, cell) => withStrings(mem, [path], (p) => c.wa_fs_list_start(p, cell)),
      (v) => (v ? v.split('/').sort() : []), checkOptions('files.list(path, options)', options, ['signal']));
  }

  /**
   * Remove a file or an empty directory; `{ recursive: true }`: a
   * directory with everything in it.
   * @param {string} path
   * @param {{ recursive?: boolean, signal?: AbortSignal }} [options]
   */
  remove(path, options) {
    checkPath('files.remove(path)', path);
    const o = checkOptions('files.remove(path, options)', options, ['recursive', 'signal']);
    return new FsOp(this._rt, `remove(${JSON.stringify(path)})`,
      (c, mem, cell) => withStrings(mem, [path], (p) => c.wa_fs_remove_start(p, o.recursive ? 1 : 0, cell)), null, { signal: o.signal });
  }

  /**
   * Make a directory; `{ recursive: true }`: with its parents, and no
   * error if it exists.
   * @param {string} path
   * @param {{ recursive?: boolean, signal?: AbortSignal }} [options]
   */
  mkdir(path, options) {
    checkPath('files.mkdir(path)', path);
    const o = checkOptions('files.mkdir(path, options)', options, ['recursive', 'signal']);
    return new FsOp(this._rt, `mkdir(${JSON.stringify(path)})`,
      (c, mem, cell) => withStrings(mem, [path], (p) => c.wa_fs_mkdir_start(p, o.recursive ? 1 : 0, cell)), null, { signal: o.signal });
  }

  /**
   * Rename (move) a file or a directory.
   * @param {string} from
   * @param {string} to
   * @param {{ signal?: AbortSignal }} [options]
   */
  rename(from, to, options) {
    checkPath('files.rename(from, to)', from, 'from');
    checkPath('files.rename(from, to)', to, 'to');
    return new FsOp(this._rt, `rename(${JSON.stringify(from)})`,
      (c, mem, cell) => withStrings(mem, [from, to], (a, b) => c.wa_fs_rename_start(a, b, cell)),
      null, checkOptions('files.rename(from, to, options)', options, ['signal']));
  }
}
