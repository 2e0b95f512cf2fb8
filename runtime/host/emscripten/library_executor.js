// Executor imports (runtime/src/executor_host.h). The submitting side
// forwards to Module.wasyncioBridge (bindings/bridge.js; without a runtime,
// WA_EHOST = -13). The worker side is dispatched to Module.wasyncioWorker,
// set by the pool's worker entry (bindings/worker.js) on the instance it
// runs jobs in.
mergeInto(LibraryManager.library, {
  wa_host_exec_pool_new: function (min, max, idle, maxQueue, grace, stack) {
    var b = Module['wasyncioBridge'];
    return b ? b.execPoolNew(min, max, idle, maxQueue, grace, stack) : -13;
  },
  wa_host_exec_pool_shutdown: function (pool, flags, fut) {
    var b = Module['wasyncioBridge'];
    return b ? b.execPoolShutdown(pool, flags, fut) : -13;
  },
  wa_host_exec_pool_free: function (pool) {
    var b = Module['wasyncioBridge'];
    if (b) b.execPoolFree(pool);
  },
  wa_host_exec_submit: function (pool, fn, input, len, result, accepted) {
    var b = Module['wasyncioBridge'];
    return b ? b.execSubmit(pool, fn, input, len, result, accepted) : -13;
  },
  wa_host_exec_cancel: function (result) {
    var b = Module['wasyncioBridge'];
    if (b) b.execCancel(result);
  },
  wa_host_job_done: function (id, status, data, len, msg) {
    var w = Module['wasyncioWorker'];
    if (w) w.jobDone(id >>> 0, status, data, len, msg);
  },
  wa_host_job_poll: function () {
    var w = Module['wasyncioWorker'];
    return w ? w.poll() : -1;
  },
  wa_host_job_yield: function (f) {
    var w = Module['wasyncioWorker'];
    if (w) w.yield(f);
    else _wa_future_set_result(f, 0, 0);
  },
});
