/* Demo 3: parallel search with an overall timeout and partial failure.
 *
 * Ask several sources at once and take what arrives in time:
 *
 *     results = await asyncio.gather(
 *         *(asyncio.wait_for(search(src, q), timeout) for src in sources),
 *         return_exceptions=True)
 *
 * Every source starts at the same moment, so the per-source wait_for is
 * also the deadline of the whole search: it ends after the slowest source
 * that answers in time, and never later than `timeout`. A source that fails
 * (HTTP 500, connection reset) or misses the deadline (its task is
 * cancelled) costs only its own results.
 *
 * Sources are test-server endpoints standing in for search backends: an
 * answer after d ms (/delay/d), an HTTP 500 after d ms (/drip?code=500),
 * or a connection reset mid-body after d ms (/reset). The hits are made
 * up from the query. The page starts
 * search("q=...&timeout=800&s0=Alpha:150:ok&s1=...") with runtime.spawnC. */
#include "demo.h"

#define MAX_SOURCES 8

typedef struct {
    char name[32];
    char kind[16];   /* ok | error | reset */
    int delay;
    char url[256];
    char query[96];  /* decoded */
    double done_at;  /* when it answered or failed */
} source_t;

static uint32_t fnv(const char *s, uint32_t h) {
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* %XX and + decoding, into out[cap]. */
static void url_decode(const char *s, char *out, size_t cap) {
    size_t j = 0;
    for (; *s && j + 1 < cap; s++) {
        if (*s == '%' && s[1] && s[2]) {
            char hex[3] = {s[1], s[2], 0};
            out[j++] = (char)strtol(hex, NULL, 16);
            s += 2;
        } else {
            out[j++] = *s == '+' ? ' ' : *s;
        }
    }
    out[j] = 0;
}

/* One source: fetch, then make up 1-4 hits for the query. */
static int search_source(void *arg) {
    source_t *s = arg;
    wa_response_t *r;
    int rc = wa_fetch(&r, s->url, NULL);
    if (rc) {
        s->done_at = wa_time();
        return rc; /* network error (the task fails), or cancelled by wait_for */
    }
    int status = wa_response_status(r);
    char *body;
    size_t len;
    rc = wa_response_body(r, &body, &len);
    wa_response_free(r);
    s->done_at = wa_time();
    if (rc) return rc;
    free(body);
    if (status != 200) return wa_fail(WA_EFAILED, "%s answered HTTP %d", s->name, status);
    char hits[512] = "";
    size_t n = 1 + fnv(s->query, fnv(s->name, 2166136261u)) % 4, used = 0;
    for (size_t i = 0; i < n && used < sizeof hits; i++)
        used += (size_t)snprintf(hits + used, sizeof hits - used, "%s%s result %zu for \u201c%s\u201d",
                                 i ? "\n" : "", s->name, i + 1, s->query);
    return wa_return_string(hits);
}

static int search(void *argp) {
    const wa_value_t *arg = argp;
    char base[128] = "", tag[64] = "s", q[96] = "";
    param_str(arg, "base", base, sizeof base);
    param_str(arg, "tag", tag, sizeof tag);
    param_str(arg, "q", q, sizeof q); /* URL-encoded by the page */
    double timeout = param_num(arg, "timeout", 800, 1, 60000);

    source_t src[MAX_SOURCES];
    int n = 0;
    for (int i = 0; i < MAX_SOURCES; i++) {
        char key[8], spec[64];
        snprintf(key, sizeof key, "s%d", i);
        if (!param_str(arg, key, spec, sizeof spec)) continue;
        source_t *s = &src[n];
        memset(s, 0, sizeof *s);
        /* name:delay:kind */
        char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c1 || !c2) return wa_fail(WA_EINVAL, "bad source '%s' (want name:delay:kind)", spec);
        *c1 = *c2 = 0;
        snprintf(s->name, sizeof s->name, "%s", spec);
        s->delay = atoi(c1 + 1);
        snprintf(s->kind, sizeof s->kind, "%s", c2 + 1);
        url_decode(q, s->query, sizeof s->query);
        if (!strcmp(s->kind, "error"))
            snprintf(s->url, sizeof s->url, "%s/drip?delay=%d&code=500&numbytes=16&duration=0&chunks=1&tag=%s",
                     base, s->delay, tag);
        else if (!strcmp(s->kind, "reset"))
            snprintf(s->url, sizeof s->url, "%s/reset?bytes=0&delay=%d&tag=%s", base, s->delay, tag);
        else
            snprintf(s->url, sizeof s->url, "%s/delay/%d?q=%s&src=%s&tag=%s", base, s->delay, q, s->name, tag);
        n++;
    }

    wa_task_t *tasks[MAX_SOURCES] = {0};
    wa_future_t *waits[MAX_SOURCES] = {0};
    int rc = 0, started = 0;
    double t0 = wa_time();
    report("{\"ev\":\"begin\",\"n\":%d,\"timeout\":%.1f,\"t\":%.3f}", n, timeout, t0);
    for (int i = 0; i < n && rc == 0; i++) {
        wa_task_opts_t o = {.name = src[i].name, .stack_size = 32 * 1024};
        rc = wa_spawn(&tasks[i], search_source, &src[i], &o);
        if (rc == 0) rc = wa_wait_for_start(&waits[i], tasks[i], timeout); /* wait_for(task, timeout) */
        if (rc == 0) started++;
    }
    wa_future_t *all = NULL;
    if (rc == 0) rc = wa_gather(&all, waits, (size_t)started, WA_RETURN_EXCEPTIONS);
    if (rc == 0) rc = wa_await(all); /* a failure is a result here, not an exception */
    double total = wa_time() - t0;
    if (rc) cancel_and_wait(tasks, n); /* stopped from the page */

    int ok = 0, failed = 0, timed_out = 0, hits = 0;
    for (int i = 0; i < started; i++) {
        source_t *s = &src[i];
        int st = wa_future_status(waits[i]);
        wa_future_status(tasks[i]); /* its failure is reported here: mark it seen */
        const char *msg = wa_future_message(waits[i]) ? wa_future_message(waits[i]) : wa_future_message(tasks[i]);
        const wa_value_t *v = st == 0 ? wa_future_value(tasks[i]) : NULL;
        char esc1[600], esc2[200];
        const char *what = st == 0 ? "ok" : st == WA_ETIMEDOUT ? "timeout" : st == WA_ECANCELLED ? "cancelled" : "error";
        if (st == 0) ok++;
        else if (st == WA_ETIMEDOUT) timed_out++;
        else if (st != WA_ECANCELLED) failed++;
        if (v && v->type == WA_VALUE_STRING)
            for (const char *p = v->u.string; p; p = strchr(p + 1, '\n')) hits++;
        report("{\"ev\":\"source\",\"i\":%d,\"name\":\"%s\",\"result\":\"%s\",\"ms\":%.3f,"
               "\"error\":\"%s\",\"hits\":\"%s\"}",
               i, s->name, what, (st == WA_ETIMEDOUT || !s->done_at ? wa_time() : s->done_at) - t0,
               json_esc(st && msg ? msg : st ? wa_strerror(st) : "", esc2, sizeof esc2),
               json_esc(v && v->type == WA_VALUE_STRING ? v->u.string : "", esc1, sizeof esc1));
    }
    report("{\"ev\":\"end\",\"ms\":%.3f,\"ok\":%d,\"failed\":%d,\"timedOut\":%d,\"hits\":%d,\"stopped\":%s}",
           total, ok, failed, timed_out, hits, rc ? "true" : "false");
    wa_release(all);
    for (int i = 0; i < n; i++) {
        wa_release(waits[i]);
        wa_release(tasks[i]);
    }
    return rc;
}
WA_EXPORT_CORO(search)
