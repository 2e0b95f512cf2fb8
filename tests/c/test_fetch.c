/* fetch on the host's event loop (wasm only: Node's fetch and browsers'),
 * against the test server's endpoints (web/endpoints.mjs). Natively, fetch
 * is not supported: fetch_native_returns_ehost checks the stub. */
#include "harness.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#ifdef __EMSCRIPTEN__
#include <malloc.h>
#endif

/* ---- helpers -------------------------------------------------------------- */

#define URL_MAX 512

/* base URL of the test server + printf(fmt, ...) into buf */
static const char *U(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *U(char *buf, const char *fmt, ...) {
    const char *base = wa_test_server_url();
    if (!base) base = "http://127.0.0.1:9/";
    int n = snprintf(buf, URL_MAX, "%s", base);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, URL_MAX - (size_t)n, fmt, ap);
    va_end(ap);
    return buf;
}

/* A tag no other test run uses, for /stats?tag=. */
static const char *new_tag(char *buf) {
    static unsigned counter;
    snprintf(buf, 64, "c%u-%.0f", ++counter, wa_time() * 1000.0);
    return buf;
}

#define CHECK_SERVER()                                                        \
    do {                                                                      \
        if (!wa_test_server_url())                                            \
            return wa_fail(WA_EFAILED, "no test server: run with --server URL"); \
    } while (0)

/* Nothing of fetch is alive: no response, no pending op, no JS handle. */
#define CHECK_FETCH_CLEAN()                                                   \
    do {                                                                      \
        wa_fetch_stats_t s_;                                                  \
        wa_fetch_get_stats(&s_);                                              \
        CHECK_EQ(s_.responses, 0);                                            \
        CHECK_EQ(s_.pending, 0);                                              \
        CHECK_EQ(s_.host_handles, 0);                                         \
    } while (0)

static long json_num(const char *s, const char *key) {
    char k[64];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(s, k);
    return p ? strtol(p + strlen(k), NULL, 10) : -1;
}

/* GET url, the whole body into *body (free it). */
static int get_text(const char *url, int *status, char **body) {
    wa_response_t *r;
    int rc = wa_fetch(&r, url, NULL);
    if (rc) return rc;
    size_t n;
    *status = wa_response_status(r);
    rc = wa_response_body(r, body, &n);
    wa_response_free(r);
    return rc;
}

/* Wait (up to ms) until the server counted at least n of `what` for tag. */
static int wait_server(const char *tag, const char *what, long n, double ms, long *seen) {
    char url[URL_MAX];
    double until = wa_time() + ms;
    *seen = -1;
    for (;;) {
        int status;
        char *body;
        int rc = get_text(U(url, "stats?tag=%s", tag), &status, &body);
        if (rc) return rc;
        *seen = json_num(body, what);
        free(body);
        if (*seen >= n) return 0;
        if (wa_time() > until) return WA_ETIMEDOUT;
        if ((rc = wa_sleep(20))) return rc;
    }
}

#define CHECK_SERVER_SAW(tag, what, n)                                        \
    do {                                                                      \
        long seen_;                                                           \
        int rc_ = wait_server(tag, what, n, 30000, &seen_);                    \
        if (rc_ == WA_ETIMEDOUT)                                              \
            return wa_fail(WA_EFAILED, "%s:%d: the server saw %s=%ld, expected %ld", \
                           __FILE__, __LINE__, what, seen_, (long)(n));       \
        CHECK_EQ(rc_, 0);                                                     \
    } while (0)

/* The bytes of /bytes/{n}?seed=s (see web/endpoints.mjs). */
static uint32_t lcg_next(uint32_t *x) {
    *x = (1103515245u * *x + 12345u) & 0x7fffffffu;
    return (*x >> 16) & 0xffu;
}

/* ---- native: no fetch ----------------------------------------------------- */

TEST_NATIVE(fetch_native_returns_ehost) {
    wa_response_t *r = NULL;
    wa_future_t *op = NULL;
    CHECK_EQ(wa_fetch(&r, "http://127.0.0.1:9/", NULL), WA_EHOST);
    CHECK(r == NULL);
    CHECK(strstr(wa_fetch_error(), "web host") != NULL);
    CHECK_EQ(wa_fetch_start(&op, "http://127.0.0.1:9/", NULL), WA_EHOST);
    CHECK(op == NULL);
    CHECK_EQ(wa_fetch_start(&op, NULL, NULL), WA_EINVAL);
    wa_fetch_stats_t st;
    wa_fetch_get_stats(&st);
    CHECK_EQ(st.responses, 0);
    CHECK_EQ(st.pending, 0);
    CHECK_EQ(st.started, 0);
    return 0;
}

/* ---- concurrency: 200 requests, 10 in flight -------------------------------- */

typedef struct {
    int next, total;
    int inflight, max_inflight;
    int ok, failures;
    const char *tag;
} pool_t;

/* One GET /delay/100: counts it in flight while it runs and as ok when the
 * server answered 200 with the expected body. Returns the fetch's rc. */
static int fetch_delay_once(pool_t *p, int i) {
    char url[URL_MAX];
    U(url, "delay/100?i=%d&tag=%s", i, p->tag);
    if (++p->inflight > p->max_inflight) p->max_inflight = p->inflight;
    wa_response_t *r;
    int rc = wa_fetch(&r, url, NULL);
    if (rc == 0) {
        char *body;
        size_t n;
        int status = wa_response_status(r);
        rc = wa_response_body(r, &body, &n);
        if (rc == 0) {
            if (status == 200 && strstr(body, "\"delay\":100")) p->ok++;
            free(body);
        }
        wa_response_free(r);
    }
    p->inflight--;
    return rc;
}

static int delay_worker(void *arg) {
    pool_t *p = arg;
    while (p->next < p->total) {
        int rc = fetch_delay_once(p, p->next++);
        if (rc == WA_ECANCELLED) return rc;
        if (rc) p->failures++;
    }
    return 0;
}

