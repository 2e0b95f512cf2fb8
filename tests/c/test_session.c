/* Client sessions and retries (wasyncio/session.h). Natively: URL
 * resolution, option validation, the retry schedule on the virtual clock,
 * what a session does without fetch. As wasm under Node, against the test
 * server (web/endpoints.mjs): base URL and header merging seen by the
 * server, the per-host limit counted by the server, a cancelled waiter in
 * the limit queue, retries of a flaky endpoint, the three timeouts, close. */
#include "harness.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#define URL_MAX 512

/* A tag no other test run uses, for /stats?tag=. */
static const char *new_tag(char *buf, const char *what) {
    static unsigned counter;
    snprintf(buf, 64, "s%s%u-%.0f", what, ++counter, wa_time() * 1000.0);
    return buf;
}

#define CHECK_SERVER()                                                        \
    do {                                                                      \
        if (!wa_test_server_url())                                            \
            return wa_fail(WA_EFAILED, "no test server: run with --server URL"); \
    } while (0)

static long json_num(const char *s, const char *key) {
    char k[64];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = s ? strstr(s, k) : NULL;
    return p ? strtol(p + strlen(k), NULL, 10) : -1;
}

/* GET path (relative to the session's base URL): status and whole body. */
static int get_body(wa_session_t *s, const char *path, int *status, char **body) {
    wa_session_response_t *sr;
    int rc = wa_session_fetch(s, &sr, path, NULL);
    if (rc) return rc;
    *status = wa_session_response_status(sr);
    size_t n;
    rc = wa_session_body(sr, body, &n);
    wa_session_response_free(sr);
    return rc;
}

/* The server's /stats for tag, one number. */
static long server_stat(const char *tag, const char *what) {
    wa_session_opts_t o = {.base_url = wa_test_server_url()};
    wa_session_t *s;
    if (wa_session_new(&s, &o)) return -2;
    char path[128];
    snprintf(path, sizeof path, "stats?tag=%s", tag);
    int status;
    char *body = NULL;
    long v = get_body(s, path, &status, &body) ? -3 : json_num(body, what);
    free(body);
    wa_session_free(s);
    return v;
}

/* Poll the server until it counted at least n of `what` for tag. */
static long server_wait(const char *tag, const char *what, long n) {
    long v = -1;
    for (int i = 0; i < 1500; i++) {
        if ((v = server_stat(tag, what)) >= n || v < -1) return v;
        if (wa_sleep(20)) return -4;
    }
    return v;
}

#define CHECK_SESSION_CLEAN(s)                                                \
    do {                                                                      \
        wa_session_stats_t st_;                                               \
        CHECK_EQ(wa_session_get_stats((s), &st_), 0);                         \
        CHECK_EQ(st_.waiting, 0);                                             \
        CHECK_EQ(st_.in_flight, 0);                                           \
        CHECK_EQ(st_.responses, 0);                                           \
        CHECK_EQ(st_.slots_held, 0);                                          \
    } while (0)

#define CHECK_FETCH_CLEAN()                                                   \
    do {                                                                      \
        wa_fetch_stats_t s_;                                                  \
        wa_fetch_get_stats(&s_);                                              \
        CHECK_EQ(s_.responses, 0);                                            \
        CHECK_EQ(s_.pending, 0);                                              \
        CHECK_EQ(s_.host_handles, 0);                                         \
    } while (0)

/* ---- URL resolution (RFC 3986 5.4) ---------------------------------------- */

