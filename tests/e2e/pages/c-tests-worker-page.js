// Runs the C unit tests (build/wasm/wasyncio_tests) inside a dedicated Web
// Worker (timers, MessageChannel wake-ups and fetch from a worker's loop)
// and shows their output; marks the body when the run is over.
const out = document.getElementById('out');
const lines = [];
window.cTestLines = lines;
const worker = new Worker('/test-pages/c-tests-worker.js');
worker.onmessage = (ev) => {
  const l = ev.data.line;
  lines.push(l);
  out.textContent += l + '\n';
  if (l.startsWith('# done')) document.body.dataset.done = 'true';
};
worker.onerror = (ev) => {
  console.error('worker error: ' + ev.message);
  document.body.dataset.done = 'true';
};
