/* Demo 2: a web crawler with a concurrency limit, retries with exponential
 * backoff, per-request latency and statistics.
 *
 * One task per URL. A Semaphore(concurrency) bounds the requests in
 * flight; a task holds a slot only while its request runs (not while it
 * backs off). Network errors, timeouts and 5xx answers are retried after
 * backoff x 2^(try-1) ms, +-50% jitter, up to `tries` times. HTML pages are
 * scanned for links on the same site, and every new URL gets a task of its
 * own. The crawl ends when the last page task ends (an Event).
 *
 * Seeds (test-server endpoints): a /links/{n}/0 graph of n pages that all
 * link to each other, plus, with failing=1, a page that fails twice before
 * it works (/flaky), a slow page, one slower than the timeout, a 404, a 503
 * that never recovers, a connection reset mid-body and a dripping body.
 *
 * The page starts crawl("pages=12&concurrency=4&tries=3&...") with
 * runtime.spawnC; report() tells it about every attempt and page. Each URL
 * carries ?tag= so the server's /stats?tag= can count the requests. */
#include <math.h>

#include "demo.h"

#define MAX_PAGES 200

typedef struct crawl crawl_t;

typedef struct {
    crawl_t *c;
    int index;
    char url[256];
    int status;     /* last HTTP status (0: none)        */
    int rc;         /* final wasyncio status             */
    int tries;
    double ms;      /* latency of the last attempt       */
    bool html;
} page_t;

struct crawl {
    char base[128], tag[64];
    int concurrency, max_tries, max_pages;
    double backoff_ms, timeout_ms;
    page_t pages[MAX_PAGES];      /* never moves: tasks point into it */
    wa_task_t *tasks[MAX_PAGES];
    int count;
    bool stopping;                /* stopped: start no more tasks     */
    int pending;                  /* page tasks not finished yet      */
    wa_event_t *finished;         /* set when pending drops to 0      */
    wa_sem_t *slots;
    int inflight, peak, requests, retries;
    size_t bytes;
    double lat[MAX_PAGES * 8];
    int nlat;
    uint32_t rng;
};

static int page_task(void *arg);

/* Add url (absolute) if new and there is room; starts its task. */
static void add_url(crawl_t *c, const char *url) {
    if (c->count >= c->max_pages || c->stopping) return;
    for (int i = 0; i < c->count; i++)
        if (!strcmp(c->pages[i].url, url)) return;
    page_t *p = &c->pages[c->count];
    *p = (page_t){.c = c, .index = c->count};
    snprintf(p->url, sizeof p->url, "%s", url);
    /* the task's name is the URL's path (what the timeline shows) */
    const char *path = p->url + strlen(c->base);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(path, "?"), path);
    wa_task_opts_t o = {.name = name, .stack_size = 48 * 1024};
    if (wa_spawn(&c->tasks[c->count], page_task, p, &o) != 0) return;
    c->count++;
    c->pending++;
    char esc[300];
    report("{\"ev\":\"page\",\"i\":%d,\"path\":\"%s\",\"state\":\"queued\"}", p->index,
           json_esc(path, esc, sizeof esc));
}

/* Follow href="/..." links of a page (same site), tagged for /stats. */
static void add_links(crawl_t *c, const char *html) {
    for (const char *h = html; (h = strstr(h, "href=\"/")) != NULL;) {
        h += 6;
        size_t len = strcspn(h, "\"#?");
        char url[256];
        if (len < 100) {
            snprintf(url, sizeof url, "%s%.*s?tag=%s", c->base, (int)len, h, c->tag);
            add_url(c, url);
        }
        h += len;
    }
}

static bool retryable(int rc, int status) {
    return rc == WA_ENETWORK || rc == WA_ETIMEDOUT || (rc == 0 && (status >= 500 || status == 429));
}

