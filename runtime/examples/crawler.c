/* A web crawler, the classic asyncio tutorial program, in C on wasyncio.
 *
 *   crawler BASE_URL [--concurrency N] [--tries N] [--timeout MS]
 *                    [--max-pages N] [--key K] [SEED ...]
 *
 * Starts from the seeds (paths relative to BASE_URL, or absolute URLs; by
 * default a set of test-server pages: a /links/ graph, a flaky page that
 * succeeds on its third try, a slow one, a drip, a 404, a 503 and a
 * connection reset mid-body), follows the links of every HTML page within
 * BASE_URL, and fetches each URL once.
 *
 *  - concurrency: one task per URL, all in a TaskGroup; a Semaphore(N)
 *    lets at most N of them fetch at a time (the tutorial's shape); a page's
 *    new links become new tasks in the same group
 *  - retries: network errors, timeouts, 5xx and 429 are retried with
 *    exponential backoff (100 ms, 200 ms, 400 ms ... with +-50% jitter)
 *  - per-request latency (every attempt) and statistics at the end
 *
 * Under Node: node -e "import('./bindings/loader.js').then(m => m.loadModule(
 *   new URL('file://$PWD/build/wasm/crawler.mjs'), {arguments: ['http://127.0.0.1:8080/']}))"
 * with the dev server running (node web/server.mjs). Natively there is no
 * fetch: it says so and exits with status 1. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasyncio.h"

typedef struct {
    char *url;
    int status;          /* final HTTP status, 0 if none                  */
    int rc;              /* final wasyncio status                         */
    int tries;
    double ms;           /* latency of the last attempt                   */
} page_t;

typedef struct {
    const char *base;    /* ends with '/' */
    int concurrency, max_tries, max_pages;
    double timeout_ms;
    /* the URL list: pages[0..count) known, [next..count) still to fetch */
    page_t *pages;
    size_t count, cap, next;
    char **set;          /* open-addressing hash set of known URLs        */
    size_t set_cap;
    wa_sem_t *sem;       /* the concurrency limit                         */
    wa_taskgroup_t *tg;  /* every page task                               */
    int inflight, peak;  /* requests in flight                            */
    /* statistics */
    double *lat;
    size_t nlat, cap_lat;
    int requests, retries;
    size_t bytes;
    uint32_t rng;
} crawl_t;

/* ---- the URL list ---------------------------------------------------------- */

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static char **set_slot(crawl_t *c, const char *u) {
    size_t i = (size_t)hash(u) & (c->set_cap - 1);
    while (c->set[i] && strcmp(c->set[i], u) != 0) i = (i + 1) & (c->set_cap - 1);
    return &c->set[i];
}

/* Add url if it is new and there is room. Returns 1 if added, 0 if known
 * or over the limit, -1 out of memory. */
static int add_url(crawl_t *c, const char *url) {
    if (c->count >= (size_t)c->max_pages) return 0;
    if ((c->count + 1) * 2 > c->set_cap) { /* grow the set, keep load <= 1/2 */
        size_t ncap = c->set_cap ? c->set_cap * 2 : 64;
        char **old = c->set;
        size_t ocap = c->set_cap;
        c->set = calloc(ncap, sizeof *c->set);
        if (!c->set) {
            c->set = old;
            return -1;
        }
        c->set_cap = ncap;
        for (size_t i = 0; i < ocap; i++)
            if (old[i]) *set_slot(c, old[i]) = old[i];
        free(old);
    }
    char **slot = set_slot(c, url);
    if (*slot) return 0;
    if (c->count == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        page_t *n = realloc(c->pages, ncap * sizeof *n);
        if (!n) return -1;
        c->pages = n;
        c->cap = ncap;
    }
    char *u = malloc(strlen(url) + 1);
    if (!u) return -1;
    strcpy(u, url);
    c->pages[c->count++] = (page_t){.url = u};
    *slot = u;
    return 1;
}

static int page_task(void *arg);

