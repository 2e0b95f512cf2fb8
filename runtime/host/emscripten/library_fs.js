// Files for wasyncio on the host (a --js-library; C side: runtime/src/fs.c,
// interface: runtime/src/fs_host.h).
//
// Two backends with one shape (every call returns a promise):
//   node  node:fs/promises (asynchronous: the loop never blocks), taken
//         with process.getBuiltinModule (Node >= 20.16), so bundlers see no
//         import of a Node module;
//   opfs  the Origin Private File System of browsers: in workers, open
//         files are sync access handles (fast, exclusive); on the main
//         thread, reads go through File slices and writes through a
//         FileSystemWritableFileStream committed at close.
// Requests: WAFs.reqs maps id -> { op, kind, buf, cap }. An entry is
// removed when its promise settles or when C withdraws it
// (wa_host_fs_cancel); a settling promise whose id is gone is ignored,
// except that a file it opened is closed. Bytes go into wasm memory only
// for live requests; HEAPU8 is read again after every allocation.
// OPFS opens are serialized per path (WAFs.busy): a sync access handle is
// exclusive, so an open (or a writeFile) waits until the earlier one of
// that path has settled (and, if a withdrawn open, closed what it opened)
// and until a pending close of it is done, instead of failing on a handle
// about to go away. A file held open by a live handle still fails to open
// again (EIO), as OPFS says: waiting for that close could wait forever.
mergeInto(LibraryManager.library, {
  $WAFs__postset: 'WAFs.reqs = new Map(); WAFs.files = new Map(); WAFs.busy = new Map();',
  $WAFs: {
    reqs: null,
    files: null, // handle -> backend file object { pos, append, key, ... }
    busy: null, // path key -> promise settled once that path's pending open / close is over
    nextId: 1,
    nextHandle: 1,
    backendCache: undefined,
    OPEN: 1, READ: 2, WRITE: 3, CLOSE: 4, READ_FILE: 5, WRITE_FILE: 6, STAT: 7, LIST: 8,
    REMOVE: 9, MKDIR: 10, RENAME: 11,
    F_READ: 1, F_WRITE: 2, F_CREATE: 4, F_TRUNCATE: 8, F_APPEND: 16, F_EXCLUSIVE: 32,
    EINVAL: -3, ENOMEM: -4, EHOST: -13, ENOENT: -19, EEXIST: -20, EIO: -21,
    noop: function () {},
    // The key that serializes request kind on B (null: none): opens,
    // whole-file writes and closes of one OPFS file share one.
    busyKey: function (B, kind, path, handle) {
      if (!B.pathKey) return null;
      if (kind === WAFs.OPEN || kind === WAFs.WRITE_FILE) return B.pathKey(path);
      if (kind === WAFs.CLOSE) return (WAFs.files.get(handle) || {}).key || null;
      return null;
    },
    // Keep key busy until what kept it busy before and promise `until` have settled.
    occupy: function (key, before, until) {
      var done = until.then(WAFs.noop, WAFs.noop);
      var tail = before ? before.then(function () { return done; }) : done;
      WAFs.busy.set(key, tail);
      tail.then(function () { if (WAFs.busy.get(key) === tail) WAFs.busy.delete(key); });
    },
    status: function (err) {
      var c = err && (err.code || err.name);
      if (c === 'ENOENT' || c === 'NotFoundError') return WAFs.ENOENT;
      if (c === 'EEXIST') return WAFs.EEXIST;
      return WAFs.EIO;
    },
    error: function (code, message) {
      var e = new Error(message);
      e.code = code;
      return e;
    },
    cstr: function (s) {
      var bytes = new TextEncoder().encode(s);
      var p = _wa__fs_alloc(bytes.length + 1);
      if (!p) return 0;
      HEAPU8.set(bytes, p);
      HEAPU8[p + bytes.length] = 0;
      return p;
    },
    // Which backend this host has (null: none).
    backend: function () {
      if (WAFs.backendCache !== undefined) return WAFs.backendCache;
      var b = null;
      var proc = typeof process === 'object' && process ? process : null;
      if (proc && proc.versions && proc.versions.node) {
        var fsp = typeof proc.getBuiltinModule === 'function' ? proc.getBuiltinModule('fs/promises') : null;
        var fsc = typeof proc.getBuiltinModule === 'function' ? proc.getBuiltinModule('fs').constants : null;
        if (fsp) b = WAFs.nodeBackend(fsp, fsc);
      } else if (typeof navigator === 'object' && navigator.storage && typeof navigator.storage.getDirectory === 'function') {
        b = WAFs.opfsBackend();
      }
      WAFs.backendCache = b;
      return b;
    },

    nodeBackend: function (fsp, C) {
      return {
        name: 'node',
        open: function (path, flags) {
          var o = (flags & WAFs.F_READ) && (flags & WAFs.F_WRITE) ? C.O_RDWR : (flags & WAFs.F_WRITE) ? C.O_WRONLY : C.O_RDONLY;
          if (flags & WAFs.F_CREATE) o |= C.O_CREAT;
          if (flags & WAFs.F_TRUNCATE) o |= C.O_TRUNC;
          if (flags & WAFs.F_APPEND) o |= C.O_APPEND;
          if (flags & WAFs.F_EXCLUSIVE) o |= C.O_EXCL;
          return fsp.open(path, o, 0o666).then(function (fh) {
            return { fh: fh, pos: 0, append: !!(flags & WAFs.F_APPEND) };
          });
        },
        read: function (f, cap) {
          var b = new Uint8Array(cap);
          return f.fh.read(b, 0, cap, f.pos).then(function (r) { return b.subarray(0, r.bytesRead); });
        },
        write: function (f, bytes) {
          var off = 0;
          var step = function () {
            if (off >= bytes.length) return bytes.length;
            return f.fh.write(bytes, off, bytes.length - off, f.append ? null : f.pos).then(function (r) {
              off += r.bytesWritten;
              if (!f.append) f.pos += r.bytesWritten;
              return step();
            });
          };
          return Promise.resolve().then(step);
        },
        close: function (f) { return f.fh.close(); },
        readFile: function (path) {
          return fsp.readFile(path).then(function (b) { return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); });
        },
        writeFile: function (path, bytes) { return fsp.writeFile(path, bytes); },
        stat: function (path) {
          return fsp.stat(path).then(function (s) {
            return { size: s.size, mtime: s.mtimeMs, type: s.isFile() ? 1 : s.isDirectory() ? 2 : 0 };
          });
        },
        list: function (path) { return fsp.readdir(path); },
        remove: function (path, recursive) {
          if (recursive) {
            return fsp.lstat(path).then(function () { return fsp.rm(path, { recursive: true }); });
          }
          return fsp.lstat(path).then(function (s) { return s.isDirectory() ? fsp.rmdir(path) : fsp.unlink(path); });
        },
        mkdir: function (path, recursive) {
          return fsp.mkdir(path, { recursive: recursive }).then(function () {
            return recursive ? fsp.stat(path).then(function (s) {
              if (!s.isDirectory()) throw WAFs.error('EEXIST', 'mkdir ' + path + ': exists and is not a directory');
            }) : undefined;
          });
        },
        rename: function (from, to) { return fsp.rename(from, to); },
      };
    },

    opfsBackend: function () {
      var rootP = null;
      var inWorker = typeof WorkerGlobalScope !== 'undefined' && typeof FileSystemFileHandle !== 'undefined' &&
        typeof FileSystemFileHandle.prototype.createSyncAccessHandle === 'function';
      var root = function () { return rootP || (rootP = navigator.storage.getDirectory()); };
      var parts = function (path) {
        var ps = String(path).split('/').filter(function (s) { return s && s !== '.'; });
        if (ps.indexOf('..') >= 0) throw WAFs.error('EINVAL', "'..' is not supported in OPFS paths: " + path);
        return ps;
      };
      // The directory at parts ps (create: make missing ones).
      var dirAt = function (ps, create) {
        return ps.reduce(function (p, name) {
          return p.then(function (d) { return d.getDirectoryHandle(name, { create: create }); });
        }, root());
      };
      var notFound = function (what, path) { return WAFs.error('ENOENT', what + ' ' + path + ': no such file or directory'); };
      var wrap = function (what, path) {
        return function (e) {
          if (e && (e.name === 'NotFoundError')) throw notFound(what, path);
          if (e && e.name === 'TypeMismatchError') throw WAFs.error('EIO', what + ' ' + path + ': ' + (e.message || 'not a file / directory'));
          throw e;
        };
      };
      // { dir, name } of path's last part (its parent must exist).
      var split = function (path) {
        var ps = parts(path);
        if (!ps.length) return Promise.reject(WAFs.error('EIO', path + ': the OPFS root is a directory'));
        var name = ps.pop();
        return dirAt(ps, false).then(function (d) { return { dir: d, name: name }; });
      };
      var fileHandle = function (path, create) {
        return split(path).then(function (s) { return s.dir.getFileHandle(s.name, { create: create }); });
      };
      return {
        name: 'opfs',
        pathKey: function (path) {
          try { return parts(path).join('/'); } catch (e) { return null; }
        },
        open: function (path, flags) {
          var write = !!(flags & WAFs.F_WRITE);
          return split(path).then(function (s) {
            var get = function () { return s.dir.getFileHandle(s.name, { create: !!(flags & WAFs.F_CREATE) }); };
            if (flags & WAFs.F_EXCLUSIVE) {
              return s.dir.getFileHandle(s.name).then(function () {
                throw WAFs.error('EEXIST', 'open ' + path + ': exists already');
              }, function (e) { if (e && e.code === 'EEXIST') throw e; return get(); });
            }
            return get();
          }).then(function (fh) {
            var f = { fh: fh, pos: 0, append: !!(flags & WAFs.F_APPEND), sah: null, writable: null };
            if (inWorker) {
              return fh.createSyncAccessHandle().then(function (sah) {
                f.sah = sah;
                if (flags & WAFs.F_TRUNCATE) sah.truncate(0);
                return f;
              });
            }
            if (!write) return f;
            return fh.createWritable({ keepExistingData: !(flags & WAFs.F_TRUNCATE) }).then(function (w) {
              f.writable = w;
              return (f.append ? fh.getFile().then(function (file) { f.pos = file.size; }) : Promise.resolve()).then(function () { return f; });
            });
          }).catch(wrap('open', path));
        },
        read: function (f, cap) {
          if (f.sah) {
            var b = new Uint8Array(cap);
            return Promise.resolve(b.subarray(0, f.sah.read(b, { at: f.pos })));
          }
          return f.fh.getFile().then(function (file) { return file.slice(f.pos, f.pos + cap).arrayBuffer(); })
            .then(function (ab) { return new Uint8Array(ab); });
        },
        write: function (f, bytes) {
          if (f.sah) {
            var at = f.append ? f.sah.getSize() : f.pos;
            var n = f.sah.write(bytes, { at: at });
            f.pos = at + n;
            return Promise.resolve(n);
          }
          if (!f.writable) return Promise.reject(WAFs.error('EIO', 'write: the file was not opened for writing'));
          var pos = f.pos;
          f.pos += bytes.length;
          return f.writable.write({ type: 'write', position: pos, data: bytes }).then(function () { return bytes.length; });
        },
        close: function (f) {
          if (f.sah) {
            f.sah.flush();
            f.sah.close();
            return Promise.resolve();
          }
          return f.writable ? f.writable.close() : Promise.resolve();
        },
        readFile: function (path) {
          return fileHandle(path, false).then(function (fh) { return fh.getFile(); })
            .then(function (file) { return file.arrayBuffer(); })
            .then(function (ab) { return new Uint8Array(ab); }, wrap('read', path));
        },
        writeFile: function (path, bytes) {
          return fileHandle(path, true).then(function (fh) {
            if (typeof fh.createWritable === 'function') {
              return fh.createWritable().then(function (w) {
                return w.write(bytes).then(function () { return w.close(); });
              });
            }
            return fh.createSyncAccessHandle().then(function (sah) {
              sah.truncate(0);
              sah.write(bytes, { at: 0 });
              sah.flush();
              sah.close();
            });
          }).catch(wrap('write', path));
        },
        stat: function (path) {
          var ps = parts(path);
          if (!ps.length) return Promise.resolve({ size: 0, mtime: 0, type: 2 });
          return split(path).then(function (s) {
            return s.dir.getFileHandle(s.name).then(function (fh) {
              return fh.getFile().then(function (file) { return { size: file.size, mtime: file.lastModified, type: 1 }; });
            }, function (e) {
              if (!e || (e.name !== 'TypeMismatchError' && e.name !== 'NotFoundError')) throw e;
              return s.dir.getDirectoryHandle(s.name).then(function () { return { size: 0, mtime: 0, type: 2 }; });
            });
          }).catch(wrap('stat', path));
        },
        list: function (path) {
          return dirAt(parts(path), false).then(function (d) {
            var names = [];
            var it = d.keys();
            var step = function () {
              return it.next().then(function (r) {
                if (r.done) return names;
                names.push(r.value);
                return step();
              });
            };
            return step();
          }).catch(wrap('list', path));
        },
        remove: function (path, recursive) {
          return split(path).then(function (s) {
            return s.dir.removeEntry(s.name, { recursive: recursive });
          }).catch(function (e) {
            if (e && e.name === 'InvalidModificationError') throw WAFs.error('EIO', 'remove ' + path + ': the directory is not empty');
            return wrap('remove', path)(e);
          });
        },
        mkdir: function (path, recursive) {
          var ps = parts(path);
          if (recursive) return dirAt(ps, true).then(WAFs.noop).catch(wrap('mkdir', path));
          return split(path).then(function (s) {
            return s.dir.getDirectoryHandle(s.name).then(function () {
              throw WAFs.error('EEXIST', 'mkdir ' + path + ': exists already');
            }, function (e) {
              if (e && e.code === 'EEXIST') throw e;
              if (e && e.name === 'TypeMismatchError') throw WAFs.error('EEXIST', 'mkdir ' + path + ': a file exists there');
              return s.dir.getDirectoryHandle(s.name, { create: true });
            });
          }).then(WAFs.noop).catch(wrap('mkdir', path));
        },
        rename: function (from, to) {
          return Promise.all([split(from), split(to)]).then(function (st) {
            var a = st[0];
            var b = st[1];
            return a.dir.getFileHandle(a.name).then(function (fh) {
              if (typeof fh.move === 'function') return fh.move(b.dir, b.name);
              // no move(): copy, then remove
              return fh.getFile().then(function (file) { return file.arrayBuffer(); }).then(function (ab) {
                return b.dir.getFileHandle(b.name, { create: true }).then(function (nh) { return nh.createWritable(); })
                  .then(function (w) { return w.write(new Uint8Array(ab)).then(function () { return w.close(); }); })
                  .then(function () { return a.dir.removeEntry(a.name); });
              });
            });
          }).catch(wrap('rename', from));
        },
      };
    },

    // Run request kind on backend B: a promise of its result.
    run: function (B, kind, path, path2, flags, handle, bytes, cap) {
      var f;
      if (kind === WAFs.READ || kind === WAFs.WRITE || kind === WAFs.CLOSE) {
        f = WAFs.files.get(handle);
        if (!f) return Promise.reject(WAFs.error('EIO', 'the file is closed'));
      }
      switch (kind) {
        case WAFs.OPEN: return B.open(path, flags);
        case WAFs.READ: return B.read(f, cap);
        case WAFs.WRITE: return B.write(f, bytes);
        case WAFs.CLOSE:
          WAFs.files.delete(handle);
          return B.close(f);
        case WAFs.READ_FILE: return B.readFile(path);
        case WAFs.WRITE_FILE: return B.writeFile(path, bytes);
        case WAFs.STAT: return B.stat(path);
        case WAFs.LIST: return B.list(path);
        case WAFs.REMOVE: return B.remove(path, !!(flags & 1));
        case WAFs.MKDIR: return B.mkdir(path, !!(flags & 1));
        case WAFs.RENAME: return B.rename(path, path2);
      }
      return Promise.reject(WAFs.error('EINVAL', 'unknown request'));
    },

    complete: function (B, id, req, res) {
      var live = WAFs.reqs.get(id) === req;
      WAFs.reqs.delete(id);
      if (req.kind === WAFs.OPEN) {
        if (!live) { // withdrawn: close what was opened for it (a promise: busy until then)
          return B.close(res).catch(WAFs.noop);
        }
        var h = WAFs.nextHandle++;
        WAFs.files.set(h, res);
        _wa__fs_done(req.op, id, 0, h, 0, 0, 0, 0, 0);
        return;
      }
      if (!live) return;
      var data = 0;
      var len = 0;
      var num = 0;
      var num2 = 0;
      var type = 0;
      if (req.kind === WAFs.READ) {
        HEAPU8.set(res, req.buf); // live: the buffer is still the caller's
        var f = WAFs.files.get(req.handle);
        if (f) f.pos += res.length;
        num = res.length;
      } else if (req.kind === WAFs.READ_FILE || req.kind === WAFs.LIST) {
        var bytes = req.kind === WAFs.LIST ? new TextEncoder().encode(res.join('/')) : res;
        data = _wa__fs_alloc(bytes.length + 1);
        if (!data) {
          _wa__fs_done(req.op, id, WAFs.ENOMEM, 0, 0, 0, 0, 0, 0);
          return;
        }
        HEAPU8.set(bytes, data); // fresh after the allocation
        HEAPU8[data + bytes.length] = 0;
        len = bytes.length;
      } else if (req.kind === WAFs.STAT) {
        num = res.size;
        num2 = res.mtime;
        type = res.type;
      } else if (req.kind === WAFs.WRITE) {
        num = res;
      }
      _wa__fs_done(req.op, id, 0, num, num2, type, data, len, 0);
    },

    fail: function (id, req, err) {
      var live = WAFs.reqs.get(id) === req;
      WAFs.reqs.delete(id);
      if (!live) return;
      var code = err && err.code === 'EINVAL' ? WAFs.EINVAL : WAFs.status(err);
      var msg = (err && err.message) || String(err);
      _wa__fs_done(req.op, id, code, 0, 0, 0, 0, 0, WAFs.cstr(msg));
    },
  },

  wa_host_fs_start__deps: ['$WAFs'],
  wa_host_fs_start: function (op, kind, path, path2, flags, handle, data, len, buf, cap) {
    var B = WAFs.backend();
    if (!B) return WAFs.EHOST;
    var p;
    var key = null;
    var before = null;
    try {
      var bytes = len ? HEAPU8.slice(data, data + len) : new Uint8Array(0);
      var pathS = path ? UTF8ToString(path) : '';
      var path2S = path2 ? UTF8ToString(path2) : '';
      key = WAFs.busyKey(B, kind, pathS, handle);
      var go = function () { return WAFs.run(B, kind, pathS, path2S, flags, handle, bytes, cap); };
      before = key === null ? null : WAFs.busy.get(key) || null;
      p = before && kind !== WAFs.CLOSE ? before.then(go) : go(); // a close never waits
      if (key !== null && kind === WAFs.OPEN) p = p.then(function (f) { f.key = key; return f; });
    } catch (e) {
      p = Promise.reject(e);
    }
    if (!op) { // nobody waits (a close without an op)
      p.catch(WAFs.noop);
      if (key !== null) WAFs.occupy(key, before, p);
      return 0;
    }
    var id;
    do {
      id = WAFs.nextId;
      WAFs.nextId = id >= 0x7ffffffe ? 1 : id + 1;
    } while (WAFs.reqs.has(id));
    var req = { op: op, kind: kind, buf: buf, cap: cap, handle: handle };
    WAFs.reqs.set(id, req);
    var settled = p.then(function (res) { return WAFs.complete(B, id, req, res); }, function (err) { WAFs.fail(id, req, err); });
    if (key !== null) WAFs.occupy(key, before, settled);
    return id;
  },

  wa_host_fs_cancel__deps: ['$WAFs'],
  wa_host_fs_cancel: function (id) {
    WAFs.reqs.delete(id);
  },
});