static const char *const RFC_CASES[][2] = {
    /* 5.4.1 normal examples */
    {"g:h", "g:h"}, {"g", "http://a/b/c/g"}, {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"}, {"/g", "http://a/g"}, {"//g", "http://g"},
    {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q#s"}, {"g#s", "http://a/b/c/g#s"},
    {"g?y#s", "http://a/b/c/g?y#s"}, {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"}, {"g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"", "http://a/b/c/d;p?q"}, {".", "http://a/b/c/"}, {"./", "http://a/b/c/"},
    {"..", "http://a/b/"}, {"../", "http://a/b/"}, {"../g", "http://a/b/g"},
    {"../..", "http://a/"}, {"../../", "http://a/"}, {"../../g", "http://a/g"},
    /* 5.4.2 abnormal examples */
    {"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"}, {"/../g", "http://a/g"}, {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"}, {"g..", "http://a/b/c/g.."}, {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"}, {"./g/.", "http://a/b/c/g/"}, {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"}, {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"}, {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"}, {"g#s/./x", "http://a/b/c/g#s/./x"},
    {"g#s/../x", "http://a/b/c/g#s/../x"}, {"http:g", "http:g"},
};

TEST(session_url_resolve_rfc3986_examples) {
    for (size_t i = 0; i < sizeof RFC_CASES / sizeof RFC_CASES[0]; i++) {
        char *out = NULL;
        CHECK_EQ(wa_url_resolve("http://a/b/c/d;p?q", RFC_CASES[i][0], &out), 0);
        if (strcmp(out, RFC_CASES[i][1]) != 0) {
            int rc = wa_fail(WA_EFAILED, "resolve(\"%s\") = \"%s\", expected \"%s\"", RFC_CASES[i][0], out,
                             RFC_CASES[i][1]);
            free(out);
            return rc;
        }
        free(out);
    }
    return 0;
}

static int resolved_is(const char *base, const char *ref, const char *want) {
    char *out = NULL;
    int rc = wa_url_resolve(base, ref, &out);
    if (rc) return wa_fail(WA_EFAILED, "resolve(%s, %s): %d", base ? base : "NULL", ref, rc);
    rc = strcmp(out, want) ? wa_fail(WA_EFAILED, "resolve(%s, %s) = %s, expected %s", base ? base : "NULL", ref,
                                     out, want)
                           : 0;
    free(out);
    return rc;
}

TEST(session_url_resolve_api_bases_and_errors) {
    /* the common API shapes: a base with a trailing slash, without one,
     * with an empty path, and a port */
    CHECK_EQ(resolved_is("http://h:8080/api/", "items?page=2", "http://h:8080/api/items?page=2"), 0);
    CHECK_EQ(resolved_is("http://h:8080/api", "items", "http://h:8080/items"), 0);
    CHECK_EQ(resolved_is("http://h:8080", "items", "http://h:8080/items"), 0);
    CHECK_EQ(resolved_is("https://h/a/b/", "/root", "https://h/root"), 0);
    CHECK_EQ(resolved_is("https://h/a/b/", "https://other/x", "https://other/x"), 0);
    CHECK_EQ(resolved_is("https://h/a/b/", "//cdn/x", "https://cdn/x"), 0);
    CHECK_EQ(resolved_is(NULL, "relative/as/is", "relative/as/is"), 0);
    char *out = (char *)"untouched";
    CHECK_EQ(wa_url_resolve("no-scheme/x", "y", &out), WA_EINVAL);
    CHECK_STR(out, "untouched");
    CHECK_EQ(wa_url_resolve("http://h/", NULL, &out), WA_EINVAL);
    CHECK_EQ(wa_url_resolve("http://h/", "x", NULL), WA_EINVAL);
    return 0;
}

/* ---- options ------------------------------------------------------------- */

TEST(session_new_rejects_invalid_options) {
    wa_session_t *s = NULL;
    wa_header_t nameless = {NULL, "v"}, valueless = {"x-a", NULL}, empty = {"", "v"};
    const wa_session_opts_t bad[] = {
        {.base_url = "relative/path"},
        {.base_url = "http:/no-host"},
        {.base_url = "mailto:x@y"},
        {.headers = NULL, .nheaders = 1},
        {.headers = &nameless, .nheaders = 1},
        {.headers = &valueless, .nheaders = 1},
        {.headers = &empty, .nheaders = 1},
        {.limit = -2},
        {.limit_per_host = -1},
        {.total_ms = -1},
        {.connect_ms = -0.5},
        {.read_ms = NAN},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (wa_session_new(&s, &bad[i]) != WA_EINVAL) return wa_fail(WA_EFAILED, "bad option set %zu accepted", i);
        CHECK(s == NULL);
    }
    CHECK_EQ(wa_session_new(NULL, NULL), WA_EINVAL);
    /* the defaults, and the edge values that are valid */
    CHECK_EQ(wa_session_new(&s, NULL), 0);
    wa_session_free(s);
    wa_header_t h = {"x-app", "t"};
    wa_session_opts_t ok = {.base_url = "http://127.0.0.1:9/api/", .headers = &h, .nheaders = 1,
                            .limit = WA_SESSION_NO_LIMIT, .limit_per_host = 1, .total_ms = WA_NO_TIMEOUT,
                            .connect_ms = 1, .read_ms = 0, .seed = 7};
    CHECK_EQ(wa_session_new(&s, &ok), 0);
    CHECK_STR(wa_session_error(s), "");
    wa_session_free(s);
    wa_session_free(NULL);
    CHECK_EQ(wa_session_close(NULL), WA_EINVAL);
    CHECK_EQ(wa_session_get_stats(NULL, NULL), WA_EINVAL);
    CHECK_STR(wa_session_error(NULL), "");
    CHECK(wa_session_response(NULL) == NULL);
    CHECK_EQ(wa_session_response_status(NULL), 0);
    wa_session_response_free(NULL);
    return 0;
}

TEST(session_retry_options_validated_and_delays) {
    const int weird[] = {99};
    const wa_retry_opts_t bad[] = {
        {.base_delay_ms = -1},      {.base_delay_ms = INFINITY}, {.max_delay_ms = -5},
        {.multiplier = 0.5},        {.multiplier = NAN},         {.jitter = 2},
        {.statuses = weird, .nstatuses = 1}, {.statuses = NULL, .nstatuses = 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (wa_retry_delay(&bad[i], 1, 0.5) != -1) return wa_fail(WA_EFAILED, "bad retry options %zu accepted", i);
    }
    CHECK(wa_retry_delay(NULL, 0, 0.5) == -1);
    /* defaults: 100 ms doubling up to 10 s, full jitter */
    CHECK(wa_retry_delay(NULL, 1, 0.5) == 50);
    CHECK(wa_retry_delay(NULL, 3, 0.5) == 200);
    CHECK(wa_retry_delay(NULL, 30, 0.5) == 5000);
    wa_retry_opts_t o = {.base_delay_ms = 10, .multiplier = 3, .max_delay_ms = 200, .jitter = WA_JITTER_NONE};
    const double want[] = {10, 30, 90, 200, 200};
    for (unsigned n = 1; n <= 5; n++) CHECK(wa_retry_delay(&o, n, 0.99) == want[n - 1]);
    CHECK(wa_retry_delay(&o, 4000000000u, 0) == 200); /* no overflow, no long loop */
    /* the calls that take them refuse them too, before doing anything */
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, NULL), 0);
    wa_session_response_t *sr = NULL;
    wa_future_t *op = NULL;
    CHECK_EQ(wa_session_fetch_retry(s, &sr, "http://127.0.0.1:9/", NULL, &bad[0]), WA_EINVAL);
    CHECK_EQ(wa_session_fetch_retry_start(s, &op, "http://127.0.0.1:9/", NULL, &bad[3]), WA_EINVAL);
    CHECK(op == NULL && sr == NULL);
    CHECK_EQ(wa_retry(NULL, NULL, NULL), WA_EINVAL);
    wa_session_free(s);
    return 0;
}

/* ---- wa_retry on the virtual clock --------------------------------------- */

typedef struct {
    int fail_times;   /* fail this many times, then succeed */
    int code;
    int calls;
    double at[8];     /* loop time of each call */
} flaky_t;

static int flaky_attempt(void *arg) {
    flaky_t *f = arg;
    if (f->calls < 8) f->at[f->calls] = wa_time();
    return f->calls++ < f->fail_times ? f->code : 0;
}

static unsigned notified;
static void count_retry(unsigned attempt, int code, int http_status, double delay_ms, void *arg) {
    (void)http_status, (void)delay_ms, (void)arg;
    notified = attempt;
    CHECK_LATER(code == WA_ENETWORK);
}

TEST_VIRTUAL(session_wa_retry_backoff_schedule_on_virtual_clock) {
    /* no jitter: attempts at 0, 100, 300 (100 then 200 ms later) */
    flaky_t f = {.fail_times = 2, .code = WA_ENETWORK};
    wa_retry_opts_t o = {.jitter = WA_JITTER_NONE, .on_retry = count_retry};
    notified = 0;
    CHECK_EQ(wa_retry(flaky_attempt, &f, &o), 0);
    CHECK_EQ(f.calls, 3);
    CHECK_EQ(notified, 2);
    CHECK(f.at[1] - f.at[0] == 100 && f.at[2] - f.at[1] == 200);
    CHECK_NO_LATER_FAILURE();
    /* attempts used up: the last status; a status not retried: at once */
    flaky_t g = {.fail_times = 9, .code = WA_ETIMEDOUT};
    CHECK_EQ(wa_retry(flaky_attempt, &g, &(wa_retry_opts_t){.attempts = 4, .base_delay_ms = 1}), WA_ETIMEDOUT);
    CHECK_EQ(g.calls, 4);
    flaky_t h = {.fail_times = 9, .code = WA_EHOST};
    CHECK_EQ(wa_retry(flaky_attempt, &h, NULL), WA_EHOST);
    CHECK_EQ(h.calls, 1);
    return 0;
}

TEST_VIRTUAL(session_wa_retry_full_jitter_is_seeded_and_bounded) {
    /* full jitter: each wait in [0, nominal); the same seed, the same waits */
    double gaps[2][5];
    for (int run = 0; run < 2; run++) {
        flaky_t f = {.fail_times = 5, .code = WA_ENETWORK};
        wa_retry_opts_t o = {.attempts = 6, .seed = 12345};
        CHECK_EQ(wa_retry(flaky_attempt, &f, &o), 0);
        CHECK_EQ(f.calls, 6);
        for (int i = 0; i < 5; i++) {
            gaps[run][i] = f.at[i + 1] - f.at[i];
            CHECK(gaps[run][i] >= 0 && gaps[run][i] < wa_retry_delay(&(wa_retry_opts_t){.jitter = WA_JITTER_NONE},
                                                                     (unsigned)i + 1, 0));
        }
    }
    for (int i = 0; i < 5; i++) CHECK(fabs(gaps[0][i] - gaps[1][i]) < 1e-6); /* clock sums round */
    /* a different seed, different waits */
    flaky_t f = {.fail_times = 5, .code = WA_ENETWORK};
    CHECK_EQ(wa_retry(flaky_attempt, &f, &(wa_retry_opts_t){.attempts = 6, .seed = 999}), 0);
    bool differs = false;
    for (int i = 0; i < 5; i++) differs |= fabs(f.at[i + 1] - f.at[i] - gaps[0][i]) > 1e-6;
    CHECK(differs);
    return 0;
}

static int retry_forever(void *arg) {
    flaky_t *f = arg;
    return wa_retry(flaky_attempt, f, &(wa_retry_opts_t){.attempts = 100, .jitter = WA_JITTER_NONE});
}

TEST_VIRTUAL(session_wa_retry_cancelled_while_backing_off) {
    flaky_t f = {.fail_times = 100, .code = WA_ENETWORK};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, retry_forever, &f, NULL), 0);
    CHECK_EQ(wa_sleep(250), 0);              /* attempts at 0 and 100, sleeping until 300 */
    CHECK_EQ(f.calls, 2);
    CHECK_EQ(wa_cancel(t, "stop"), 1);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(wa_future_cancelled(t));
    CHECK_EQ(wa_sleep(10000), 0);
    CHECK_EQ(f.calls, 2);                    /* nothing after the cancellation */
    wa_release(t);
    return 0;
}

