// Async iteration from generator tasks, which cannot write `for await`:
//
//   const it = aiter(response);                // any async iterable
//   for (let r; !(r = yield anext(it)).done;) use(r.value);
//   yield* forAwait(response, function* (chunk) { ... });   // closes it at the end
//
// anext() is awaitable from both task styles; the iterators of wasyncio's
// own streams return runtime operations from next(), so cancelling the task
// withdraws the pending read.
import { isGeneratorFunction, isGenerator, isThenable } from './kinds.js';

/**
 * The async iterator of x (Python's aiter): x[Symbol.asyncIterator](), or
 * a sync iterable's iterator (its values are awaited one by one).
 * @param {AsyncIterable<any> | Iterable<any>} x
 */
export function aiter(x) {
  if (x !== null && x !== undefined) {
    if (typeof x[Symbol.asyncIterator] === 'function') return x[Symbol.asyncIterator]();
    if (typeof x[Symbol.iterator] === 'function' && typeof x !== 'string') {
      const it = x[Symbol.iterator]();
      return {
        next: () => {
          const r = it.next();
          return r.done ? Promise.resolve(r) : Promise.resolve(r.value).then((value) => ({ value, done: false }));
        },
        return: (v) => Promise.resolve(typeof it.return === 'function' ? it.return(v) : { value: v, done: true }),
        [Symbol.asyncIterator]() { return this; },
      };
    }
  }
  throw new TypeError('aiter(x): x must be an async iterable (or an iterable)');
}

/**
 * The next step of async iterator it (Python's anext): an awaitable of
 * `{ value, done }`. `yield anext(it)` in a generator task, `await` in
 * async code.
 * @param {AsyncIterator<any>} it
 */
export function anext(it) {
  if (it === null || typeof it !== 'object' || typeof it.next !== 'function') {
    throw new TypeError('anext(it): it must be an async iterator (from aiter(x))');
  }
  return it.next();
}

function* forAwaitGen(source, body) {
  const it = aiter(source);
  let finished = false;
  try {
    for (;;) {
      const r = yield it.next();
      if (r.done) {
        finished = true;
        return undefined;
      }
      const out = body(r.value);
      const v = isGenerator(out) ? yield* out : isThenable(out) ? yield out : out;
      if (v === forAwait.BREAK) return undefined;
    }
  } finally {
    if (!finished && typeof it.return === 'function') yield it.return();
  }
}

/**
 * `async for value in source: body(value)`. With a generator function as
 * body: a generator to run with `yield*` in a generator task; otherwise a
 * promise. The body returns forAwait.BREAK to stop early; the iterator is
 * closed (return()) when the loop ends early or fails.
 * @param {AsyncIterable<any> | Iterable<any>} source
 * @param {(value: any) => any} body
 */
export function forAwait(source, body) {
  if (typeof body !== 'function') throw new TypeError('forAwait(source, body): body must be a function');
  if (isGeneratorFunction(body)) return forAwaitGen(source, body);
  return (async () => {
    for await (const v of { [Symbol.asyncIterator]: () => aiter(source) }) {
      if ((await body(v)) === forAwait.BREAK) break;
    }
  })();
}
/** Returned by a forAwait body: stop the loop. */
forAwait.BREAK = Symbol('wasyncio.forAwait.break');

/**
 * The chunks of a readable object (read() resolving to a chunk, or null at
 * the end) for `for await`; close() runs when the loop ends, early or not.
 * @param {{ read(): PromiseLike<any> }} source
 * @param {() => unknown} close
 */
export async function* readChunks(source, close) {
  try {
    for (;;) {
      const chunk = await source.read();
      if (chunk === null) return;
      yield chunk;
    }
  } finally {
    await close();
  }
}
