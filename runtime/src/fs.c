/* Files on the host (fs.h).
 *
 * Each call is an operation future (fs_op_t: a plain future with a cancel
 * hook, a fini and a rollback, like fetch's) plus at most one host request
 * (fs_host.h). The op is "pending" while the host works on it: cancelling
 * or releasing it then withdraws the request at once, so no completion
 * ever reaches a freed op or a buffer its owner let go of. A file allows
 * one pending op at a time (f->op). */
#include "internal.h"
#include "fs_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wa_file {
    int handle;       /* the host's handle                      */
    struct fs_op *op; /* the op the host works on for it, or NULL */
};

typedef struct fs_op {
    struct wa_future fut; /* must be first */
    uint8_t kind;         /* FS_*                                     */
    bool pending;         /* the host works on it (id, or synchronously) */
    bool taken;           /* the outcome was handed out by _finish    */
    bool rolled_back;     /* the awaiting task was cancelled after it */
    int id;               /* host request id while pending (0: none)  */
    wa_file_t *file;      /* READ/WRITE: the file; OPEN: the opened file until taken */
    size_t n;             /* READ: bytes read                         */
    wa_stat_t st;         /* STAT                                     */
} fs_op_t;

static const int ALL_FLAGS = WA_FS_READ | WA_FS_WRITE | WA_FS_CREATE | WA_FS_TRUNCATE |
                             WA_FS_APPEND | WA_FS_EXCLUSIVE;

static void op_fini(wa_future_t *f);
static int op_cancel(wa_future_t *f, const char *msg);
static void op_rollback(wa_future_t *f);

static fs_op_t *as_op(wa_future_t *f, uint8_t kind) {
    if (!f || f->fini != op_fini) return NULL;
    fs_op_t *op = (fs_op_t *)f;
    return op->kind == kind ? op : NULL;
}

/* The host no longer works on op. */
static void op_detach(fs_op_t *op) {
    if (!op->pending) return;
    op->pending = false;
    op->id = 0;
    wa__host_pending_add(-1);
    if ((op->kind == FS_READ || op->kind == FS_WRITE) && op->file && op->file->op == op) op->file->op = NULL;
}

/* Withdraw op's host request (if any). */
static void op_withdraw(fs_op_t *op) {
    if (!op->pending) return;
    int id = op->id;
    op_detach(op);
    if (id > 0) wa_host_fs_cancel(id);
}

static int op_cancel(wa_future_t *f, const char *msg) {
    fs_op_t *op = (fs_op_t *)f;
    if (f->state != FUT_PENDING) return 0;
    op_withdraw(op);
    return wa__future_cancel_plain(f, msg);
}

static void file_free(wa_file_t *file);

/* Awaiting task cancelled after op completed: give back what it holds. */
static void op_rollback(wa_future_t *f) {
    fs_op_t *op = (fs_op_t *)f;
    if (op->taken || op->rolled_back) return;
    op->rolled_back = true;
    if (op->kind == FS_OPEN && op->file) {
        wa_file_close_start(op->file, NULL);
        op->file = NULL;
    }
}

static void op_fini(wa_future_t *f) {
    fs_op_t *op = (fs_op_t *)f;
    op_withdraw(op);
    if (op->kind == FS_OPEN && op->file) { /* opened, never taken */
        wa_file_close_start(op->file, NULL);
        op->file = NULL;
    }
}

static fs_op_t *op_new(uint8_t kind) {
    fs_op_t *op = calloc(1, sizeof *op);
    if (!op) return NULL;
    wa__future_init(&op->fut, KIND_FUTURE);
    op->fut.cancel_hook = op_cancel;
    op->fut.fini = op_fini;
    op->fut.rollback = op_rollback;
    op->kind = kind;
    return op;
}

