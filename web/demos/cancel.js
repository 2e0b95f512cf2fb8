// Demo 6: timeouts, cancellation, shield and TaskGroup (web/demos/c/cancel.c).
// While a program runs, every live task gets a cancel button (from the
// runtime's task event stream); one timeline per program.
import {
  autorun, loadDemo, onReport, controls, args, status, done, catchErrors, Timeline, fmtMs, cancelByName,
} from '/demos/common.js';

catchErrors();
const SCENARIOS = {
  timeouts: { coro: 'timeouts', main: 'timeouts', title: 'wait_for and a timeout scope' },
  shield: { coro: 'shield_demo', main: 'shield demo', title: 'shield' },
  group: { coro: 'group_demo', main: 'task group', title: 'TaskGroup' },
};
const all = {};
for (const [id, sc] of Object.entries(SCENARIOS)) {
  const root = document.getElementById(`sc-${id}`);
  all[id] = {
    ...sc,
    root,
    read: controls(root.querySelector('form')),
    start: root.querySelector('button.start'),
    live: root.querySelector('.live-tasks'),
    list: root.querySelector('.result-list'),
    tlBox: root.querySelector('.tl-box'),
  };
}
const extendBtn = document.getElementById('extend');

const rt = await loadDemo('cancel');
for (const sc of Object.values(all)) sc.tl = new Timeline(sc.tlBox, { title: sc.title, legend: true }).attach(rt);

let active = null; // the scenario running now
const results = {};

function line(text, cls = '') {
  const li = document.createElement('li');
  li.textContent = text;
  if (cls) li.className = cls;
  active?.list.append(li);
}

const cls = (o) => (o === 'done' || o === 'ok' ? 'ok' : o === 'cancelled' ? 'cancel' : o?.startsWith('timed out') ? 'warn' : 'err');
onReport(rt, {
  result(e) {
    if (!active) return;
    (results[active.id] ??= { items: [] }).items.push(e);
    if (e.name) line(`${e.name}: ${e.outcome}${e.steps !== undefined ? ` (${e.steps} of 10 steps)` : ''}`, cls(e.outcome));
    if (e.handler) {
      line(`handler: ${e.handler}`, cls(e.handler));
      line(`save (shielded): ${e.save}`, cls(e.save));
      line(`notify: ${e.notify}`, cls(e.notify));
    }
    if (e.group) {
      line(`group: ${e.group}`, cls(e.group));
      for (const m of e.errors) line(`  error: ${m}`, 'err');
    }
  },
  deadline(e) {
    if (active) line(`scoped job's deadline: ${fmtMs(e.when - active.t0)} after the start`, 'hint');
  },
});

// a cancel button for every live task of the running program
rt.onTaskEvent((e) => {
  if (!active) return;
  if (e.type === 'created') {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary';
    b.textContent = `cancel “${e.name}”`;
    b.dataset.task = e.name;
    b.addEventListener('click', () => {
      if (cancelByName(rt, e.name, 'cancelled from the page')) b.disabled = true;
    });
    active.live.append(b);
    (active.buttons ??= new Map()).set(e.id, b);
  } else if (e.type === 'done') {
    active.buttons?.get(e.id)?.remove();
  }
});

async function start(id) {
  const sc = all[id];
  if (active) return;
  active = sc;
  sc.id = id;
  sc.buttons = new Map();
  sc.list.replaceChildren();
  sc.live.replaceChildren();
  results[id] = { items: [] };
  delete document.body.dataset.done;
  for (const s of Object.values(all)) s.start.disabled = true;
  extendBtn.disabled = id !== 'timeouts';
  status(`running “${sc.title}”…`);
  sc.tl.start();
  sc.t0 = rt.time();
  const task = rt.spawnC(sc.coro, args(sc.read()), { name: sc.main, stackSize: 65536 });
  let outcome = 'done';
  try {
    await task;
  } catch (e) {
    outcome = e.name === 'CancelledError' ? 'cancelled' : `failed: ${e.message}`;
  }
  sc.tl.stop();
  const ms = rt.time() - sc.t0;
  line(`${sc.main}: ${outcome} after ${fmtMs(ms)}`, cls(outcome.split(':')[0]));
  sc.live.replaceChildren();
  extendBtn.disabled = true;
  active = null;
  for (const s of Object.values(all)) s.start.disabled = false;
  const rows = Object.fromEntries(sc.tl.tasks().map((t) => [t.name, t.outcome]));
  Object.assign(results[id], { outcome, ms, tasks: rows, timeline: sc.tl.counts() });
  status(`“${sc.title}” ended (${outcome}) after ${fmtMs(ms)}`, outcome === 'done' ? 'ok' : '');
  done({ last: id, ...results });
  return results[id];
}

for (const [id, sc] of Object.entries(all)) sc.start.addEventListener('click', () => start(id));
extendBtn.addEventListener('click', () => {
  const rc = rt.M._extend_deadline(500);
  if (rc !== 0) status('the scoped job has no deadline to move any more');
});
status('ready: start one of the three programs below.');
/**
 * Press the cancel button of task `name` of the running program `ms` after
 * it appears, as a visitor would (for ?autorun=1).
 */
async function pressCancel(sc, name, ms) {
  let btn;
  while (!(btn = sc.live.querySelector(`button[data-task="${name}"]`))) {
    if (active !== sc) return;
    await new Promise((r) => requestAnimationFrame(r));
  }
  await new Promise((r) => setTimeout(r, ms));
  if (btn.isConnected) {
    line(`(autorun) pressed “cancel ${name}”`, 'hint');
    btn.click();
  }
}

// autorun: the three programs one after the other, and one press of a
// cancel button: the handler of the shield program (its shielded save goes on)
autorun(async () => {
  await start('timeouts');
  const shielded = start('shield');
  await pressCancel(all.shield, 'handler', 300);
  await shielded;
  await start('group');
});
