// What kind of JS value something is: thenables, generators, plain options
// objects. One definition for every module of the bindings.

/** Anything with a then method (promises, Futures, operations ...). */
export function isThenable(v) {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
}

// The intrinsic %GeneratorPrototype%. Every `function*` literal has its own
// prototype object, so reading gen.next on generators from many different
// functions is a megamorphic lookup; calling the shared intrinsic methods
// directly is not.
export const GeneratorFunctionPrototype = Object.getPrototypeOf(function* () {});
const GeneratorPrototype = GeneratorFunctionPrototype.prototype;
export const genNext = GeneratorPrototype.next;
export const genThrow = GeneratorPrototype.throw;

/** A native generator object (made by calling a function*). */
export function isNativeGenerator(v) {
  return v !== null && typeof v === 'object' && GeneratorPrototype.isPrototypeOf(v);
}

/** A generator: native, or any object with next() and throw(). */
export function isGenerator(v) {
  if (v === null || typeof v !== 'object') return false;
  return isNativeGenerator(v) || (typeof v.next === 'function' && typeof v.throw === 'function');
}

/** A generator function (function*). */
export function isGeneratorFunction(fn) {
  return typeof fn === 'function' && Object.getPrototypeOf(fn) === GeneratorFunctionPrototype;
}

/** A plain object literal (options), not an awaitable or a generator. */
export function isPlainObject(v) {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype &&
    !isThenable(v) && !isGenerator(v);
}
