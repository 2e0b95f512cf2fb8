// JS tasks: stackless C step tasks whose step is JS. The C scheduler decides
// when a task runs (its ready queue, its timers, its cancellation); C calls
// step(slot, status) (bridge.js) and the task's Task view, which is also its
// step state, drives the body one wait further.
//
// Two styles (README "JS tasks"):
//  - generator functions (`function*`, `yield op`): asyncio's exact model.
//    Each yield is a C wait (wa_step_await / wa_step_sleep); cancellation is
//    thrown in at the yield as a CancelledError and the pending operation
//    is withdrawn.
//  - async functions (`async (task) => ...`): the body runs on promises; the
//    C task waits for the body's promise. Cancellation reaches the runtime
//    operation the body awaits if the task created it (async_ops.js has the
//    rule), and the task's AbortSignal (`task.signal`) aborts on
//    cancellation: operations and fetches given that signal are withdrawn.
import {
  CancelledError, InvalidStateError, codes, errorFromStatus, messageOf, statusOf,
} from './errors.js';
import {
  Future, Task, KIND_NEW, KIND_GEN, KIND_NATIVE_GEN, KIND_ASYNC, KIND_C, ASYNC_DELIVERED,
} from './futures.js';
import { Op, SleepOp, NOT_NOW } from './ops.js';
import { abortMessage } from './async_ops.js';
import {
  genNext, genThrow, isGenerator, isGeneratorFunction, isNativeGenerator, isThenable,
} from './kinds.js';
import { WA, futureState } from './constants.js';
import { contextSnapshot, enterContext, leaveContext, runFollowingAwaits } from './context_vars.js';

/** The step status that means "suspended, call me again" (WA_PENDING). */
const PENDING_STEP = WA.PENDING;
/** Task._awaitPtr of an async task whose body settled: how. */
const BODY_OK = 1;
const BODY_FAILED = 2;

/**
 * Wake async task `task` when the promise of its body settles. The handlers
 * are bound functions (48 B each, no context object): two closures and
 * their context cost 64 B more per waiting task (W6).
 */
function watchBody(task, ret) {
  Promise.resolve(ret).then(bodyFulfilled.bind(task), bodyRejected.bind(task));
}

/** @this {Task} */
function bodyFulfilled(value) {
  this._rt._tasks._bodySettled(this, BODY_OK, value);
}

/** @this {Task} */
function bodyRejected(error) {
  this._rt._tasks._bodySettled(this, BODY_FAILED, error);
}

function checkName(name, where) {
  if (name !== undefined && typeof name !== 'string') throw new TypeError(`${where}: options.name must be a string`);
}

