/* A client session in C: base URL, default headers, a per-host limit,
 * timeouts and retries. Run: session BASE_URL (the test server's). */
#include <stdio.h>
#include <stdlib.h>
#include "wasyncio.h"

typedef struct { wa_session_t *session; const char *path; int status; } page_t;

static int get_page(void *arg) {
    page_t *p = arg;
    wa_retry_opts_t retry = { .attempts = 3, .base_delay_ms = 50 };  /* 429, 5xx, network, timeouts */
    wa_session_response_t *r;
    int rc = wa_session_fetch_retry(p->session, &r, p->path, NULL, &retry);
    if (rc) return rc;
    char *body;
    size_t len;
    rc = wa_session_body(r, &body, &len);   /* the connection slot is free again */
    p->status = wa_session_response_status(r);
    wa_session_response_free(r);
    if (!rc) free(body);
    return rc;
}

static int amain(void *arg) {
    wa_header_t headers[] = { { "x-agent", "crawler/1.0" } };
    wa_session_opts_t opts = {
        .base_url = arg, .headers = headers, .nheaders = 1,
        .limit_per_host = 2,                                       /* TCPConnector(limit_per_host=2) */
        .total_ms = 10000, .connect_ms = 5000, .read_ms = 5000,   /* ClientTimeout */
    };
    wa_session_t *s;
    int rc = wa_session_new(&s, &opts);
    if (rc) return rc;
    page_t pages[] = { { s, "json", 0 }, { s, "delay/20", 0 }, { s, "flaky?fail=1&key=example", 0 } };
    wa_task_t *t[3];
    for (int i = 0; i < 3; i++) wa_spawn(&t[i], get_page, &pages[i], NULL);
    wa_future_t *all;
    wa_gather(&all, t, 3, 0);
    rc = wa_await(all);
    wa_release(all);
    for (int i = 0; i < 3; i++) {
        printf("%s: %d\n", pages[i].path, pages[i].status);
        wa_release(t[i]);
    }
    wa_session_stats_t st;
    wa_session_get_stats(s, &st);
    printf("requests: %llu, retries: %llu\n", (unsigned long long)st.requests, (unsigned long long)st.retries);
    if (rc) fprintf(stderr, "failed: %s (%s)\n", wa_strerror(rc), wa_session_error(s));
    wa_session_free(s);
    return rc;
}

int main(int argc, char **argv) {
    return wa_run(amain, argc > 1 ? argv[1] : "http://127.0.0.1:8080/") ? 1 : 0;
}