/* One attempt: GET with the crawl's timeout; the body if it is HTML. */
static int attempt(crawl_t *c, page_t *p, char **html) {
    wa_fetch_opts_t opts = {.timeout_ms = c->timeout_ms};
    wa_response_t *r;
    int rc = wa_fetch(&r, p->url, &opts);
    if (rc) return rc;
    p->status = wa_response_status(r);
    char *body;
    size_t len;
    rc = wa_response_body(r, &body, &len);
    if (rc == 0) {
        c->bytes += len;
        const char *type = wa_response_header(r, "content-type");
        if (p->status == 200 && type && strstr(type, "text/html")) *html = body;
        else free(body);
    }
    wa_response_free(r);
    return rc;
}

static int page_task(void *arg) {
    page_t *p = arg;
    crawl_t *c = p->c;
    char *html = NULL;
    char err[160] = "";
    int rc = 0;
    for (;;) {
        if ((rc = wa_sem_acquire(c->slots)) != 0) break; /* wait for a free slot */
        p->tries++;
        c->requests++;
        if (++c->inflight > c->peak) c->peak = c->inflight;
        double t0 = wa_time();
        report("{\"ev\":\"attempt\",\"i\":%d,\"task\":%llu,\"try\":%d,\"t\":%.3f}", p->index, my_id(), p->tries, t0);
        p->status = 0;
        rc = attempt(c, p, &html);
        if (rc) snprintf(err, sizeof err, "%s", wa_fetch_error());
        c->inflight--;
        wa_sem_release(c->slots);
        p->ms = wa_time() - t0;
        if (rc == WA_ECANCELLED) break;
        if (c->nlat < (int)(sizeof c->lat / sizeof c->lat[0])) c->lat[c->nlat++] = p->ms;
        if (!retryable(rc, p->status) || p->tries >= c->max_tries) break;
        /* exponential backoff with jitter: backoff, 2x, 4x ... +-50% */
        c->rng = c->rng * 1103515245u + 12345u;
        double jitter = 0.5 + (double)((c->rng >> 16) & 0x7fff) / 32768.0;
        double wait = c->backoff_ms * pow(2.0, p->tries - 1) * jitter;
        c->retries++;
        char esc[200];
        report("{\"ev\":\"retry\",\"i\":%d,\"task\":%llu,\"try\":%d,\"t\":%.3f,\"wait\":%.1f,\"why\":\"%s\"}",
               p->index, my_id(), p->tries, wa_time(), wait,
               json_esc(rc ? err : "HTTP 5xx", esc, sizeof esc));
        if ((rc = wa_sleep(wait)) != 0) break;
    }
    p->rc = rc;
    if (html) {
        add_links(c, html);
        free(html);
    }
    char esc[200];
    report("{\"ev\":\"page\",\"i\":%d,\"state\":\"%s\",\"status\":%d,\"tries\":%d,\"ms\":%.3f,\"error\":\"%s\"}",
           p->index, rc == WA_ECANCELLED ? "cancelled" : rc ? "failed" : p->status >= 500 ? "failed" : "done",
           p->status, p->tries, p->ms, json_esc(rc ? err : "", esc, sizeof esc));
    if (--c->pending == 0) wa_event_set(c->finished);
    if (rc == 0 && p->status >= 500)
        return wa_fail(WA_EFAILED, "HTTP %d after %d tries", p->status, p->tries);
    return rc; /* a network error or timeout: the task fails (red row) */
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p) {
    if (!n) return 0;
    int i = (int)ceil(p / 100.0 * n);
    return v[i ? i - 1 : 0];
}