/* Hand op to the host. On failure op is released and the status returned. */
static int op_start(fs_op_t *op, const char *path, const char *path2, int flags, int handle,
                    const void *data, size_t len, void *buf, size_t cap, wa_future_t **out) {
    op->pending = true;
    wa__host_pending_add(1);
    wa_ref(&op->fut); /* held across the call: a synchronous host completes it inside */
    int id = wa_host_fs_start(op, op->kind, path, path2, flags, handle, data, len, buf, cap);
    if (id < 0) {
        op_detach(op);
        wa_release(&op->fut);
        wa_release(&op->fut);
        return id;
    }
    if (id > 0 && op->pending) op->id = id;
    wa_release(&op->fut);
    if (out) *out = &op->fut;
    else wa_release(&op->fut); /* nobody waits (close without waiting) */
    return 0;
}

WA_EXPORT void *wa__fs_alloc(size_t n) { return malloc(n ? n : 1); }

static char *stat_json(const wa_stat_t *st) {
    char buf[160];
    snprintf(buf, sizeof buf, "{\"size\":%.17g,\"mtimeMs\":%.17g,\"isDirectory\":%s,\"isFile\":%s}",
             st->size, st->mtime_ms, st->is_dir ? "true" : "false", st->is_file ? "true" : "false");
    return wa__strdup(buf);
}

WA_EXPORT void wa__fs_done(void *opp, int id, int status, double num, double num2, int type,
                           char *data, size_t len, char *msg) {
    fs_op_t *op = opp;
    (void)id;
    if (!op || !op->pending) { /* withdrawn: the host should not have called */
        free(data);
        free(msg);
        return;
    }
    op_detach(op);
    if (op->fut.state != FUT_PENDING) { /* completed from outside meanwhile */
        if (op->kind == FS_OPEN && status == 0) {
            wa_file_t *file = calloc(1, sizeof *file);
            if (file) {
                file->handle = (int)num;
                wa_file_close_start(file, NULL);
            }
        }
        free(data);
        free(msg);
        return;
    }
    if (status) {
        if (!msg) msg = wa__strdup(wa_strerror(status));
        free(data);
        wa__future_complete(&op->fut, status == WA_ECANCELLED ? FUT_CANCELLED : FUT_ERROR, status, NULL, NULL, msg);
        return;
    }
    free(msg);
    void *result = NULL;
    wa_free_fn dtor = NULL;
    switch (op->kind) {
    case FS_OPEN: {
        wa_file_t *file = calloc(1, sizeof *file);
        if (!file) {
            wa_file_t tmp = {.handle = (int)num, .op = NULL};
            wa_host_fs_start(NULL, FS_CLOSE, NULL, NULL, 0, tmp.handle, NULL, 0, NULL, 0);
            free(data);
            wa__future_complete(&op->fut, FUT_ERROR, WA_ENOMEM, NULL, NULL, wa__strdup("out of memory"));
            return;
        }
        file->handle = (int)num;
        op->file = file;
        break;
    }
    case FS_READ:
        op->n = (size_t)num;
        result = wa_value_number(num);
        dtor = wa_value_free;
        break;
    case FS_READ_FILE:
        result = wa_value_bytes(data ? data : "", data ? len : 0);
        dtor = wa_value_free;
        break;
    case FS_LIST:
        result = wa_value_string_n(data ? data : "", data ? len : 0);
        dtor = wa_value_free;
        break;
    case FS_STAT: {
        op->st.size = num;
        op->st.mtime_ms = num2;
        op->st.is_file = type == 1;
        op->st.is_dir = type == 2;
        char *json = stat_json(&op->st);
        result = json ? wa_value_string(json) : NULL;
        free(json);
        dtor = wa_value_free;
        break;
    }
    default:
        break;
    }
    free(data);
    if (dtor && !result) {
        wa__future_complete(&op->fut, FUT_ERROR, WA_ENOMEM, NULL, NULL, wa__strdup("out of memory"));
        return;
    }
    wa__future_complete(&op->fut, FUT_OK, 0, result, dtor, NULL);
}

