/* Three tasks sleep concurrently; gather waits for all of them. The whole
 * run takes about the longest delay (300 ms), not the sum (600 ms).
 * The same source runs natively and as wasm under Node or in a browser. */
#include <stdio.h>
#include <stdlib.h>
#include "wasyncio.h"

typedef struct { const char *name; double ms; } job_t;

static int worker(void *arg) {
    job_t *job = arg;
    printf("%s: start, sleeping %.0f ms\n", job->name, job->ms);
    int rc = wa_sleep(job->ms);
    if (rc) return rc; /* cancelled */
    printf("%s: done\n", job->name);
    return wa_return((void *)job->name, NULL);
}

static int amain(void *arg) {
    (void)arg;
    static job_t jobs[3] = {{"A", 300}, {"B", 100}, {"C", 200}};
    wa_task_t *tasks[3];
    double t0 = wa_time();
    for (int i = 0; i < 3; i++) {
        wa_task_opts_t opts = {.name = jobs[i].name};
        int rc = wa_spawn(&tasks[i], worker, &jobs[i], &opts);
        if (rc) return rc;
    }
    wa_future_t *all;
    int rc = wa_gather(&all, tasks, 3, 0);
    if (rc == 0) rc = wa_await(all);
    printf("gather: %s after %.0f ms; results:", wa_strerror(rc), wa_time() - t0);
    for (int i = 0; i < 3; i++) printf(" %s", (const char *)wa_future_result(tasks[i]));
    printf("\n");
    wa_release(all);
    for (int i = 0; i < 3; i++) wa_release(tasks[i]);
    return rc;
}

int main(void) { return wa_run(amain, NULL) == 0 ? 0 : 1; }
