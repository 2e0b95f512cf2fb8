/* Demo 4: producers and consumers over a bounded Queue, with task_done and
 * join (asyncio's Queue example, in C).
 *
 * Producers put numbered items, one every `produce` ms each; a put waits
 * while the queue holds `maxsize` items (backpressure). Consumers get an
 * item, work on it for about `consume` ms, and call task_done. Main waits
 * for the producers, then for join() (every item put has been task_done'd),
 * then cancels the consumers, which would otherwise wait for items forever.
 * Both rates can be changed while it runs (set_rates, called by the page).
 *
 * The page starts pipeline("items=60&producers=2&consumers=3&maxsize=8...")
 * and draws the queue depth from the "depth" reports. */
#include "demo.h"

#define MAX_WORKERS 8

typedef struct {
    wa_queue_t *q;
    int items, producers, consumers, maxsize;
    double produce_ms, consume_ms;
    int next;                     /* last item number handed out   */
    int produced, consumed, dupes;
    int per_consumer[MAX_WORKERS];
    unsigned char *seen;          /* seen[i]: item i+1 consumed     */
    size_t max_depth;
    double last_done;             /* time of the last task_done    */
    uint32_t rng;
} pipeline_t;

static pipeline_t *current; /* the running pipeline, for set_rates */

/* Called by the page (runtime.M._set_rates) when a slider moves; < 0
 * leaves a rate as it is. */
__attribute__((used)) void set_rates(double produce_ms, double consume_ms) {
    if (!current) return;
    if (produce_ms >= 0) current->produce_ms = produce_ms;
    if (consume_ms >= 0) current->consume_ms = consume_ms;
}

/* ms * (0.5 .. 1.5), so the workers drift apart */
static double jitter(pipeline_t *p, double ms) {
    p->rng = p->rng * 1103515245u + 12345u;
    return ms * (0.5 + (double)((p->rng >> 16) & 0x7fff) / 32768.0);
}

static void depth(pipeline_t *p, const char *what, int who, int item) {
    size_t d = wa_queue_qsize(p->q);
    if (d > p->max_depth) p->max_depth = d;
    report("{\"ev\":\"depth\",\"t\":%.3f,\"d\":%zu,\"what\":\"%s\",\"who\":%d,\"item\":%d}", wa_time(), d,
           what, who, item);
}

typedef struct {
    pipeline_t *p;
    int index;
} worker_t;

static int producer(void *arg) {
    worker_t *w = arg;
    pipeline_t *p = w->p;
    for (;;) {
        int rc = wa_sleep(jitter(p, p->produce_ms)); /* making an item takes time */
        if (rc) return rc;
        if (p->next >= p->items) return 0;
        int item = ++p->next;
        rc = wa_queue_put(p->q, (void *)(uintptr_t)item); /* waits while the queue is full */
        if (rc) return rc;
        p->produced++;
        depth(p, "put", w->index, item);
    }
}

static int consumer(void *arg) {
    worker_t *w = arg;
    pipeline_t *p = w->p;
    for (;;) {
        void *it;
        int rc = wa_queue_get(p->q, &it); /* waits while the queue is empty */
        if (rc) return rc;                 /* cancelled: main is done with us */
        int item = (int)(uintptr_t)it;
        depth(p, "get", w->index, item);
        rc = wa_sleep(jitter(p, p->consume_ms)); /* the work */
        if (item >= 1 && item <= p->items) {
            if (p->seen[item - 1]) p->dupes++;
            p->seen[item - 1] = 1;
        }
        p->consumed++;
        p->per_consumer[w->index]++;
        wa_queue_task_done(p->q);
        p->last_done = wa_time();
        if (rc) return rc;
    }
}