/* ---- starting ops ---------------------------------------------------------- */

static int start_path_op(uint8_t kind, const char *path, const char *path2, int flags,
                         const void *data, size_t len, wa_future_t **out) {
    if (!out || !path || !*path || (kind == FS_RENAME && (!path2 || !*path2))) return WA_EINVAL;
    if (len && !data) return WA_EINVAL;
    fs_op_t *op = op_new(kind);
    if (!op) return WA_ENOMEM;
    return op_start(op, path, path2, flags, 0, data, len, NULL, 0, out);
}

int wa_file_open_start(const char *path, int flags, wa_future_t **op) {
    if ((flags & ~ALL_FLAGS) || !(flags & (WA_FS_READ | WA_FS_WRITE))) return WA_EINVAL;
    if ((flags & (WA_FS_CREATE | WA_FS_TRUNCATE | WA_FS_APPEND)) && !(flags & WA_FS_WRITE)) return WA_EINVAL;
    if ((flags & WA_FS_EXCLUSIVE) && !(flags & WA_FS_CREATE)) return WA_EINVAL;
    return start_path_op(FS_OPEN, path, NULL, flags, NULL, 0, op);
}

static int finish_status(fs_op_t *op) {
    if (op->fut.state == FUT_PENDING) return WA_ESTATE;
    int st = wa_future_status(&op->fut);
    if (st) return st;
    if (op->rolled_back) return WA_ECANCELLED;
    if (op->taken) return WA_ESTATE;
    return 0;
}

int wa_file_open_finish(wa_future_t *f, wa_file_t **file) {
    fs_op_t *op = as_op(f, FS_OPEN);
    if (!op || !file) return WA_EINVAL;
    int st = finish_status(op);
    if (st) return st;
    *file = op->file;
    op->file = NULL;
    op->taken = true;
    return 0;
}

static int file_op(wa_file_t *f, uint8_t kind, const void *data, size_t len, void *buf, size_t cap,
                   wa_future_t **out) {
    if (!f || !out || (len && !data) || (kind == FS_READ && (!buf || !cap))) return WA_EINVAL;
    if (len > (size_t)0x7fffffff || cap > (size_t)0x7fffffff) return WA_EINVAL;
    if (f->op) return WA_ESTATE;
    fs_op_t *op = op_new(kind);
    if (!op) return WA_ENOMEM;
    op->file = f;
    f->op = op;
    int rc = op_start(op, NULL, NULL, 0, f->handle, data, len, buf, cap, out);
    if (rc && f->op == op) f->op = NULL;
    return rc;
}

int wa_file_read_start(wa_file_t *f, void *buf, size_t cap, wa_future_t **op) {
    return file_op(f, FS_READ, NULL, 0, buf, cap, op);
}

int wa_file_read_finish(wa_future_t *f, size_t *n) {
    fs_op_t *op = as_op(f, FS_READ);
    if (!op || !n) return WA_EINVAL;
    int st = finish_status(op);
    if (st) return st;
    op->taken = true;
    *n = op->n;
    return 0;
}

int wa_file_write_start(wa_file_t *f, const void *data, size_t len, wa_future_t **op) {
    return file_op(f, FS_WRITE, data, len, NULL, 0, op);
}

static void file_free(wa_file_t *file) { free(file); }

int wa_file_close_start(wa_file_t *f, wa_future_t **out) {
    if (!f) return WA_EINVAL;
    if (f->op) {
        fs_op_t *pending = f->op;
        wa_cancel(&pending->fut, "the file was closed");
        pending->file = NULL;
    }
    fs_op_t *op = op_new(FS_CLOSE);
    int handle = f->handle;
    file_free(f);
    if (!op) { /* close anyway, unobserved */
        wa_host_fs_start(NULL, FS_CLOSE, NULL, NULL, 0, handle, NULL, 0, NULL, 0);
        return out ? WA_ENOMEM : 0;
    }
    return op_start(op, NULL, NULL, 0, handle, NULL, 0, NULL, 0, out);
}

