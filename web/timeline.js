// A live task timeline: one row per task, drawn on a canvas from the
// runtime's task event stream (runtime.recordTimeline(), built on
// runtime.onTaskEvent(), which the C scheduler feeds). Reusable for any
// program on a wasyncio Runtime:
//
//   import { Timeline } from '/timeline.js';
//   const tl = new Timeline(document.getElementById('where'), { title: 'my tasks' });
//   tl.attach(runtime).start();      // records and redraws live
//   ...                              // run tasks (C or JS)
//   tl.stop();                       // final picture; tl.tasks() has the data
//
// A row shows a task's life: waiting (created, or suspended on a future, a
// timer, a queue ...) in grey, running (its body executing) in blue, and
// how it ended: done (green), failed (red) or cancelled (violet), as a
// marker at its end and a line under its whole life. A small violet tick
// marks when a cancellation was requested. Page code may add marks of its
// own (mark()), e.g. each retry of a request. Styles: .tl* in /style.css;
// the colours come from the CSS custom properties --wait, --run, --ok,
// --err, --cancel, so the canvas follows the page's theme.

/** @typedef {import('../bindings/trace.js').TimelineTask} TimelineTask */

const NICE = [1, 1.5, 2, 3, 5, 7.5];

/** The smallest "nice" number (1, 1.5, 2, 3, 5, 7.5 x 10^k) >= x. */
function niceCeil(x) {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const n of NICE) if (n * p >= x - 1e-9) return n * p;
  return 10 * p;
}

/** A tick step giving about `count` ticks over `span` ms (1, 2, 5 x 10^k). */
function tickStep(span, count) {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const n of [1, 2, 5, 10]) if (n * p >= raw) return n * p;
  return 10 * p;
}