/* Start the task that fetches page i (in the crawl's TaskGroup). */
static int spawn_page(crawl_t *c, size_t i) {
    uintptr_t *arg = malloc(2 * sizeof *arg);
    if (!arg) return WA_ENOMEM;
    arg[0] = (uintptr_t)c;
    arg[1] = i;
    wa_task_opts_t opts = {.name = "page", .stack_size = 64 * 1024, .arg_free = free};
    int rc = wa_taskgroup_spawn(c->tg, NULL, page_task, arg, &opts);
    if (rc) free(arg);
    return rc;
}

/* Links of an HTML page: href="..." that stay within the base URL
 * (absolute, or starting with '/'). Fragments are dropped. */
static void add_links(crawl_t *c, const char *html) {
    size_t blen = strlen(c->base);
    /* the origin: scheme://host[:port] (the base without its path) */
    const char *p = strstr(c->base, "://");
    const char *slash = p ? strchr(p + 3, '/') : NULL;
    size_t olen = slash ? (size_t)(slash - c->base) : blen;
    for (const char *h = html; (h = strstr(h, "href=\"")) != NULL;) {
        h += 6;
        const char *end = strchr(h, '"');
        if (!end) break;
        size_t len = (size_t)(end - h);
        const char *hash_mark = memchr(h, '#', len);
        if (hash_mark) len = (size_t)(hash_mark - h);
        char url[1024];
        if (len && h[0] == '/' && olen + len < sizeof url) {
            memcpy(url, c->base, olen);
            memcpy(url + olen, h, len);
            url[olen + len] = 0;
        } else if (len < sizeof url && len >= blen && strncmp(h, c->base, blen) == 0) {
            memcpy(url, h, len);
            url[len] = 0;
        } else {
            h = end;
            continue;
        }
        if (strncmp(url, c->base, blen) == 0 && add_url(c, url) == 1) spawn_page(c, c->count - 1);
        h = end;
    }
}

/* ---- fetching one URL -------------------------------------------------------- */

/* For printing: the URL's path if it is within the base, else the URL. */
static const char *shown(const crawl_t *c, const char *url) {
    size_t blen = strlen(c->base);
    return strncmp(url, c->base, blen) == 0 ? url + blen - 1 : url;
}

static int record_latency(crawl_t *c, double ms) {
    if (c->nlat == c->cap_lat) {
        size_t ncap = c->cap_lat ? c->cap_lat * 2 : 128;
        double *n = realloc(c->lat, ncap * sizeof *n);
        if (!n) return WA_ENOMEM;
        c->lat = n;
        c->cap_lat = ncap;
    }
    c->lat[c->nlat++] = ms;
    return 0;
}

static bool retryable(int rc, int status) {
    if (rc == WA_ENETWORK || rc == WA_ETIMEDOUT) return true;
    return rc == 0 && (status >= 500 || status == 429);
}