static int crawl(void *argp) {
    const wa_value_t *arg = argp;
    crawl_t *c = calloc(1, sizeof *c);
    if (!c) return WA_ENOMEM;
    param_str(arg, "base", c->base, sizeof c->base);
    param_str(arg, "tag", c->tag, sizeof c->tag);
    char key[64] = "k";
    param_str(arg, "key", key, sizeof key);
    int links = (int)param_num(arg, "pages", 12, 1, 100);
    c->concurrency = (int)param_num(arg, "concurrency", 4, 1, 50);
    c->max_tries = (int)param_num(arg, "tries", 3, 1, 10);
    c->backoff_ms = param_num(arg, "backoff", 100, 0, 5000);
    c->timeout_ms = param_num(arg, "timeout", 800, 50, 60000);
    c->max_pages = (int)param_num(arg, "max", MAX_PAGES, 1, MAX_PAGES);
    bool failing = param_num(arg, "failing", 1, 0, 1) != 0;
    c->rng = 12345;
    int rc = wa_sem_new(&c->slots, c->concurrency);
    if (rc == 0) rc = wa_event_new(&c->finished);
    if (rc) goto out;

    double t0 = wa_time();
    char url[256];
    snprintf(url, sizeof url, "%s/links/%d/0?tag=%s", c->base, links, c->tag);
    add_url(c, url);
    if (failing) {
        const char *seeds[] = {
            "/flaky?fail=2&key=%s&tag=%s",    /* fails twice, then works      */
            "/delay/600?k=%s&tag=%s",         /* slow                         */
            "/delay/%.0s30000?tag=%s",        /* slower than the timeout      */
            "/status/404?k=%s&tag=%s",        /* not retried: a client error  */
            "/status/503?k=%s&tag=%s",        /* retried, never recovers      */
            "/reset?bytes=100&k=%s&tag=%s",   /* connection reset mid-body    */
            "/drip?numbytes=400&duration=500&chunks=5&k=%s&tag=%s", /* slow body */
        };
        for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
            char path[160];
            snprintf(path, sizeof path, seeds[i], key, c->tag);
            snprintf(url, sizeof url, "%s%s", c->base, path);
            add_url(c, url);
        }
    }
    report("{\"ev\":\"begin\",\"concurrency\":%d,\"tries\":%d}", c->concurrency, c->max_tries);
    rc = c->pending ? wa_event_wait(c->finished) : 0; /* every page task is done */
    double total = wa_time() - t0;
    if (rc) { /* stopped */
        c->stopping = true;
        cancel_and_wait(c->tasks, c->count);
    }

    int ok = 0, http_err = 0, failed = 0, cancelled = 0, first_try = 0;
    for (int i = 0; i < c->count; i++) {
        page_t *p = &c->pages[i];
        int st = wa_future_status(c->tasks[i]); /* also marks a failure as seen */
        if (st == WA_ECANCELLED) cancelled++;
        else if (st) failed++;
        else if (p->status >= 400) http_err++;
        else ok++;
        if (st == 0 && p->status < 400 && p->tries == 1) first_try++;
        wa_release(c->tasks[i]);
    }
    qsort(c->lat, (size_t)c->nlat, sizeof c->lat[0], cmp_double);
    double sum = 0;
    for (int i = 0; i < c->nlat; i++) sum += c->lat[i];
    report("{\"ev\":\"end\",\"ms\":%.3f,\"pages\":%d,\"ok\":%d,\"firstTry\":%d,\"httpErrors\":%d,"
           "\"failed\":%d,\"cancelled\":%d,\"requests\":%d,\"retries\":%d,\"bytes\":%zu,\"peak\":%d,"
           "\"latency\":{\"min\":%.2f,\"mean\":%.2f,\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f}}",
           total, c->count, ok, first_try, http_err, failed, cancelled, c->requests, c->retries,
           c->bytes, c->peak, c->nlat ? c->lat[0] : 0.0, c->nlat ? sum / c->nlat : 0.0,
           pct(c->lat, c->nlat, 50), pct(c->lat, c->nlat, 90), pct(c->lat, c->nlat, 99),
           c->nlat ? c->lat[c->nlat - 1] : 0.0);
out:
    if (c->slots) wa_sem_destroy(c->slots);
    if (c->finished) wa_event_destroy(c->finished);
    free(c);
    return rc;
}
WA_EXPORT_CORO(crawl)