TEST_WASM(fetch_200_delays_10_in_flight) {
    CHECK_SERVER();
    char tag[64], url[URL_MAX];
    pool_t pool = {.total = 200, .tag = new_tag(tag)};
    wa_task_t *workers[10];
    double t0 = wa_time();
    for (int i = 0; i < 10; i++) CHECK_EQ(wa_spawn(&workers[i], delay_worker, &pool, NULL), 0);
    wa_future_t *all;
    CHECK_EQ(wa_gather(&all, workers, 10, 0), 0);
    int rc = wa_await(all);
    double ms = wa_time() - t0;
    wa_release(all);
    for (int i = 0; i < 10; i++) wa_release(workers[i]);
    /* How many the server really had at once: browsers open at most 6
     * HTTP/1.1 connections per host and queue the rest. */
    int status;
    char *stats;
    CHECK_EQ(get_text(U(url, "stats?tag=%s", tag), &status, &stats), 0);
    long peak = json_num(stats, "maxActive"), finished = json_num(stats, "finished");
    free(stats);
    double ideal = peak > 0 ? ceil(200.0 / (double)peak) * 100.0 : 2000.0;
    printf("# fetch: 200 x /delay/100, 10 in flight: %.0f ms (ideal 2000 ms; the server saw at most %ld "
           "at once, ideal at that concurrency %.0f ms; sequential 20000 ms)\n", ms, peak, ideal);
    CHECK_EQ(rc, 0);
    CHECK_EQ(finished, 200);
    CHECK(peak >= 1 && peak <= 10);
    CHECK_EQ(pool.failures, 0);
    CHECK_EQ(pool.ok, 200);
    CHECK_EQ(pool.max_inflight, 10);
    /* never faster than 10 at a time allows; how much faster than
     * sequential is a timing claim (printed above, and in bench/) */
    CHECK(ms >= 2000);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* The asyncio-tutorial shape: one task per URL, a Semaphore(10) as the limit. */
typedef struct {
    pool_t *pool;
    wa_sem_t *sem;
    int i;
} sem_job_t;

static int sem_fetch(void *arg) {
    sem_job_t *j = arg;
    int rc = wa_sem_acquire(j->sem);
    if (rc) return rc;
    rc = fetch_delay_once(j->pool, j->i);
    wa_sem_release(j->sem);
    if (rc && rc != WA_ECANCELLED) j->pool->failures++;
    return rc;
}

TEST_WASM(fetch_200_delays_under_semaphore_10) {
    CHECK_SERVER();
    char tag[64], url[URL_MAX];
    pool_t pool = {.total = 200, .tag = new_tag(tag)};
    static sem_job_t jobs[200];
    static wa_task_t *tasks[200];
    wa_sem_t *sem;
    CHECK_EQ(wa_sem_new(&sem, 10), 0);
    wa_task_opts_t o = {.stack_size = 8192};
    double t0 = wa_time();
    for (int i = 0; i < 200; i++) {
        jobs[i] = (sem_job_t){&pool, sem, i};
        CHECK_EQ(wa_spawn(&tasks[i], sem_fetch, &jobs[i], &o), 0);
    }
    wa_future_t *all;
    CHECK_EQ(wa_gather(&all, tasks, 200, 0), 0);
    int rc = wa_await(all);
    double ms = wa_time() - t0;
    wa_release(all);
    for (int i = 0; i < 200; i++) wa_release(tasks[i]);
    wa_sem_destroy(sem);
    int status;
    char *stats;
    CHECK_EQ(get_text(U(url, "stats?tag=%s", tag), &status, &stats), 0);
    long peak = json_num(stats, "maxActive");
    free(stats);
    printf("# fetch: 200 tasks x /delay/100 under Semaphore(10): %.0f ms (ideal 2000 ms; server peak %ld)\n",
           ms, peak);
    CHECK_EQ(rc, 0);
    CHECK_EQ(pool.ok, 200);
    CHECK_EQ(pool.failures, 0);
    CHECK_EQ(pool.max_inflight, 10);
    CHECK(peak >= 1 && peak <= 10);
    CHECK(ms >= 2000);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* ---- timeouts and cancellation ---------------------------------------------- */

TEST_WASM(fetch_timeout_aborts_and_server_sees_close) {
    CHECK_SERVER();
    char url[URL_MAX], tag[64];
    new_tag(tag);
    /* 2 s: the request reaches the server first, however loaded the machine */
    wa_fetch_opts_t o = {.timeout_ms = 2000};
    wa_response_t *r = NULL;
    double t0 = wa_time();
    CHECK_EQ(wa_fetch(&r, U(url, "delay/30000?tag=%s", tag), &o), WA_ETIMEDOUT);
    double ms = wa_time() - t0;
    CHECK(r == NULL);
    CHECK(ms >= 1999);
    CHECK(strstr(wa_fetch_error(), "timed out after 2000 ms") != NULL);
    CHECK_FETCH_CLEAN();
    CHECK_SERVER_SAW(tag, "aborted", 1);
    CHECK_SERVER_SAW(tag, "started", 1);
    return 0;
}

static int fetch_forever(void *arg) {
    wa_response_t *r;
    int rc = wa_fetch(&r, (const char *)arg, NULL);
    wa_log("fetch:%d", rc);
    if (rc == 0) wa_response_free(r);
    return rc;
}

TEST_WASM(fetch_cancelling_the_task_aborts_the_request) {
    CHECK_SERVER();
    char url[URL_MAX], tag[64];
    new_tag(tag);
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, fetch_forever, (void *)U(url, "delay/5000?tag=%s", tag), NULL), 0);
    CHECK_SERVER_SAW(tag, "started", 1);
    wa_fetch_stats_t st;
    wa_fetch_get_stats(&st);
    CHECK_EQ(st.pending, 1);
    CHECK_EQ(st.host_handles, 1);
    CHECK_EQ(wa_cancel(t, "stop"), 1);
    /* the host request is aborted at once, not when the task next runs */
    wa_fetch_get_stats(&st);
    CHECK_EQ(st.pending, 0);
    CHECK_EQ(st.host_handles, 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_STR(wa_future_message(t), "stop"); /* the canceller's message */
    CHECK_STR(wa_log_text(), "fetch:-1");
    wa_release(t);
    CHECK_FETCH_CLEAN();
    CHECK_SERVER_SAW(tag, "aborted", 1);
    return 0;
}

typedef struct {
    const char *url;
    size_t got;
    int chunks;
    int rc;
} drip_state_t;

static int drip_reader(void *arg) {
    drip_state_t *s = arg;
    wa_response_t *r;
    int rc = wa_fetch(&r, s->url, NULL);
    if (rc) return rc;
    char buf[64];
    size_t n;
    while ((rc = wa_response_read(r, buf, sizeof buf, &n)) == 0 && n > 0) {
        s->got += n;
        s->chunks++;
    }
    s->rc = rc;
    wa_response_free(r);
    return rc;
}

TEST_WASM(fetch_cancel_mid_stream_releases_reader_and_server_sees_abort) {
    CHECK_SERVER();
    char url[URL_MAX], tag[64];
    new_tag(tag);
    /* a byte every 500 ms: the cancel comes long before the 40th */
    drip_state_t s = {.url = U(url, "drip?numbytes=40&duration=19500&chunks=40&tag=%s", tag)};
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, drip_reader, &s, NULL), 0);
    double until = wa_time() + 30000; /* catches a hang, not slowness */
    while (s.got < 3 && wa_time() < until) CHECK_EQ(wa_sleep(10), 0);
    CHECK(s.got >= 3);  /* the body streams: chunks arrive as they are sent */
    CHECK(s.got < 40);
    CHECK_EQ(wa_cancel(t, "enough"), 1);
    wa_fetch_stats_t st;
    wa_fetch_get_stats(&st);
    CHECK_EQ(st.pending, 0);
    CHECK_EQ(st.host_handles, 0); /* reader cancelled, controller aborted */
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK_EQ(s.rc, WA_ECANCELLED);
    wa_release(t);
    CHECK_FETCH_CLEAN();
    CHECK_SERVER_SAW(tag, "aborted", 1);
    return 0;
}

