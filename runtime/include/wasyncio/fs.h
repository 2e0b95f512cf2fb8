/*
 * wasyncio/fs.h — files and directories on the host (aiofiles, os, shutil).
 *
 * Part of the C API; include "wasyncio.h", which includes this file.
 *
 * Where the work is done:
 *   Node (Emscripten build):  node:fs, asynchronously: the loop never blocks.
 *   Browsers (Emscripten):    the Origin Private File System: sync access
 *                             handles in workers, the async API on the
 *                             main thread. Paths are relative to the OPFS
 *                             root ("a/b.txt"; a leading "/" is the root).
 *   WASI and native builds:   POSIX calls (under WASI, on the preopened
 *                             directories). These block the loop while they
 *                             run: the WASI loop is blocking anyway, so an
 *                             operation is complete when _start returns.
 *
 * Every operation has three forms, as fetch has: `_start` (non-suspending:
 * *op receives an operation future; any task style, gather, timeouts),
 * `_finish` (take the outcome of the done op) where there is one to take,
 * and a coroutine form that awaits. Cancelling the op withdraws it: a
 * pending open that completes later closes what it opened, a pending read
 * does not move the file position and its bytes are not written to the
 * caller's buffer. A write that reached the host may still happen (as with
 * a thread: the host cannot take data back); the position then moves.
 * If the awaiting task is cancelled after the op completed, an opened
 * file is closed and read bytes are dropped (nothing leaks).
 *
 * Failures: WA_ENOENT (no such file or directory), WA_EEXIST (exists
 * already: exclusive create, mkdir), WA_EIO (anything else the host
 * reports: not a directory, permission, disk full ...; the message says
 * what); the op's future carries the host's message (wa_future_message;
 * coroutine forms set it as the task's failure message via wa_fail too).
 * WA_EINVAL for bad arguments (NULL, an empty path, unknown flags),
 * WA_ESTATE for a closed file or an operation already pending on it.
 */
#ifndef WASYNCIO_FS_H
#define WASYNCIO_FS_H

#include "../wasyncio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An open file (a host handle and a position). */
typedef struct wa_file wa_file_t;

/* Open flags (combine with |). At least one of READ, WRITE. */
enum {
    WA_FS_READ = 1,        /* read                                             */
    WA_FS_WRITE = 2,       /* write                                            */
    WA_FS_CREATE = 4,      /* create if missing (with WRITE)                   */
    WA_FS_TRUNCATE = 8,    /* empty it first (with WRITE)                      */
    WA_FS_APPEND = 16,     /* writes go to the end (with WRITE)                */
    WA_FS_EXCLUSIVE = 32,  /* with CREATE: WA_EEXIST if it exists              */
};

/* What stat reports. */
typedef struct wa_stat {
    double size;       /* bytes                                           */
    double mtime_ms;   /* last modification, ms since the epoch (0: unknown) */
    int32_t is_dir;    /* 1 for a directory                               */
    int32_t is_file;   /* 1 for a regular file                            */
} wa_stat_t;

/* ---- open files --------------------------------------------------------- */

/* Open path with flags. The op's outcome is taken with
 * wa_file_open_finish. */
WA_API int wa_file_open_start(const char *path, int flags, wa_future_t **op);
/* The opened file (the caller owns it: close it), or the op's error. */
WA_API int wa_file_open_finish(wa_future_t *op, wa_file_t **file);
/* Coroutine form. */
WA_API int wa_file_open(const char *path, int flags, wa_file_t **file);

/* Read up to cap bytes at the file's position into buf (which must stay
 * valid until the op is done or released). One op at a time per file. */
WA_API int wa_file_read_start(wa_file_t *f, void *buf, size_t cap, wa_future_t **op);
/* The count read (0: end of file). */
WA_API int wa_file_read_finish(wa_future_t *op, size_t *n);
/* Coroutine form: 0 and *n (0 at the end of the file). */
WA_API int wa_file_read(wa_file_t *f, void *buf, size_t cap, size_t *n);

/* Write len bytes (copied now) at the file's position (the end with
 * WA_FS_APPEND); the op completes once all are written (result NULL). */
WA_API int wa_file_write_start(wa_file_t *f, const void *data, size_t len, wa_future_t **op);
/* Coroutine form. */
WA_API int wa_file_write(wa_file_t *f, const void *data, size_t len);

/* Close: pending work on f is cancelled, written data is committed (OPFS
 * writables commit on close), the host handle released and f freed when
 * the op completes (f must not be used after this call). *op may be NULL
 * (close without waiting). NULL f: WA_EINVAL. */
WA_API int wa_file_close_start(wa_file_t *f, wa_future_t **op);
/* Coroutine form. */
WA_API int wa_file_close(wa_file_t *f);

/* ---- whole files and directories ------------------------------------------ */

/* Read a whole file. The op's result is a WA_VALUE_BYTES value
 * (wa_future_value); wa_fs_read_file_finish copies it out. */
WA_API int wa_fs_read_file_start(const char *path, wa_future_t **op);
/* *data: the contents plus a NUL (free() it), *len their length. */
WA_API int wa_fs_read_file_finish(wa_future_t *op, char **data, size_t *len);
WA_API int wa_fs_read_file(const char *path, char **data, size_t *len);

/* Create or replace a file with len bytes (copied now). */
WA_API int wa_fs_write_file_start(const char *path, const void *data, size_t len, wa_future_t **op);
WA_API int wa_fs_write_file(const char *path, const void *data, size_t len);

WA_API int wa_fs_stat_start(const char *path, wa_future_t **op);
WA_API int wa_fs_stat_finish(wa_future_t *op, wa_stat_t *st);
WA_API int wa_fs_stat(const char *path, wa_stat_t *st);

/* The names in a directory (not "." and ".."), sorted. The op's result is
 * a WA_VALUE_STRING value: the names joined by '/' (which no name holds). */
WA_API int wa_fs_list_start(const char *path, wa_future_t **op);
/* *names: a NULL-terminated array of *count names (free with
 * wa_fs_list_free). */
WA_API int wa_fs_list_finish(wa_future_t *op, char ***names, size_t *count);
WA_API int wa_fs_list(const char *path, char ***names, size_t *count);
WA_API void wa_fs_list_free(char **names);

/* Remove a file or an empty directory; recursive: a directory and all in it. */
WA_API int wa_fs_remove_start(const char *path, bool recursive, wa_future_t **op);
WA_API int wa_fs_remove(const char *path, bool recursive);

/* Make a directory; recursive: with its parents, and no error if it exists. */
WA_API int wa_fs_mkdir_start(const char *path, bool recursive, wa_future_t **op);
WA_API int wa_fs_mkdir(const char *path, bool recursive);

/* Rename (move) a file or directory, replacing a file at `to`. */
WA_API int wa_fs_rename_start(const char *from, const char *to, wa_future_t **op);
WA_API int wa_fs_rename(const char *from, const char *to);

#ifdef __cplusplus
}
#endif
#endif /* WASYNCIO_FS_H */
