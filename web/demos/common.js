// What every demo page shares: loading its C module into a Runtime, showing
// the C source, reading controls (with URL query overrides, so a link or a
// test can preset them: ?n=4&delay=100&autorun=1), the status line, and the
// "done" marker the e2e tests wait for (body[data-done] and
// window.demoResults).
import { Runtime } from '/bindings/runtime.js';
import '/bindings/trace.js';    // runtime.onTaskEvent, recordTimeline
import '/bindings/executor.js'; // worker pools for C (wa_pool_new, wa_run_in_executor)

export { fmtMs, Timeline } from '/timeline.js';

/** The page's query parameters. */
export const query = new URLSearchParams(location.search);

/**
 * Load demo module `name` (build/wasm/demos/NAME.mjs, from
 * web/demos/c/NAME.c) and its source, shown in #src.
 * @param {string} name
 * @returns {Promise<any>} the Runtime
 */
export async function loadDemo(name) {
  const srcEl = document.getElementById('src');
  const [runtime, source] = await Promise.all([
    Runtime.create({ module: new URL(`/wasm/demos/${name}.mjs`, location.href) }),
    fetch(`/demos/c/${name}.c`).then((r) => (r.ok ? r.text() : `/* ${name}.c: HTTP ${r.status} */`)),
  ]);
  if (srcEl) highlightC(srcEl, source);
  const label = document.getElementById('src-name');
  if (label) label.textContent = `web/demos/c/${name}.c`;
  return runtime;
}

/**
 * Route the C side's report() calls (JSON strings) to handlers[ev].
 * @param {any} runtime
 * @param {Record<string, (e: any) => void>} handlers
 */
export function onReport(runtime, handlers) {
  runtime.register('report', (s) => {
    const e = JSON.parse(s);
    const fn = handlers[e.ev];
    if (fn) fn(e);
  });
}

/**
 * Controls: each <input>/<select> with a name inside `form` (a form or
 * any container). Query parameters of the same name override their values
 * at load.
 * @param {HTMLElement} form
 * @returns {() => Record<string, string | boolean>} read the current values
 */
export function controls(form) {
  for (const input of form.querySelectorAll('input[name], select[name]')) {
    const v = query.get(input.name);
    if (v === null) continue;
    if (input.type === 'checkbox') input.checked = v === '1' || v === 'true';
    else input.value = v;
  }
  form.addEventListener('submit', (e) => e.preventDefault());
  return () => {
    const out = {};
    for (const input of form.querySelectorAll('input[name], select[name]')) {
      out[input.name] = input.type === 'checkbox' ? input.checked : input.value;
    }
    return out;
  };
}

/** "a=1&b=2" from an object (the argument format of the demo coroutines). */
export function args(obj) {
  return Object.entries(obj).map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 1 : 0) : v}`).join('&');
}

/**
 * A figure for a metrics strip: the value big, its label under it.
 * @param {string} label
 * @param {string} value
 * @param {string} [cls] extra class for the value (ok, err ...)
 */
export function metric(label, value, cls = '') {
  const d = document.createElement('div');
  d.className = 'metric';
  const b = document.createElement('b');
  b.textContent = value;
  if (cls) b.className = cls;
  const s = document.createElement('span');
  s.textContent = label;
  d.append(b, s);
  return d;
}

/**
 * Set the status line.
 * @param {string} text
 * @param {'ok'|'err'|''} [cls]
 */
export function status(text, cls = '') {
  const s = document.getElementById('status');
  if (!s) return;
  s.textContent = text;
  s.className = `status ${cls}`;
}

/**
 * Mark the demo as finished, with its measured numbers (the e2e tests read
 * window.demoResults once body[data-done] is set).
 * @param {object} results
 */
export function done(results) {
  window.demoResults = results;
  document.body.dataset.done = 'true';
}

/** Clear the done marker (a new run starts). */
export function undone() {
  delete document.body.dataset.done;
  window.demoResults = undefined;
}

/** Keep a failing JS view of a task quiet (its failure is shown on the page). */
export function quiet(task) {
  task?.catch?.(() => {});
  return task;
}

/**
 * Cancel the live task named `name` (C or JS), if any. Returns true if a
 * cancellation was requested.
 * @param {any} runtime
 * @param {string} name
 * @param {string} [msg]
 */
export function cancelByName(runtime, name, msg = 'cancelled from the page') {
  let hit = false;
  for (const t of runtime.allTasks()) {
    quiet(t);
    if (t.name === name && t.cancel(msg)) hit = true;
  }
  return hit;
}

/**
 * With ?autorun=1, call fn once the page has been drawn (two animation
 * frames), so the first measurements do not include the page's own start.
 * @param {() => unknown} fn
 */
export function autorun(fn) {
  if (query.get('autorun') !== '1') return;
  requestAnimationFrame(() => requestAnimationFrame(() => fn()));
}

/** Report page errors in the status line (they also reach the console). */
export function catchErrors() {
  const show = (e) => status(`error: ${e?.message ?? e}`, 'err');
  window.addEventListener('error', (e) => show(e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => show(e.reason));
}

// ---------------------------------------------------------------------------
// C source, lightly highlighted (DOM nodes, no innerHTML)
// ---------------------------------------------------------------------------

const KEYWORDS = new Set(('auto break case char const continue default do double else enum extern float for goto if ' +
  'inline int long register return short signed sizeof static struct switch typedef union unsigned void volatile ' +
  'while bool true false size_t uint8_t uint16_t uint32_t uint64_t int32_t int64_t NULL').split(' '));
const TOKEN = /(\/\*[\s\S]*?\*\/|\/\/[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(^[ \t]*#[^\n]*)|\b(\d+(?:\.\d+)?(?:e[+-]?\d+)?[uUlLfF]*|0x[0-9a-fA-F]+)\b|\b([A-Za-z_]\w*)\b/gm;

/**
 * Fill `pre` with C source, with spans for comments, strings, keywords,
 * numbers, preprocessor lines and the wasyncio API (wa_..., WA_...).
 * @param {HTMLElement} pre
 * @param {string} src
 */
export function highlightC(pre, src) {
  const frag = document.createDocumentFragment();
  let last = 0;
  const span = (cls, text) => {
    const s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    frag.append(s);
  };
  for (const m of src.matchAll(TOKEN)) {
    const [text, com, str, pp, num, id] = m;
    let cls = null;
    if (com) cls = 'c-com';
    else if (str) cls = 'c-str';
    else if (pp) cls = 'c-pp';
    else if (num) cls = 'c-num';
    else if (id && KEYWORDS.has(id)) cls = 'c-kw';
    else if (id && /^(wa|WA)_/.test(id)) cls = 'c-wa';
    if (!cls) continue;
    if (m.index > last) frag.append(src.slice(last, m.index));
    span(cls, text);
    last = m.index + text.length;
  }
  frag.append(src.slice(last));
  pre.replaceChildren(frag);
}
