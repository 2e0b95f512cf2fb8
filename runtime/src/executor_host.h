/* The executor's host interface (executor.c <-> the host): on Emscripten
 * these are JS imports (runtime/host/emscripten/library_executor.js) that
 * reach the JS bindings' WorkerPool; native hosts have stubs answering
 * WA_EHOST (runtime/host/native/executor_native.c). Not installed. */
#ifndef WASYNCIO_EXECUTOR_HOST_H
#define WASYNCIO_EXECUTOR_HOST_H

#include "wasyncio.h"

/* Main thread (the side that submits). Pool ids are > 0; 0 is the default
 * pool. Times in ms; a 0 option means "default". Returns the new pool id
 * or a negative WA_E... code. */
int wa_host_exec_pool_new(uint32_t min, uint32_t max, double idle_ms, double max_queue,
                          double grace_ms, double stack);
int wa_host_exec_pool_shutdown(int32_t pool, uint32_t flags, wa_future_t *done);
void wa_host_exec_pool_free(int32_t pool);
/* Submit; the host completes `result` (and `accepted`, may be NULL) and
 * holds its own reference on each until then. */
int wa_host_exec_submit(int32_t pool, wa_job_fn fn, const void *in, size_t len,
                        wa_future_t *result, wa_future_t *accepted);
/* `result` (from wa_host_exec_submit) is being cancelled: forget it and
 * cancel its job. */
void wa_host_exec_cancel(wa_future_t *result);

/* Worker side (the side that runs jobs). */
void wa_host_job_done(uint32_t id, int status, const void *data, size_t len, const char *msg);
int wa_host_job_poll(void); /* -1: not in a job; bit 0: cancelled; bit 1: yield now */
void wa_host_job_yield(wa_future_t *f); /* complete f after one host macrotask */

#endif