static int pipeline(void *argp) {
    const wa_value_t *arg = argp;
    pipeline_t *p = calloc(1, sizeof *p);
    if (!p) return WA_ENOMEM;
    p->items = (int)param_num(arg, "items", 60, 1, 100000);
    p->producers = (int)param_num(arg, "producers", 2, 1, MAX_WORKERS);
    p->consumers = (int)param_num(arg, "consumers", 3, 1, MAX_WORKERS);
    p->maxsize = (int)param_num(arg, "maxsize", 8, 1, 1000);
    p->produce_ms = param_num(arg, "produce", 20, 0, 5000);
    p->consume_ms = param_num(arg, "consume", 60, 0, 5000);
    p->rng = 42;
    p->seen = calloc((size_t)p->items, 1);
    wa_queue_opts_t qo = {.kind = WA_QUEUE_FIFO, .maxsize = (size_t)p->maxsize};
    int rc = p->seen ? wa_queue_new(&p->q, &qo) : WA_ENOMEM;
    if (rc) {
        free(p->seen);
        free(p);
        return rc;
    }
    current = p;

    worker_t ws[2 * MAX_WORKERS];
    wa_task_t *prod[MAX_WORKERS] = {0}, *cons[MAX_WORKERS] = {0};
    double t0 = wa_time();
    report("{\"ev\":\"begin\",\"t\":%.3f,\"maxsize\":%d,\"items\":%d}", t0, p->maxsize, p->items);
    for (int i = 0; i < p->producers && rc == 0; i++) {
        char name[32];
        snprintf(name, sizeof name, "producer %d", i + 1);
        ws[i] = (worker_t){p, i};
        wa_task_opts_t o = {.name = name, .stack_size = 32 * 1024};
        rc = wa_spawn(&prod[i], producer, &ws[i], &o);
    }
    for (int i = 0; i < p->consumers && rc == 0; i++) {
        char name[32];
        snprintf(name, sizeof name, "consumer %d", i + 1);
        ws[MAX_WORKERS + i] = (worker_t){p, i};
        wa_task_opts_t o = {.name = name, .stack_size = 32 * 1024};
        rc = wa_spawn(&cons[i], consumer, &ws[MAX_WORKERS + i], &o);
    }

    /* 1. wait for the producers */
    wa_future_t *all = NULL;
    if (rc == 0) rc = wa_gather(&all, prod, (size_t)p->producers, 0);
    if (rc == 0) rc = wa_await(all);
    wa_release(all);
    double produced_at = wa_time();
    /* 2. wait until every item is processed */
    if (rc == 0) rc = wa_queue_join(p->q);
    double joined_at = wa_time();
    /* 3. the consumers wait for items that will never come: cancel them */
    cancel_and_wait(cons, p->consumers);
    if (rc) cancel_and_wait(prod, p->producers); /* stopped from the page */

    int missing = 0;
    for (int i = 0; i < p->items; i++) missing += !p->seen[i];
    char per[128] = "";
    for (int i = 0, used = 0; i < p->consumers; i++)
        used += snprintf(per + used, sizeof per - (size_t)used, "%s%d", i ? "," : "", p->per_consumer[i]);
    report("{\"ev\":\"end\",\"ms\":%.3f,\"producedAt\":%.3f,\"joinedAt\":%.3f,\"lastDone\":%.3f,"
           "\"items\":%d,\"produced\":%d,\"consumed\":%d,\"dupes\":%d,\"missing\":%d,\"maxDepth\":%zu,"
           "\"maxsize\":%d,\"perConsumer\":[%s],\"unfinished\":%zu,\"stopped\":%s}",
           joined_at - t0, produced_at - t0, joined_at - t0, p->last_done - t0, p->items, p->produced,
           p->consumed, p->dupes, missing, p->max_depth, p->maxsize, per, wa_queue_unfinished(p->q),
           rc ? "true" : "false");
    for (int i = 0; i < MAX_WORKERS; i++) {
        if (prod[i]) wa_future_status(prod[i]);
        if (cons[i]) wa_future_status(cons[i]);
        wa_release(prod[i]);
        wa_release(cons[i]);
    }
    current = NULL;
    wa_queue_destroy(p->q);
    free(p->seen);
    free(p);
    return rc;
}
WA_EXPORT_CORO(pipeline)
