// Demo 5: CPU work on the worker pool vs on the main thread
// (web/demos/c/cpu.c), with an animation and a frame meter that show
// whether the page stays responsive.
import {
  autorun, loadDemo, onReport, controls, args, status, done, undone, catchErrors, Timeline, fmtMs,
} from '/demos/common.js';

catchErrors();
// one worker fewer than cores: on a 2-core machine, 2 busy workers would
// take the core the page draws with, and the pool's point would not show
const defaultWorkers = Math.max(1, (navigator.hardwareConcurrency || 2) - 1);
document.getElementById('workers').value = String(defaultWorkers);
const read = controls(document.getElementById('form'));
const buttons = ['run-pool', 'run-main', 'run-both'].map((id) => document.getElementById(id));
const stopBtn = document.getElementById('stop');
const anim = document.getElementById('anim');
const image = document.getElementById('image');

// ---- the animation and the frame meter (requestAnimationFrame) -------------
const gaps = []; // recent frame gaps, for the bars
let lastFrame = 0;
let meter = null; // { frames: number[], start: number } during a run
const FRAME = 1000 / 60;

function frame(ts) {
  const gap = lastFrame ? ts - lastFrame : FRAME;
  lastFrame = ts;
  gaps.push(gap);
  if (gaps.length > 180) gaps.shift();
  if (meter) meter.frames.push(ts);
  drawAnim(ts);
  requestAnimationFrame(frame);
}

function drawAnim(ts) {
  const dpr = window.devicePixelRatio || 1;
  const w = anim.clientWidth;
  const h = anim.clientHeight;
  if (anim.width !== Math.round(w * dpr)) anim.width = Math.round(w * dpr);
  if (anim.height !== Math.round(h * dpr)) anim.height = Math.round(h * dpr);
  const g = anim.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  // the ball: position from the clock, so a frozen page shows as a jump
  const period = 1600;
  const ph = (ts % period) / period;
  const x = 20 + (w - 40) * (ph < 0.5 ? ph * 2 : 2 - ph * 2);
  g.fillStyle = '#5ccfe6';
  g.beginPath();
  g.arc(x, 34, 14, 0, Math.PI * 2);
  g.fill();
  // frame gaps
  const base = h - 8;
  const bw = (w - 16) / 180;
  gaps.forEach((gp, i) => {
    const bh = Math.min(base - 60, (gp / 200) * (base - 60));
    g.fillStyle = gp > 50 ? '#f28779' : gp > 25 ? '#ffcc66' : '#87d96c';
    g.fillRect(8 + i * bw, base - bh, Math.max(1, bw - 0.5), bh);
  });
  g.fillStyle = '#8a96a3';
  g.font = '11px system-ui, sans-serif';
  const recent = gaps.slice(-60);
  g.fillText(`longest gap in the last 60 frames: ${fmtMs(Math.max(...recent))}`, 8, 64);
}
requestAnimationFrame(frame);

/** Frame statistics of a run: longest gap (ms) and frames a 60 Hz display lost. */
function frameStats(m, end) {
  const ts = [m.start, ...m.frames.filter((t) => t > m.start && t <= end), end];
  let longest = 0;
  let dropped = 0;
  const gaps = []; // [ms since the start, gap ms] per frame (and the end)
  for (let i = 1; i < ts.length; i++) {
    const gap = ts[i] - ts[i - 1];
    longest = Math.max(longest, gap);
    dropped += Math.max(0, Math.round(gap / FRAME) - 1);
    gaps.push([ts[i] - m.start, gap]);
  }
  return { longestGap: longest, dropped, frames: ts.length - 2, gaps, span: end - m.start };
}

// ---- the two runs side by side ------------------------------------------------
/** Draw the frame gaps of each finished run, on one shared scale. */
function drawSideBySide() {
  const runs = ['pool', 'main'].filter((m) => results[m]);
  const top = Math.max(100, ...runs.map((m) => results[m].longestGap));
  for (const mode of runs) {
    const r = results[mode];
    const c = document.getElementById(`gaps-${mode}`);
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const base = h - 16;
    const x = (t) => 8 + ((w - 16) * t) / r.span;
    for (const [at, gap] of r.gaps) {
      const bh = Math.max(1, ((base - 8) * gap) / top);
      g.fillStyle = gap > 50 ? '#f28779' : gap > 25 ? '#ffcc66' : '#87d96c';
      g.fillRect(x(at - gap), base - bh, Math.max(1, x(at) - x(at - gap) - 0.5), bh);
    }
    g.fillStyle = '#8a96a3';
    g.font = '11px system-ui, sans-serif';
    g.fillText(`0 … ${fmtMs(r.span)}`, 8, h - 3);
    c.dataset.frames = String(r.frames);
    document.querySelector(`#fig-${mode} .cap`).textContent =
      `${fmtMs(r.ms)} · ${r.frames} frames · longest gap ${fmtMs(r.longestGap)} · ${r.dropped} dropped`;
  }
}

