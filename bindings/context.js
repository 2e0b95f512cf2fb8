// Async context managers (Python's @contextlib.asynccontextmanager) for
// both task styles.
//
// A manager is written once, as an async generator function (async style)
// or as a generator function in generator-task style (`yield op` awaits;
// `yield provide(value)` marks the one place where the body runs):
//
//   const opened = asyncContextManager(async function* (path) {
//     const f = await openFile(path);
//     try { yield f; } finally { await f.close(); }
//   });
//   const locked = asyncContextManager(function* (lock) {
//     yield lock.acquire();
//     try { yield provide(lock); } finally { lock.release(); }
//   });
//
// and used from either style:
//
//   await withContext(opened('a.txt'), async (f) => ...);          // async task
//   yield* withContext(opened('a.txt'), function* (f) { ... });    // generator task
//   const cm = opened('a.txt'); const f = await cm.enter(); ... await cm.exit();
//
// As in Python: the body's error is thrown into the manager at its yield;
// the manager may suppress it (return normally) or replace it (throw
// another); a manager that yields twice, or never, is a RuntimeError-like
// TypeError.
import { isGeneratorFunction, isGenerator, isThenable } from './kinds.js';
import { runtimeOf } from './defaults.js';

const PROVIDED = Symbol('wasyncio.provided');
const NEW = 0;
const ENTERED = 1;
const EXITED = 2;

/**
 * In a generator-style context manager: `yield provide(value)` hands value
 * to the body and resumes when the body is done (or throws its error).
 * @template T @param {T} value
 */
export function provide(value) {
  return { [PROVIDED]: true, value };
}

function isProvided(v) {
  return v !== null && typeof v === 'object' && v[PROVIDED] === true;
}

function isAsyncGeneratorFunction(fn) {
  return typeof fn === 'function' && fn[Symbol.toStringTag] === 'AsyncGeneratorFunction';
}

/**
 * Run generator-style manager gen from its current point (next(input) or
 * throw(input)) until it provides a value or returns; every other yielded
 * value is awaited by the task running this (yield*).
 * @returns {Generator<any, { provided: boolean, value: any }>}
 */
function* drive(gen, throwing, input) {
  for (;;) {
    const r = throwing ? gen.throw(input) : gen.next(input);
    if (r.done) return { provided: false, value: r.value };
    if (isProvided(r.value)) return { provided: true, value: r.value.value };
    try {
      input = yield r.value;
      throwing = false;
    } catch (e) {
      input = e;
      throwing = true;
    }
  }
}

/** One use of a context manager (what the decorated function returns). */
export class AsyncContextManager {
  /** @internal */
  constructor(factory, args, options) {
    /** @internal */ this._factory = factory;
    /** @internal */ this._args = args;
    /** @internal */ this._options = options;
    /** @internal */ this._gen = null;
    /** @internal */ this._state = NEW;
    /** @internal */ this._isAsync = isAsyncGeneratorFunction(factory);
  }

  /** @internal start the manager's generator */
  _open() {
    if (this._state !== NEW) throw new TypeError('asyncContextManager: this manager was already entered; call the factory again');
    this._state = ENTERED;
    const gen = this._factory(...this._args);
    const ok = this._isAsync ? gen && typeof gen.next === 'function' && typeof gen[Symbol.asyncIterator] === 'function' : isGenerator(gen);
    if (!ok) throw new TypeError('asyncContextManager(factory): factory must return a generator');
    this._gen = gen;
  }

  /** @internal the step after the first yield, as Python's __aenter__ */
  _entered(r) {
    if (!r.provided) throw new TypeError("asyncContextManager: the generator didn't yield");
    return r.value;
  }

  /** @internal the outcome of the step after the body, as Python's __aexit__ */
  _exited(r, error, hasError) {
    this._state = EXITED;
    if (r.threw) {
      if (hasError && r.error === error) return false; // re-raised: not suppressed
      throw r.error;
    }
    if (r.provided) throw new TypeError("asyncContextManager: the generator didn't stop (it yielded twice)");
    return hasError; // returned normally: a thrown error is suppressed
  }

  /** @internal generator form of enter (for yield* in generator tasks) */
  * _enterGen() {
    this._open();
    if (this._isAsync) {
      const r = yield this._gen.next();
      return this._entered({ provided: !r.done, value: r.value });
    }
    return this._entered(yield* drive(this._gen, false, undefined));
  }