TEST_WASM(fetch_timeout_while_streaming_the_body) {
    CHECK_SERVER();
    char url[URL_MAX], tag[64], buf[16];
    new_tag(tag);
    /* the headers and a first byte at once, the next 6.7 s later: the 3 s
     * timeout (long enough for the headers on a loaded machine) ends the
     * body, not the request */
    wa_fetch_opts_t o = {.timeout_ms = 3000};
    wa_response_t *r;
    double t0 = wa_time();
    CHECK_EQ(wa_fetch(&r, U(url, "drip?numbytes=10&duration=60000&chunks=10&tag=%s", tag), &o), 0);
    CHECK_EQ(wa_response_status(r), 200);
    size_t n, got = 0;
    int rc;
    while ((rc = wa_response_read(r, buf, sizeof buf, &n)) == 0 && n > 0) got += n;
    double ms = wa_time() - t0;
    CHECK_EQ(rc, WA_ETIMEDOUT);
    CHECK(got >= 1 && got < 10);
    CHECK(ms >= 2999);
    /* a failed response stays failed */
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), WA_ETIMEDOUT);
    char *body;
    CHECK_EQ(wa_response_body(r, &body, &n), WA_ETIMEDOUT);
    wa_fetch_stats_t st;
    wa_fetch_get_stats(&st);
    CHECK_EQ(st.host_handles, 0);
    wa_response_free(r);
    CHECK_FETCH_CLEAN();
    CHECK_SERVER_SAW(tag, "aborted", 1);
    return 0;
}

TEST_WASM(fetch_freeing_a_response_early_aborts_it) {
    CHECK_SERVER();
    char url[URL_MAX], tag[64], buf[8];
    new_tag(tag);
    wa_response_t *r;
    CHECK_EQ(wa_fetch(&r, U(url, "drip?numbytes=20&duration=4000&chunks=20&tag=%s", tag), NULL), 0);
    size_t n;
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), 0);
    CHECK(n >= 1);
    /* a read pending when the response is freed ends cancelled */
    wa_future_t *op;
    CHECK_EQ(wa_response_read_start(&op, r, buf, sizeof buf), 0);
    CHECK(!wa_future_done(op));
    wa_response_free(r);
    CHECK(wa_future_cancelled(op));
    CHECK_EQ(wa_response_read_finish(op, &n), WA_ECANCELLED);
    wa_release(op);
    CHECK_FETCH_CLEAN();
    CHECK_SERVER_SAW(tag, "aborted", 1);
    return 0;
}

/* ---- failures --------------------------------------------------------------- */

TEST_WASM(fetch_reset_mid_body_is_enetwork) {
    CHECK_SERVER();
    char url[URL_MAX], buf[256];
    /* whole body */
    wa_response_t *r;
    CHECK_EQ(wa_fetch(&r, U(url, "reset?bytes=1000&total=100000"), NULL), 0);
    CHECK_EQ(wa_response_status(r), 200);
    char *body = NULL;
    size_t n;
    CHECK_EQ(wa_response_body(r, &body, &n), WA_ENETWORK);
    CHECK(body == NULL);
    CHECK(wa_fetch_error()[0] != 0);
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), WA_ENETWORK); /* stays failed */
    wa_response_free(r);
    /* streamed, ending with a plain close (FIN) before content-length */
    CHECK_EQ(wa_fetch(&r, U(url, "close-mid-body?bytes=3000&total=100000"), NULL), 0);
    size_t got = 0;
    int rc;
    while ((rc = wa_response_read(r, buf, sizeof buf, &n)) == 0 && n > 0) got += n;
    CHECK_EQ(rc, WA_ENETWORK);
    CHECK(got <= 3000);
    wa_response_free(r);
    /* before any response: the fetch itself fails */
    CHECK_EQ(wa_fetch(&r, U(url, "reset?headers=0"), NULL), WA_ENETWORK);
    CHECK(wa_fetch_error()[0] != 0);
    CHECK_FETCH_CLEAN();
    return 0;
}

static int fetch_and_fail(void *arg) {
    wa_response_t *r;
    int rc = wa_fetch(&r, (const char *)arg, NULL);
    if (rc == 0) wa_response_free(r);
    return rc; /* propagates the fetch failure with its message */
}

