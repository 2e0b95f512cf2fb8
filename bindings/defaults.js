// The default runtime (the one index.js loads on first use; objects made without a
// `runtime` option live there), and how to recognise a Runtime without
// importing runtime.js (which imports the modules that ask).

/** Set on every Runtime. @internal */
export const IS_RUNTIME = Symbol('wasyncio.runtime');

let defaultRuntime = null;

/** True if rt is a Runtime. */
export function isRuntime(rt) {
  return rt !== null && typeof rt === 'object' && rt[IS_RUNTIME] === true;
}

/**
 * Make rt the default runtime (index.js's ready() does, with the runtime it loads).
 * @param {import('./runtime.js').Runtime} rt
 */
export function setDefaultRuntime(rt) {
  if (!isRuntime(rt)) throw new TypeError('setDefaultRuntime(rt): rt must be a Runtime');
  defaultRuntime = rt;
}

/**
 * options.runtime, else the default runtime; TypeError naming `where` if
 * there is none.
 * @param {{ runtime?: unknown } | undefined} options
 * @param {string} where
 */
export function runtimeOf(options, where) {
  const rt = options?.runtime ?? defaultRuntime;
  if (!isRuntime(rt)) {
    throw new TypeError(options?.runtime !== undefined
      ? `${where}: options.runtime must be a Runtime`
      : `${where}: the default runtime has not loaded yet; create it inside run(), or after \`await ready()\`, or pass options.runtime`);
  }
  return rt;
}
