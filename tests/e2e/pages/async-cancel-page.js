// Runs the async-cancel scenarios in the page, reporting into window.results.
import * as wasyncio from '/bindings/index.js';
import { scenarios } from '/test-pages/async-cancel.js';

const results = [];
window.results = results;
const out = document.getElementById('out');
for (const [name, fn] of scenarios(wasyncio)) {
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (e) {
    results.push({ name, ok: false, error: String(e && e.stack || e) });
  }
  out.textContent += `${results.at(-1).ok ? 'ok' : 'FAILED'} ${name}\n`;
}
document.body.dataset.done = 'true';
