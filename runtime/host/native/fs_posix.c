/* Files for native and WASI builds (fs_host.h) on POSIX calls. Each
 * request completes before wa_host_fs_start returns: the calls block the
 * loop while they run (under WASI the loop blocks anyway; WASI sees only
 * its preopened directories). */
#define _POSIX_C_SOURCE 200809L
#include "../../src/internal.h"
#include "../../src/fs_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int status_of(int err) {
    if (err == ENOENT) return WA_ENOENT;
    if (err == EEXIST) return WA_EEXIST;
    return WA_EIO;
}

static char *message(const char *what, const char *path, int err) {
    const char *m = strerror(err);
    size_t n = strlen(what) + (path ? strlen(path) : 0) + strlen(m) + 8;
    char *s = wa__fs_alloc(n);
    if (s) snprintf(s, n, "%s %s: %s", what, path ? path : "", m);
    return s;
}

static void fail(void *op, const char *what, const char *path, int err) {
    wa__fs_done(op, 0, status_of(err), 0, 0, 0, NULL, 0, message(what, path, err));
}

static void ok(void *op, double num) { wa__fs_done(op, 0, 0, num, 0, 0, NULL, 0, NULL); }

static int remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) return unlink(path);
    DIR *d = opendir(path);
    if (!d) return -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(n);
        if (!child) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
        snprintf(child, n, "%s/%s", path, e->d_name);
        rc = remove_tree(child);
        free(child);
    }
    int saved = errno;
    closedir(d);
    if (rc) {
        errno = saved;
        return rc;
    }
    return rmdir(path);
}

static int mkdir_parents(const char *path) {
    size_t n = strlen(path);
    char *p = malloc(n + 1);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(p, path, n + 1);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777);
    if (rc != 0 && errno == EEXIST) {
        struct stat st;
        rc = stat(p, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
        if (rc) errno = EEXIST;
    }
    free(p);
    return rc;
}

static void do_list(void *op, const char *path) {
    DIR *d = opendir(path);
    if (!d) return fail(op, "list", path, errno);
    size_t cap = 256, len = 0;
    char *buf = wa__fs_alloc(cap);
    struct dirent *e;
    while (buf && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        size_t n = strlen(e->d_name);
        if (len + n + 2 > cap) {
            while (len + n + 2 > cap) cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        if (len) buf[len++] = '/';
        memcpy(buf + len, e->d_name, n);
        len += n;
    }
    closedir(d);
    if (!buf) return fail(op, "list", path, ENOMEM);
    buf[len] = 0;
    wa__fs_done(op, 0, 0, 0, 0, 0, buf, len, NULL);
}

static void do_read_file(void *op, const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return fail(op, "read", path, errno);
    size_t cap = 4096, len = 0;
    char *buf = wa__fs_alloc(cap);
    for (;;) {
        if (!buf) {
            close(fd);
            return fail(op, "read", path, ENOMEM);
        }
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                continue;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            free(buf);
            close(fd);
            return fail(op, "read", path, err);
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = 0;
    wa__fs_done(op, 0, 0, 0, 0, 0, buf, len, NULL);
}

static int write_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int wa_host_fs_start(void *op, int kind, const char *path, const char *path2, int flags,
                     int handle, const void *data, size_t len, void *buf, size_t cap) {
    switch (kind) {
    case FS_OPEN: {
        int o = (flags & WA_FS_READ) && (flags & WA_FS_WRITE) ? O_RDWR : (flags & WA_FS_WRITE) ? O_WRONLY : O_RDONLY;
        if (flags & WA_FS_CREATE) o |= O_CREAT;
        if (flags & WA_FS_TRUNCATE) o |= O_TRUNC;
        if (flags & WA_FS_APPEND) o |= O_APPEND;
        if (flags & WA_FS_EXCLUSIVE) o |= O_EXCL;
        int fd = open(path, o, 0666);
        if (fd < 0) fail(op, "open", path, errno);
        else ok(op, fd);
        return 0;
    }
    case FS_READ: {
        ssize_t n;
        do n = read(handle, buf, cap);
        while (n < 0 && errno == EINTR);
        if (n < 0) fail(op, "read", "", errno);
        else ok(op, (double)n);
        return 0;
    }
    case FS_WRITE:
        if (write_all(handle, data, len) != 0) fail(op, "write", "", errno);
        else ok(op, (double)len);
        return 0;
    case FS_CLOSE:
        if (close(handle) != 0 && op) fail(op, "close", "", errno);
        else if (op) ok(op, 0);
        return 0;
    case FS_READ_FILE:
        do_read_file(op, path);
        return 0;
    case FS_WRITE_FILE: {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd < 0) {
            fail(op, "write", path, errno);
            return 0;
        }
        int rc = write_all(fd, data, len);
        int err = errno;
        if (close(fd) != 0 && rc == 0) {
            rc = -1;
            err = errno;
        }
        if (rc) fail(op, "write", path, err);
        else ok(op, (double)len);
        return 0;
    }
    case FS_STAT: {
        struct stat st;
        if (stat(path, &st) != 0) {
            fail(op, "stat", path, errno);
            return 0;
        }
        double mtime = (double)st.st_mtim.tv_sec * 1000.0 + (double)st.st_mtim.tv_nsec / 1e6;
        int type = S_ISREG(st.st_mode) ? 1 : S_ISDIR(st.st_mode) ? 2 : 0;
        wa__fs_done(op, 0, 0, (double)st.st_size, mtime, type, NULL, 0, NULL);
        return 0;
    }
    case FS_LIST:
        do_list(op, path);
        return 0;
    case FS_REMOVE: {
        int rc;
        if (flags & 1) {
            rc = remove_tree(path);
        } else {
            struct stat st;
            rc = lstat(path, &st);
            if (rc == 0) rc = S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path);
        }
        if (rc) fail(op, "remove", path, errno);
        else ok(op, 0);
        return 0;
    }
    case FS_MKDIR: {
        int rc = (flags & 1) ? mkdir_parents(path) : mkdir(path, 0777);
        if (rc) fail(op, "mkdir", path, errno);
        else ok(op, 0);
        return 0;
    }
    case FS_RENAME:
        if (rename(path, path2) != 0) fail(op, "rename", path, errno);
        else ok(op, 0);
        return 0;
    default:
        return WA_EINVAL;
    }
}

void wa_host_fs_cancel(int id) { (void)id; /* requests complete at once */ }