/* ---- without fetch (native builds) -------------------------------------- */

TEST_NATIVE(session_native_requests_fail_with_ehost_and_give_slots_back) {
    wa_session_t *s;
    wa_session_opts_t o = {.base_url = "http://127.0.0.1:9/", .limit = 1, .limit_per_host = 1};
    CHECK_EQ(wa_session_new(&s, &o), 0);
    wa_session_response_t *sr = NULL;
    for (int i = 0; i < 3; i++) CHECK_EQ(wa_session_fetch(s, &sr, "x", NULL), WA_EHOST);
    CHECK(sr == NULL);
    CHECK(strstr(wa_session_error(s), "web host") != NULL);
    CHECK_SESSION_CLEAN(s);
    /* retried? WA_EHOST is not a network failure: one attempt */
    CHECK_EQ(wa_session_fetch_retry(s, &sr, "x", NULL, NULL), WA_EHOST);
    wa_session_stats_t st;
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.retries, 0);
    CHECK_EQ(st.requests, 0);
    /* op form: the same outcome through the op */
    wa_future_t *op;
    CHECK_EQ(wa_session_fetch_start(s, &op, "x", NULL), 0);
    CHECK_EQ(wa_await(op), WA_EHOST);
    CHECK_EQ(wa_session_fetch_finish(op, &sr), WA_EHOST);
    CHECK(strstr(wa_future_message(op), "web host") != NULL);
    wa_release(op);
    /* not a session op */
    wa_future_t *f;
    CHECK_EQ(wa_future_new(&f), 0);
    CHECK_EQ(wa_session_fetch_finish(f, &sr), WA_EINVAL);
    wa_release(f);
    /* closed: refused at once */
    CHECK_EQ(wa_session_close(s), 0);
    CHECK_EQ(wa_session_close(s), 0);
    CHECK_EQ(wa_session_fetch(s, &sr, "x", NULL), WA_ESHUTDOWN);
    CHECK_EQ(wa_session_fetch_start(s, &op, "x", NULL), WA_ESHUTDOWN);
    CHECK_SESSION_CLEAN(s);
    wa_session_free(s);
    return 0;
}

