/* Client sessions and retries (wasyncio/session.h), in plain C over the
 * public API: wa_fetch for requests, wa_sem for connection slots, a
 * wa_timeout scope for the connect/total deadline, wa_sleep for backoff.
 *
 * A request lives on the stack of the task that makes it (the caller's in
 * the coroutine form, a task of its own in the op form) as a req_t linked
 * into its session, naming the future it waits on, so that closing the
 * session can cancel that wait. A response handed out is a
 * wa_session_response_t holding the slots its request took.
 *
 * Lifetime: the session is freed when its owner called wa_session_free
 * and no request or op job refers to it any more (refs). Responses do not
 * refer to it once it is closed: closing aborts their bodies and gives
 * their slots back, so they outlive it safely. */
#include "wasyncio.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 100

typedef struct req req_t;

struct req {
    req_t *prev, *next;
    wa_future_t *waiting;   /* the op this request awaits now, or NULL     */
    bool shut;              /* the session was closed under it             */
    bool has_slots;         /* counted in slots_held                       */
};

typedef struct host_sem {
    struct host_sem *next;
    wa_sem_t *sem;
    char key[];             /* "scheme://authority", lower case            */
} host_sem_t;

struct wa_session {
    unsigned refs;          /* the owner (until free), requests, op jobs   */
    bool closed, freed;
    char *base;             /* NULL: none                                  */
    wa_header_t *headers;   /* copies                                      */
    size_t nheaders;
    wa_sem_t *all;          /* NULL: no total limit                        */
    int per_host;           /* 0: none                                     */
    host_sem_t *hosts;
    double total_ms, connect_ms, read_ms; /* 0: none                       */
    uint64_t rng;           /* splitmix64 state                            */
    req_t *reqs;            /* requests in progress                        */
    wa_session_response_t *resps; /* responses handed out                  */
    char *error;            /* latest failure message                      */
    wa_session_stats_t st;
};

struct wa_session_response {
    wa_session_response_t *prev, *next;
    wa_session_t *s;        /* NULL once the session closed                */
    wa_response_t *r;       /* NULL once the session closed                */
    wa_sem_t *all, *host;   /* slots held, NULL once given back            */
    double read_ms;
};

/* ---- small helpers -------------------------------------------------------- */

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static bool ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (lower((unsigned char)*a) != lower((unsigned char)*b)) return false;
    return *a == *b;
}

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}

/* A timeout in ms: 0 or +inf mean none (0 returned); negative or NaN is
 * invalid (-1). */
static double check_ms(double v) {
    if (v != v || v < 0) return -1;
    return v == WA_NO_TIMEOUT ? 0 : v;
}

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A uniform double in [0, 1). */
static double rng_unit(uint64_t *x) { return (double)(splitmix64(x) >> 11) * 0x1.0p-53; }

static uint64_t seed_from_loop(const void *salt) {
    double t = wa_time();
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    return bits ^ ((uint64_t)(uintptr_t)salt * 0x9E3779B97F4A7C15ull) ^ 0x5DEECE66Dull;
}

static void set_error(wa_session_t *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_error(wa_session_t *s, int rc, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (s) {
        char *m = dupstr(buf);
        if (m) {
            free(s->error);
            s->error = m;
        }
    }
    /* as fetch: the task's failure message too, unless it was cancelled */
    if (rc != WA_ECANCELLED && wa_current_task()) wa_fail(rc, "%s", buf);
}

/* ---- URLs ----------------------------------------------------------------- */

/* The parts of a URI reference (RFC 3986 appendix B): each a slice, NULL
 * when absent (an empty part that is present has len 0). */
typedef struct {
    const char *scheme, *auth, *path, *query, *frag;
    size_t scheme_n, auth_n, path_n, query_n, frag_n;
} uri_t;

static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static void uri_parse(const char *s, uri_t *u) {
    memset(u, 0, sizeof *u);
    const char *p = s;
    if (is_alpha((unsigned char)*p)) {
        const char *q = p + 1;
        while (is_alpha((unsigned char)*q) || (*q >= '0' && *q <= '9') || *q == '+' || *q == '-' || *q == '.') q++;
        if (*q == ':') {
            u->scheme = p;
            u->scheme_n = (size_t)(q - p);
            p = q + 1;
        }
    }
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        u->auth = p;
        while (*p && *p != '/' && *p != '?' && *p != '#') p++;
        u->auth_n = (size_t)(p - u->auth);
    }
    u->path = p;
    while (*p && *p != '?' && *p != '#') p++;
    u->path_n = (size_t)(p - u->path);
    if (*p == '?') {
        u->query = ++p;
        while (*p && *p != '#') p++;
        u->query_n = (size_t)(p - u->query);
    }
    if (*p == '#') {
        u->frag = ++p;
        u->frag_n = strlen(p);
    }
}