/* Fetch page i (with retries); follow its links if it is HTML. */
static int crawl_one(crawl_t *c, size_t i) {
    const char *url = c->pages[i].url;
    wa_fetch_opts_t opts = {.timeout_ms = c->timeout_ms};
    int rc = 0, status = 0, tries = 0;
    double ms = 0;
    char *body = NULL;
    char err[160] = "";
    for (;;) {
        tries++;
        /* at most N requests at once: hold the semaphore for the attempt */
        if ((rc = wa_sem_acquire(c->sem)) != 0) break;
        c->requests++;
        if (++c->inflight > c->peak) c->peak = c->inflight;
        double t0 = wa_time();
        wa_response_t *r = NULL;
        rc = wa_fetch(&r, url, &opts);
        size_t len = 0;
        status = 0;
        if (rc == 0) {
            status = wa_response_status(r);
            free(body);
            body = NULL;
            rc = wa_response_body(r, &body, &len);
            if (rc == 0) {
                c->bytes += len;
                const char *type = wa_response_header(r, "content-type");
                if (!(status == 200 && type && strstr(type, "text/html"))) {
                    free(body);
                    body = NULL;
                }
            }
            wa_response_free(r);
        }
        if (rc) snprintf(err, sizeof err, "%s", wa_fetch_error());
        ms = wa_time() - t0;
        c->inflight--;
        wa_sem_release(c->sem);
        if (rc == WA_ECANCELLED) break;
        if (rc == WA_EHOST) { /* no fetch on this host (a native build) */
            free(body);
            return wa_fail(rc, "%s", err);
        }
        if (record_latency(c, ms)) {
            rc = WA_ENOMEM;
            break;
        }
        if (!retryable(rc, status) || tries >= c->max_tries) break;
        /* exponential backoff with jitter: 100, 200, 400 ... ms, +-50% */
        c->rng = c->rng * 1103515245u + 12345u;
        double jitter = 0.5 + (double)((c->rng >> 16) & 0x7fff) / 32768.0;
        double backoff = 100.0 * pow(2.0, tries - 1) * jitter;
        printf("  retry   %-28s after %s; try %d in %.0f ms\n", shown(c, url),
               rc ? wa_strerror(rc) : (status >= 500 ? "a 5xx status" : "429"), tries + 1, backoff);
        c->retries++;
        free(body);
        body = NULL;
        if ((rc = wa_sleep(backoff)) != 0) break;
    }
    page_t *pg = &c->pages[i]; /* re-read: the list may have moved */
    pg->status = status;
    pg->rc = rc;
    pg->tries = tries;
    pg->ms = ms;
    if (rc == WA_ECANCELLED) {
        free(body);
        return rc;
    }
    if (rc)
        printf("  failed  %-28s %s after %d %s: %s\n", shown(c, pg->url), wa_strerror(rc),
               tries, tries == 1 ? "try" : "tries", err);
    else
        printf("  %3d     %-28s %7.1f ms  %d %s\n", status, shown(c, pg->url), ms, tries,
               tries == 1 ? "try" : "tries");
    if (body) {
        add_links(c, body);
        free(body);
    }
    return 0;
}

/* ---- one task per URL -------------------------------------------------------- */

static int page_task(void *arg) {
    uintptr_t *a = arg;
    return crawl_one((crawl_t *)a[0], (size_t)a[1]);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p) {
    if (!n) return 0;
    size_t i = (size_t)ceil(p / 100.0 * (double)n);
    return v[i ? i - 1 : 0];
}

/* Spawn a task per seed in a TaskGroup; leaving the group waits for them
 * and for every task they start. */
static int run_crawl(crawl_t *c) {
    int rc = wa_sem_new(&c->sem, c->concurrency);
    if (rc) return rc;
    if ((rc = wa_taskgroup_enter(&c->tg)) != 0) {
        wa_sem_destroy(c->sem);
        return rc;
    }
    size_t seeds = c->count;
    for (size_t i = 0; i < seeds && rc == 0; i++) rc = spawn_page(c, i);
    rc = wa_taskgroup_exit(c->tg, rc);
    wa_taskgroup_free(c->tg);
    wa_sem_destroy(c->sem);
    return rc;
}

static void report(crawl_t *c, double total_ms) {
    int ok = 0, http_err = 0, failed = 0, first_try = 0;
    for (size_t i = 0; i < c->count; i++) {
        page_t *p = &c->pages[i];
        if (p->rc) failed++;
        else if (p->status >= 200 && p->status < 300) ok++;
        else http_err++;
        if (!p->rc && p->status < 400 && p->tries == 1) first_try++;
    }
    qsort(c->lat, c->nlat, sizeof *c->lat, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < c->nlat; i++) sum += c->lat[i];
    printf("\ncrawled %zu URLs in %.2f s with Semaphore(%d) (at most %d requests in flight)\n",
           c->count, total_ms / 1000.0, c->concurrency, c->peak);
    printf("  ok: %d (first try: %d)   http errors: %d   failed: %d\n", ok, first_try, http_err, failed);
    printf("  requests: %d   retries: %d   bytes: %zu   %.1f requests/s\n", c->requests, c->retries,
           c->bytes, total_ms > 0 ? c->requests * 1000.0 / total_ms : 0.0);
    printf("  latency ms: min %.1f  mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
           c->nlat ? c->lat[0] : 0.0, c->nlat ? sum / (double)c->nlat : 0.0, pct(c->lat, c->nlat, 50),
           pct(c->lat, c->nlat, 90), pct(c->lat, c->nlat, 99), c->nlat ? c->lat[c->nlat - 1] : 0.0);
}