TEST_WASM(fetch_failure_message_propagates_as_task_error) {
    CHECK_SERVER();
    char url[URL_MAX];
    wa_task_t *t;
    CHECK_EQ(wa_spawn(&t, fetch_and_fail, (void *)U(url, "reset?headers=0"), NULL), 0);
    CHECK_EQ(wa_await(t), WA_ENETWORK);
    CHECK(wa_future_message(t) && wa_future_message(t)[0]);
    wa_release(t);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* ---- redirects, statuses, headers, bodies ----------------------------------- */

TEST_WASM(fetch_redirects_follow_error_manual) {
    CHECK_SERVER();
    char url[URL_MAX], want[URL_MAX], tag[64];
    new_tag(tag);
    wa_response_t *r;
    CHECK_EQ(wa_fetch(&r, U(url, "redirect/3?tag=%s", tag), NULL), 0);
    CHECK_EQ(wa_response_status(r), 200);
    CHECK(wa_response_redirected(r));
    CHECK_STR(wa_response_url(r), U(want, "get?tag=%s", tag));
    wa_response_free(r);
    CHECK_SERVER_SAW(tag, "finished", 4);

    wa_fetch_opts_t o = {.redirect = WA_REDIRECT_ERROR};
    CHECK_EQ(wa_fetch(&r, U(url, "redirect/2"), &o), WA_ENETWORK);

    o.redirect = WA_REDIRECT_MANUAL;
    CHECK_EQ(wa_fetch(&r, U(url, "redirect/1"), &o), 0);
    /* browsers: an opaque redirect; Node: the 302 itself */
    int st = wa_response_status(r);
    if (st == 0) {
        CHECK_STR(wa_response_type(r), "opaqueredirect");
    } else {
        CHECK_EQ(st, 302);
        CHECK_STR(wa_response_header(r, "Location"), "/get");
    }
    CHECK(!wa_response_redirected(r));
    wa_response_free(r);
    CHECK_FETCH_CLEAN();
    return 0;
}

TEST_WASM(fetch_http_error_statuses_are_responses) {
    CHECK_SERVER();
    static const int codes[] = {200, 201, 204, 400, 404, 418, 500, 503};
    static const char *texts[] = {"OK", "Created", "No Content", "Bad Request", "Not Found",
                                  "I'm a Teapot", "Internal Server Error", "Service Unavailable"};
    char url[URL_MAX], want[64];
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        wa_response_t *r;
        CHECK_EQ(wa_fetch(&r, U(url, "status/%d", codes[i]), NULL), 0);
        CHECK_EQ(wa_response_status(r), codes[i]);
        CHECK_STR(wa_response_status_text(r), texts[i]);
        char *body;
        size_t n;
        CHECK_EQ(wa_response_body(r, &body, &n), 0);
        if (codes[i] == 204) {
            CHECK_EQ(n, 0);
            CHECK_STR(body, "");
        } else {
            snprintf(want, sizeof want, "%d %s\n", codes[i], texts[i]);
            CHECK_STR(body, want);
            CHECK_EQ(n, strlen(want));
        }
        free(body);
        wa_response_free(r);
    }
    CHECK_FETCH_CLEAN();
    return 0;
}

TEST_WASM(fetch_headers_lookup_and_iteration) {
    CHECK_SERVER();
    char url[URL_MAX];
    wa_response_t *r;
    CHECK_EQ(wa_fetch(&r, U(url, "json"), NULL), 0);
    CHECK_EQ(wa_response_status(r), 200);
    CHECK_STR(wa_response_url(r), url);
    CHECK(wa_response_type(r) != NULL);
    CHECK_STR(wa_response_header(r, "Content-Type"), "application/json");
    CHECK_STR(wa_response_header(r, "content-type"), "application/json");
    CHECK(wa_response_header(r, "Content-Security-Policy") != NULL);
    CHECK(wa_response_header(r, "x-not-there") == NULL);
    CHECK(wa_response_header(r, NULL) == NULL);
    size_t count = wa_response_header_count(r);
    CHECK(count >= 3);
    int seen_ct = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name, *value;
        CHECK_EQ(wa_response_header_at(r, i, &name, &value), 0);
        for (const char *p = name; *p; p++) CHECK(!(*p >= 'A' && *p <= 'Z'));
        if (!strcmp(name, "content-type")) seen_ct = !strcmp(value, "application/json");
    }
    CHECK(seen_ct);
    const char *a, *b;
    CHECK_EQ(wa_response_header_at(r, count, &a, &b), WA_EINVAL);
    CHECK_EQ(wa_response_header_at(r, 0, NULL, &b), WA_EINVAL);
    char *body;
    size_t n;
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK(strstr(body, "\"slideshow\"") != NULL);
    free(body);
    wa_response_free(r);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* wa_response_body stops at max_body (default 64 MiB), counted inflated:
 * an endless body and a gzip bomb fail with WA_ETOOBIG instead of growing. */
TEST_WASM(fetch_body_limit_stops_endless_bodies_and_gzip_bombs) {
    CHECK_SERVER();
    char url[URL_MAX];
    wa_fetch_opts_t o = {.max_body = (size_t)1 << 20};
    wa_response_t *r;
    char *body = NULL;
    size_t n = 0;
    CHECK_EQ(wa_fetch(&r, U(url, "endless"), &o), 0);
    CHECK_EQ(wa_response_body(r, &body, &n), WA_ETOOBIG);
    CHECK(strstr(wa_fetch_error(), "max_body") != NULL);
    wa_response_free(r);
    CHECK_EQ(wa_fetch(&r, U(url, "gzip-bomb?mb=80"), NULL), 0); /* over the default */
    CHECK_EQ(wa_response_body(r, &body, &n), WA_ETOOBIG);
    wa_response_free(r);
    o.max_body = 1000;
    CHECK_EQ(wa_fetch(&r, U(url, "bytes/1000"), &o), 0);
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(n, 1000);
    free(body);
    wa_response_free(r);
    CHECK_EQ(wa_fetch(&r, U(url, "bytes/1001"), &o), 0);
    CHECK_EQ(wa_response_body(r, &body, &n), WA_ETOOBIG);
    wa_response_free(r);
    o.max_body = SIZE_MAX; /* no limit */
    CHECK_EQ(wa_fetch(&r, U(url, "gzip-bomb?mb=2"), &o), 0);
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(n, (size_t)2 << 20);
    CHECK(body[0] == 0 && body[n - 1] == 0);
    free(body);
    wa_response_free(r);
    return 0;
}

