// Demo 1: sequential vs thread pool vs gather vs Semaphore-limited fetching
// (web/demos/c/fetch_compare.c). Runs the four ways one after the other,
// each with its own timeline; measured times come from the C code.
import {
  autorun, loadDemo, onReport, controls, args, status, done, undone, catchErrors, Timeline, fmtMs,
} from '/demos/common.js';

catchErrors();
const CONNECTIONS_PER_HOST = 6; // Chromium's HTTP/1.1 limit

const MODES = [
  { id: 'seq', title: 'sequential loop', short: 'sequential', expect: (p) => p.n * p.delay },
  { id: 'pool', title: 'thread pool (Web Workers)', short: 'thread pool', expect: (p) => Math.ceil(p.n / Math.min(p.workers, CONNECTIONS_PER_HOST)) * p.delay },
  { id: 'gather', title: 'gather', short: 'gather', expect: (p) => Math.ceil(p.n / CONNECTIONS_PER_HOST) * p.delay },
  { id: 'limit', title: 'gather + Semaphore', short: 'Semaphore', expect: (p) => Math.ceil(p.n / Math.min(p.limit, CONNECTIONS_PER_HOST)) * p.delay },
];

const form = document.getElementById('form');
const read = controls(form);
const runBtn = document.getElementById('run');
const stopBtn = document.getElementById('stop');
const tbody = document.querySelector('#results tbody');
const bars = document.getElementById('bars');

// one table row, one bar and one timeline per way
const ui = {};
for (const m of MODES) {
  const tr = document.createElement('tr');
  const cells = ['title', 'ms', 'expected', 'peak', 'ok'].map((k) => {
    const td = document.createElement(k === 'title' ? 'th' : 'td');
    if (k === 'title') { td.scope = 'row'; td.textContent = m.title; } else { td.className = 'num'; td.textContent = '–'; }
    tr.append(td);
    return [k, td];
  });
  tbody.append(tr);
  const bar = document.createElement('div');
  bar.className = 'bar-row';
  const name = document.createElement('span');
  name.textContent = m.short;
  const track = document.createElement('div');
  track.className = 'bar';
  const fill = document.createElement('div');
  track.append(fill);
  const label = document.createElement('span');
  label.className = 'hint';
  bar.append(name, track, label);
  bars.append(bar);
  const box = document.createElement('div');
  box.id = `tl-${m.id}`;
  document.getElementById('timelines').append(box);
  ui[m.id] = { cells: Object.fromEntries(cells), fill, label, tl: null, box, done: 0 };
}

const rt = await loadDemo('fetch_compare');
for (const m of MODES) ui[m.id].tl = new Timeline(ui[m.id].box, { title: m.title, legend: m.id === 'seq' }).attach(rt);

let current = null; // { mode, n }
onReport(rt, {
  warm: (e) => status(`pool: ${current?.workers} workers started and warmed up in ${fmtMs(e.ms)} (not counted)…`),
  begin: (e) => {
    status(`running ${e.mode}: ${e.n} requests…`);
    if (e.mode === 'pool') ui.pool.tl.mark(e.task, e.t, 'warn', 'workers warm: the clock starts');
  },
  req: (e) => {
    if (!current || e.state === 'start') return;
    const u = ui[current.mode];
    u.done++;
    u.cells.ms.textContent = `${u.done}/${current.n}…`;
  },
});

let task = null;
let stopped = false;

async function runAll() {
  const p = read();
  const params = { n: +p.n, delay: +p.delay, workers: +p.workers, limit: +p.limit };
  undone();
  stopped = false;
  runBtn.disabled = true;
  stopBtn.disabled = false;
  const results = {};
  const runId = `r${Date.now().toString(36)}`;
  for (const m of MODES) {
    const u = ui[m.id];
    for (const k of ['ms', 'expected', 'peak', 'ok']) u.cells[k].textContent = '–';
    u.fill.style.width = '0';
    u.label.textContent = '';
  }
  let maxMs = 0;
  for (const m of MODES) {
    if (stopped) break;
    const u = ui[m.id];
    u.done = 0;
    const expected = m.expect(params);
    u.cells.expected.textContent = fmtMs(expected);
    const tag = `${runId}-${m.id}`;
    current = { mode: m.id, n: params.n, workers: params.workers };
    u.tl.start();
    task = rt.spawnC('compare', args({ mode: m.id, ...params, base: location.origin, tag }), { name: `main (${m.id})`, stackSize: 65536 });
    let ms = null;
    try {
      ms = await task;
    } catch (e) {
      status(stopped ? 'stopped' : `${m.title}: ${e.message}`, stopped ? '' : 'err');
    }
    u.tl.stop();
    const stats = await fetch(`/stats?tag=${tag}`).then((r) => r.json());
    const ok = u.tl.tasks().filter((t) => t.name.startsWith(`${m.id} #`) && t.outcome === 'ok').length;
    u.cells.peak.textContent = String(stats.maxActive);
    u.cells.ok.textContent = `${ok}/${params.n}`;
    if (ms === null) {
      u.cells.ms.textContent = 'stopped';
      break;
    }
    u.cells.ms.textContent = fmtMs(ms);
    results[m.id] = { ms, expected, peak: stats.maxActive, requests: stats.started, ok, n: params.n };
    maxMs = Math.max(maxMs, ms, expected);
    for (const mm of MODES) {
      const r = results[mm.id];
      if (!r) continue;
      ui[mm.id].fill.style.width = `${(100 * r.ms) / maxMs}%`;
      ui[mm.id].label.textContent = `${(r.ms / r.expected).toFixed(2)} × expected`;
    }
  }
  // the same time scale for every timeline, so they compare at a glance
  for (const m of MODES) ui[m.id].tl.setWindow(maxMs || null);
  task = null;
  current = null;
  runBtn.disabled = false;
  stopBtn.disabled = true;
  if (!stopped) {
    const r = MODES.map((m) => `${m.id} ${fmtMs(results[m.id].ms)}`).join(' · ');
    status(`done: ${r}`, 'ok');
  }
  done({ params, stopped, modes: results });
}

runBtn.addEventListener('click', runAll);
stopBtn.addEventListener('click', () => {
  stopped = true;
  task?.cancel('stopped from the page');
});
status('ready: press “Run all four”.');
autorun(() => runAll());