int wa_fs_read_file_start(const char *path, wa_future_t **op) {
    return start_path_op(FS_READ_FILE, path, NULL, 0, NULL, 0, op);
}

int wa_fs_read_file_finish(wa_future_t *f, char **data, size_t *len) {
    fs_op_t *op = as_op(f, FS_READ_FILE);
    if (!op || !data || !len) return WA_EINVAL;
    int st = finish_status(op);
    if (st) return st;
    const wa_value_t *v = wa_future_value(f);
    size_t n = v ? v->len : 0;
    char *p = malloc(n + 1);
    if (!p) return WA_ENOMEM;
    if (n) memcpy(p, v->u.bytes, n);
    p[n] = 0;
    *data = p;
    *len = n;
    return 0;
}

int wa_fs_write_file_start(const char *path, const void *data, size_t len, wa_future_t **op) {
    if (len > (size_t)0x7fffffff) return WA_EINVAL;
    return start_path_op(FS_WRITE_FILE, path, NULL, 0, data, len, op);
}

int wa_fs_stat_start(const char *path, wa_future_t **op) {
    return start_path_op(FS_STAT, path, NULL, 0, NULL, 0, op);
}

int wa_fs_stat_finish(wa_future_t *f, wa_stat_t *st) {
    fs_op_t *op = as_op(f, FS_STAT);
    if (!op || !st) return WA_EINVAL;
    int rc = finish_status(op);
    if (rc) return rc;
    *st = op->st;
    return 0;
}