// ---- the image -------------------------------------------------------------
const PALETTE = Array.from({ length: 256 }, (_, i) => {
  const t = i / 255;
  return [
    Math.round(9 * (1 - t) * t * t * t * 255),
    Math.round(15 * (1 - t) * (1 - t) * t * t * 255),
    Math.round(8.5 * (1 - t) * (1 - t) * (1 - t) * t * 255),
  ];
});
let view = { w: 640, h: 400, bands: 8, iter: 3000 };

function drawBand(bytes) {
  const idx = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
  const y0 = Math.floor((view.h * idx) / view.bands);
  const rows = Math.floor((view.h * (idx + 1)) / view.bands) - y0;
  const px = new Uint16Array(bytes.buffer.slice(bytes.byteOffset + 4, bytes.byteOffset + 4 + view.w * rows * 2));
  const g = image.getContext('2d');
  const img = g.createImageData(view.w, rows);
  for (let i = 0; i < px.length; i++) {
    const n = px[i];
    const c = n >= view.iter ? [0, 0, 0] : PALETTE[Math.floor(Math.sqrt(n / view.iter) * 255)];
    img.data[i * 4] = c[0];
    img.data[i * 4 + 1] = c[1];
    img.data[i * 4 + 2] = c[2];
    img.data[i * 4 + 3] = 255;
  }
  g.putImageData(img, 0, y0);
}

// ---- runs ------------------------------------------------------------------
const rt = await loadDemo('cpu');
const tl = new Timeline(document.getElementById('timeline'), { title: 'one row per band' }).attach(rt);
rt.register('band', drawBand);
let end = null;
onReport(rt, {
  warm: (e) => status(`pool: workers started and warmed up in ${fmtMs(e.ms)} (not counted)…`),
  begin: (e) => {
    status(`rendering on the ${e.mode === 'pool' ? 'worker pool' : 'main thread'}: ${e.bands} bands…`);
    if (meter) { meter.start = performance.now(); meter.frames = []; }
  },
  end: (e) => { end = e; },
});

let task = null;
let stopped = false;
const results = {};

async function runOne(mode, p) {
  const [w, h] = String(p.size).split('x').map(Number);
  view = { w, h, bands: Math.min(+p.bands, h), iter: +p.iter };
  image.width = w;
  image.height = h;
  end = null;
  tl.start();
  meter = { start: performance.now(), frames: [] };
  task = rt.spawnC('render', args({ mode, bands: view.bands, workers: +p.workers, w, h, iter: view.iter }), { name: `render (${mode})`, stackSize: 65536 });
  let error = null;
  try {
    await task;
  } catch (e) {
    error = e;
  }
  const fs = frameStats(meter, performance.now());
  meter = null;
  tl.stop();
  task = null;
  if (error) throw error;
  const r = { ms: end.ms, checksum: end.checksum, slowestBand: end.slowestBand, ...fs };
  results[mode] = r;
  const cells = document.querySelectorAll(`#row-${mode} td`);
  cells[0].textContent = fmtMs(r.ms);
  cells[1].textContent = fmtMs(r.longestGap);
  cells[1].className = `num ${r.longestGap > 50 ? 'err' : 'ok'}`;
  cells[2].textContent = String(r.dropped);
  cells[3].textContent = r.checksum;
  drawSideBySide();
  return r;
}

async function run(modes) {
  const p = read();
  undone();
  stopped = false;
  for (const b of buttons) b.disabled = true;
  stopBtn.disabled = false;
  try {
    for (const m of modes) {
      if (stopped) break;
      await runOne(m, p);
      // let a few frames through between two runs
      await new Promise((r) => setTimeout(r, 150));
    }
    const msg = modes.map((m) => `${m === 'pool' ? 'pool' : 'main thread'}: ${fmtMs(results[m].ms)}, longest frame gap ${fmtMs(results[m].longestGap)}`).join(' · ');
    status(msg, 'ok');
  } catch (e) {
    status(e.name === 'CancelledError' ? 'stopped' : `error: ${e.message}`, e.name === 'CancelledError' ? '' : 'err');
  }
  for (const b of buttons) b.disabled = false;
  stopBtn.disabled = true;
  const same = results.pool && results.main ? results.pool.checksum === results.main.checksum : null;
  if (same === false) status('the two images differ!', 'err');
  const summary = (r) => r && { ...r, gaps: r.gaps.length };
  done({ params: p, defaultWorkers, cores: navigator.hardwareConcurrency, stopped, pool: summary(results.pool), main: summary(results.main), checksumsMatch: same, timeline: tl.counts() });
}

document.getElementById('run-pool').addEventListener('click', () => run(['pool']));
document.getElementById('run-main').addEventListener('click', () => run(['main']));
document.getElementById('run-both').addEventListener('click', () => run(['pool', 'main']));
stopBtn.addEventListener('click', () => { stopped = true; task?.cancel('stopped from the page'); });
status('ready: pick a button.');
autorun(() => run(['pool', 'main']));
