/* Native hosts have no workers (the executor pool is the JS bindings'
 * WorkerPool): every executor call that needs a pool answers WA_EHOST, and
 * job functions see no job (wa_job_cancelled() is false). */
#include "../../src/internal.h"
#include "../../src/executor_host.h"

int wa_host_exec_pool_new(uint32_t min, uint32_t max, double idle_ms, double max_queue,
                          double grace_ms, double stack) {
    (void)min, (void)max, (void)idle_ms, (void)max_queue, (void)grace_ms, (void)stack;
    return WA_EHOST;
}

int wa_host_exec_pool_shutdown(int32_t pool, uint32_t flags, wa_future_t *done) {
    (void)pool, (void)flags, (void)done;
    return WA_EHOST;
}

void wa_host_exec_pool_free(int32_t pool) { (void)pool; }

int wa_host_exec_submit(int32_t pool, wa_job_fn fn, const void *in, size_t len,
                        wa_future_t *result, wa_future_t *accepted) {
    (void)pool, (void)fn, (void)in, (void)len, (void)result, (void)accepted;
    return WA_EHOST;
}

void wa_host_exec_cancel(wa_future_t *result) { (void)result; }

void wa_host_job_done(uint32_t id, int status, const void *data, size_t len, const char *msg) {
    (void)id, (void)status, (void)data, (void)len, (void)msg;
}

int wa_host_job_poll(void) { return -1; }

void wa_host_job_yield(wa_future_t *f) { wa_future_set_result(f, NULL, NULL); }
