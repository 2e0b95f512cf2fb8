// Emscripten host of the wasyncio loop (a --js-library).
//
// Rules (see DESIGN.md): one host timer for the earliest deadline, re-armed
// only when C asks; immediate wake-ups by setImmediate (Node) or one reused
// MessageChannel (browsers, workers) — never setTimeout(0), which browsers
// clamp to 4 ms; nothing armed when idle, so Node exits by itself.
mergeInto(LibraryManager.library, {
  $WAHost: {
    timer: null,
    immediate: false,
    post: null,
    runActive: false,
    onBeforeExit: null,
    turn: function (fromTimer) {
      try {
        _wa__host_turn(fromTimer);
      } catch (e) {
        // A trap inside a task: say which kind of failure it most likely is.
        _wa__fault_reset();
        var p = _wa__fault_report(String(e).indexOf('stack overflow') >= 0 ? 1 : 0);
        if (p) {
          var err2 = new Error(UTF8ToString(p) + ': ' + e);
          err2.cause = e;
          throw err2;
        }
        throw e;
      }
    },
    isNode: function () {
      return typeof process === 'object' && !!(process.versions && process.versions.node);
    },
  },

  wa_host_now: function () {
    return performance.now();
  },

  wa_host_arm_immediate__deps: ['$WAHost'],
  wa_host_arm_immediate: function () {
    if (WAHost.immediate) return;
    WAHost.immediate = true;
    if (!WAHost.post) {
      var run = function () {
        WAHost.immediate = false;
        WAHost.turn(0);
      };
      if (typeof setImmediate === 'function') {
        WAHost.post = function () { setImmediate(run); };
      } else {
        var ch = new MessageChannel();
        ch.port1.onmessage = run;
        WAHost.post = function () { ch.port2.postMessage(null); };
      }
    }
    WAHost.post();
  },

  wa_host_arm_timer__deps: ['$WAHost'],
  // weak: only weak timers are pending (wa_handle_set_weak), e.g. an idle
  // worker pool's: the timer must not keep Node alive.
  wa_host_arm_timer: function (delay, weak) {
    if (WAHost.timer !== null) {
      clearTimeout(WAHost.timer);
      WAHost.timer = null;
    }
    if (delay === -1) return; // C's "no timer"; any other delay arms one
    // C asks for an immediate turn when a deadline is already due, so delay
    // is > 0 here; round up so the timer never fires before the deadline.
    WAHost.timer = setTimeout(function () {
      WAHost.timer = null;
      WAHost.turn(1);
    }, Math.max(1, Math.ceil(delay)));
    if (weak && WAHost.timer.unref) WAHost.timer.unref();
  },

  // Per-frame stack checks (coro_asyncify.c): the link turns this import
  // into a write of the checked limits, so this body never runs.
  wa__stack_limits_set: function (base, limit) {},

  // A frame would leave the running task's C stack (the check runs before
  // it writes): stop the turn; WAHost.turn names the task.
  wa__stack_overflow: function (sp) {
    throw new Error('wasyncio: C stack overflow');
  },

  wa_host_report: function (ptr) {
    var text = UTF8ToString(ptr);
    var b = Module['wasyncioBridge'];
    // fatal faults always go to stderr; the rest to the JS runtime's onError
    if (b && text.indexOf('wasyncio: fatal') !== 0) b.hostReport(ptr);
    else err(text);
  },

  // A run (wa_run, or the JS bindings' run()) on a web host: under Node,
  // when the process is about to exit with the run unfinished, nothing can
  // ever wake it: the first time, every task is cancelled
  // (wa__run_deadlock); if Node is idle again with the run still
  // unfinished (tasks that ignore cancellation), the run gives up and ends
  // with an error naming them. Node never exits with a run pending.
  wa_host_run_started__deps: ['$WAHost'],
  wa_host_run_started: function () {
    WAHost.runActive = true;
    if (WAHost.isNode() && !WAHost.onBeforeExit) {
      WAHost.onBeforeExit = function () {
        if (!WAHost.runActive) return;
        _wa__run_deadlock();
        // one more turn, so that Node comes back here if the run is still
        // stuck after the cancellation
        if (WAHost.runActive) setImmediate(function () {});
      };
      process.on('beforeExit', WAHost.onBeforeExit);
    }
  },

  wa_host_run_ended__deps: ['$WAHost'],
  wa_host_run_ended: function () {
    WAHost.runActive = false;
    if (WAHost.onBeforeExit) {
      process.removeListener('beforeExit', WAHost.onBeforeExit);
      WAHost.onBeforeExit = null;
    }
  },

  wa_host_run_done__deps: ['$WAHost'],
  wa_host_run_done: function (status, msgPtr) {
    var msg = msgPtr ? UTF8ToString(msgPtr) : null;
    if (Module['onRunDone']) {
      Module['onRunDone'](status, msg);
      return;
    }
    if (status !== 0) {
      err('wasyncio: main ended with status ' + status + (msg ? ': ' + msg : ''));
      if (WAHost.isNode()) process.exitCode = 1;
    }
  },
});
