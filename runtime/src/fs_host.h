/* The host side of files (fs.c): what a host implements.
 *   web (Emscripten): runtime/host/emscripten/library_fs.js: node:fs
 *                     (asynchronous) under Node, OPFS in browsers
 *   native and WASI:  runtime/host/native/fs_posix.c: POSIX calls,
 *                     completing before wa_host_fs_start returns
 *
 * A request is a host id > 0 the host keeps until it completes, or until
 * C withdraws it with wa_host_fs_cancel (then the host calls back for it
 * no more, does not write into the request's buffer, and closes a file it
 * opened for it). Completions enter C through wa__fs_done, which only
 * completes a future (no user code runs inside it, it never suspends). */
#ifndef WASYNCIO_FS_HOST_H
#define WASYNCIO_FS_HOST_H

#include "wasyncio.h"

enum {
    FS_OPEN = 1, FS_READ, FS_WRITE, FS_CLOSE, FS_READ_FILE, FS_WRITE_FILE,
    FS_STAT, FS_LIST, FS_REMOVE, FS_MKDIR, FS_RENAME,
};

/* Start request `kind` for op (an opaque pointer handed back to
 * wa__fs_done). path/path2: paths (path2: FS_RENAME's target); flags: the
 * open flags, or 1 for recursive (FS_REMOVE, FS_MKDIR); handle: the
 * host's file handle (FS_READ, FS_WRITE, FS_CLOSE); data/len: bytes to
 * write (copied or written before returning); buf/cap: where FS_READ puts
 * its bytes. Returns an id > 0 (wa__fs_done follows), 0 (wa__fs_done was
 * called already), or a status < 0 and nothing was started (WA_EHOST: no
 * file system on this host). */
int wa_host_fs_start(void *op, int kind, const char *path, const char *path2, int flags,
                     int handle, const void *data, size_t len, void *buf, size_t cap);

/* Withdraw request id (see above). */
void wa_host_fs_cancel(int id);

/* Buffers for wa__fs_done's data and msg (C frees them). */
void *wa__fs_alloc(size_t n);

/* Request id of op is done: status 0 or WA_E...; num: the handle
 * (FS_OPEN), the count (FS_READ), the size (FS_STAT); num2: the mtime in
 * ms (FS_STAT); type: 1 file, 2 directory (FS_STAT); data/len: the bytes
 * (FS_READ_FILE) or the names joined by '/' (FS_LIST), allocated with
 * wa__fs_alloc, NUL-terminated, C's from now on; msg: the host's message
 * on failure (wa__fs_alloc'd or NULL). */
void wa__fs_done(void *op, int id, int status, double num, double num2, int type,
                 char *data, size_t len, char *msg);

#endif
