// Adapting what JS code awaits to C futures: runtime operations, Futures and
// Tasks, promises, generators (wrapped in tasks, as asyncio wraps
// coroutines). (Operations awaited from async code: async_ops.js.)
import { errorFromStatus } from './errors.js';
import { Future, STATES } from './futures.js';
import { Op } from './ops.js';
import { isGenerator, isPlainObject, isThenable } from './kinds.js';
import { futureState } from './constants.js';

/** Awaitables that become runtime operations when a task awaits them
 * (executor pool jobs, scope blocks): `aw[BIND](rt)` gives the awaitable. */
export const BIND = Symbol.for('wasyncio.bind');

const NOT_AWAITABLE = 'is not awaitable (expected a Task, Future, runtime operation, promise or generator)';

/** Something a combinator awaits (not a collection of such). */
export function isAwaitable(v) {
  return v instanceof Op || v instanceof Future || isThenable(v) || isGenerator(v) ||
    (v !== null && typeof v === 'object' && typeof v[BIND] === 'function');
}

/** An iterable of awaitables: an array, a Set ... but not itself an awaitable
 * (a generator object is iterable, and it is an awaitable). */
export function isCollection(v) {
  return v !== null && typeof v === 'object' && typeof v[Symbol.iterator] === 'function' && !isAwaitable(v);
}

/**
 * The awaitables and options of `f(...args)` for combinators that take
 * several awaitables, by one rule:
 *  - `f([a, b], options?)`: a first argument that is a collection (an array,
 *    a Set; not an awaitable) holds the awaitables; at most an options
 *    object may follow;
 *  - `f(a, b, options?)`: otherwise each argument is an awaitable, except a
 *    last plain object, which is the options.
 * Anything else (an array among awaitables, an object with other keys than
 * `optionNames`, extra arguments) is a TypeError naming the argument.
 * Awaitables themselves are checked by check().
 * @param {unknown[]} args
 * @param {string} where
 * @param {string[]} optionNames
 * @returns {{ aws: unknown[], options: any }}
 */
export function splitArgs(args, where, optionNames) {
  const n = args.length;
  const optionsAt = (i) => {
    const o = args[i];
    if (o === undefined) return {};
    if (!isPlainObject(o) || typeof o[BIND] === 'function') {
      throw new TypeError(`${where}: argument ${i} must be an options object ({ ${optionNames.join(', ')} }) after a collection of awaitables`);
    }
    checkOptionNames(o, i, where, optionNames);
    return o;
  };
  if (n > 0 && isCollection(args[0])) {
    if (n > 2) throw new TypeError(`${where}: ${n} arguments after a collection of awaitables; pass the awaitables either as one array or each as its own argument`);
    return { aws: [...args[0]], options: optionsAt(1) };
  }
  let m = n;
  let options = {};
  if (n > 0 && isPlainObject(args[n - 1]) && typeof args[n - 1][BIND] !== 'function') {
    options = args[n - 1];
    checkOptionNames(options, n - 1, where, optionNames);
    m = n - 1;
  }
  const aws = args.slice(0, m);
  for (let i = 0; i < m; i++) {
    if (isCollection(aws[i])) throw new TypeError(`${where}: argument ${i} is a collection among awaitables; pass the awaitables either as one array or each as its own argument`);
  }
  return { aws, options };
}

function checkOptionNames(o, i, where, optionNames) {
  for (const k of Object.keys(o)) {
    if (!optionNames.includes(k)) {
      throw new TypeError(`${where}: argument ${i} is neither an awaitable nor options: unknown option "${k}" (options: ${optionNames.join(', ')})`);
    }
  }
}