  /** @internal generator form of exit */
  * _exitGen(error, hasError) {
    this._checkEntered();
    let r;
    try {
      if (this._isAsync) {
        const x = yield (hasError ? this._gen.throw(error) : this._gen.next());
        r = { provided: !x.done, value: x.value };
      } else {
        r = yield* drive(this._gen, hasError, error);
      }
    } catch (e) {
      r = { threw: true, error: e };
    }
    return this._exited(r, error, hasError);
  }

  /** @internal */
  _checkEntered() {
    if (this._state !== ENTERED) throw new TypeError(this._state === NEW ? 'asyncContextManager: exit() before enter()' : 'asyncContextManager: already exited');
  }

  /** @internal run generator form g to its end from async code */
  _runGen(g, where) {
    if (this._isAsync) {
      // only promises are yielded: drive it here
      const step = (ok, v) => {
        let r;
        try {
          r = ok ? g.next(v) : g.throw(v);
        } catch (e) {
          return Promise.reject(e);
        }
        if (r.done) return Promise.resolve(r.value);
        return Promise.resolve(r.value).then((x) => step(true, x), (e) => step(false, e));
      };
      return step(true, undefined);
    }
    return runtimeOf(this._options, where).createTask(g);
  }

  /**
   * Run the manager up to its yield: an awaitable of the provided value
   * (a promise for an async manager, a Task for a generator-style one;
   * either can be awaited from both task styles).
   */
  enter() {
    if (this._state !== NEW) throw new TypeError('asyncContextManager: this manager was already entered; call the factory again');
    return this._runGen(this._enterGen(), 'enter()');
  }

  /**
   * Resume the manager after the body: with no argument as after a normal
   * end, with an error as if the body threw it. Resolves to true if the
   * manager suppressed the error; rejects with the error it raised instead.
   * @param {unknown} [error]
   */
  exit(error) {
    return this._runGen(this._exitGen(error, arguments.length > 0 && error !== undefined), 'exit()');
  }

  /** `await using cm = ...` (runs exit()). */
  [Symbol.asyncDispose]() {
    return this._state === ENTERED ? Promise.resolve(this.exit()).then(() => undefined) : Promise.resolve();
  }
}

/**
 * Make an async context manager from a generator function (see the top of
 * this file). Returns a function taking the generator function's arguments.
 * options.runtime: the runtime running a generator-style manager's steps
 * when it is entered from async code (default: the default runtime).
 * @param {(...args: any[]) => any} factory
 * @param {{ runtime?: import('./runtime.js').Runtime }} [options]
 */
export function asyncContextManager(factory, options) {
  if (!isGeneratorFunction(factory) && !isAsyncGeneratorFunction(factory)) {
    throw new TypeError('asyncContextManager(factory): factory must be an async generator function or a generator function');
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('asyncContextManager(factory, options): options must be an object');
  const make = (...args) => new AsyncContextManager(factory, args, options);
  Object.defineProperty(make, 'name', { value: factory.name || 'asyncContextManager' });
  return make;
}

function* bodyGen(cm, body) {
  const value = yield* cm._enterGen();
  let result;
  try {
    const r = body(value);
    result = isGenerator(r) ? yield* r : isThenable(r) ? yield r : r;
  } catch (e) {
    if (yield* cm._exitGen(e, true)) return undefined;
    throw e; // not suppressed (a replacement was thrown by _exitGen)
  }
  yield* cm._exitGen(undefined, false);
  return result;
}

/**
 * `async with cm as value: body(value)`. With a generator function as body
 * (generator tasks): returns a generator, to run with `yield*` (or `yield`,
 * as a child task). With any other function (async tasks): returns a
 * promise. The result is the body's; the body's error passes through the
 * manager (which may suppress it: the result is then undefined).
 * @param {AsyncContextManager} cm
 * @param {(value: any) => any} body
 */
export function withContext(cm, body) {
  if (!(cm instanceof AsyncContextManager)) throw new TypeError('withContext(cm, body): cm must be an AsyncContextManager (made by asyncContextManager(fn)(...args))');
  if (typeof body !== 'function') throw new TypeError('withContext(cm, body): body must be a function');
  if (isGeneratorFunction(body)) return bodyGen(cm, body);
  return (async () => {
    const value = await cm.enter();
    let result;
    try {
      result = await body(value);
    } catch (e) {
      if (await cm.exit(e)) return undefined;
      throw e;
    }
    await cm.exit();
    return result;
  })();
}