/* Append remove_dot_segments(in[0..n)) (RFC 3986 5.2.4) at out; returns
 * the new end. out has room for n bytes. */
static char *remove_dots(char *out, const char *in, size_t n) {
    char *start = out;
    const char *end = in + n;
    while (in < end) {
        size_t left = (size_t)(end - in);
        if (left >= 3 && !memcmp(in, "../", 3)) {
            in += 3;
        } else if (left >= 2 && !memcmp(in, "./", 2)) {
            in += 2;
        } else if (left >= 3 && !memcmp(in, "/./", 3)) {
            in += 2;
        } else if (left == 2 && !memcmp(in, "/.", 2)) {
            in = "/", end = in + 1;
        } else if ((left >= 4 && !memcmp(in, "/../", 4)) || (left == 3 && !memcmp(in, "/..", 3))) {
            if (left == 3) in = "/", end = in + 1;
            else in += 3;
            while (out > start && *--out != '/') {}
        } else if ((left == 1 && in[0] == '.') || (left == 2 && !memcmp(in, "..", 2))) {
            in = end;
        } else {
            do *out++ = *in++;
            while (in < end && *in != '/');
        }
    }
    return out;
}

static char *put(char *o, const char *s, size_t n) {
    memcpy(o, s, n);
    return o + n;
}

int wa_url_resolve(const char *base, const char *ref, char **out) {
    if (!ref || !out) return WA_EINVAL;
    if (!base) {
        char *c = dupstr(ref);
        if (!c) return WA_ENOMEM;
        *out = c;
        return 0;
    }
    uri_t b, r;
    uri_parse(base, &b);
    if (!b.scheme) return WA_EINVAL;
    uri_parse(ref, &r);
    /* the result is at most as long as both together, plus separators */
    char *buf = malloc(strlen(base) + strlen(ref) + 8);
    if (!buf) return WA_ENOMEM;
    char *o = buf;
    const uri_t *auth_from, *query_from = &r;
    if (r.scheme) {
        o = put(o, r.scheme, r.scheme_n);
        *o++ = ':';
        auth_from = &r;
    } else {
        o = put(o, b.scheme, b.scheme_n);
        *o++ = ':';
        auth_from = r.auth ? &r : &b;
    }
    if (auth_from->auth) {
        o = put(o, "//", 2);
        o = put(o, auth_from->auth, auth_from->auth_n);
    }
    if (r.scheme || r.auth || (r.path_n && r.path[0] == '/')) {
        o = remove_dots(o, r.path, r.path_n);
    } else if (!r.path_n) {
        o = put(o, b.path, b.path_n);
        if (!r.query) query_from = &b;
    } else {
        /* merge: base's directory + ref, then remove the dot segments */
        size_t dir = b.path_n;
        while (dir && b.path[dir - 1] != '/') dir--;
        char *merged = malloc(dir + r.path_n + 2);
        if (!merged) {
            free(buf);
            return WA_ENOMEM;
        }
        char *m = merged;
        if (b.auth && !b.path_n) *m++ = '/';
        m = put(m, b.path, dir);
        m = put(m, r.path, r.path_n);
        o = remove_dots(o, merged, (size_t)(m - merged));
        free(merged);
    }
    if (query_from->query) {
        *o++ = '?';
        o = put(o, query_from->query, query_from->query_n);
    }
    if (r.frag) {
        *o++ = '#';
        o = put(o, r.frag, r.frag_n);
    }
    *o = '\0';
    *out = buf;
    return 0;
}

/* "scheme://authority" of an absolute URL, lower case (the per-host slot
 * key); "" for a URL without authority (browsers: relative to the page). */
