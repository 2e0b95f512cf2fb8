// Demo 4: producers/consumers over a bounded Queue (web/demos/c/queue.c),
// with the queue depth drawn over time from the C code's reports.
import {
  autorun, loadDemo, onReport, controls, args, status, done, undone, catchErrors, Timeline, fmtMs, metric,
} from '/demos/common.js';

catchErrors();
const read = controls(document.getElementById('form'));
const runBtn = document.getElementById('run');
const stopBtn = document.getElementById('stop');
const metrics = document.getElementById('metrics');
const chart = document.getElementById('chart');
const produce = document.getElementById('produce');
const consume = document.getElementById('consume');

const rt = await loadDemo('queue');
const tl = new Timeline(document.getElementById('timeline'), { title: 'producers, consumers and main' }).attach(rt);

// live rates: the C side reads them before every wait
for (const [input, out, which] of [[produce, 'produce-out', 0], [consume, 'consume-out', 1]]) {
  const show = () => { document.getElementById(out).textContent = input.value; };
  show();
  input.addEventListener('input', () => {
    show();
    rt.M._set_rates(which === 0 ? +input.value : -1, which === 1 ? +input.value : -1);
  });
}

let samples = []; // [time, depth]
let begin = 0;
let maxsize = 1;
let end = null;
let live = false;

onReport(rt, {
  begin(e) { begin = e.t; maxsize = e.maxsize; samples = [[e.t, 0]]; },
  depth(e) { samples.push([e.t, e.d]); },
  end(e) { end = e; },
});

/** Depth as a step chart, with the maxsize line. */
function drawChart() {
  const dpr = window.devicePixelRatio || 1;
  const w = chart.clientWidth;
  const h = chart.clientHeight;
  if (chart.width !== Math.round(w * dpr)) chart.width = Math.round(w * dpr);
  if (chart.height !== Math.round(h * dpr)) chart.height = Math.round(h * dpr);
  const g = chart.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const cs = getComputedStyle(chart);
  const col = (n, d) => cs.getPropertyValue(n).trim() || d;
  const left = 34;
  const top = 10;
  const bottom = h - 20;
  const now = live ? rt.time() : (samples.at(-1)?.[0] ?? begin);
  const span = Math.max(500, now - begin);
  const ymax = Math.max(maxsize, ...samples.map((s) => s[1])) * 1.1 || 1;
  const X = (t) => left + ((t - begin) / span) * (w - left - 8);
  const Y = (d) => bottom - (d / ymax) * (bottom - top);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = col('--muted', '#8a96a3');
  g.textBaseline = 'middle';
  g.textAlign = 'right';
  for (const d of [0, maxsize]) g.fillText(String(d), left - 6, Y(d));
  g.textAlign = 'left';
  g.fillText(fmtMs(span), w - 60, h - 8);
  g.fillText('0', left, h - 8);
  // maxsize
  g.strokeStyle = col('--err', '#f28779');
  g.setLineDash([4, 4]);
  g.beginPath();
  g.moveTo(left, Y(maxsize));
  g.lineTo(w - 8, Y(maxsize));
  g.stroke();
  g.setLineDash([]);
  g.fillStyle = col('--err', '#f28779');
  g.fillText('maxsize', left + 4, Y(maxsize) - 8);
  if (samples.length) {
    g.beginPath();
    g.moveTo(X(samples[0][0]), Y(0));
    let prev = 0;
    for (const [t, d] of samples) {
      g.lineTo(X(t), Y(prev));
      g.lineTo(X(t), Y(d));
      prev = d;
    }
    g.lineTo(X(now), Y(prev));
    g.lineTo(X(now), Y(0));
    g.closePath();
    g.fillStyle = 'rgba(92, 207, 230, 0.25)';
    g.fill();
    g.strokeStyle = col('--accent', '#5ccfe6');
    g.stroke();
  }
  chart.setAttribute('aria-label', `queue depth over time: now ${samples.at(-1)?.[1] ?? 0}, maxsize ${maxsize}`);
  if (live) requestAnimationFrame(drawChart);
}


let task = null;
async function start() {
  const p = read();
  const params = { items: +p.items, producers: +p.producers, consumers: +p.consumers, maxsize: +p.maxsize, produce: +p.produce, consume: +p.consume };
  undone();
  end = null;
  samples = [];
  metrics.replaceChildren();
  runBtn.disabled = true;
  stopBtn.disabled = false;
  status(`running: ${params.items} items…`);
  tl.start();
  task = rt.spawnC('pipeline', args(params), { name: 'main', stackSize: 65536 });
  live = true;
  requestAnimationFrame(drawChart);
  let error = null;
  try {
    await task;
  } catch (e) {
    error = e;
  }
  live = false;
  tl.stop();
  drawChart();
  task = null;
  runBtn.disabled = false;
  stopBtn.disabled = true;
  if (end) {
    metrics.replaceChildren(
      metric('produced / consumed', `${end.produced} / ${end.consumed}`, end.consumed === end.items ? 'ok' : 'warn'),
      metric('duplicates / missing', `${end.dupes} / ${end.missing}`, end.dupes || end.missing ? 'err' : 'ok'),
      metric('max depth', `${end.maxDepth} of ${end.maxsize}`),
      metric('producers done at', fmtMs(end.producedAt)),
      metric('join() returned at', fmtMs(end.joinedAt)),
      metric('per consumer', end.perConsumer.join(' · ')),
    );
  }
  if (error) status(error.name === 'CancelledError' ? 'stopped' : `error: ${error.message}`, error.name === 'CancelledError' ? '' : 'err');
  else status(`all ${end.items} items consumed exactly once; join() returned after ${fmtMs(end.joinedAt)}`, 'ok');
  const putsBlocked = samples.filter((s) => s[1] >= maxsize).length;
  done({ params, end, samples: samples.length, fullSamples: putsBlocked, stopped: !!error, timeline: tl.counts() });
}

runBtn.addEventListener('click', start);
stopBtn.addEventListener('click', () => task?.cancel('stopped from the page'));
new ResizeObserver(() => { if (!live) drawChart(); }).observe(chart);
status('ready: press “Start”.');
autorun(() => start());
