// A classic worker (Emscripten's glue detects a worker by importScripts),
// which loads the ES module loader with a dynamic import.
import('/bindings/loader.js').then(({ loadModule }) =>
  loadModule(new URL('/wasm/wasyncio_tests.mjs', self.location.href), {
    arguments: ['--server', self.location.origin + '/'],
    print: (l) => postMessage({ line: l }),
    printErr: (l) => postMessage({ line: '# stderr: ' + l }),
  }),
).catch((e) => postMessage({ line: '# done: worker failed: ' + e }));