static char *host_key(const char *url) {
    uri_t u;
    uri_parse(url, &u);
    if (!u.scheme || !u.auth) return dupstr("");
    char *k = malloc(u.scheme_n + 3 + u.auth_n + 1);
    if (!k) return NULL;
    char *o = put(k, u.scheme, u.scheme_n);
    o = put(o, "://", 3);
    o = put(o, u.auth, u.auth_n);
    *o = '\0';
    for (char *c = k; *c; c++) *c = (char)lower((unsigned char)*c);
    return k;
}

/* ---- sessions --------------------------------------------------------------- */

static void session_destroy(wa_session_t *s) {
    for (host_sem_t *h = s->hosts, *n; h; h = n) {
        n = h->next;
        wa_sem_destroy(h->sem);
        free(h);
    }
    if (s->all) wa_sem_destroy(s->all);
    for (size_t i = 0; i < s->nheaders; i++) {
        free((char *)s->headers[i].name);
        free((char *)s->headers[i].value);
    }
    free(s->headers);
    free(s->base);
    free(s->error);
    free(s);
}

static void session_unref(wa_session_t *s) {
    if (--s->refs == 0) session_destroy(s);
}

int wa_session_new(wa_session_t **out, const wa_session_opts_t *opts) {
    static const wa_session_opts_t defaults;
    if (!out) return WA_EINVAL;
    const wa_session_opts_t *o = opts ? opts : &defaults;
    double total = check_ms(o->total_ms), connect = check_ms(o->connect_ms), read = check_ms(o->read_ms);
    if (total < 0 || connect < 0 || read < 0) return WA_EINVAL;
    if (o->limit < WA_SESSION_NO_LIMIT || o->limit_per_host < 0) return WA_EINVAL;
    if (o->nheaders && !o->headers) return WA_EINVAL;
    for (size_t i = 0; i < o->nheaders; i++)
        if (!o->headers[i].name || !*o->headers[i].name || !o->headers[i].value) return WA_EINVAL;
    if (o->base_url) {
        uri_t u;
        uri_parse(o->base_url, &u);
        if (!u.scheme || !u.auth || !u.auth_n) return WA_EINVAL;
    }
    wa_session_t *s = calloc(1, sizeof *s);
    if (!s) return WA_ENOMEM;
    s->refs = 1;
    s->total_ms = total;
    s->connect_ms = connect;
    s->read_ms = read;
    s->per_host = o->limit_per_host;
    s->rng = o->seed ? o->seed : seed_from_loop(s);
    int limit = o->limit == 0 ? DEFAULT_LIMIT : o->limit;
    bool ok = !o->base_url || (s->base = dupstr(o->base_url));
    if (ok && limit > 0) ok = wa_sem_new(&s->all, limit) == 0;
    if (ok && o->nheaders) ok = (s->headers = calloc(o->nheaders, sizeof *s->headers)) != NULL;
    for (size_t i = 0; ok && i < o->nheaders; i++) {
        s->headers[i].name = dupstr(o->headers[i].name);
        s->headers[i].value = dupstr(o->headers[i].value);
        s->nheaders = i + 1;
        ok = s->headers[i].name && s->headers[i].value;
    }
    if (!ok) {
        session_destroy(s);
        return WA_ENOMEM;
    }
    *out = s;
    return 0;
}

static void give_back(wa_session_response_t *sr) {
    if (sr->host) wa_sem_release(sr->host);
    if (sr->all) wa_sem_release(sr->all);
    if ((sr->host || sr->all) && sr->s) sr->s->st.slots_held--;
    sr->host = sr->all = NULL;
}

/* Unlink a response from its session (closing, or freeing the response). */
static void resp_detach(wa_session_response_t *sr) {
    wa_session_t *s = sr->s;
    if (!s) return;
    give_back(sr);
    if (sr->prev) sr->prev->next = sr->next;
    else s->resps = sr->next;
    if (sr->next) sr->next->prev = sr->prev;
    sr->prev = sr->next = NULL;
    s->st.responses--;
    sr->s = NULL;
}

int wa_session_close(wa_session_t *s) {
    if (!s) return WA_EINVAL;
    if (s->closed) return 0;
    s->closed = true;
    for (req_t *q = s->reqs; q; q = q->next) {
        q->shut = true;
        if (q->waiting) wa_cancel(q->waiting, "the session was closed");
    }
    while (s->resps) {
        wa_session_response_t *sr = s->resps;
        resp_detach(sr);
        wa_response_free(sr->r);   /* aborts an unread body */
        sr->r = NULL;
    }
    return 0;
}

