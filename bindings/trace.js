// The runtime's task event stream, and a timeline recorder built on it.
//
//   const stop = runtime.onTaskEvent((e) => console.log(e.type, e.id, e.name));
//   const tl = runtime.recordTimeline();   ...   tl.stop(); tl.tasks
//
// Events come from the C scheduler itself (wa_set_task_hook), so C tasks,
// JS tasks and tasks of combinators all appear, in the order they happen.
const TYPES = [null, 'created', 'started', 'suspended', 'resumed', 'cancelling', 'done'];
const CODES = { ok: 0, cancelled: -1 };

/**
 * @typedef {object} TaskEvent
 * @property {'created'|'started'|'suspended'|'resumed'|'cancelling'|'done'} type
 * @property {number} id      task number, unique and increasing
 * @property {string} name    task name
 * @property {number} time    ms, runtime.time() clock
 * @property {'ok'|'failed'|'cancelled'} [outcome]  for 'done'
 * @property {number} [status] for 'done': 0, a WA_E... code, or -1 (cancelled)
 */

/**
 * The task event stream of one runtime (runtime.onTaskEvent,
 * runtime.recordTimeline).
 */
export class Trace {
  /** @param {import('./runtime.js').Runtime} rt */
  constructor(rt) {
    /** @internal */ this._rt = rt;
    /** @internal */ this._listeners = new Set();
  }

  /**
   * Call listener(event) for every task event until the returned function is
   * called. Tracing costs nothing while no listener is registered.
   * @param {(e: TaskEvent) => void} listener
   * @returns {() => void} unsubscribe
   */
  onTaskEvent(listener) {
    if (typeof listener !== 'function') throw new TypeError('onTaskEvent(listener): listener must be a function');
    const c = this._rt._c;
    this._listeners.add(listener);
    if (this._listeners.size === 1) c.wa__js_trace(1);
    return () => {
      if (this._listeners.delete(listener) && this._listeners.size === 0) c.wa__js_trace(0);
    };
  }

  /** C: a task event while tracing. */
  event(ev, ptr, status) {
    const rt = this._rt;
    const type = TYPES[ev];
    const e = {
      type,
      id: rt._c.wa__js_task_number(ptr),
      name: rt._tasks.name(ptr),
      time: rt._c.wa_time(),
    };
    if (type === 'done') {
      e.status = status;
      e.outcome = status === CODES.ok ? 'ok' : status === CODES.cancelled ? 'cancelled' : 'failed';
    }
    for (const fn of this._listeners) rt._loop.safeCall(fn, e);
  }

  /**
   * Record what every task does over time: per task, spans of 'waiting'
   * (created or suspended) and 'running', and how it ended.
   * @returns {{ tasks: Map<number, TimelineTask>, start: number, stop: () => void, clear: () => void }}
   */
  recordTimeline() {
    const rt = this._rt;
    /** @type {Map<number, any>} */
    const tasks = new Map();
    const rec = {
      tasks,
      start: rt.time(),
      stop: null,
      clear: () => {
        tasks.clear();
        rec.start = rt.time();
      },
    };
    const open = (t, state, time) => t.spans.push({ state, from: time, to: null });
    const close = (t, time) => {
      const s = t.spans[t.spans.length - 1];
      if (s && s.to === null) s.to = time;
    };
    rec.stop = this.onTaskEvent((e) => {
      let t = tasks.get(e.id);
      if (!t) {
        t = { id: e.id, name: e.name, created: e.time, end: null, outcome: null, cancelRequested: null, spans: [] };
        tasks.set(e.id, t);
        if (e.type !== 'created') open(t, 'waiting', e.time);
      }
      t.name = e.name;
      switch (e.type) {
        case 'created': open(t, 'waiting', e.time); break;
        case 'started':
        case 'resumed': close(t, e.time); open(t, 'running', e.time); break;
        case 'suspended': close(t, e.time); open(t, 'waiting', e.time); break;
        case 'cancelling': t.cancelRequested ??= e.time; break;
        case 'done': close(t, e.time); t.end = e.time; t.outcome = e.outcome; t.status = e.status; break;
        default: break;
      }
    });
    return rec;
  }
}

/**
 * @typedef {object} TimelineTask
 * @property {number} id
 * @property {string} name
 * @property {number} created
 * @property {number|null} end
 * @property {'ok'|'failed'|'cancelled'|null} outcome
 * @property {number|null} cancelRequested
 * @property {{ state: 'waiting'|'running', from: number, to: number|null }[]} spans
 */