/* ---- main -------------------------------------------------------------------- */

typedef struct {
    int argc;
    char **argv;
} args_t;

static int usage(void) {
    fprintf(stderr, "usage: crawler BASE_URL [--concurrency N] [--tries N] [--timeout MS] "
                    "[--max-pages N] [--key K] [SEED ...]\n");
    return WA_EINVAL;
}

static int amain(void *arg) {
    args_t *a = arg;
    if (a->argc < 2) return usage();
    crawl_t c = {.concurrency = 8, .max_tries = 4, .max_pages = 200, .timeout_ms = 5000};
    char key[32];
    snprintf(key, sizeof key, "k%.0f", wa_time() * 1000.0);
    const char *seeds[64];
    int nseeds = 0;
    for (int i = 2; i < a->argc; i++) {
        const char *s = a->argv[i];
        const char *v = i + 1 < a->argc ? a->argv[i + 1] : NULL;
        if (!strcmp(s, "--concurrency") && v) c.concurrency = atoi(v), i++;
        else if (!strcmp(s, "--tries") && v) c.max_tries = atoi(v), i++;
        else if (!strcmp(s, "--timeout") && v) c.timeout_ms = atof(v), i++;
        else if (!strcmp(s, "--max-pages") && v) c.max_pages = atoi(v), i++;
        else if (!strcmp(s, "--key") && v) snprintf(key, sizeof key, "%s", v), i++;
        else if (s[0] == '-') return usage();
        else if (nseeds < 64) seeds[nseeds++] = s;
    }
    if (c.concurrency < 1 || c.concurrency > 1000 || c.max_tries < 1 || c.max_pages < 1 ||
        !(c.timeout_ms >= 0))
        return usage();
    /* the base URL, with a trailing slash */
    size_t blen = strlen(a->argv[1]);
    char *base = malloc(blen + 2);
    if (!base) return WA_ENOMEM;
    memcpy(base, a->argv[1], blen + 1);
    if (!blen || base[blen - 1] != '/') strcat(base, "/");
    c.base = base;
    c.rng = 12345;

    char flaky[96];
    snprintf(flaky, sizeof flaky, "flaky?fail=2&key=crawler-%s", key);
    const char *defaults[] = {"links/20/0", flaky, "delay/300", "drip?numbytes=100&duration=400&chunks=5",
                              "status/404", "status/503", "reset?bytes=100"};
    if (!nseeds) {
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) seeds[nseeds++] = defaults[i];
    }
    int rc = 0;
    for (int i = 0; i < nseeds && rc >= 0; i++) {
        char url[1024];
        if (strstr(seeds[i], "://")) snprintf(url, sizeof url, "%s", seeds[i]);
        else snprintf(url, sizeof url, "%s%s", base, seeds[i][0] == '/' ? seeds[i] + 1 : seeds[i]);
        rc = add_url(&c, url);
    }
    printf("crawling %s with Semaphore(%d), up to %d tries per URL (timeout %.0f ms)\n", base,
           c.concurrency, c.max_tries, c.timeout_ms);
    double t0 = wa_time();
    rc = rc < 0 ? WA_ENOMEM : run_crawl(&c);
    double total = wa_time() - t0;
    if (rc == 0) report(&c, total);
    else if (rc == WA_EHOST) rc = wa_fail(rc, "%s", wa_fetch_error());
    for (size_t i = 0; i < c.count; i++) free(c.pages[i].url);
    free(c.pages);
    free(c.set);
    free(c.lat);
    free(base);
    return rc;
}

int main(int argc, char **argv) {
    static args_t a;
    a.argc = argc;
    a.argv = argv;
    /* natively this blocks until the crawl is over; on web hosts it
     * returns at once and the host reports the final status */
    int rc = wa_run(amain, &a);
    if (rc) fprintf(stderr, "crawler: %s: %s\n", wa_strerror(rc), rc == WA_EHOST ? wa_fetch_error() : "");
    return rc == 0 ? 0 : 1;
}