void wa_session_free(wa_session_t *s) {
    if (!s || s->freed) return;
    wa_session_close(s);
    s->freed = true;
    session_unref(s);
}

const char *wa_session_error(const wa_session_t *s) { return s && s->error ? s->error : ""; }

int wa_session_get_stats(const wa_session_t *s, wa_session_stats_t *out) {
    if (!s || !out) return WA_EINVAL;
    *out = s->st;
    return 0;
}

/* ---- requests ---------------------------------------------------------------- */

/* The per-host semaphore of key, created on first use. */
static int host_sem(wa_session_t *s, const char *key, wa_sem_t **out) {
    for (host_sem_t *h = s->hosts; h; h = h->next)
        if (!strcmp(h->key, key)) return (*out = h->sem), 0;
    size_t n = strlen(key) + 1;
    host_sem_t *h = malloc(sizeof *h + n);
    if (!h) return WA_ENOMEM;
    memcpy(h->key, key, n);
    if (wa_sem_new(&h->sem, s->per_host)) {
        free(h);
        return WA_ENOMEM;
    }
    h->next = s->hosts;
    s->hosts = h;
    *out = h->sem;
    return 0;
}

/* Await op (a slot or a fetch) as req's current wait, so close can cancel
 * it. Returns the op's status as wa_await does. */
static int await_op(req_t *q, wa_future_t *op) {
    q->waiting = op;
    int rc = wa_await(op);
    q->waiting = NULL;
    return rc;
}

static int take_slot(req_t *q, wa_sem_t *sem) {
    wa_future_t *op;
    int rc = wa_sem_acquire_start(sem, &op);
    if (rc) return rc;
    rc = await_op(q, op);
    wa_release(op);
    return rc;
}

/* Session headers not overridden by the request's, then the request's:
 * a malloc'd array of borrowed pairs. */
static int merge_headers(const wa_session_t *s, const wa_fetch_opts_t *o, wa_header_t **out, size_t *n) {
    size_t rn = o ? o->nheaders : 0;
    if (rn && !o->headers) return WA_EINVAL;
    wa_header_t *h = malloc((s->nheaders + rn + 1) * sizeof *h);
    if (!h) return WA_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < s->nheaders; i++) {
        bool overridden = false;
        for (size_t j = 0; j < rn && !overridden; j++)
            overridden = o->headers[j].name && ieq(o->headers[j].name, s->headers[i].name);
        if (!overridden) h[k++] = s->headers[i];
    }
    for (size_t j = 0; j < rn; j++) {
        if (!o->headers[j].name || !o->headers[j].value) {
            free(h);
            return WA_EINVAL;
        }
        h[k++] = o->headers[j];
    }
    *out = h;
    *n = k;
    return 0;
}

static void req_link(wa_session_t *s, req_t *q) {
    q->prev = NULL;
    q->next = s->reqs;
    if (s->reqs) s->reqs->prev = q;
    s->reqs = q;
    s->refs++;
}

static void req_unlink(wa_session_t *s, req_t *q) {
    if (q->prev) q->prev->next = q->next;
    else s->reqs = q->next;
    if (q->next) q->next->prev = q->prev;
}

