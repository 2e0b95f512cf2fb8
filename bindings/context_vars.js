// Task-local context: asyncio's contextvars for JS tasks.
//
// A context maps ContextVars to values and never changes in place: set()
// replaces the map of the context that is current, so a copy taken before
// (a task created earlier, a callback scheduled earlier) keeps what it had.
// Where each kind of code finds its context:
//  - a task: createTask copies the creator's context (asyncio's
//    copy_context() in Task.__init__); every step of the task runs in it,
//    so a generator task sees its values after every yield, and what it sets
//    stays in the task.
//  - callSoon / callLater / callAt: the callback runs in a copy of the
//    context of its scheduler (asyncio's Handle).
//  - an async-style task after an await of a promise: the code runs outside
//    the scheduler, on the host's microtasks. Under Node the task's body is
//    started in an AsyncLocalStorage (node:async_hooks), which follows every
//    await, so it sees its context throughout. Browsers have nothing that
//    follows awaits: there an async task sees its context up to its first
//    await, and after it only inside `ctx.run(fn)` (copyContext() taken
//    before the await).
//  - anywhere else: the top-level context.
import { InvalidStateError } from './errors.js';
import { asyncLocalStorage } from '#platform';

const MISSING = Symbol('wasyncio.ContextVar.MISSING');
const EMPTY = new Map();

/** A context: the values of the ContextVars (asyncio contextvars.Context). */
export class Context {
  /** @param {Map<ContextVar, unknown>} [map] */
  constructor(map = EMPTY) {
    /** @internal the current map (never changed in place) */ this._ctx = map;
  }

  /**
   * Run fn(...args) in this context: ContextVar reads and writes inside it
   * (synchronously) use it. Not re-entrant for the same context while it
   * runs elsewhere, as in asyncio.
   * @template R @param {(...args: any[]) => R} fn @returns {R}
   */
  run(fn, ...args) {
    if (typeof fn !== 'function') throw new TypeError('Context.run(fn): fn must be a function');
    const prev = active;
    active = this;
    try {
      return fn(...args);
    } finally {
      active = prev;
    }
  }

  /** The value of v here, or dflt (undefined) if it has none. */
  get(v, dflt) {
    return this._ctx.has(v) ? this._ctx.get(v) : dflt;
  }

  /** True if v has a value in this context. */
  has(v) {
    return this._ctx.has(v);
  }

  /** A shallow copy (contextvars.Context.copy). */
  copy() {
    return new Context(this._ctx);
  }
}

/** The context entered synchronously (a task step, a callback, run()). */
let active = null;
/** The context of code outside tasks, callbacks and run(). */
const topLevel = new Context();
/** Node: follows async task bodies across awaits; null in browsers. */
const storage = asyncLocalStorage();
/** A ContextVar exists: only then is there anything for storage to follow.
 * Node 20's AsyncLocalStorage turns on a promise hook for every promise of
 * the process on its first run(), which halved the speed of async tasks
 * that use no ContextVar (bench W1/W2) and added ~350 B to each (W6). */
let varsExist = false;

/** @internal the context reads and writes go to now */
export function currentContext() {
  return active ?? storage?.getStore() ?? topLevel;
}

/** @internal the map a new task or callback starts with (a copy: maps are immutable) */
export function contextSnapshot() {
  return currentContext()._ctx;
}

/** @internal make holder (a task, a context) current; returns what to restore */
export function enterContext(holder) {
  const prev = active;
  active = holder;
  return prev;
}

/** @internal undo enterContext */
export function leaveContext(prev) {
  active = prev;
}

/** @internal call fn(arg) so that awaits inside it keep holder's context
 * (Node, once a ContextVar exists: a task started before the first
 * ContextVar was created sees its context as in browsers) */
export function runFollowingAwaits(holder, fn, arg) {
  return storage !== null && varsExist ? storage.run(holder, fn, arg) : fn(arg);
}

/** asyncio contextvars.copy_context(): a copy of the current context. */
export function copyContext() {
  return new Context(currentContext()._ctx);
}

/** A task's own context (its values as they are now, live), per task. */
const taskContexts = new WeakMap();

/**
 * @internal asyncio Task.get_context(): the context a JS task runs in, the
 * same object each time; reads see what the task has set so far, and run()
 * or set() inside it change the task's own values. null for a C task.
 */
export function taskContext(task) {
  if (task._ctx === null) return null;
  let ctx = taskContexts.get(task);
  if (!ctx) {
    ctx = new Context();
    // Its map is the task's: the task holds its values itself (tasks.js).
    Object.defineProperty(ctx, '_ctx', { get: () => task._ctx, set: (map) => { task._ctx = map; } });
    taskContexts.set(task, ctx);
  }
  return ctx;
}

/** What set() returns, for reset() (asyncio contextvars.Token). */
export class Token {
  /** @internal */
  constructor(holder, v, old) {
    /** @internal */ this._holder = holder;
    /** @internal */ this._used = false;
    /** The ContextVar it belongs to. */
    this.var = v;
    /** The value before set(), or Token.MISSING. */
    this.oldValue = old;
  }
}
Token.MISSING = MISSING;

/**
 * asyncio contextvars.ContextVar: a value per context, so per task.
 *
 *   const requestId = new ContextVar('requestId', { default: null });
 *   requestId.set(id);   // in this task (and the tasks it creates from now on)
 *   requestId.get();     // in this task: id, after any yield or await
 */
export class ContextVar {
  /**
   * @param {string} name
   * @param {{ default?: unknown }} [options]  default: what get() gives where
   *   the variable has no value (without it, get() throws a RangeError)
   */
  constructor(name, options) {
    if (typeof name !== 'string') throw new TypeError('new ContextVar(name): name must be a string');
    if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('new ContextVar(name, options): options must be an object');
    /** @internal */ this._name = name;
    /** @internal */ this._default = options && 'default' in options ? options.default : MISSING;
    varsExist = true;
  }

  get name() {
    return this._name;
  }

  /**
   * The value in the current context; else dflt if given, else the
   * variable's default; else a RangeError (asyncio: LookupError).
   */
  get(...dflt) {
    const map = currentContext()._ctx;
    if (map.has(this)) return map.get(this);
    if (dflt.length > 0) return dflt[0];
    if (this._default !== MISSING) return this._default;
    throw new RangeError(`ContextVar "${this._name}" has no value in this context (and no default)`);
  }

  /**
   * Set the value in the current context; returns a Token for reset().
   * @returns {Token}
   */
  set(value) {
    const holder = currentContext();
    const map = holder._ctx;
    const old = map.has(this) ? map.get(this) : MISSING;
    holder._ctx = new Map(map).set(this, value);
    return new Token(holder, this, old);
  }

  /** Put back the value before set() returned token (in the same context). */
  reset(token) {
    if (!(token instanceof Token)) throw new TypeError('ContextVar.reset(token): token must be a Token');
    if (token.var !== this) throw new TypeError(`ContextVar.reset(token): the token belongs to ContextVar "${token.var._name}"`);
    if (token._used) throw new InvalidStateError('ContextVar.reset(token): the token was used already');
    const holder = currentContext();
    if (token._holder !== holder) throw new RangeError('ContextVar.reset(token): the token was made in another context');
    token._used = true;
    const map = new Map(holder._ctx);
    if (token.oldValue === MISSING) map.delete(this);
    else map.set(this, token.oldValue);
    holder._ctx = map;
  }

  toString() {
    return `<ContextVar name=${JSON.stringify(this._name)}>`;
  }
}
