// Imports used by js_bridge.c: the C scheduler calling into the JS bindings.
// Each call is dispatched to the Runtime attached as Module.wasyncio
// (bindings/runtime.js). Without one (a plain C program), JS-only features
// answer WA_EHOST (-13).
mergeInto(LibraryManager.library, {
  wa_js_import_step: function (jsid, status) {
    var rt = Module['wasyncio'];
    return rt ? rt._step(jsid, status) : -13;
  },
  wa_js_import_done: function (f, id) {
    var rt = Module['wasyncio'];
    if (rt) rt._done(f, id);
  },
  wa_js_import_callback: function (id) {
    var rt = Module['wasyncio'];
    if (rt) rt._callback(id);
  },
  wa_js_import_cancelled: function (t) {
    var rt = Module['wasyncio'];
    if (rt) rt._cancelled(t);
  },
  wa_js_import_call: function (name, arg, f) {
    var rt = Module['wasyncio'];
    return rt ? rt._callFromC(name, arg, f) : -13;
  },
  wa_js_import_task_event: function (event, t, status) {
    var rt = Module['wasyncio'];
    if (rt) rt._taskEvent(event, t, status);
  },
  wa_host_value_release: function (handle) {
    var rt = Module['wasyncio'];
    if (rt) rt._releaseHandle(handle);
  },
});