/* One request, in the calling coroutine task. */
static int do_request(wa_session_t *s, wa_session_response_t **out, const char *url,
                      const wa_fetch_opts_t *opts) {
    if (!s || !out || !url) return WA_EINVAL;
    if (!wa_current_task()) return WA_ENOTASK;
    if (s->closed) {
        set_error(s, WA_ESHUTDOWN, "the session is closed");
        return WA_ESHUTDOWN;
    }
    double total = s->total_ms;
    if (opts && opts->timeout_ms != 0) {
        total = check_ms(opts->timeout_ms);
        if (total < 0) return WA_EINVAL;
    }
    char *full = NULL, *key = NULL;
    wa_header_t *headers = NULL;
    size_t nheaders = 0;
    int rc = wa_url_resolve(s->base, url, &full);
    if (!rc) rc = merge_headers(s, opts, &headers, &nheaders);
    if (!rc && !(key = host_key(full))) rc = WA_ENOMEM;
    wa_sem_t *hsem = NULL;
    if (!rc && s->per_host) rc = host_sem(s, key, &hsem);
    if (rc) {
        free(full);
        free(key);
        free(headers);
        if (rc == WA_EINVAL) set_error(s, rc, "invalid request: URL %s or its headers", url);
        return rc;
    }
    req_t q = {0};
    req_link(s, &q);
    wa_session_response_t *sr = calloc(1, sizeof *sr);
    wa_response_t *resp = NULL;
    wa_sem_t *all = s->all;
    bool got_all = false, got_host = false, sent = false;
    double t0 = wa_time();
    double connect_at = s->connect_ms ? t0 + s->connect_ms : WA_NO_TIMEOUT;
    double total_at = total ? t0 + total : WA_NO_TIMEOUT;
    bool connect_first = connect_at <= total_at;
    wa_timeout_t scope;
    bool scoped = false;
    if (!sr) rc = WA_ENOMEM;
    if (!rc && (connect_at != WA_NO_TIMEOUT || total_at != WA_NO_TIMEOUT)) {
        rc = wa_timeout_enter_at(&scope, connect_first ? connect_at : total_at);
        scoped = rc == 0;
    }
    /* connection slots: the total one, then the host's (as aiohttp) */
    if (!rc && all) {
        s->st.waiting++;
        rc = take_slot(&q, all);
        s->st.waiting--;
        got_all = rc == 0;
    }
    if (!rc && hsem) {
        s->st.waiting++;
        rc = take_slot(&q, hsem);
        s->st.waiting--;
        got_host = rc == 0;
    }
    if (!rc && (got_all || got_host)) {
        s->st.slots_held++;
        q.has_slots = true;
    }
    if (!rc && s->closed) rc = WA_ECANCELLED; /* closed while we took the slot */
    if (!rc) {
        wa_fetch_opts_t fo = opts ? *opts : (wa_fetch_opts_t){0};
        fo.headers = headers;
        fo.nheaders = nheaders;
        /* the body, read later, is bounded by what is left of total */
        fo.timeout_ms = 0;
        if (total_at != WA_NO_TIMEOUT) {
            fo.timeout_ms = total_at - wa_time();
            if (fo.timeout_ms < 1e-3) fo.timeout_ms = 1e-3;
        }
        wa_future_t *op = NULL;
        rc = wa_fetch_start(&op, full, &fo);
        if (!rc) {
            s->st.requests++;
            s->st.in_flight++;
            sent = true;
            rc = await_op(&q, op);
            s->st.in_flight--;
            if (!rc) rc = wa_fetch_finish(op, &resp);
            else if (rc != WA_ECANCELLED) set_error(s, rc, "%s", wa_future_message(op));
            wa_release(op);
        } else {
            set_error(s, rc, "%s%s", rc == WA_EHOST ? "fetch needs a web host: " : "request refused: ",
                      rc == WA_EHOST ? "this build has no fetch" : wa_strerror(rc));
        }
    }
    if (scoped) {
        int rc2 = wa_timeout_exit(&scope, rc);
        if (rc2 == WA_ETIMEDOUT && rc == WA_ECANCELLED) {
            if (connect_first)
                set_error(s, rc2, "connect timeout: no response from %s within %g ms", key, s->connect_ms);
            else
                set_error(s, rc2, "total timeout: no response from %s within %g ms", key, total);
        }
        rc = rc2;
    }
    wa_task_t *me = wa_current_task();
    if (rc == WA_ECANCELLED && q.shut && wa_task_cancelling(me) == 0) {
        rc = WA_ESHUTDOWN;
        set_error(s, rc, "the session was closed while the request to %s was %s", full,
                  sent ? "in flight" : "waiting for a connection slot");
    }
    req_unlink(s, &q);
    if (!rc) {
        sr->s = s;
        sr->r = resp;
        sr->all = got_all ? all : NULL;
        sr->host = got_host ? hsem : NULL;
        sr->read_ms = s->read_ms;
        sr->next = s->resps;
        if (s->resps) s->resps->prev = sr;
        s->resps = sr;
        s->st.responses++;
        *out = sr;
    } else {
        wa_response_free(resp);
        if (got_host) wa_sem_release(hsem);
        if (got_all) wa_sem_release(all);
        if (q.has_slots) s->st.slots_held--;
        free(sr);
    }
    free(full);
    free(key);
    free(headers);
    session_unref(s);
    return rc;
}

int wa_session_fetch(wa_session_t *s, wa_session_response_t **out, const char *url,
                     const wa_fetch_opts_t *opts) {
    return do_request(s, out, url, opts);
}

