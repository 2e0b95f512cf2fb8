// Runs runtime/examples/three_tasks.c (compiled to wasm) in this tab and
// shows what it prints. Each run instantiates the compiled module afresh.
import { compileWasm, instantiate } from '/bindings/loader.js';

const out = document.getElementById('out');
const status = document.getElementById('status');
const button = document.getElementById('run');

const [{ default: factory }, module, source] = await Promise.all([
  import('/wasm/three_tasks.mjs'),
  compileWasm('/wasm/three_tasks.wasm'),
  fetch('/examples/three_tasks.c').then((r) => r.text()),
]);
document.getElementById('src').textContent = source;

async function run() {
  button.disabled = true;
  out.textContent = '';
  status.textContent = 'running…';
  const t0 = performance.now();
  await new Promise((resolve) => {
    instantiate(factory, module, {
      print: (line) => { out.textContent += line + '\n'; },
      printErr: (line) => { out.textContent += line + '\n'; },
      onRunDone: (code, message) => {
        status.textContent = `finished with status ${code}${message ? ': ' + message : ''} in ${(performance.now() - t0).toFixed(0)} ms`;
        status.className = code === 0 ? 'ok' : 'err';
        document.body.dataset.done = 'true';
        resolve();
      },
    });
  });
  button.disabled = false;
}
button.addEventListener('click', run);
run();