TEST(session_op_outlives_a_freed_session) {
    /* the op holds the session until it ends: freeing the session first is
     * safe, and the op then ends with WA_ESHUTDOWN */
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, NULL), 0);
    wa_future_t *op;
    wa_header_t h = {"x-a", "1"};
    char body[] = "payload";
    wa_fetch_opts_t fo = {.method = "POST", .headers = &h, .nheaders = 1, .body = body, .body_len = 7};
    CHECK_EQ(wa_session_fetch_start(s, &op, "http://127.0.0.1:9/", &fo), 0);
    wa_session_free(s);
    CHECK_EQ(wa_await(op), WA_ESHUTDOWN);
    wa_release(op);
    return 0;
}

/* ---- against the test server (wasm under Node) ----------------------------- */

TEST_WASM(session_base_url_and_headers_seen_by_the_server) {
    CHECK_SERVER();
    char base[URL_MAX];
    snprintf(base, sizeof base, "%sapi/v1/../", wa_test_server_url()); /* dot segments too */
    wa_header_t defaults[] = {{"x-app", "wasyncio"}, {"X-Over", "session"}, {"accept", "text/plain"}};
    wa_session_opts_t o = {.base_url = base, .headers = defaults, .nheaders = 3};
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, &o), 0);
    wa_header_t mine[] = {{"x-over", "request"}, {"x-mine", "1"}};
    wa_fetch_opts_t fo = {.method = "POST", .headers = mine, .nheaders = 2, .body = "hi", .body_len = 2};
    wa_session_response_t *sr;
    CHECK_EQ(wa_session_fetch(s, &sr, "../echo?q=1", &fo), 0);
    CHECK_EQ(wa_session_response_status(sr), 200);
    char *body;
    size_t n;
    CHECK_EQ(wa_session_body(sr, &body, &n), 0);
    wa_session_response_free(sr);
    bool ok = strstr(body, "\"url\":\"/echo?q=1\"") && strstr(body, "\"method\":\"POST\"") &&
              strstr(body, "\"x-app\":\"wasyncio\"") && strstr(body, "\"x-over\":\"request\"") &&
              !strstr(body, "\"session\"") && strstr(body, "\"x-mine\":\"1\"") &&
              strstr(body, "\"accept\":\"text/plain\"") && strstr(body, "\"body\":\"hi\"");
    if (!ok) {
        int rc = wa_fail(WA_EFAILED, "the server saw: %s", body);
        free(body);
        return rc;
    }
    free(body);
    /* an absolute URL ignores the base */
    char abs[URL_MAX];
    snprintf(abs, sizeof abs, "%shealth", wa_test_server_url());
    int status;
    CHECK_EQ(get_body(s, abs, &status, &body), 0);
    CHECK_EQ(status, 200);
    CHECK(strncmp(body, "ok", 2) == 0);
    free(body);
    CHECK_SESSION_CLEAN(s);
    wa_session_free(s);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* A request task: GET path, read the body, note the peak of slots held. */