TEST_WASM(fetch_echo_method_headers_body) {
    CHECK_SERVER();
    char url[URL_MAX];
    /* binary body, NULs included, echoed back raw */
    unsigned char bin[256];
    for (int i = 0; i < 256; i++) bin[i] = (unsigned char)i;
    wa_header_t h[] = {{"Content-Type", "application/x-wasyncio"}, {"X-Wasyncio", "hello, world"}};
    wa_fetch_opts_t o = {.method = "POST", .headers = h, .nheaders = 2, .body = bin, .body_len = sizeof bin};
    wa_response_t *r;
    CHECK_EQ(wa_fetch(&r, U(url, "echo?raw=1"), &o), 0);
    CHECK_EQ(wa_response_status(r), 200);
    CHECK_STR(wa_response_header(r, "content-type"), "application/x-wasyncio");
    char *body;
    size_t n;
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(n, 256);
    CHECK(memcmp(body, bin, 256) == 0);
    CHECK_EQ(body[256], 0);
    free(body);
    wa_response_free(r);
    /* as JSON: method, headers, text body */
    o.method = "PUT";
    o.body = "abc";
    o.body_len = 3;
    CHECK_EQ(wa_fetch(&r, U(url, "echo"), &o), 0);
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK(strstr(body, "\"method\":\"PUT\"") != NULL);
    CHECK(strstr(body, "\"x-wasyncio\":\"hello, world\"") != NULL);
    CHECK(strstr(body, "\"body\":\"abc\"") != NULL);
    CHECK(strstr(body, "\"bodyLength\":3") != NULL);
    free(body);
    wa_response_free(r);
    /* no body; lower-case method names are normalised by fetch */
    wa_fetch_opts_t d = {.method = "delete"};
    CHECK_EQ(wa_fetch(&r, U(url, "echo"), &d), 0);
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK(strstr(body, "\"method\":\"DELETE\"") != NULL);
    CHECK(strstr(body, "\"bodyLength\":0") != NULL);
    free(body);
    wa_response_free(r);
    /* HEAD: headers, no body */
    wa_fetch_opts_t head = {.method = "HEAD"};
    CHECK_EQ(wa_fetch(&r, U(url, "bytes/100"), &head), 0);
    CHECK_EQ(wa_response_status(r), 200);
    char buf[8];
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), 0);
    CHECK_EQ(n, 0);
    wa_response_free(r);
    CHECK_FETCH_CLEAN();
    return 0;
}

TEST_WASM(fetch_bytes_streamed_and_whole_match_the_generator) {
    CHECK_SERVER();
    char url[URL_MAX];
    unsigned char buf[1000];
    /* streamed in reads of at most 1000 bytes */
    wa_response_t *r;
    CHECK_EQ(wa_fetch(&r, U(url, "bytes/200000?seed=7"), NULL), 0);
    CHECK_STR(wa_response_header(r, "content-length"), "200000");
    uint32_t x = 7;
    size_t n, total = 0;
    int reads = 0, rc;
    while ((rc = wa_response_read(r, buf, sizeof buf, &n)) == 0 && n > 0) {
        CHECK(n <= sizeof buf);
        for (size_t i = 0; i < n; i++)
            if (buf[i] != lcg_next(&x)) return wa_fail(WA_EFAILED, "byte %zu differs", total + i);
        total += n;
        reads++;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(total, 200000);
    CHECK(reads >= 200);
    /* after the end: the end again */
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), 0);
    CHECK_EQ(n, 0);
    char *body;
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(n, 0);
    free(body);
    wa_response_free(r);
    /* part streamed, then the rest as a whole */
    CHECK_EQ(wa_fetch(&r, U(url, "bytes/50000?seed=1"), NULL), 0);
    CHECK_EQ(wa_response_read(r, buf, 100, &n), 0);
    CHECK(n >= 1 && n <= 100);
    size_t first = n;
    x = 1;
    for (size_t i = 0; i < first; i++) CHECK_EQ(buf[i], lcg_next(&x));
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(first + n, 50000);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)body[i] != lcg_next(&x)) return wa_fail(WA_EFAILED, "rest byte %zu differs", i);
    free(body);
    wa_response_free(r);
    /* empty */
    CHECK_EQ(wa_fetch(&r, U(url, "bytes/0"), NULL), 0);
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(n, 0);
    free(body);
    wa_response_free(r);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* ---- operation-future forms ------------------------------------------------- */

typedef struct {
    int stage;
    const char *url;
    wa_future_t *op;
    wa_response_t *r;
    char *body;
    size_t len;
    int status;
} step_fetch_t;

static int fetch_step(void *p, int status) {
    step_fetch_t *s = p;
    int rc;
    switch (s->stage) {
    case 0:
        s->stage = 1;
        if ((rc = wa_fetch_start(&s->op, s->url, NULL))) return rc;
        if ((rc = wa_step_await(s->op))) return rc;
        return WA_PENDING;
    case 1:
        rc = wa_fetch_finish(s->op, &s->r);
        wa_release(s->op);
        s->op = NULL;
        if (rc) return rc;
        s->status = wa_response_status(s->r);
        s->stage = 2;
        if ((rc = wa_response_body_start(&s->op, s->r))) return rc;
        if ((rc = wa_step_await(s->op))) return rc;
        return WA_PENDING;
    default:
        (void)status;
        rc = wa_response_body_finish(s->op, &s->body, &s->len);
        wa_release(s->op);
        s->op = NULL;
        wa_response_free(s->r);
        s->r = NULL;
        return rc;
    }
}

static int step_calls_coro_form(void *p, int status) {
    (void)p, (void)status;
    wa_response_t *r;
    int rc = wa_fetch(&r, "http://127.0.0.1:9/", NULL);
    wa_log("step-fetch:%d", rc);
    return 0;
}

