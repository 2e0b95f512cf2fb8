// Demo 3: parallel search (web/demos/c/search.c): gather with
// return_exceptions over wait_for, with per-source behaviour set here.
import {
  autorun, loadDemo, onReport, controls, args, status, done, undone, catchErrors, Timeline, fmtMs, metric,
} from '/demos/common.js';

catchErrors();
const SOURCES = [
  ['Alpha', 150, 'ok'], ['Beta', 350, 'ok'], ['Gamma', 250, 'error'], ['Delta', 3000, 'ok'], ['Epsilon', 200, 'reset'],
];
const KINDS = [['ok', 'answers'], ['error', 'HTTP 500'], ['reset', 'connection reset']];

// one row of inputs per source (before controls() reads query overrides)
const srcBody = document.querySelector('#sources tbody');
SOURCES.forEach(([name, delay, kind], i) => {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = name;
  const d = document.createElement('input');
  Object.assign(d, { type: 'number', name: `s${i}d`, min: 0, max: 10000, step: 50, value: delay, id: `s${i}d` });
  d.setAttribute('aria-label', `${name}: answers after (ms)`);
  const k = document.createElement('select');
  Object.assign(k, { name: `s${i}k`, id: `s${i}k` });
  k.setAttribute('aria-label', `${name}: behaviour`);
  for (const [v, label] of KINDS) k.append(new Option(label, v, v === kind, v === kind));
  const td1 = document.createElement('td');
  td1.append(d);
  const td2 = document.createElement('td');
  td2.append(k);
  tr.append(th, td1, td2);
  srcBody.append(tr);
});
const readForm = controls(document.getElementById('form'));
const readSources = controls(document.getElementById('sources')); // the per-source inputs

const runBtn = document.getElementById('run');
const stopBtn = document.getElementById('stop');
const outBody = document.querySelector('#outcomes tbody');
const hitsEl = document.getElementById('hits');
const metrics = document.getElementById('metrics');

const rt = await loadDemo('search');
const tl = new Timeline(document.getElementById('timeline'), { title: 'one row per source' }).attach(rt);

let results = [];
let end = null;
onReport(rt, {
  source(e) { results.push(e); },
  end(e) { end = e; },
});


let task = null;
async function search() {
  const f = readForm();
  const s = readSources();
  const params = { q: encodeURIComponent(String(f.q).slice(0, 40)), timeout: +f.timeout };
  SOURCES.forEach(([name], i) => { params[`s${i}`] = `${name}:${+s[`s${i}d`] | 0}:${s[`s${i}k`]}`; });
  undone();
  results = [];
  end = null;
  outBody.replaceChildren();
  hitsEl.replaceChildren();
  metrics.replaceChildren();
  runBtn.disabled = true;
  stopBtn.disabled = false;
  status(`searching ${SOURCES.length} sources (timeout ${fmtMs(params.timeout)})…`);
  const tag = `s${Date.now().toString(36)}`;
  tl.start();
  task = rt.spawnC('search', args({ ...params, base: location.origin, tag }), { name: 'search', stackSize: 65536 });
  let error = null;
  try {
    await task;
  } catch (e) {
    error = e;
  }
  tl.stop();
  task = null;
  runBtn.disabled = false;
  stopBtn.disabled = true;
  for (const r of results) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = r.name;
    const td = document.createElement('td');
    const pill = document.createElement('span');
    const cls = { ok: 'ok', timeout: 'warn', error: 'err', cancelled: 'cancel' }[r.result];
    pill.className = `pill ${cls}`;
    pill.textContent = r.result === 'ok' ? `${r.hits.split('\n').length} hits`
      : r.result === 'timeout' ? 'timed out (cancelled)' : r.result === 'cancelled' ? 'cancelled' : r.error;
    td.append(pill);
    const ms = document.createElement('td');
    ms.className = 'num';
    ms.textContent = fmtMs(r.ms);
    tr.append(th, td, ms);
    outBody.append(tr);
    if (r.result === 'ok') for (const h of r.hits.split('\n')) hitsEl.append(Object.assign(document.createElement('li'), { textContent: h }));
  }
  if (end) {
    metrics.replaceChildren(
      metric('search took', fmtMs(end.ms)), metric('timeout', fmtMs(params.timeout)),
      metric('answered', String(end.ok), 'ok'), metric('failed', String(end.failed), end.failed ? 'err' : ''),
      metric('timed out', String(end.timedOut), end.timedOut ? 'warn' : ''), metric('hits', String(end.hits)),
    );
  }
  if (error) status(error.name === 'CancelledError' ? 'search cancelled' : `error: ${error.message}`, error.name === 'CancelledError' ? '' : 'err');
  else status(`${end.ok} of ${results.length} sources answered in ${fmtMs(end.ms)}: ${end.hits} hits`, 'ok');
  done({ params, end, sources: results, stopped: !!error, timeline: tl.counts() });
}

runBtn.addEventListener('click', search);
stopBtn.addEventListener('click', () => task?.cancel('search cancelled from the page'));
status('ready: press “Search”.');
autorun(() => search());