typedef struct {
    wa_session_t *s;
    const char *path;
    size_t peak_slots;
    int done;
} limit_ctx_t;

static int limited_get(void *arg) {
    limit_ctx_t *c = arg;
    wa_session_response_t *sr;
    int rc = wa_session_fetch(c->s, &sr, c->path, NULL);
    if (rc) return rc;
    wa_session_stats_t st;
    wa_session_get_stats(c->s, &st);
    if (st.slots_held > c->peak_slots) c->peak_slots = st.slots_held;
    char *body;
    size_t n;
    rc = wa_session_body(sr, &body, &n);
    wa_session_response_free(sr);
    if (!rc) free(body);
    c->done++;
    return rc;
}

TEST_WASM(session_limit_per_host_2_with_6_requests_never_more_at_the_server) {
    CHECK_SERVER();
    char tag[64], path[128];
    snprintf(path, sizeof path, "delay/100?tag=%s", new_tag(tag, "lim"));
    wa_session_opts_t o = {.base_url = wa_test_server_url(), .limit_per_host = 2};
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, &o), 0);
    limit_ctx_t c = {.s = s, .path = path};
    wa_task_t *t[6];
    for (int i = 0; i < 6; i++) CHECK_EQ(wa_spawn(&t[i], limited_get, &c, NULL), 0);
    CHECK_EQ(wa_sleep(0), 0);
    wa_session_stats_t st;
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.waiting, 4);                 /* 2 sent, 4 queued */
    CHECK_EQ(st.slots_held, 2);
    wa_future_t *all;
    CHECK_EQ(wa_gather(&all, t, 6, 0), 0);
    int rc = wa_await(all);
    wa_release(all);
    for (int i = 0; i < 6; i++) wa_release(t[i]);
    CHECK_EQ(rc, 0);
    CHECK_EQ(c.done, 6);
    CHECK_EQ(c.peak_slots, 2);
    CHECK_EQ(server_wait(tag, "finished", 6), 6);
    long peak = server_stat(tag, "maxActive");
    CHECK(peak >= 1 && peak <= 2);
    CHECK_SESSION_CLEAN(s);
    wa_session_free(s);
    CHECK_FETCH_CLEAN();
    return 0;
}