TEST_WASM(fetch_op_futures_in_a_step_task) {
    CHECK_SERVER();
    char url[URL_MAX];
    step_fetch_t s = {.url = U(url, "json")};
    wa_task_t *t;
    CHECK_EQ(wa_spawn_step(&t, fetch_step, &s, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_EQ(s.status, 200);
    CHECK(s.body && strstr(s.body, "slideshow"));
    CHECK_EQ(s.len, strlen(s.body));
    free(s.body);
    wa_release(t);
    /* the coroutine forms refuse to run in a step task */
    CHECK_EQ(wa_spawn_step(&t, step_calls_coro_form, NULL, NULL), 0);
    CHECK_EQ(wa_await(t), 0);
    CHECK_STR(wa_log_text(), "step-fetch:-6");
    wa_release(t);
    CHECK_FETCH_CLEAN();
    return 0;
}

TEST_WASM(fetch_cancelling_or_releasing_a_pending_op_aborts) {
    CHECK_SERVER();
    char url[URL_MAX], tag[64];
    new_tag(tag);
    wa_future_t *op;
    CHECK_EQ(wa_fetch_start(&op, U(url, "delay/5000?tag=%s", tag), NULL), 0);
    CHECK_SERVER_SAW(tag, "started", 1);
    CHECK(!wa_future_done(op));
    CHECK_EQ(wa_cancel(op, "no more"), 1);
    CHECK(wa_future_cancelled(op));
    CHECK_STR(wa_future_message(op), "no more");
    CHECK_EQ(wa_cancel(op, "again"), 0);
    wa_response_t *r = NULL;
    CHECK_EQ(wa_fetch_finish(op, &r), WA_ECANCELLED);
    CHECK(r == NULL);
    CHECK_FETCH_CLEAN(); /* the response it owned is gone with the host request */
    wa_release(op);
    CHECK_SERVER_SAW(tag, "aborted", 1);
    /* dropping the last reference of a pending op cancels it */
    CHECK_EQ(wa_fetch_start(&op, U(url, "delay/5000?tag=%s", tag), NULL), 0);
    CHECK_SERVER_SAW(tag, "started", 2);
    CHECK_EQ(wa_fetch_finish(op, &r), WA_ESTATE); /* still pending */
    wa_release(op);
    CHECK_FETCH_CLEAN();
    CHECK_SERVER_SAW(tag, "aborted", 2);
    return 0;
}

static void cancel_task_cb(wa_future_t *f, void *arg) {
    (void)f;
    wa_cancel((wa_task_t *)arg, "late");
}

static int await_op(void *arg) { return wa_await((wa_future_t *)arg); }

TEST_WASM(fetch_cancel_after_completion_rolls_back) {
    CHECK_SERVER();
    char url[URL_MAX], buf[16];
    /* Each op below completes >= 100 ms after it starts, so the task is
     * surely waiting on it by then; cancel_task_cb, registered first, runs
     * before the task's own wake-up: the task is cancelled between the
     * completion of the op and its resumption. */
    /* a response: freed at once, wa_fetch_finish gives WA_ECANCELLED */
    wa_future_t *op;
    wa_task_t *t;
    CHECK_EQ(wa_fetch_start(&op, U(url, "delay/100"), NULL), 0);
    CHECK_EQ(wa_spawn(&t, await_op, op, NULL), 0);
    CHECK_EQ(wa_future_add_done_callback(op, cancel_task_cb, t), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(wa_future_done(op) && !wa_future_cancelled(op));
    wa_fetch_stats_t st;
    wa_fetch_get_stats(&st);
    CHECK_EQ(st.responses, 0);
    CHECK_EQ(st.host_handles, 0);
    wa_response_t *r;
    CHECK_EQ(wa_fetch_finish(op, &r), WA_ECANCELLED);
    wa_release(op);
    wa_release(t);
    /* a read: its bytes go back to the response, the next read gets them */
    size_t n;
    CHECK_EQ(wa_fetch(&r, U(url, "drip?numbytes=2&duration=400&chunks=2"), NULL), 0);
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), 0); /* the first byte */
    CHECK_EQ(n, 1);
    CHECK_EQ(wa_response_read_start(&op, r, buf, sizeof buf), 0); /* the second, later */
    CHECK_EQ(wa_spawn(&t, await_op, op, NULL), 0);
    CHECK_EQ(wa_future_add_done_callback(op, cancel_task_cb, t), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(wa_future_done(op) && !wa_future_cancelled(op));
    CHECK_EQ(wa_response_read_finish(op, &n), WA_ECANCELLED);
    buf[0] = 0;
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(buf[0], '*');
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), 0); /* then the end */
    CHECK_EQ(n, 0);
    wa_release(op);
    wa_release(t);
    wa_response_free(r);
    /* a whole body: given back too, whole */
    CHECK_EQ(wa_fetch(&r, U(url, "drip?numbytes=2&duration=400&chunks=2"), NULL), 0);
    CHECK_EQ(wa_response_body_start(&op, r), 0);
    CHECK_EQ(wa_spawn(&t, await_op, op, NULL), 0);
    CHECK_EQ(wa_future_add_done_callback(op, cancel_task_cb, t), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    CHECK(wa_future_done(op) && !wa_future_cancelled(op));
    char *body;
    CHECK_EQ(wa_response_body_finish(op, &body, &n), WA_ECANCELLED);
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_STR(body, "**");
    free(body);
    wa_release(op);
    wa_release(t);
    wa_response_free(r);
    /* a read given back in part before the body: the body still has it all */
    CHECK_EQ(wa_fetch(&r, U(url, "drip?numbytes=3&duration=400&chunks=3"), NULL), 0);
    CHECK_EQ(wa_response_read_start(&op, r, buf, sizeof buf), 0);
    CHECK_EQ(wa_spawn(&t, await_op, op, NULL), 0);
    CHECK_EQ(wa_future_add_done_callback(op, cancel_task_cb, t), 0);
    CHECK_EQ(wa_await(t), WA_ECANCELLED);
    wa_release(op);
    wa_release(t);
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(n, 3);
    CHECK_STR(body, "***");
    free(body);
    wa_response_free(r);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* Op futures are plain futures: someone may complete one from outside. The
 * host operation is then abandoned, nothing crashes or leaks. */
TEST_WASM(fetch_ops_completed_from_outside_are_abandoned_safely) {
    CHECK_SERVER();
    char url[URL_MAX], tag[64], buf[8];
    new_tag(tag);
    wa_future_t *op;
    wa_response_t *r = NULL;
    /* a request: its response is not handed out, the host request ends */
    CHECK_EQ(wa_fetch_start(&op, U(url, "delay/5000?tag=%s", tag), NULL), 0);
    CHECK_SERVER_SAW(tag, "started", 1); /* at the server (a wait, not a guess) */
    CHECK_EQ(wa_future_set_result(op, NULL, NULL), 0);
    CHECK_EQ(wa_fetch_finish(op, &r), WA_ESTATE);
    CHECK(r == NULL);
    CHECK_FETCH_CLEAN();
    wa_release(op);
    /* ... or its timeout fires meanwhile (maybe before the request reached
     * the server, on a loaded machine: its own tag, checked at the end) */
    char tag2[64];
    new_tag(tag2);
    wa_fetch_opts_t o = {.timeout_ms = 50};
    CHECK_EQ(wa_fetch_start(&op, U(url, "delay/5000?tag=%s", tag2), &o), 0);
    CHECK_EQ(wa_future_set_error(op, WA_EFAILED, "mine"), 0);
    wa_fetch_stats_t st;
    do { /* until the timeout ended the host request */
        CHECK_EQ(wa_sleep(10), 0);
        wa_fetch_get_stats(&st);
    } while (st.host_handles);
    CHECK_FETCH_CLEAN();
    CHECK_EQ(wa_fetch_finish(op, &r), WA_EFAILED);
    wa_release(op);
    /* a read: the response is left failed (cancelled) */
    CHECK_EQ(wa_fetch(&r, U(url, "drip?numbytes=10&duration=4000&chunks=10&tag=%s", tag), NULL), 0);
    size_t n = 99;
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), 0); /* the first chunk */
    CHECK_EQ(wa_response_read_start(&op, r, buf, sizeof buf), 0);
    CHECK_EQ(wa_future_set_result(op, NULL, NULL), 0);
    CHECK_EQ(wa_response_read_finish(op, &n), WA_ESTATE);
    CHECK_EQ(wa_response_read(r, buf, sizeof buf, &n), WA_ECANCELLED);
    wa_release(op);
    wa_response_free(r);
    /* a body: freeing the response first */
    CHECK_EQ(wa_fetch(&r, U(url, "drip?numbytes=10&duration=4000&chunks=10&tag=%s", tag), NULL), 0);
    CHECK_EQ(wa_response_body_start(&op, r), 0);
    CHECK_EQ(wa_future_set_result(op, NULL, NULL), 0);
    wa_response_free(r);
    char *body;
    CHECK_EQ(wa_response_body_finish(op, &body, &n), WA_ESTATE);
    wa_release(op);
    CHECK_FETCH_CLEAN();
    CHECK_SERVER_SAW(tag, "aborted", 3);
    /* the timed-out one: what reached the server was aborted, none finished */
    long started2;
    CHECK_EQ(wait_server(tag2, "started", 0, 0, &started2), 0);
    CHECK_SERVER_SAW(tag2, "aborted", started2);
    CHECK_EQ(wait_server(tag2, "finished", 0, 0, &started2), 0);
    CHECK_EQ(started2, 0);
    return 0;
}