/** "850 ms", "1.25 s" */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 1 : 2)} s`;
  if (Math.abs(ms) >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A live timeline of the tasks of one Runtime.
 */
export class Timeline {
  /**
   * @param {HTMLElement} container where the timeline goes (its content is replaced)
   * @param {object} [options]
   * @param {string} [options.title] heading shown above the rows
   * @param {(t: TimelineTask) => boolean} [options.filter] which tasks get a row
   * @param {number} [options.rowHeight=18] px per row
   * @param {number} [options.labelWidth=190] px for the task names
   * @param {number} [options.minWindow=500] shortest time axis (ms) while live
   * @param {boolean} [options.legend=true] show the legend
   */
  constructor(container, options = {}) {
    if (!(container instanceof HTMLElement)) throw new TypeError('Timeline(container): container must be an element');
    this.opts = { rowHeight: 18, labelWidth: 190, minWindow: 500, legend: true, ...options };
    /** @type {any} */ this.runtime = null;
    /** @type {any} */ this.rec = null;
    this.live = false;
    this.t0 = 0;
    this.tEnd = 0;
    this.window = null;
    this.marks = new Map();
    this._raf = 0;
    this._hover = null;

    container.replaceChildren();
    container.classList.add('tl');
    const head = el('div', 'tl-head');
    if (this.opts.title) head.append(el('span', 'tl-title', this.opts.title));
    if (this.opts.legend) head.append(Timeline.legend());
    this.summary = el('span', 'tl-summary');
    this.summary.setAttribute('aria-live', 'polite');
    head.append(this.summary);
    this.scroll = el('div', 'tl-scroll');
    this.canvas = el('canvas', 'tl-canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'task timeline (no tasks yet)');
    this.tip = el('div', 'tl-tip');
    this.tip.hidden = true;
    this.scroll.append(this.canvas);
    container.append(head, this.scroll, this.tip);
    this.container = container;

    this.canvas.addEventListener('mousemove', (e) => this._onMove(e));
    this.canvas.addEventListener('mouseleave', () => { this._hover = null; this.tip.hidden = true; });
    if (typeof ResizeObserver === 'function') {
      this._ro = new ResizeObserver(() => this.draw());
      this._ro.observe(this.scroll);
    }
    this.draw();
  }

  /** A legend (a list of swatches) for the five states. */
  static legend() {
    const ul = el('ul', 'tl-legend');
    ul.setAttribute('aria-label', 'legend');
    for (const [cls, text] of [['wait', 'waiting'], ['run', 'running'], ['ok', 'done'], ['err', 'failed'], ['cancel', 'cancelled']]) {
      const li = el('li');
      li.append(el('span', `tl-sw tl-sw-${cls}`), document.createTextNode(text));
      ul.append(li);
    }
    return ul;
  }

  /**
   * Use this runtime (a wasyncio Runtime with bindings/trace.js loaded).
   * @param {any} runtime
   * @returns {this}
   */
  attach(runtime) {
    if (!runtime || typeof runtime.recordTimeline !== 'function') throw new TypeError('Timeline.attach(runtime): not a wasyncio Runtime with trace.js loaded');
    this.runtime = runtime;
    return this;
  }

  /**
   * Start a new recording (the previous one is dropped) and draw it live.
   * @returns {this}
   */
  start() {
    if (!this.runtime) throw new Error('Timeline.start(): attach(runtime) first');
    this.rec?.stop();
    this.rec = this.runtime.recordTimeline();
    this.t0 = this.rec.start;
    this.tEnd = this.t0;
    this.marks = new Map();
    this.window = null;
    this.live = true;
    this._loop();
    return this;
  }

  /**
   * Stop recording; the picture stays (tasks still alive stay open).
   * @returns {this}
   */
  stop() {
    if (this.rec && this.live) {
      this.rec.stop();
      this.tEnd = this.runtime.time();
    }
    this.live = false;
    cancelAnimationFrame(this._raf);
    this._raf = 0;
    this.draw();
    return this;
  }

  /**
   * Fix the time axis to `ms` (e.g. the same scale for several timelines);
   * null: fit the recording.
   * @param {number | null} ms
   */
  setWindow(ms) {
    this.window = ms;
    this.draw();
  }

  /** Milliseconds covered by the recording so far. */
  elapsed() {
    return (this.live ? this.runtime.time() : this.tEnd) - this.t0;
  }

  /**
   * Add a mark to a task's row (shown as a tick), e.g. a retry.
   * @param {number} taskId wa_task_id() of the task (C), or TaskEvent.id
   * @param {number} time runtime.time() / wa_time() clock
   * @param {'ok'|'err'|'cancel'|'run'|'wait'|'warn'} [kind='warn'] colour
   * @param {string} [label] shown in the tooltip
   */
  mark(taskId, time, kind = 'warn', label = '') {
    let list = this.marks.get(taskId);
    if (!list) this.marks.set(taskId, (list = []));
    list.push({ time, kind, label });
  }

  /**
   * The recorded tasks that pass the filter, in creation order.
   * @returns {TimelineTask[]}
   */
  tasks() {
    if (!this.rec) return [];
    const all = [...this.rec.tasks.values()];
    const f = this.opts.filter;
    return (f ? all.filter(f) : all).sort((a, b) => a.id - b.id);
  }

  /**
   * Counts by state now: tasks, waiting, running, done, failed, cancelled.
   * @returns {{ tasks: number, waiting: number, running: number, done: number, failed: number, cancelled: number }}
   */
  counts() {
    const c = { tasks: 0, waiting: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const t of this.tasks()) {
      c.tasks++;
      if (t.outcome === 'ok') c.done++;
      else if (t.outcome === 'failed') c.failed++;
      else if (t.outcome === 'cancelled') c.cancelled++;
      else if (t.spans.at(-1)?.state === 'running') c.running++;
      else c.waiting++;
    }
    return c;
  }

  // ---------------------------------------------------------------------
  // Drawing
  // ---------------------------------------------------------------------

  /** @internal */
  _loop() {
    if (this._raf) return;
    const tick = () => {
      this._raf = 0;
      if (!this.live) return;
      this.draw();
      this._raf = requestAnimationFrame(tick);
    };
    this._raf = requestAnimationFrame(tick);
  }

  /** @internal colours from the page's CSS custom properties */
  _colors() {
    if (this._c) return this._c;
    const cs = getComputedStyle(this.container);
    const v = (name, dflt) => cs.getPropertyValue(name).trim() || dflt;
    this._c = {
      wait: v('--wait', '#5c6773'), run: v('--run', '#5ccfe6'), ok: v('--ok', '#87d96c'),
      err: v('--err', '#f28779'), cancel: v('--cancel', '#d4bfff'), warn: v('--warn', '#ffcc66'),
      fg: v('--fg', '#e6e1cf'), muted: v('--muted', '#8a96a3'), grid: v('--grid', '#222b35'),
      stripe: v('--stripe', '#141a20'),
    };
    return this._c;
  }

  /** @internal time axis length in ms */
  _span() {
    if (this.window) return this.window;
    const e = this.elapsed();
    return this.live ? niceCeil(Math.max(this.opts.minWindow, e * 1.05)) : Math.max(1, e);
  }

  /** Redraw now (live recordings redraw every frame by themselves). */
  draw() {
    const tasks = this.tasks();
    const { rowHeight: rh, labelWidth: lw } = this.opts;
    const axis = 22;
    const cssW = Math.max(300, this.scroll.clientWidth || 600);
    const cssH = axis + Math.max(1, tasks.length) * rh + 4;
    const dpr = window.devicePixelRatio || 1;
    const cv = this.canvas;
    if (cv.width !== Math.round(cssW * dpr) || cv.height !== Math.round(cssH * dpr)) {
      cv.width = Math.round(cssW * dpr);
      cv.height = Math.round(cssH * dpr);
      cv.style.width = `${cssW}px`; // CSSOM (allowed by the CSP), not a style attribute
      cv.style.height = `${cssH}px`;
    }
    const g = cv.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, cssH);
    const C = this._colors();
    const x0 = lw;
    const x1 = cssW - 10;
    const span = this._span();
    const now = this.live ? this.runtime.time() : this.tEnd;
    const X = (t) => x0 + ((t - this.t0) / span) * (x1 - x0);
    this._geom = { x0, x1, span, axis, rh, tasks };

    // axis and grid
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    const step = tickStep(span, Math.max(2, Math.floor((x1 - x0) / 90)));
    for (let t = 0; t <= span + 1e-9; t += step) {
      const x = Math.round(X(this.t0 + t)) + 0.5;
      g.fillStyle = C.grid;
      g.fillRect(x, axis - 4, 1, cssH - axis + 4);
      g.fillStyle = C.muted;
      g.textAlign = t === 0 ? 'left' : 'center';
      g.fillText(fmtMs(t), x, 9);
    }
    if (!tasks.length) {
      g.fillStyle = C.muted;
      g.textAlign = 'left';
      g.fillText(this.rec ? 'no tasks yet' : 'press a start button: every task gets a row here', x0, axis + rh / 2);
    }

    // rows
    tasks.forEach((t, i) => {
      const y = axis + i * rh;
      if (i % 2 === 0) {
        g.fillStyle = C.stripe;
        g.fillRect(0, y, cssW, rh);
      }
      const oc = t.outcome === 'ok' ? C.ok : t.outcome === 'failed' ? C.err : t.outcome === 'cancelled' ? C.cancel : null;
      // label
      g.fillStyle = oc || C.fg;
      g.textAlign = 'left';
      const icon = t.outcome === 'ok' ? '✓ ' : t.outcome === 'failed' ? '✗ ' : t.outcome === 'cancelled' ? '⊘ ' : '';
      g.fillText(this._fit(g, icon + t.name, lw - 12), 6, y + rh / 2);
      // spans
      for (const s of t.spans) {
        const a = X(s.from);
        const b = X(s.to ?? now);
        if (b < x0 || a > x1 + 2) continue;
        if (s.state === 'running') {
          g.fillStyle = C.run;
          g.fillRect(a, y + 2, Math.max(1.5, b - a), rh - 5);
        } else {
          g.fillStyle = C.wait;
          g.fillRect(a, y + 5, Math.max(0.5, b - a), rh - 11);
        }
      }
      // cancellation requested
      if (t.cancelRequested != null) {
        const x = X(t.cancelRequested);
        g.fillStyle = C.cancel;
        g.beginPath();
        g.moveTo(x - 4, y + 1);
        g.lineTo(x + 4, y + 1);
        g.lineTo(x, y + 6);
        g.fill();
      }
      // marks added by the page
      for (const m of this.marks.get(t.id) ?? []) {
        g.fillStyle = C[m.kind] || C.warn;
        g.fillRect(X(m.time) - 1, y + 1, 2, rh - 3);
      }
      // outcome
      if (oc && t.end != null) {
        const a = X(t.created);
        const b = X(t.end);
        g.fillStyle = oc;
        g.fillRect(a, y + rh - 3, Math.max(1, b - a), 2);
        g.fillRect(b, y + 1, 4, rh - 3);
      }
    });

    // now
    if (this.live) {
      const x = X(now);
      g.fillStyle = C.warn;
      g.fillRect(x, axis - 4, 1, cssH - axis + 4);
    }
    this._describe(tasks);
    if (this._hover) this._showTip(this._hover.x, this._hover.y);
  }

  /** @internal truncate text to w px */
  _fit(g, text, w) {
    if (g.measureText(text).width <= w) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (g.measureText(text.slice(0, mid) + '…').width <= w) lo = mid;
      else hi = mid - 1;
    }
    return text.slice(0, lo) + '…';
  }

  /** @internal text summary (aria-label and the line above the rows) */
  _describe(tasks) {
    const c = this.counts();
    const parts = [`${c.tasks} task${c.tasks === 1 ? '' : 's'}`];
    if (c.running) parts.push(`${c.running} running`);
    if (c.waiting) parts.push(`${c.waiting} waiting`);
    if (c.done) parts.push(`${c.done} done`);
    if (c.failed) parts.push(`${c.failed} failed`);
    if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
    const text = this.rec ? `${parts.join(', ')} · ${fmtMs(this.elapsed())}` : '';
    if (this.summary.textContent !== text) this.summary.textContent = text;
    const label = `task timeline: ${tasks.length ? parts.join(', ') : 'no tasks yet'}`;
    if (this.canvas.getAttribute('aria-label') !== label) this.canvas.setAttribute('aria-label', label);
  }

  /** @internal */
  _onMove(e) {
    const r = this.canvas.getBoundingClientRect();
    this._hover = { x: e.clientX - r.left, y: e.clientY - r.top };
    this._showTip(this._hover.x, this._hover.y);
  }

  /** @internal tooltip for the row under (x, y) */
  _showTip(x, y) {
    const gm = this._geom;
    if (!gm) return;
    const i = Math.floor((y - gm.axis) / gm.rh);
    const t = gm.tasks[i];
    if (!t || y < gm.axis) {
      this.tip.hidden = true;
      return;
    }
    const time = this.t0 + ((x - gm.x0) / (gm.x1 - gm.x0)) * gm.span;
    const rel = (v) => fmtMs(v - this.t0);
    let running = 0;
    const now = this.live ? this.runtime.time() : this.tEnd;
    for (const s of t.spans) if (s.state === 'running') running += (s.to ?? now) - s.from;
    let state = 'not yet created';
    if (time >= t.created) {
      if (t.end != null && time >= t.end) state = t.outcome === 'ok' ? 'done' : t.outcome;
      else state = t.spans.find((s) => s.from <= time && (s.to ?? now) >= time)?.state ?? 'waiting';
    }
    const lines = [
      `#${t.id} ${t.name}`,
      `at ${rel(time)}: ${state}`,
      `created ${rel(t.created)}${t.end != null ? `, ended ${rel(t.end)} (${t.outcome === 'ok' ? 'done' : t.outcome})` : ''}`,
      `ran ${fmtMs(running)} in ${t.spans.filter((s) => s.state === 'running').length} step(s)`,
    ];
    if (t.cancelRequested != null) lines.push(`cancel requested at ${rel(t.cancelRequested)}`);
    for (const m of this.marks.get(t.id) ?? []) if (m.label) lines.push(`${rel(m.time)}: ${m.label}`);
    this.tip.textContent = lines.join('\n');
    this.tip.hidden = false;
    const cr = this.canvas.getBoundingClientRect();
    const hr = this.container.getBoundingClientRect();
    this.tip.style.left = `${Math.min(cr.left - hr.left + x + 14, hr.width - 280)}px`;
    this.tip.style.top = `${cr.top - hr.top + y + 14}px`;
  }
}