TEST_WASM(session_cancelled_waiter_in_the_limit_queue_frees_nothing_it_did_not_take) {
    CHECK_SERVER();
    char tag[64], slow[128], quick[128];
    new_tag(tag, "cq");
    snprintf(slow, sizeof slow, "drip?numbytes=2&chunks=2&duration=300&tag=%s", tag);
    snprintf(quick, sizeof quick, "get?tag=%s", tag);
    wa_session_opts_t o = {.base_url = wa_test_server_url(), .limit_per_host = 1};
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, &o), 0);
    /* A holds the only slot: its headers are in, its body is still coming */
    wa_session_response_t *a;
    CHECK_EQ(wa_session_fetch(s, &a, slow, NULL), 0);
    /* B and C queue behind it; B is cancelled while it waits */
    wa_future_t *b, *c;
    CHECK_EQ(wa_session_fetch_start(s, &b, quick, NULL), 0);
    CHECK_EQ(wa_session_fetch_start(s, &c, quick, NULL), 0);
    wa_session_stats_t st;
    for (int i = 0; i < 100; i++) {
        CHECK_EQ(wa_sleep(0), 0);
        CHECK_EQ(wa_session_get_stats(s, &st), 0);
        if (st.waiting == 2) break;
    }
    CHECK_EQ(st.waiting, 2);
    CHECK_EQ(wa_cancel(b, "not needed"), 1);
    CHECK_EQ(wa_await(b), WA_ECANCELLED);
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.waiting, 1);
    CHECK_EQ(st.slots_held, 1);
    /* C still waits: B gave back no slot it never had */
    CHECK_EQ(wa_sleep(50), 0);
    CHECK(!wa_future_done(c));
    /* A's body ends: its slot goes to C */
    char *body;
    size_t n;
    CHECK_EQ(wa_session_body(a, &body, &n), 0);
    CHECK_EQ(n, 2);
    free(body);
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.responses, 1);               /* A, read but not yet freed ... */
    CHECK_EQ(st.slots_held, 0);              /* ... holds no slot any more */
    CHECK_EQ(wa_await(c), 0);
    wa_session_response_t *cr;
    CHECK_EQ(wa_session_fetch_finish(c, &cr), 0);
    CHECK_EQ(wa_session_fetch_finish(c, &cr), WA_ESTATE); /* taken */
    CHECK_EQ(wa_session_response_status(cr), 200);
    wa_session_response_free(cr);
    wa_session_response_free(a);
    wa_release(b);
    wa_release(c);
    CHECK_EQ(server_wait(tag, "finished", 2), 2);
    CHECK_EQ(server_stat(tag, "maxActive"), 1);
    CHECK_EQ(server_stat(tag, "started"), 2); /* B never reached the server */
    CHECK_SESSION_CLEAN(s);
    wa_session_free(s);
    CHECK_FETCH_CLEAN();
    return 0;
}

static unsigned retried_with_503;
static void note_status(unsigned attempt, int code, int http_status, double delay_ms, void *arg) {
    (void)attempt, (void)delay_ms, (void)arg;
    CHECK_LATER(code == 0 && http_status == 503);
    retried_with_503++;
}

TEST_WASM(session_retry_flaky_server_fails_twice_then_succeeds) {
    CHECK_SERVER();
    char tag[64], path[160];
    new_tag(tag, "fl");
    snprintf(path, sizeof path, "flaky?fail=2&key=%s&code=503&tag=%s", tag, tag);
    wa_session_opts_t o = {.base_url = wa_test_server_url(), .seed = 1};
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, &o), 0);
    wa_retry_opts_t ro = {.base_delay_ms = 20, .on_retry = note_status};
    retried_with_503 = 0;
    wa_session_response_t *sr;
    CHECK_EQ(wa_session_fetch_retry(s, &sr, path, NULL, &ro), 0);
    CHECK_EQ(wa_session_response_status(sr), 200);
    wa_session_response_free(sr);
    CHECK_EQ(retried_with_503, 2);
    CHECK_NO_LATER_FAILURE();
    wa_session_stats_t st;
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.requests, 3);
    CHECK_EQ(st.retries, 2);
    CHECK_EQ(server_stat(tag, "started"), 3);
    /* attempts used up: the last 503 comes back as a response */
    snprintf(path, sizeof path, "flaky?fail=9&key=%s-b&code=503&tag=%s", tag, tag);
    wa_future_t *op;
    CHECK_EQ(wa_session_fetch_retry_start(s, &op, path, NULL, &(wa_retry_opts_t){.attempts = 2, .base_delay_ms = 5}), 0);
    CHECK_EQ(wa_await(op), 0);
    CHECK_EQ(wa_session_fetch_finish(op, &sr), 0);
    CHECK_EQ(wa_session_response_status(sr), 503);
    wa_session_response_free(sr);
    wa_release(op);
    /* a network failure is retried too: a connection reset before any response */
    snprintf(path, sizeof path, "reset?headers=0&tag=%s", tag);
    CHECK_EQ(wa_session_fetch_retry(s, &sr, path, NULL, &(wa_retry_opts_t){.attempts = 3, .base_delay_ms = 5}),
             WA_ENETWORK);
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.requests, 3 + 2 + 3);
    CHECK_EQ(st.retries, 2 + 1 + 2);
    CHECK_SESSION_CLEAN(s);
    wa_session_free(s);
    CHECK_FETCH_CLEAN();
    return 0;
}