/* ---- argument checking ------------------------------------------------------ */

TEST_WASM(fetch_bad_arguments_are_einval_and_change_nothing) {
    CHECK_SERVER();
    char url[URL_MAX], buf[8];
    wa_fetch_stats_t before, after;
    wa_fetch_get_stats(&before);
    wa_future_t *op = NULL;
    wa_response_t *r = NULL;
    U(url, "json");
    CHECK_EQ(wa_fetch_start(NULL, url, NULL), WA_EINVAL);
    CHECK_EQ(wa_fetch_start(&op, NULL, NULL), WA_EINVAL);
    CHECK_EQ(wa_fetch_start(&op, "", NULL), WA_EINVAL);
    CHECK_EQ(wa_fetch(NULL, url, NULL), WA_EINVAL);
    CHECK_EQ(wa_fetch(&r, "http://[::1", NULL), WA_EINVAL); /* refused by the host */
    wa_fetch_opts_t o = {.method = "GE T"};
    CHECK_EQ(wa_fetch_start(&op, url, &o), WA_EINVAL);
    o.method = "CONNECT";
    CHECK_EQ(wa_fetch_start(&op, url, &o), WA_EINVAL);
    o.method = "";
    CHECK_EQ(wa_fetch_start(&op, url, &o), WA_EINVAL);
    wa_fetch_opts_t b = {.body = "x", .body_len = 1}; /* GET with a body */
    CHECK_EQ(wa_fetch_start(&op, url, &b), WA_EINVAL);
    b.method = "head";
    CHECK_EQ(wa_fetch_start(&op, url, &b), WA_EINVAL);
    wa_fetch_opts_t nb = {.method = "POST", .body_len = 3}; /* NULL body */
    CHECK_EQ(wa_fetch_start(&op, url, &nb), WA_EINVAL);
    wa_header_t bad1[] = {{"X Bad", "v"}};
    wa_header_t bad2[] = {{"X-Ok", "line\r\nX-Injected: 1"}};
    wa_header_t bad3[] = {{"X-Ok", NULL}};
    wa_header_t bad4[] = {{NULL, "v"}};
    wa_fetch_opts_t h = {.headers = bad1, .nheaders = 1};
    CHECK_EQ(wa_fetch_start(&op, url, &h), WA_EINVAL);
    h.headers = bad2;
    CHECK_EQ(wa_fetch_start(&op, url, &h), WA_EINVAL);
    h.headers = bad3;
    CHECK_EQ(wa_fetch_start(&op, url, &h), WA_EINVAL);
    h.headers = bad4;
    CHECK_EQ(wa_fetch_start(&op, url, &h), WA_EINVAL);
    h.headers = NULL;
    CHECK_EQ(wa_fetch_start(&op, url, &h), WA_EINVAL);
    wa_fetch_opts_t rd = {.redirect = 3};
    CHECK_EQ(wa_fetch_start(&op, url, &rd), WA_EINVAL);
    rd.redirect = -1;
    CHECK_EQ(wa_fetch_start(&op, url, &rd), WA_EINVAL);
    wa_fetch_opts_t to = {.timeout_ms = -1};
    CHECK_EQ(wa_fetch_start(&op, url, &to), WA_EINVAL);
    to.timeout_ms = NAN;
    CHECK_EQ(wa_fetch_start(&op, url, &to), WA_EINVAL);
    CHECK(op == NULL && r == NULL);
    wa_fetch_get_stats(&after);
    CHECK_EQ(after.started, before.started);
    CHECK_FETCH_CLEAN();

    /* finish/read/body on the wrong things */
    wa_future_t *plain;
    CHECK_EQ(wa_future_new(&plain), 0);
    CHECK_EQ(wa_fetch_finish(plain, &r), WA_EINVAL);
    size_t n;
    char *body;
    CHECK_EQ(wa_response_read_finish(plain, &n), WA_EINVAL);
    CHECK_EQ(wa_response_body_finish(plain, &body, &n), WA_EINVAL);
    CHECK_EQ(wa_fetch_finish(NULL, &r), WA_EINVAL);
    wa_release(plain);

    CHECK_EQ(wa_fetch(&r, url, NULL), 0);
    CHECK_EQ(wa_response_read(r, NULL, 8, &n), WA_EINVAL);
    CHECK_EQ(wa_response_read(r, buf, 0, &n), WA_EINVAL);
    CHECK_EQ(wa_response_read(r, buf, 8, NULL), WA_EINVAL);
    CHECK_EQ(wa_response_read(NULL, buf, 8, &n), WA_EINVAL);
    CHECK_EQ(wa_response_body(r, NULL, &n), WA_EINVAL);
    CHECK_EQ(wa_response_body(NULL, &body, &n), WA_EINVAL);
    CHECK_EQ(wa_response_read_start(NULL, r, buf, 8), WA_EINVAL);
    /* one operation at a time */
    wa_future_t *a, *c;
    CHECK_EQ(wa_response_body_start(&a, r), 0);
    CHECK_EQ(wa_response_read_start(&c, r, buf, 8), WA_ESTATE);
    CHECK_EQ(wa_response_body_start(&c, r), WA_ESTATE);
    CHECK_EQ(wa_fetch_finish(a, &r), WA_EINVAL); /* not a fetch op */
    CHECK_EQ(wa_await(a), 0);
    CHECK_EQ(wa_response_body_finish(a, &body, &n), 0);
    CHECK_EQ(wa_response_body_finish(a, &body, &n), WA_ESTATE); /* taken */
    free(body);
    wa_release(a);
    wa_response_free(r);
    CHECK_EQ(wa_response_status(NULL), 0);
    CHECK(wa_response_url(NULL) == NULL);
    CHECK_EQ(wa_response_header_count(NULL), 0);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* ---- memory growth ------------------------------------------------------------ */

TEST_WASM(fetch_large_bodies_while_wasm_memory_grows) {
    CHECK_SERVER();
    char url[URL_MAX];
    /* a whole body larger than the initial memory: allocating it grows
     * the memory (and replaces the JS views of it) before the copy */
    const size_t size = 24u << 20;
    wa_response_t *r;
    CHECK_EQ(wa_fetch(&r, U(url, "bytes/%zu?seed=3", size), NULL), 0);
    char *body;
    size_t n;
    CHECK_EQ(wa_response_body(r, &body, &n), 0);
    CHECK_EQ(n, size);
    uint32_t x = 3;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)body[i] != lcg_next(&x)) {
            free(body);
            wa_response_free(r);
            return wa_fail(WA_EFAILED, "byte %zu differs", i);
        }
    free(body);
    wa_response_free(r);
    /* streamed, while the program grows the memory between reads */
    enum { GROW = 48 };
    void *held[GROW] = {0};
    int nheld = 0, rc;
    unsigned char *buf = malloc(65536);
    CHECK(buf != NULL);
    CHECK_EQ(wa_fetch(&r, U(url, "bytes/%u?seed=5", 3u << 20), NULL), 0);
    x = 5;
    size_t total = 0;
    int bad = 0;
    while ((rc = wa_response_read(r, buf, 65536, &n)) == 0 && n > 0) {
        for (size_t i = 0; i < n; i++) bad |= buf[i] != lcg_next(&x);
        total += n;
        if (nheld < GROW && (held[nheld] = malloc(1u << 20)) != NULL) nheld++;
    }
    for (int i = 0; i < nheld; i++) free(held[i]);
    free(buf);
    wa_response_free(r);
    CHECK_EQ(rc, 0);
    CHECK_EQ(total, 3u << 20);
    CHECK(!bad);
    CHECK(nheld >= 8);
    CHECK_FETCH_CLEAN();
    return 0;
}