/* ---- responses --------------------------------------------------------------- */

wa_response_t *wa_session_response(const wa_session_response_t *sr) { return sr ? sr->r : NULL; }

int wa_session_response_status(const wa_session_response_t *sr) {
    return sr && sr->r ? wa_response_status(sr->r) : 0;
}

void wa_session_response_free(wa_session_response_t *sr) {
    if (!sr) return;
    resp_detach(sr);
    wa_response_free(sr->r);
    free(sr);
}

/* Await a read or body op of sr under the read timeout. */
static int await_read(wa_session_response_t *sr, wa_future_t *op) {
    double ms = sr->read_ms;
    int rc = ms ? wa_wait_for(op, ms) : wa_await(op);
    if (rc == WA_ETIMEDOUT && sr->s)
        set_error(sr->s, rc, "read timeout: no data for %g ms from %s", ms,
                  sr->r ? wa_response_url(sr->r) : "the server");
    return rc;
}

/* The session was closed under a read: WA_ESHUTDOWN, unless the reading
 * task is being cancelled itself (its cancellation is not swallowed). */
static int closed_error(int rc) {
    wa_task_t *me = wa_current_task();
    if (rc == WA_ECANCELLED && me && wa_task_cancelling(me) > 0) return rc;
    if (me) wa_fail(WA_ESHUTDOWN, "the session was closed: the body was aborted");
    return WA_ESHUTDOWN;
}

int wa_session_read(wa_session_response_t *sr, void *buf, size_t cap, size_t *nread) {
    if (!sr || !buf || !nread || !cap) return WA_EINVAL;
    if (!sr->r) return closed_error(0);
    wa_future_t *op;
    int rc = wa_response_read_start(&op, sr->r, buf, cap);
    if (rc) return rc;
    rc = await_read(sr, op);
    if (!rc) rc = wa_response_read_finish(op, nread);
    wa_release(op);
    if (!sr->r) return closed_error(rc);
    /* the end, or a failure (the request is aborted: a timed-out or
     * cancelled read fails the response for good) */
    if (rc || *nread == 0) give_back(sr);
    return rc;
}

int wa_session_body(wa_session_response_t *sr, char **data, size_t *len) {
    if (!sr || !data || !len) return WA_EINVAL;
    if (!sr->r) return closed_error(0);
    wa_future_t *op;
    int rc = wa_response_body_start(&op, sr->r);
    if (rc) return rc;
    rc = await_read(sr, op);
    if (!rc) rc = wa_response_body_finish(op, data, len);
    wa_release(op);
    if (!sr->r) {
        if (!rc) free(*data);
        return closed_error(rc);
    }
    give_back(sr);
    return rc;
}

/* ---- retries ------------------------------------------------------------------ */

static const int DEFAULT_STATUSES[] = {429, 500, 502, 503, 504};

typedef struct {
    unsigned attempts;
    double base, max, mult;
    int jitter;
    const int *statuses;
    size_t nstatuses;
    wa_retry_error_fn retry_error;
    wa_retry_notify_fn on_retry;
    void *arg;
} retry_cfg_t;

static int retry_cfg(const wa_retry_opts_t *o, retry_cfg_t *c) {
    static const wa_retry_opts_t defaults;
    if (!o) o = &defaults;
    c->attempts = o->attempts ? o->attempts : 3;
    c->base = o->base_delay_ms ? o->base_delay_ms : 100;
    c->max = o->max_delay_ms ? o->max_delay_ms : 10000;
    c->mult = o->multiplier ? o->multiplier : 2;
    c->jitter = o->jitter;
    if (!(c->base > 0 && c->base < WA_NO_TIMEOUT)) return WA_EINVAL;
    if (!(c->max > 0)) return WA_EINVAL;
    if (!(c->mult >= 1 && c->mult < WA_NO_TIMEOUT)) return WA_EINVAL;
    if (c->jitter != WA_JITTER_FULL && c->jitter != WA_JITTER_NONE) return WA_EINVAL;
    if (o->statuses) {
        c->statuses = o->statuses;
        c->nstatuses = o->nstatuses;
        for (size_t i = 0; i < o->nstatuses; i++)
            if (o->statuses[i] < 100 || o->statuses[i] > 599) return WA_EINVAL;
    } else {
        if (o->nstatuses) return WA_EINVAL;
        c->statuses = DEFAULT_STATUSES;
        c->nstatuses = sizeof DEFAULT_STATUSES / sizeof DEFAULT_STATUSES[0];
    }
    c->retry_error = o->retry_error;
    c->on_retry = o->on_retry;
    c->arg = o->arg;
    return 0;
}