TEST_WASM(session_timeouts_total_connect_read) {
    CHECK_SERVER();
    char tag[64], path[160];
    new_tag(tag, "to");
    wa_session_t *s;
    wa_session_response_t *sr = NULL;
    /* total: no response within 100 ms; the request is aborted */
    snprintf(path, sizeof path, "delay/5000?tag=%s", tag);
    CHECK_EQ(wa_session_new(&s, &(wa_session_opts_t){.base_url = wa_test_server_url(), .total_ms = 100}), 0);
    CHECK_EQ(wa_session_fetch(s, &sr, path, NULL), WA_ETIMEDOUT);
    CHECK(strstr(wa_session_error(s), "total timeout") != NULL);
    CHECK_SESSION_CLEAN(s);
    /* total, in the body: headers at once, the body takes 3 s */
    snprintf(path, sizeof path, "drip?numbytes=3&chunks=3&duration=3000&tag=%s", tag);
    CHECK_EQ(wa_session_fetch(s, &sr, path, NULL), 0);
    char *body, buf0[4];
    size_t n;
    CHECK_EQ(wa_session_body(sr, &body, &n), WA_ETIMEDOUT);
    CHECK_EQ(wa_session_read(sr, buf0, 1, &n), WA_ETIMEDOUT); /* it stays failed */
    wa_session_response_free(sr);
    CHECK_SESSION_CLEAN(s);
    wa_session_free(s);
    /* connect: the same, named after the connect timeout */
    snprintf(path, sizeof path, "delay/5000?tag=%s", tag);
    CHECK_EQ(wa_session_new(&s, &(wa_session_opts_t){.base_url = wa_test_server_url(), .connect_ms = 100,
                                                     .total_ms = 60000}),
             0);
    CHECK_EQ(wa_session_fetch(s, &sr, path, NULL), WA_ETIMEDOUT);
    CHECK(strstr(wa_session_error(s), "connect timeout") != NULL);
    /* a request's own timeout_ms replaces total */
    CHECK_EQ(wa_session_fetch(s, &sr, path, &(wa_fetch_opts_t){.timeout_ms = 50}), WA_ETIMEDOUT);
    CHECK(strstr(wa_session_error(s), "total timeout") != NULL);
    wa_session_free(s);
    /* read: the first byte at once, the next one 5 s later */
    snprintf(path, sizeof path, "drip?numbytes=2&chunks=2&duration=5000&tag=%s", tag);
    CHECK_EQ(wa_session_new(&s, &(wa_session_opts_t){.base_url = wa_test_server_url(), .read_ms = 100,
                                                     .limit_per_host = 1}),
             0);
    CHECK_EQ(wa_session_fetch(s, &sr, path, NULL), 0);
    char buf[8];
    CHECK_EQ(wa_session_read(sr, buf, sizeof buf, &n), 0);
    CHECK_EQ(n, 1);
    wa_session_stats_t st;
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.slots_held, 1);
    CHECK_EQ(wa_session_read(sr, buf, sizeof buf, &n), WA_ETIMEDOUT);
    CHECK(strstr(wa_session_error(s), "read timeout") != NULL);
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.slots_held, 0);              /* the failed response gave its slot back */
    wa_session_response_free(sr);
    CHECK_SESSION_CLEAN(s);
    wa_session_free(s);
    /* every one of them was aborted, not left running at the server */
    CHECK_EQ(server_wait(tag, "aborted", 5), 5);
    CHECK_FETCH_CLEAN();
    return 0;
}

static int fetch_expect_shutdown(void *arg) {
    wa_session_t *s = arg;
    wa_session_response_t *sr = NULL;
    int rc = wa_session_fetch(s, &sr, "delay/5000", NULL);
    if (rc == 0) wa_session_response_free(sr);
    return rc == WA_ESHUTDOWN ? 0 : wa_fail(WA_EFAILED, "fetch returned %d, not WA_ESHUTDOWN", rc);
}

