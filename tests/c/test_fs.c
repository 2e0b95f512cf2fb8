/* Files (fs.h) on real files in a directory under build/: natively and
 * under WASI on POSIX calls, as wasm under Node on node:fs. Writes, streamed reads, stat,
 * list, rename, remove, bad paths, and cancellation withdrawing a pending
 * operation (wasm: the only host where operations are pending). */
#include "harness.h"

#include <stdlib.h>

#if defined(__EMSCRIPTEN__)
#define BASE "build/tmp-fs-wasm"
#elif defined(__wasi__)
#define BASE "build/tmp-fs-wasi" /* build/ is preopened (tests/js/wasi.test.mjs) */
#else
#define BASE "build/tmp-fs-native"
#endif

static int fresh_dir(const char *name, char *out, size_t cap) {
    snprintf(out, cap, BASE "/%s", name);
    int rc = wa_fs_remove(out, true);
    if (rc && rc != WA_ENOENT) return rc;
    return wa_fs_mkdir(out, true);
}

TEST(fs_write_read_stat_list_rename_remove) {
    char dir[128], a[160], b[160];
    CHECK_EQ(fresh_dir("basic", dir, sizeof dir), 0);
    snprintf(a, sizeof a, "%s/a.txt", dir);
    snprintf(b, sizeof b, "%s/b.txt", dir);
    CHECK_EQ(wa_fs_write_file(a, "hello", 5), 0);
    wa_file_t *f;
    CHECK_EQ(wa_file_open(a, WA_FS_WRITE | WA_FS_APPEND, &f), 0);
    CHECK_EQ(wa_file_write(f, ", world", 7), 0);
    CHECK_EQ(wa_file_close(f), 0);
    char *data;
    size_t len;
    CHECK_EQ(wa_fs_read_file(a, &data, &len), 0);
    CHECK_EQ(len, 12);
    CHECK_STR(data, "hello, world");
    free(data);
    wa_stat_t st;
    CHECK_EQ(wa_fs_stat(a, &st), 0);
    CHECK_EQ(st.size, 12);
    CHECK(st.is_file && !st.is_dir && st.mtime_ms > 0);
    CHECK_EQ(wa_fs_stat(dir, &st), 0);
    CHECK(st.is_dir && !st.is_file);
    CHECK_EQ(wa_fs_rename(a, b), 0);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    CHECK_EQ(wa_fs_mkdir(sub, false), 0);
    CHECK_EQ(wa_fs_mkdir(sub, false), WA_EEXIST);
    CHECK_EQ(wa_fs_mkdir(sub, true), 0); /* recursive: fine if it exists */
    char **names;
    size_t n;
    CHECK_EQ(wa_fs_list(dir, &names, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_STR(names[0], "b.txt");
    CHECK_STR(names[1], "sub");
    CHECK(names[2] == NULL);
    wa_fs_list_free(names);
    CHECK_EQ(wa_fs_remove(dir, false), WA_EIO); /* not empty */
    CHECK_EQ(wa_fs_remove(b, false), 0);
    CHECK_EQ(wa_fs_remove(dir, true), 0);
    CHECK_EQ(wa_fs_stat(dir, &st), WA_ENOENT);
    return 0;
}

TEST(fs_streamed_read_in_chunks) {
    char dir[128], p[160];
    CHECK_EQ(fresh_dir("stream", dir, sizeof dir), 0);
    snprintf(p, sizeof p, "%s/big.bin", dir);
    wa_file_t *f;
    CHECK_EQ(wa_file_open(p, WA_FS_WRITE | WA_FS_CREATE | WA_FS_TRUNCATE, &f), 0);
    char block[1000];
    for (int i = 0; i < 10; i++) {
        memset(block, 'a' + i, sizeof block);
        CHECK_EQ(wa_file_write(f, block, sizeof block), 0);
    }
    CHECK_EQ(wa_file_close(f), 0);
    CHECK_EQ(wa_file_open(p, WA_FS_READ, &f), 0);
    char buf[4096];
    size_t total = 0, n = 0;
    int chunks = 0;
    for (;;) {
        CHECK_EQ(wa_file_read(f, buf, sizeof buf, &n), 0);
        if (n == 0) break;
        CHECK_EQ(buf[0], 'a' + (int)(total / 1000));
        total += n;
        chunks++;
    }
    CHECK_EQ(total, 10000);
    CHECK_EQ(chunks, 3);
    CHECK_EQ(wa_file_close(f), 0);
    CHECK_EQ(wa_fs_remove(dir, true), 0);
    return 0;
}

TEST(fs_bad_input_gets_clear_errors) {
    char dir[128], p[160];
    CHECK_EQ(fresh_dir("bad", dir, sizeof dir), 0);
    snprintf(p, sizeof p, "%s/missing/x.txt", dir);
    wa_file_t *f = NULL;
    CHECK_EQ(wa_file_open(p, WA_FS_READ, &f), WA_ENOENT);
    CHECK(f == NULL);
    wa_future_t *op = NULL;
    CHECK_EQ(wa_fs_read_file_start(p, &op), 0);
    CHECK_EQ(wa_await(op), WA_ENOENT);
    const char *m = wa_future_message(op);
    CHECK(m && strstr(m, "x.txt"));
    wa_release(op);
    CHECK_EQ(wa_file_open_start("", WA_FS_READ, &op), WA_EINVAL);
    CHECK_EQ(wa_file_open_start(p, 0, &op), WA_EINVAL);
    CHECK_EQ(wa_file_open_start(p, WA_FS_READ | WA_FS_CREATE, &op), WA_EINVAL);
    CHECK_EQ(wa_file_open_start(p, WA_FS_READ | 1024, &op), WA_EINVAL);
    CHECK_EQ(wa_fs_rename_start(p, NULL, &op), WA_EINVAL);
    CHECK_EQ(wa_file_close_start(NULL, NULL), WA_EINVAL);
    snprintf(p, sizeof p, "%s/once.txt", dir);
    CHECK_EQ(wa_fs_write_file(p, "1", 1), 0);
    CHECK_EQ(wa_file_open(p, WA_FS_WRITE | WA_FS_CREATE | WA_FS_EXCLUSIVE, &f), WA_EEXIST);
    /* one op at a time per file */
    CHECK_EQ(wa_file_open(p, WA_FS_READ, &f), 0);
    char buf[8];
    wa_future_t *r1 = NULL, *r2 = NULL;
    CHECK_EQ(wa_file_read_start(f, buf, sizeof buf, &r1), 0);
    if (!wa_future_done(r1)) CHECK_EQ(wa_file_read_start(f, buf, sizeof buf, &r2), WA_ESTATE);
    CHECK_EQ(wa_await(r1), 0);
    wa_release(r1);
    CHECK_EQ(wa_file_close(f), 0);
    CHECK_EQ(wa_fs_remove(dir, true), 0);
    return 0;
}

TEST_WASM(fs_cancel_withdraws_pending_ops) {
    char dir[128], p[160];
    CHECK_EQ(fresh_dir("cancel", dir, sizeof dir), 0);
    snprintf(p, sizeof p, "%s/c.txt", dir);
    CHECK_EQ(wa_fs_write_file(p, "abcdef", 6), 0);
    /* a cancelled open closes what it opens; the test's leak check sees it */
    wa_future_t *op = NULL;
    CHECK_EQ(wa_file_open_start(p, WA_FS_READ, &op), 0);
    CHECK(!wa_future_done(op));
    CHECK_EQ(wa_cancel(op, "changed my mind"), 1);
    CHECK_EQ(wa_await(op), WA_ECANCELLED);
    wa_release(op);
    /* a cancelled read does not move the position */
    wa_file_t *f;
    /* OPFS (browser workers): a sync access handle is exclusive; the host
     * makes this open wait until the withdrawn one has closed its file */
    CHECK_EQ(wa_file_open(p, WA_FS_READ, &f), 0);
    char buf[4] = {0};
    CHECK_EQ(wa_file_read_start(f, buf, 3, &op), 0);
    CHECK_EQ(wa_cancel(op, NULL), 1);
    wa_release(op);
    size_t n;
    CHECK_EQ(wa_file_read(f, buf, 3, &n), 0);
    CHECK_EQ(n, 3);
    CHECK_STR(buf, "abc");
    CHECK_EQ(wa_sleep(20), 0); /* the withdrawn read settles meanwhile: ignored */
    CHECK_EQ(wa_file_close(f), 0);
    CHECK_EQ(wa_fs_remove(dir, true), 0);
    return 0;
}