static double cfg_delay(const retry_cfg_t *c, unsigned n, double u) {
    double d = c->base;
    for (unsigned i = 1; i < n && d < c->max; i++) d *= c->mult;
    if (d > c->max) d = c->max;
    return c->jitter == WA_JITTER_FULL ? d * u : d;
}

double wa_retry_delay(const wa_retry_opts_t *opts, unsigned n, double u) {
    retry_cfg_t c;
    if (n == 0 || retry_cfg(opts, &c)) return -1;
    if (!(u >= 0 && u < 1)) u = 0;
    return cfg_delay(&c, n, u);
}

static bool retryable(const retry_cfg_t *c, int code) {
    if (code == WA_ECANCELLED) return false;
    if (wa_task_cancelling(wa_current_task()) > 0) return false;
    if (c->retry_error) return c->retry_error(code, c->arg);
    return code == WA_ENETWORK || code == WA_ETIMEDOUT;
}

static bool status_retried(const retry_cfg_t *c, int status) {
    for (size_t i = 0; i < c->nstatuses; i++)
        if (c->statuses[i] == status) return true;
    return false;
}

/* Wait before attempt n + 1. */
static int backoff(const retry_cfg_t *c, unsigned n, int code, int status, uint64_t *rng) {
    double d = cfg_delay(c, n, rng_unit(rng));
    if (c->on_retry) c->on_retry(n, code, status, d, c->arg);
    return wa_sleep(d);
}

int wa_retry(wa_coro_fn attempt, void *arg, const wa_retry_opts_t *opts) {
    retry_cfg_t c;
    if (!attempt || retry_cfg(opts, &c)) return WA_EINVAL;
    if (!wa_current_task()) return WA_ENOTASK;
    uint64_t rng = opts && opts->seed ? opts->seed : seed_from_loop(&c);
    for (unsigned n = 1;; n++) {
        int rc = attempt(arg);
        if (rc == 0 || n >= c.attempts || !retryable(&c, rc)) return rc;
        if ((rc = backoff(&c, n, rc, 0, &rng))) return rc;
    }
}

static int do_retry(wa_session_t *s, wa_session_response_t **out, const char *url,
                    const wa_fetch_opts_t *opts, const retry_cfg_t *c) {
    for (unsigned n = 1;; n++) {
        wa_session_response_t *sr = NULL;
        int rc = do_request(s, &sr, url, opts), status = 0;
        if (rc == 0) {
            status = wa_session_response_status(sr);
            if (n >= c->attempts || !status_retried(c, status)) {
                *out = sr;
                return 0;
            }
            wa_session_response_free(sr);
        } else if (n >= c->attempts || !retryable(c, rc)) {
            return rc;
        }
        s->st.retries++;
        if ((rc = backoff(c, n, rc, status, &s->rng))) return rc;
    }
}

int wa_session_fetch_retry(wa_session_t *s, wa_session_response_t **out, const char *url,
                           const wa_fetch_opts_t *opts, const wa_retry_opts_t *retry) {
    retry_cfg_t c;
    if (!s || !out || !url || retry_cfg(retry, &c)) return WA_EINVAL;
    if (!wa_current_task()) return WA_ENOTASK;
    s->refs++; /* the session may be freed by another task while we sleep */
    int rc = do_retry(s, out, url, opts, &c);
    session_unref(s);
    return rc;
}

/* ---- operation forms: a task running the coroutine form ------------------- */

typedef struct {
    wa_session_t *s;
    char *url;
    wa_fetch_opts_t fo;     /* headers, method and body are copies below */
    wa_header_t *headers;
    char *method;
    void *body;
    bool retry;
    retry_cfg_t cfg;
    int *statuses;
} job_t;

/* The op's result: the response until wa_session_fetch_finish takes it. */
typedef struct {
    wa_session_response_t *sr;
} box_t;

static void box_free(void *p) {
    box_t *b = p;
    wa_session_response_free(b->sr);
    free(b);
}