TEST_WASM(session_close_withdraws_waiters_aborts_requests_and_bodies) {
    CHECK_SERVER();
    wa_session_opts_t o = {.base_url = wa_test_server_url(), .limit_per_host = 2};
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, &o), 0);
    /* one response handed out (body unread), one request in flight, one
     * waiting for a slot */
    wa_session_response_t *open;
    CHECK_EQ(wa_session_fetch(s, &open, "drip?numbytes=2&chunks=2&duration=5000", NULL), 0);
    wa_task_t *t[2];
    for (int i = 0; i < 2; i++) CHECK_EQ(wa_spawn(&t[i], fetch_expect_shutdown, s, NULL), 0);
    wa_session_stats_t st;
    for (int i = 0; i < 100; i++) {
        CHECK_EQ(wa_sleep(0), 0);
        CHECK_EQ(wa_session_get_stats(s, &st), 0);
        if (st.in_flight == 1 && st.waiting == 1) break;
    }
    CHECK_EQ(st.in_flight, 1);
    CHECK_EQ(st.waiting, 1);
    CHECK_EQ(wa_session_close(s), 0);
    CHECK(wa_session_response(open) == NULL);
    char buf[4];
    size_t n;
    CHECK_EQ(wa_session_read(open, buf, sizeof buf, &n), WA_ESHUTDOWN);
    wa_session_response_free(open);
    wa_session_free(s); /* the two tasks still hold it until they end */
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(wa_await(t[i]), 0);
        wa_release(t[i]);
    }
    CHECK_FETCH_CLEAN();
    return 0;
}

TEST_WASM(session_connect_timeout_covers_the_wait_for_a_slot) {
    CHECK_SERVER();
    char tag[64], slow[128], quick[128];
    new_tag(tag, "cw");
    snprintf(slow, sizeof slow, "drip?numbytes=2&chunks=2&duration=3000&tag=%s", tag);
    snprintf(quick, sizeof quick, "get?tag=%s", tag);
    wa_session_opts_t o = {.base_url = wa_test_server_url(), .limit_per_host = 1, .connect_ms = 200};
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, &o), 0);
    wa_session_response_t *a, *b = NULL;
    CHECK_EQ(wa_session_fetch(s, &a, slow, NULL), 0);
    /* B waits for A's slot past its connect deadline (as aiohttp's
     * sock_connect/connect): it times out, never sent, taking nothing */
    CHECK_EQ(wa_session_fetch(s, &b, quick, &(wa_fetch_opts_t){0}), WA_ETIMEDOUT);
    CHECK(strstr(wa_session_error(s), "connect timeout") != NULL);
    wa_session_stats_t st;
    CHECK_EQ(wa_session_get_stats(s, &st), 0);
    CHECK_EQ(st.waiting, 0);
    CHECK_EQ(st.slots_held, 1);
    CHECK_EQ(st.requests, 1);
    /* A is unharmed */
    char *body;
    size_t n;
    CHECK_EQ(wa_session_body(a, &body, &n), 0);
    CHECK_EQ(n, 2);
    free(body);
    wa_session_response_free(a);
    CHECK_EQ(server_wait(tag, "finished", 1), 1);
    CHECK_EQ(server_stat(tag, "started"), 1);
    CHECK_SESSION_CLEAN(s);
    wa_session_free(s);
    CHECK_FETCH_CLEAN();
    return 0;
}

TEST_WASM(session_cancelling_the_op_aborts_the_request_in_flight) {
    CHECK_SERVER();
    char tag[64], path[128];
    snprintf(path, sizeof path, "delay/5000?tag=%s", new_tag(tag, "co"));
    wa_session_opts_t o = {.base_url = wa_test_server_url(), .limit_per_host = 1};
    wa_session_t *s;
    CHECK_EQ(wa_session_new(&s, &o), 0);
    wa_future_t *op;
    CHECK_EQ(wa_session_fetch_start(s, &op, path, NULL), 0);
    wa_session_stats_t st = {0};
    for (int i = 0; i < 100 && st.in_flight == 0; i++) {
        CHECK_EQ(wa_sleep(0), 0);
        CHECK_EQ(wa_session_get_stats(s, &st), 0);
    }
    CHECK_EQ(st.in_flight, 1);
    CHECK_EQ(server_wait(tag, "started", 1), 1);
    CHECK_EQ(wa_cancel(op, "enough"), 1);
    CHECK_EQ(wa_await(op), WA_ECANCELLED);
    wa_session_response_t *sr;
    CHECK_EQ(wa_session_fetch_finish(op, &sr), WA_ECANCELLED);
    wa_release(op);
    CHECK_SESSION_CLEAN(s);
    CHECK_EQ(server_wait(tag, "aborted", 1), 1);
    /* the slot is free again: the next request goes through */
    snprintf(path, sizeof path, "get?tag=%s", tag);
    int status;
    char *body;
    CHECK_EQ(get_body(s, path, &status, &body), 0);
    CHECK_EQ(status, 200);
    free(body);
    wa_session_free(s);
    CHECK_FETCH_CLEAN();
    return 0;
}
