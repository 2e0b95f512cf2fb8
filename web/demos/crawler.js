// Demo 2: the crawler (web/demos/c/crawler.c): live table of URLs,
// statistics from the C code, retries marked on the timeline.
import {
  autorun, loadDemo, onReport, controls, args, status, done, undone, catchErrors, Timeline, fmtMs, metric,
} from '/demos/common.js';

catchErrors();
const read = controls(document.getElementById('form'));
const runBtn = document.getElementById('run');
const stopBtn = document.getElementById('stop');
const tbody = document.querySelector('#pages-table tbody');
const metrics = document.getElementById('metrics');

const rt = await loadDemo('crawler');
const tl = new Timeline(document.getElementById('timeline'), { title: 'one row per URL (and the crawl itself)' }).attach(rt);

/** @type {Map<number, { tr: HTMLTableRowElement, cells: HTMLElement[] }>} */
let rows = new Map();
let end = null;


function pill(text, cls) {
  const s = document.createElement('span');
  s.className = `pill ${cls}`;
  s.textContent = text;
  return s;
}

onReport(rt, {
  page(e) {
    let row = rows.get(e.i);
    if (!row) {
      const tr = document.createElement('tr');
      const cells = [0, 1, 2, 3, 4].map((k) => {
        const td = document.createElement(k === 0 ? 'th' : 'td');
        if (k === 0) td.scope = 'row';
        if (k > 0 && k < 4) td.className = 'num';
        tr.append(td);
        return td;
      });
      cells[0].textContent = e.path.replace(/[?&](tag|k|key)=[^&]*/g, '').replace(/^([^?]*)&/, '$1?');
      cells[4].append(pill('queued', ''));
      tbody.append(tr);
      rows.set(e.i, (row = { tr, cells }));
      return;
    }
    row.cells[1].textContent = e.status || '–';
    row.cells[2].textContent = e.tries;
    row.cells[3].textContent = fmtMs(e.ms);
    const kind = e.state === 'done' ? (e.status >= 400 ? ['HTTP error', 'warn'] : ['ok', 'ok'])
      : e.state === 'cancelled' ? ['cancelled', 'cancel'] : [e.error || 'failed', 'err'];
    row.cells[4].replaceChildren(pill(kind[0], kind[1]));
  },
  attempt(e) {
    const row = rows.get(e.i);
    if (row) row.cells[4].replaceChildren(pill(e.try > 1 ? `try ${e.try}…` : 'fetching…', ''));
  },
  retry(e) {
    tl.mark(e.task, e.t, 'warn', `try ${e.try} failed (${e.why}); next in ${fmtMs(e.wait)}`);
  },
  end(e) {
    end = e;
  },
});

let task = null;

function showStats(e, params, server) {
  metrics.replaceChildren(
    metric('total time', fmtMs(e.ms)),
    metric('URLs', String(e.pages)),
    metric('ok', `${e.ok}`, 'ok'),
    metric('HTTP errors', `${e.httpErrors}`, e.httpErrors ? 'warn' : ''),
    metric('failed', `${e.failed}`, e.failed ? 'err' : ''),
    metric('requests / retries', `${e.requests} / ${e.retries}`),
    metric(`most requests at once (limit ${params.concurrency})`, `${e.peak}`, e.peak > params.concurrency ? 'err' : ''),
    metric('most at once, as the server saw them', `${server.maxActive}`),
    metric('latency p50', fmtMs(e.latency.p50)),
    metric('latency p90', fmtMs(e.latency.p90)),
    metric('latency max', fmtMs(e.latency.max)),
  );
}

async function crawl() {
  const p = read();
  const params = { pages: +p.pages, concurrency: +p.concurrency, tries: +p.tries, backoff: +p.backoff, timeout: +p.timeout, failing: !!p.failing };
  undone();
  rows = new Map();
  end = null;
  tbody.replaceChildren();
  metrics.replaceChildren();
  runBtn.disabled = true;
  stopBtn.disabled = false;
  status('crawling…');
  const tag = `c${Date.now().toString(36)}`;
  tl.start();
  task = rt.spawnC('crawl', args({ ...params, base: location.origin, tag, key: tag }), { name: 'crawl', stackSize: 65536 });
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
  const server = await fetch(`/stats?tag=${tag}`).then((r) => r.json());
  if (end) showStats(end, params, server);
  if (error) status(error.name === 'CancelledError' ? 'stopped' : `error: ${error.message}`, error.name === 'CancelledError' ? '' : 'err');
  else status(`crawled ${end.pages} URLs in ${fmtMs(end.ms)}: ${end.ok} ok, ${end.httpErrors} HTTP errors, ${end.failed} failed, ${end.retries} retries`, 'ok');
  const counts = tl.counts();
  done({ params, stats: end, server, stopped: !!error, timeline: counts });
}

runBtn.addEventListener('click', crawl);
stopBtn.addEventListener('click', () => task?.cancel('stopped from the page'));
status('ready: press “Crawl”.');
autorun(() => crawl());