export class Tasks {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._c = rt._c;
    /** @internal */ this._views = rt._views;
    /** The JS task whose step runs now, else null. */
    this.current = null;
    /** JS tasks not yet done (leak checks). */
    this.live = 0;
    /** createTask's default for options.eager (Runtime.create({ eagerTasks })). */
    this.eager = false;
  }

  /**
   * createTask(fn, options): see Runtime.createTask.
   * @returns {Task}
   */
  create(fn, options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('createTask(fn, options): options must be an object');
    const name = options?.name;
    const signal = options?.signal;
    const eager = options?.eager ?? this.eager;
    checkName(name, 'createTask');
    if (typeof eager !== 'boolean') throw new TypeError('createTask: options.eager must be a boolean');
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('createTask: options.signal must be an AbortSignal');
    let body;
    if (typeof fn === 'function') body = fn;
    else if (isGenerator(fn)) body = fn; // _first drives it (no closure per task)
    else if (fn instanceof Op || fn instanceof Future || isThenable(fn)) body = function* awaitOne() { return yield fn; };
    else throw new TypeError('createTask(fn): fn must be a function, a generator, or an awaitable');
    if (fn instanceof Future && fn._rt !== this._rt) throw new TypeError('createTask: the awaitable belongs to another runtime');

    const task = new Task(this._rt, 0, name, KIND_NEW);
    task._body = body;
    task._coro = fn;
    task._ctx = contextSnapshot(); // asyncio: the task runs in a copy of the creator's context
    const slot = this._views.alloc(task);
    const np = name === undefined ? 0 : this._rt._mem.cstr(name);
    const ptr = this._c.wa__js_spawn(slot, np, eager ? 1 : 0);
    if (np) this._c.wa_js_free(np);
    if (!ptr) {
      this._views._freeSlot(task);
      throw new RangeError('createTask: out of wasm memory');
    }
    task._ptr = ptr;
    this.live++;
    if (signal) this.linkSignal(task, signal);
    // asyncio's eager start: the first step runs now, as the current task,
    // up to its first suspension (C had it linked in, not queued)
    if (eager) this._c.wa__js_start_eager(ptr);
    return task;
  }

  /**
   * Start C coroutine `name` (WA_EXPORT_CORO) with arg.
   * @returns {Task}
   */
  spawnC(name, arg, options = {}) {
    if (typeof name !== 'string') throw new TypeError('spawnC(name): name must be a string');
    const getter = this._rt.M['_wa_coro__' + name];
    if (typeof getter !== 'function') throw new TypeError(`spawnC: no C coroutine "${name}" in this module (export it with WA_EXPORT_CORO(${name}))`);
    if (options === null || typeof options !== 'object') throw new TypeError('spawnC: options must be an object');
    checkName(options.name, 'spawnC');
    const stack = options.stackSize ?? 0;
    if (!Number.isInteger(stack) || stack < 0 || stack > 0x40000000) throw new RangeError('spawnC: options.stackSize must be an integer in [0, 2^30]');
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
    const codec = this._rt._codec;
    const vp = codec.toC(arg);
    const ptr = this._rt._mem.withString(options.name ?? name, (np) => this._c.wa__js_spawn_c(getter(), vp, np, stack));
    if (!ptr) {
      codec.free(vp);
      throw new RangeError('spawnC: out of wasm memory');
    }
    const task = this._views.wrapNew(ptr, true);
    if (options.signal) this.linkSignal(task, options.signal);
    return task;
  }

  /** The running task (during a JS or C task step), else null. */
  currentTask() {
    if (this.current) return this.current;
    const ptr = this._c.wa_current_task();
    return ptr ? this._views.wrap(ptr) : null;
  }

  /** Every task not yet done (JS and C). */
  all() {
    const c = this._c;
    const n = c.wa__js_all_tasks(0, 0);
    if (!n) return [];
    const mem = this._rt._mem;
    const arr = c.wa_js_malloc(4 * n);
    if (!arr) throw new RangeError('out of wasm memory');
    try {
      const got = Math.min(n, c.wa__js_all_tasks(arr, n));
      const out = [];
      for (let i = 0; i < got; i++) out.push(this._views.wrap(mem.u32(arr + 4 * i)));
      return out;
    } finally {
      c.wa_js_free(arr);
    }
  }

  /** True for a task whose body is a generator (it must use yield, yield*). */
  isGeneratorTask(task) {
    return task._kind === KIND_GEN || task._kind === KIND_NATIVE_GEN;
  }

  /** True for a JS task that is not done (its body may still run). */
  isRunningJsTask(task) {
    return task._kind !== KIND_C && !task.done();
  }

  /** views.js: the view of a task is done; a JS task cancelled before its
   * first step never ran its body (nor _finish). */
  forget(task) {
    if (task._kind === KIND_NEW && task._body) {
      task._body = null;
      this.live--;
    }
  }

  // ---- names, cancellation counts ------------------------------------------

  name(ptr) {
    return this._rt._mem.str(this._c.wa_task_name(ptr)) || undefined;
  }

  /** The name to keep after the C task is gone: a string, or the task
   * number for the default "Task-<n>" (formatted only when asked). */
  finalName(ptr) {
    const p = this._c.wa__js_task_name_raw(ptr);
    return p ? this._rt.M.UTF8ToString(p) : this._c.wa__js_task_number(ptr);
  }

  setName(ptr, name) {
    const rc = this._rt._mem.withString(name, (np) => this._c.wa_task_set_name(ptr, np));
    if (rc !== 0) throw errorFromStatus(rc, 'renaming the task failed');
  }

  cancelling(ptr) {
    return this._c.wa_task_cancelling(ptr);
  }

  uncancel(ptr) {
    return this._c.wa_task_uncancel(ptr);
  }

  /** The message of task ptr's latest cancel request ('' if none). */
  cancelMessage(ptr) {
    return this._rt._mem.str(this._c.wa__js_cancel_msg(ptr));
  }

  /** Cancel task when signal aborts. */
  linkSignal(task, signal) {
    if (!(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
    const onAbort = () => task.cancel(abortMessage(signal));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    task.addDoneCallback(() => signal.removeEventListener('abort', onAbort));
  }

  /** C: task ptr (view in slot, 0: none) got a cancel request. */
  cancelRequested(ptr, slot) {
    const view = slot ? this._views.at(slot) : null;
    if (!(view instanceof Task) || view._ptr !== ptr) return;
    const msg = this.cancelMessage(ptr);
    // an async task: the operation it awaits is withdrawn (async_ops.js)
    if (view._kind === KIND_ASYNC) this._rt._asyncOps.cancelTask(view, msg);
    // a timeout scope's or task group's own cancellation aborts that scope's
    // signal, not the task's (scopes.js)
    if (this._rt._scopes.cancelRequested(view, msg)) return;
    view._onCancelRequested(msg);
  }

  // ---- stepping (called by the C scheduler) ----------------------------------

  /** C: the step of the JS task in slot is due; returns WA_PENDING or its final status. */
  step(slot, status) {
    const task = this._views.at(slot);
    if (!task) return codes.EHOST;
    const prev = this.current;
    this.current = task;
    const prevContext = enterContext(task);
    const debug = this._rt._debug;
    if (debug.on) debug.begin();
    try {
      switch (task._kind) {
        case KIND_NEW: return this._first(task);
        case KIND_ASYNC: return this._resumeAsync(task, status);
        default: return this._resumeGen(task, status);
      }
    } catch (e) {
      // a bug in the bindings, never user code: fail the task loudly
      return this._finish(task, false, e);
    } finally {
      this.current = prev;
      leaveContext(prevContext);
      if (debug.on) debug.end(() => `a step of task "${task.name}"`);
    }
  }

  /** @internal the first step: call the body, see what it is */
  _first(task) {
    const fn = task._body;
    const given = typeof fn !== 'function'; // createTask(generator)
    let ret = fn;
    if (!given) {
      try {
        // an async body keeps the task's context across its awaits (Node)
        ret = isGeneratorFunction(fn) ? fn.call(undefined, task) : runFollowingAwaits(task, fn, task);
      } catch (e) {
        return this._finish(task, false, e);
      }
    }
    if (given || isGeneratorFunction(fn) || isGenerator(ret)) {
      task._kind = isNativeGenerator(ret) ? KIND_NATIVE_GEN : KIND_GEN;
      task._body = ret;
      return this._drive(task, false, undefined);
    }
    if (isThenable(ret)) {
      // the C task waits, parked, for the body's promise (a cancel request
      // meanwhile only marks it: the body sees it through task.signal)
      task._kind = KIND_ASYNC;
      task._body = null;
      watchBody(task, ret);
      const rc = this._c.wa__js_park(task._ptr);
      if (rc !== 0) return this._finish(task, false, errorFromStatus(rc));
      return PENDING_STEP;
    }
    return this._finish(task, true, ret);
  }

  /** @internal the promise of an async task settled: wake its C task */
  _bodySettled(task, how, v) {
    task._awaiting = v;
    task._awaitPtr = how;
    this._c.wa__js_wake(task._ptr);
  }

  /** @internal */
  _resumeAsync(task, status) {
    const ok = task._awaitPtr === BODY_OK;
    const v = task._awaiting;
    task._awaiting = null;
    task._awaitPtr = 0;
    if (status === codes.ECANCELLED && ok && (task._async === null || (task._async.flags & ASYNC_DELIVERED) === 0)) {
      // cancelled, and the body never saw it: asyncio ends the task cancelled
      return this._finish(task, false, new CancelledError(this.cancelMessage(task._ptr)));
    }
    return this._finish(task, ok, v);
  }

  /** @internal resume a generator task with the outcome of its wait */
  _resumeGen(task, status) {
    const aw = task._awaiting;
    task._awaiting = null;
    if (aw instanceof SleepOp && task._awaitPtr === 0) {
      return status === 0 ? this._drive(task, false, aw._value) : this._drive(task, true, this._cancelError(task));
    }
    const ptr = task._awaitPtr;
    task._awaitPtr = 0;
    const c = this._c;
    const fstate = c.wa__js_future_state(ptr);
    // always read an operation's outcome: it may hold resources to free
    let out = this._rt._awaitables.outcomeOf(aw, ptr) ??
      { ok: false, error: new InvalidStateError('woken before the awaited future was done') };
    if (status === codes.ECANCELLED && fstate !== futureState.CANCELLED) {
      // the task, not the future, was cancelled
      if (out.ok && aw instanceof Op && aw._lateCancel) {
        // the scheduler's rollback could not hand the outcome back: keep it
        aw._lateCancel(task);
      } else {
        if (out.ok && aw instanceof Op) aw._discard(out.value);
        out = { ok: false, error: this._cancelError(task) };
      }
    }
    c.wa_release(ptr);
    return out.ok ? this._drive(task, false, out.value) : this._drive(task, true, out.error);
  }

  /** @internal */
  _cancelError(task) {
    return new CancelledError(this.cancelMessage(task._ptr));
  }

  /** @internal run the generator to its next wait */
  _drive(task, isThrow, arg) {
    const c = this._c;
    const rt = this._rt;
    const gen = task._body;
    const native = task._kind === KIND_NATIVE_GEN;
    for (;;) {
      let res;
      try {
        if (native) res = isThrow ? genThrow.call(gen, arg) : genNext.call(gen, arg);
        else res = isThrow ? gen.throw(arg) : gen.next(arg);
      } catch (e) {
        return this._finish(task, false, e);
      }
      if (res.done) return this._finish(task, true, res.value);
      const y = res.value;
      if (y instanceof SleepOp && y._rt === rt && !y._signal) {
        // a sleep: the C task sleeps (no future)
        if (y._started && !y._shared) {
          isThrow = true;
          arg = new TypeError('SleepOp was already awaited; create a new one');
          continue;
        }
        y._started = true;
        if (y._debugRec !== null) y._debugRec.started = true;
        const rc = c.wa_step_sleep(y._ms);
        if (rc !== 0) {
          isThrow = true;
          arg = errorFromStatus(rc);
          continue;
        }
        task._awaiting = y;
        return PENDING_STEP;
      }
      let aw = y;
      let ptr;
      try {
        if (y instanceof Op && y._rt === rt) {
          // an operation that need not wait completes here, without a future
          y._claim();
          const now = y._tryNow();
          if (now !== NOT_NOW) {
            isThrow = false;
            arg = now;
            continue;
          }
          ptr = y._start();
        } else {
          aw = rt._awaitables.adopt(y);
          ptr = rt._awaitables.start(aw, 'yield');
        }
      } catch (e) {
        isThrow = true;
        arg = e;
        continue;
      }
      if (aw instanceof Op && aw._eager && c.wa__js_future_state(ptr) !== futureState.PENDING) {
        // done at once (a free lock, an item in the queue): go on without
        // suspending, as an asyncio coroutine and the C forms do
        const out = rt._awaitables.outcomeOf(aw, ptr);
        c.wa_release(ptr);
        isThrow = !out.ok;
        arg = out.ok ? out.value : out.error;
        continue;
      }
      const rc = c.wa_step_await(ptr);
      if (rc !== 0) {
        c.wa_release(ptr);
        isThrow = true;
        arg = errorFromStatus(rc);
        continue;
      }
      task._awaiting = aw;
      task._awaitPtr = ptr;
      return PENDING_STEP;
    }
  }

  /** @internal end a JS task from inside its step; returns the status */
  _finish(task, ok, v) {
    const c = this._c;
    this.live--;
    task._body = null;
    if (ok && (typeof v !== 'object' || v === null) && typeof v !== 'function') {
      // a primitive (copying it to C starts nothing): one crossing asks for
      // a pending cancellation, sets the C result and names the task
      const r = c.wa__js_return(task._ptr, this._rt._codec.toC(v));
      if (r >= 0) {
        if (task._name === undefined) task._name = r > 0 ? r : this.finalName(task._ptr);
        task._record(true, v);
        return 0;
      }
      ok = false;
      v = r === codes.ECANCELLED ? new CancelledError(this.cancelMessage(task._ptr) ?? '') : errorFromStatus(r);
    }
    // asyncio: a body that returns with a cancellation still pending (it
    // cancelled itself, say) ends cancelled
    if (ok && c.wa__js_cancel_pending(task._ptr)) {
      ok = false;
      v = new CancelledError(this.cancelMessage(task._ptr) ?? '');
    }
    // the view's outcome is the JS value itself (identity kept); C gets a copy
    task._record(ok, ok ? v : undefined, ok ? undefined : v, !ok && v instanceof CancelledError);
    if (ok) {
      c.wa_return_value(this._rt._codec.toC(v));
      return 0;
    }
    const code = v instanceof CancelledError ? codes.ECANCELLED : statusOf(v) || codes.EHOST;
    this._rt._mem.withString(v instanceof CancelledError ? v.message : messageOf(v), (mp) => c.wa__js_fail(code, mp));
    return code;
  }
}
