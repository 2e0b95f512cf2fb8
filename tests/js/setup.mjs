// Preloaded into every test process (`node --import ./tests/js/setup.mjs
// --test`, see package.json): loads the default runtime of bindings/index.js
// first, as an app would with `await ready()`, so tests may use module-level
// functions and constructors outside run(). Not in pool workers (they get
// the parent's options): they do not use it. What happens without it (the
// default runtime loads on first use) is tested in default_runtime.test.mjs,
// in fresh processes; the README's examples run without it (readme.test.mjs).
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const { ready } = await import('../../bindings/index.js');
  await ready();
}