int wa_fs_list_start(const char *path, wa_future_t **op) {
    return start_path_op(FS_LIST, path, NULL, 0, NULL, 0, op);
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int wa_fs_list_finish(wa_future_t *f, char ***names, size_t *count) {
    fs_op_t *op = as_op(f, FS_LIST);
    if (!op || !names || !count) return WA_EINVAL;
    int rc = finish_status(op);
    if (rc) return rc;
    const wa_value_t *v = wa_future_value(f);
    const char *s = v && v->len ? v->u.string : "";
    size_t n = *s ? 1 : 0;
    for (const char *p = s; *p; p++) n += *p == '/';
    /* one block: the pointer array, then the names */
    size_t bytes = (n + 1) * sizeof(char *) + strlen(s) + 1;
    char **arr = malloc(bytes);
    if (!arr) return WA_ENOMEM;
    char *text = (char *)(arr + n + 1);
    memcpy(text, s, strlen(s) + 1);
    size_t i = 0;
    if (n) {
        arr[i++] = text;
        for (char *p = text; *p; p++)
            if (*p == '/') {
                *p = 0;
                arr[i++] = p + 1;
            }
    }
    arr[n] = NULL;
    qsort(arr, n, sizeof *arr, cmp_names);
    *names = arr;
    *count = n;
    return 0;
}

void wa_fs_list_free(char **names) { free(names); }

int wa_fs_remove_start(const char *path, bool recursive, wa_future_t **op) {
    return start_path_op(FS_REMOVE, path, NULL, recursive ? 1 : 0, NULL, 0, op);
}

int wa_fs_mkdir_start(const char *path, bool recursive, wa_future_t **op) {
    return start_path_op(FS_MKDIR, path, NULL, recursive ? 1 : 0, NULL, 0, op);
}

int wa_fs_rename_start(const char *from, const char *to, wa_future_t **op) {
    return start_path_op(FS_RENAME, from, to, 0, NULL, 0, op);
}

/* ---- coroutine forms ---------------------------------------------------------- */

/* Await op (started with rc); on failure set the task's failure message
 * (unless cancelled) and return the status; on success return 0 with op
 * still held in *keep (if keep) or released. */
static int await_op(int rc, wa_future_t **opp, wa_future_t **keep) {
    if (rc) return rc;
    wa_future_t *op = *opp;
    rc = wa_await(op);
    if (rc) {
        const char *m = wa_future_done(op) ? wa_future_message(op) : NULL;
        if (rc != WA_ECANCELLED) wa_fail(rc, "%s", m && *m ? m : wa_strerror(rc));
        wa_release(op);
        return rc;
    }
    if (keep) *keep = op;
    else wa_release(op);
    return 0;
}

static bool in_coro(void) {
    wa_task_impl_t *t = wa__loop.current;
    return t && t->fut.kind == KIND_CORO;
}

#define CORO_ONLY() do { if (!in_coro()) return WA_ENOTASK; } while (0)

int wa_file_open(const char *path, int flags, wa_file_t **file) {
    CORO_ONLY();
    if (!file) return WA_EINVAL;
    wa_future_t *op = NULL;
    int rc = await_op(wa_file_open_start(path, flags, &op), &op, &op);
    if (rc) return rc;
    rc = wa_file_open_finish(op, file);
    wa_release(op);
    return rc;
}

int wa_file_read(wa_file_t *f, void *buf, size_t cap, size_t *n) {
    CORO_ONLY();
    if (!n) return WA_EINVAL;
    wa_future_t *op = NULL;
    int rc = await_op(wa_file_read_start(f, buf, cap, &op), &op, &op);
    if (rc) return rc;
    rc = wa_file_read_finish(op, n);
    wa_release(op);
    return rc;
}

int wa_file_write(wa_file_t *f, const void *data, size_t len) {
    CORO_ONLY();
    wa_future_t *op = NULL;
    return await_op(wa_file_write_start(f, data, len, &op), &op, NULL);
}

int wa_file_close(wa_file_t *f) {
    CORO_ONLY();
    wa_future_t *op = NULL;
    return await_op(wa_file_close_start(f, &op), &op, NULL);
}

int wa_fs_read_file(const char *path, char **data, size_t *len) {
    CORO_ONLY();
    if (!data || !len) return WA_EINVAL;
    wa_future_t *op = NULL;
    int rc = await_op(wa_fs_read_file_start(path, &op), &op, &op);
    if (rc) return rc;
    rc = wa_fs_read_file_finish(op, data, len);
    wa_release(op);
    return rc;
}

int wa_fs_write_file(const char *path, const void *data, size_t len) {
    CORO_ONLY();
    wa_future_t *op = NULL;
    return await_op(wa_fs_write_file_start(path, data, len, &op), &op, NULL);
}

int wa_fs_stat(const char *path, wa_stat_t *st) {
    CORO_ONLY();
    if (!st) return WA_EINVAL;
    wa_future_t *op = NULL;
    int rc = await_op(wa_fs_stat_start(path, &op), &op, &op);
    if (rc) return rc;
    rc = wa_fs_stat_finish(op, st);
    wa_release(op);
    return rc;
}

int wa_fs_list(const char *path, char ***names, size_t *count) {
    CORO_ONLY();
    if (!names || !count) return WA_EINVAL;
    wa_future_t *op = NULL;
    int rc = await_op(wa_fs_list_start(path, &op), &op, &op);
    if (rc) return rc;
    rc = wa_fs_list_finish(op, names, count);
    wa_release(op);
    return rc;
}

int wa_fs_remove(const char *path, bool recursive) {
    CORO_ONLY();
    wa_future_t *op = NULL;
    return await_op(wa_fs_remove_start(path, recursive, &op), &op, NULL);
}

int wa_fs_mkdir(const char *path, bool recursive) {
    CORO_ONLY();
    wa_future_t *op = NULL;
    return await_op(wa_fs_mkdir_start(path, recursive, &op), &op, NULL);
}

int wa_fs_rename(const char *from, const char *to) {
    CORO_ONLY();
    wa_future_t *op = NULL;
    return await_op(wa_fs_rename_start(from, to, &op), &op, NULL);
}