/* ---- thousands of requests leak nothing ------------------------------------- */

typedef struct {
    int next, total;
    int ok, timeouts, other;
} mix_t;

/* Request i: whole body, streamed body, freed unread, or timed out. */
static int mix_worker(void *arg) {
    mix_t *m = arg;
    char url[URL_MAX], buf[32];
    while (m->next < m->total) {
        int i = m->next++;
        int kind = i % 4;
        wa_fetch_opts_t o = {0};
        if (kind == 3) o.timeout_ms = 5;
        wa_response_t *r;
        int rc = wa_fetch(&r, kind == 3 ? U(url, "delay/30000?i=%d", i) : U(url, "bytes/64?seed=%d", i), &o);
        if (rc == 0) {
            size_t n, total = 0;
            if (kind == 0) {
                char *body;
                rc = wa_response_body(r, &body, &n);
                if (rc == 0) free(body), total = n;
            } else if (kind == 1) {
                while ((rc = wa_response_read(r, buf, sizeof buf, &n)) == 0 && n > 0) total += n;
            } else {
                total = 64; /* freed unread */
            }
            wa_response_free(r);
            if (rc == 0 && total == 64) m->ok++;
            else m->other++;
        } else if (rc == WA_ETIMEDOUT) {
            m->timeouts++;
        } else if (rc == WA_ECANCELLED) {
            return rc;
        } else {
            m->other++;
        }
    }
    return 0;
}

static int run_mix(int total, int nworkers, mix_t *m) {
    memset(m, 0, sizeof *m);
    m->total = total;
    wa_task_t *w[20] = {0};
    int rc = 0, k = 0;
    if (nworkers > 20) nworkers = 20;
    for (; k < nworkers && rc == 0; k++) rc = wa_spawn(&w[k], mix_worker, m, NULL);
    if (rc) k--;
    wa_future_t *all = NULL;
    if (rc == 0) rc = wa_gather(&all, w, (size_t)k, 0);
    if (rc == 0) rc = wa_await(all);
    wa_release(all);
    for (int i = 0; i < k; i++) {
        wa_cancel(w[i], NULL);
        wa_release(w[i]);
    }
    return rc;
}

static size_t heap_in_use(void) {
#ifdef __EMSCRIPTEN__
    wa_loop_trim(); /* pooled task structs and stacks are not leaks */
    return (size_t)mallinfo().uordblks;
#else
    return 0;
#endif
}

/* 1000 requests: a leak of one allocation per request (16 bytes at least)
 * shows as 16 kB; more requests would only bring a loaded machine (90 s for
 * 2000) near the harness watchdog. */
TEST_WASM(fetch_1000_requests_leak_nothing) {
    CHECK_SERVER();
    mix_t m;
    CHECK_EQ(run_mix(100, 20, &m), 0); /* warm-up: pools and rings grow */
    CHECK_FETCH_CLEAN();
    size_t heap0 = heap_in_use();
    double t0 = wa_time();
    CHECK_EQ(run_mix(1000, 20, &m), 0);
    double ms = wa_time() - t0;
    size_t heap1 = heap_in_use();
    printf("# fetch: 1000 mixed requests in %.0f ms; heap in use %zu -> %zu bytes\n", ms, heap0, heap1);
    CHECK_EQ(m.ok, 750);
    CHECK_EQ(m.timeouts, 250);
    CHECK_EQ(m.other, 0);
    CHECK_FETCH_CLEAN();
    /* Pools and rings may settle by a few bytes (the last error message,
     * ring/heap growth); a leak of one allocation per request would show as
     * 16000. */
    CHECK(heap1 <= heap0 + 1024);
    return 0;
}
