// Runs the C unit tests (build/wasm/wasyncio_tests) in the page, with the
// test server's URL, and marks the body when the run is over.
import { loadModule } from '/bindings/loader.js';

const out = document.getElementById('out');
const lines = [];
window.cTestLines = lines;
await loadModule(new URL('/wasm/wasyncio_tests.mjs', location.href), {
  arguments: ['--server', location.origin + '/'],
  print: (l) => {
    lines.push(l);
    out.textContent += l + '\n';
    if (l.startsWith('# done')) document.body.dataset.done = 'true';
  },
  printErr: (l) => { lines.push('# stderr: ' + l); out.textContent += l + '\n'; },
});
