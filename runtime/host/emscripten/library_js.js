// Imports the C runtime calls into the JS bindings: each one forwards to
// the same-named entry of Module.wasyncioBridge, the table of every C -> JS
// call (bindings/bridge.js, set when a Runtime attaches). Without one (a
// plain C program), JS-only features answer WA_EHOST (-13) and the rest do
// nothing.
mergeInto(LibraryManager.library, {
  wa_js_import_step: function (slot, status) {
    var b = Module['wasyncioBridge'];
    return b ? b.step(slot, status) : -13;
  },
  wa_js_import_done: function (f, id) {
    var b = Module['wasyncioBridge'];
    if (b) b.done(f, id);
  },
  wa_js_import_callback: function (id) {
    var b = Module['wasyncioBridge'];
    if (b) b.callback(id);
  },
  wa_js_import_cancelled: function (t, slot) {
    var b = Module['wasyncioBridge'];
    if (b) b.cancelled(t, slot);
  },
  wa_js_import_run_done: function (status, msg, how) {
    var b = Module['wasyncioBridge'];
    if (b) b.runDone(status, msg, how);
  },
  wa_js_import_resume: function (id) {
    var b = Module['wasyncioBridge'];
    if (b) b.resume(id);
  },
  wa_js_import_call: function (name, arg, f) {
    var b = Module['wasyncioBridge'];
    return b ? b.call(name, arg, f) : -13;
  },
  wa_js_import_task_event: function (event, t, status) {
    var b = Module['wasyncioBridge'];
    if (b) b.taskEvent(event, t, status);
  },
  wa_host_value_release: function (handle) {
    var b = Module['wasyncioBridge'];
    if (b) b.releaseValue(handle);
  },
  // A JS Condition.waitFor predicate; without a runtime the wait ends (1:
  // "true"), so nothing can hang on it.
  wa_js_import_cond_pred: function (id) {
    var b = Module['wasyncioBridge'];
    return b ? b.condPred(id) : 1;
  },
});
