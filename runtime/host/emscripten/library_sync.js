// Import used by js_sync.c: the predicate of a JS Condition.waitFor
// (bindings/sync.js), dispatched to the Runtime attached as Module.wasyncio.
// Without one the wait ends (1: "true"), so nothing can hang on it.
mergeInto(LibraryManager.library, {
  wa_js_import_cond_pred: function (id) {
    var rt = Module['wasyncio'];
    return rt && rt._condPred ? rt._condPred(id) : 1;
  },
});