export class Awaitables {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._c = rt._c;
  }

  /**
   * Check aw without starting anything (combinators check every argument
   * before they start one). Throws TypeError naming `where`.
   */
  check(aw, where) {
    if (aw instanceof Op || aw instanceof Future) {
      if (aw._rt !== this._rt) throw new TypeError(`${where}: the ${aw instanceof Op ? 'operation' : 'future'} belongs to another runtime`);
      if (aw instanceof Op && aw._started && !aw._shared) throw new TypeError(`${where}: ${aw.constructor.name} was already awaited; create a new one`);
      return;
    }
    if (aw !== null && typeof aw === 'object' && typeof aw[BIND] === 'function') return;
    if (isThenable(aw) || isGenerator(aw)) return;
    throw new TypeError(`${where} ${NOT_AWAITABLE}`);
  }

  /**
   * Start a checked awaitable: a C future for it (the caller owns one
   * reference). Generators become tasks: `toView` (if given) receives the
   * Task that stands for one.
   * @returns {number}
   */
  start(aw, where) {
    if (aw instanceof Op) {
      if (aw._rt !== this._rt) throw new TypeError(`${where}: the operation belongs to another runtime`);
      aw._claim();
      return aw._start();
    }
    if (aw instanceof Future) {
      if (aw._rt !== this._rt) throw new TypeError(`${where}: the future belongs to another runtime`);
      // whoever awaits it now sees its error: not "never retrieved"
      aw._markAwaited();
      if (aw._ptr) return this._c.wa_ref(aw._ptr);
      return this._rt._views.materialize(aw);
    }
    if (aw !== null && typeof aw === 'object' && typeof aw[BIND] === 'function') return this.start(aw[BIND](this._rt), where);
    if (isThenable(aw)) return this.promiseFuture(aw);
    if (isGenerator(aw)) return this.start(this._rt._tasks.create(aw), where);
    throw new TypeError(`${where} ${NOT_AWAITABLE}`);
  }

  /** What start() makes of aw, as an object to read the outcome from:
   * generators become tasks, BIND hooks are resolved. */
  adopt(aw) {
    if (aw !== null && typeof aw === 'object' && !(aw instanceof Op) && !(aw instanceof Future)) {
      if (typeof aw[BIND] === 'function') return this.adopt(aw[BIND](this._rt));
      if (!isThenable(aw) && isGenerator(aw)) return this._rt._tasks.create(aw);
    }
    return aw;
  }

  /**
   * The outcome of started awaitable aw whose C future is ptr, read once:
   * a view's own (identity of values and errors kept), an operation's
   * through its _outcome hook, else the C future's. null while pending.
   */
  outcomeOf(aw, ptr) {
    if (aw instanceof Future) {
      aw._sync();
      if (aw._state !== STATES.PENDING) {
        return aw._state === STATES.FULFILLED
          ? { ok: true, value: aw._result }
          : { ok: false, error: aw._result, cancelled: aw._state === STATES.CANCELLED };
      }
    }
    if (this._c.wa__js_future_state(ptr) === futureState.PENDING) return null;
    if (aw instanceof Op) {
      try {
        return aw._outcome(this._rt, ptr);
      } catch (e) {
        return { ok: false, error: e };
      }
    }
    return this._rt._views.readOutcome(ptr);
  }

  /** A C future completed by a promise (one reference for the caller). */
  promiseFuture(p) {
    const c = this._c;
    const views = this._rt._views;
    const ptr = c.wa__js_future_new();
    if (!ptr) throw new RangeError('out of wasm memory');
    c.wa_ref(ptr); // held until the promise settles
    Promise.resolve(p).then(
      (v) => {
        views.settlePtr(ptr, true, v);
        c.wa_release(ptr);
      },
      (e) => {
        views.settlePtr(ptr, false, e);
        c.wa_release(ptr);
      },
    );
    return ptr;
  }

  /** A C sleep future (one reference for the caller). */
  sleepFuture(ms) {
    const mem = this._rt._mem;
    const rc = this._c.wa_sleep_start(ms, mem.cell);
    if (rc !== 0) throw errorFromStatus(rc, 'sleep failed');
    return mem.out();
  }
}