static void job_free(void *p) {
    job_t *j = p;
    for (size_t i = 0; i < j->fo.nheaders; i++) {
        free((char *)j->headers[i].name);
        free((char *)j->headers[i].value);
    }
    free(j->headers);
    free(j->method);
    free(j->body);
    free(j->url);
    free(j->statuses);
    session_unref(j->s);
    free(j);
}

static int job_main(void *arg) {
    job_t *j = arg;
    box_t *b = calloc(1, sizeof *b);
    if (!b) return WA_ENOMEM;
    int rc = j->retry ? do_retry(j->s, &b->sr, j->url, &j->fo, &j->cfg)
                      : do_request(j->s, &b->sr, j->url, &j->fo);
    if (rc) {
        free(b);
        return rc;
    }
    return wa_return(b, box_free);
}

static int start_job(wa_session_t *s, wa_future_t **op, const char *url, const wa_fetch_opts_t *opts,
                     const retry_cfg_t *cfg) {
    if (!s || !op || !url) return WA_EINVAL;
    if (opts && ((opts->nheaders && !opts->headers) || (opts->body_len && !opts->body))) return WA_EINVAL;
    for (size_t i = 0; opts && i < opts->nheaders; i++)
        if (!opts->headers[i].name || !opts->headers[i].value) return WA_EINVAL;
    if (s->closed) return WA_ESHUTDOWN;
    job_t *j = calloc(1, sizeof *j);
    if (!j) return WA_ENOMEM;
    if (opts) j->fo = *opts;
    j->fo.nheaders = 0;
    bool ok = (j->url = dupstr(url)) != NULL;
    if (ok && opts && opts->method) ok = (j->method = dupstr(opts->method)) != NULL;
    if (ok && opts && opts->body_len) {
        ok = (j->body = malloc(opts->body_len)) != NULL;
        if (ok) memcpy(j->body, opts->body, opts->body_len);
    }
    size_t nh = opts ? opts->nheaders : 0;
    if (ok && nh) ok = (j->headers = calloc(nh, sizeof *j->headers)) != NULL;
    for (size_t i = 0; ok && i < nh; i++) {
        const wa_header_t *h = &opts->headers[i];
        j->headers[i].name = dupstr(h->name);
        j->headers[i].value = dupstr(h->value);
        j->fo.nheaders = i + 1;
        ok = j->headers[i].name && j->headers[i].value;
    }
    if (ok && cfg) {
        j->retry = true;
        j->cfg = *cfg;
        if (cfg->statuses != DEFAULT_STATUSES && cfg->nstatuses) {
            ok = (j->statuses = malloc(cfg->nstatuses * sizeof *j->statuses)) != NULL;
            if (ok) memcpy(j->statuses, cfg->statuses, cfg->nstatuses * sizeof *j->statuses);
            j->cfg.statuses = j->statuses;
        }
    }
    j->fo.headers = j->headers;
    j->fo.method = j->method;
    j->fo.body = j->body;
    s->refs++;
    j->s = s;
    if (!ok) {
        job_free(j);
        return WA_ENOMEM;
    }
    wa_task_opts_t to = {.name = cfg ? "session fetch (retry)" : "session fetch", .arg_free = job_free};
    return wa_spawn(op, job_main, j, &to);
}

int wa_session_fetch_start(wa_session_t *s, wa_future_t **op, const char *url,
                           const wa_fetch_opts_t *opts) {
    return start_job(s, op, url, opts, NULL);
}

int wa_session_fetch_retry_start(wa_session_t *s, wa_future_t **op, const char *url,
                                 const wa_fetch_opts_t *opts, const wa_retry_opts_t *retry) {
    retry_cfg_t c;
    if (retry_cfg(retry, &c)) return WA_EINVAL;
    return start_job(s, op, url, opts, &c);
}

int wa_session_fetch_finish(wa_future_t *op, wa_session_response_t **out) {
    wa_coro_fn fn = NULL;
    if (!op || !out || !wa_is_task(op) || wa_task_get_coro(op, &fn, NULL, NULL) || fn != job_main)
        return WA_EINVAL;
    if (!wa_future_done(op)) return WA_ESTATE;
    int rc = wa_future_status(op);
    if (rc) return rc;
    box_t *b = wa_future_result(op);
    if (!b || !b->sr) return WA_ESTATE;
    *out = b->sr;
    b->sr = NULL;
    return 0;
}
