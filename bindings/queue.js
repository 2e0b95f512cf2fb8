// asyncio's queues over C's wa_queue_t (wasyncio.h, section "queue"):
// Queue (FIFO), LifoQueue, PriorityQueue. Items are any JS values (copied
// as wasyncio values: numbers, strings, bytes ... are copied; other objects
// cross as handles and come back as the same object), so C tasks of the
// same module can put and get them too (as wa_value_t *).
//
//   const q = new Queue({ maxsize: 100 });
//   createTask(function* () { const item = yield q.get(); ... });
//   await q.put(item);
import { QueueShutDown, codes, errorFromStatus } from './errors.js';
import { NOT_NOW } from './ops.js';
import { WA } from './constants.js';
import {
  SyncObject, SyncOp, OwningOp, checkInt, checkOptions, syncRuntime,
} from './sync.js';

const KIND_FIFO = WA.QUEUE_FIFO;
const KIND_LIFO = WA.QUEUE_LIFO;
const KIND_PRIORITY = WA.QUEUE_PRIORITY;
const MAXSIZE_MAX = 0xffffffff;

function checkPriority(p, where) {
  if (p === undefined) return 0;
  if (typeof p !== 'number') throw new TypeError(`${where}: priority must be a number`);
  if (Number.isNaN(p)) throw new RangeError(`${where}: priority must not be NaN`);
  return p;
}

class QueueGetOp extends OwningOp {
  /** @internal an item there: take it now */
  _tryNow() {
    const p = this._obj._ptr;
    const mem = this._rt._mem;
    if (!p || this._rt._c.wa_queue_get_nowait(p, mem.cell) !== 0) return NOT_NOW;
    return this._obj._take(mem.out());
  }

  _begin(c, p, cell) { return c.wa_queue_get_start(p, cell); }

  _ok(vp) {
    return this._obj._take(vp);
  }
}

class QueuePutOp extends OwningOp {
  constructor(queue, item, priority, options) {
    super(queue, options);
    /** @internal */ this._item = item;
    /** @internal */ this._prio = priority;
    /** @internal the item's value in wasm while the queue may own it */ this._vp = 0;
  }

  /** @internal the item as a wasm value (made once) */
  _value() {
    if (!this._vp) {
      this._vp = this._rt._codec.toC(this._item);
      this._item = undefined;
    }
    return this._vp;
  }

  /** @internal room in the queue: put it now */
  _tryNow() {
    const p = this._obj._ptr;
    if (!p) return NOT_NOW;
    const c = this._rt._c;
    const vp = this._value();
    const rc = this._prio === undefined ? c.wa_queue_put_nowait(p, vp) : c.wa_queue_put_prio_nowait(p, vp, this._prio);
    if (rc !== 0) return NOT_NOW;
    this._vp = 0; // the queue owns it now
    return undefined;
  }

  _begin(c, p, cell) {
    const vp = this._value();
    const rc = this._prio === undefined
      ? c.wa_queue_put_start(p, vp, cell)
      : c.wa_queue_put_prio_start(p, vp, this._prio, cell);
    if (rc !== 0) {
      this._rt._codec.free(vp); // nothing was created: the item is still ours
      this._vp = 0;
    }
    return rc;
  }

  _ok() {
    this._vp = 0; // the queue owns it now
    return undefined;
  }

  _failed() {
    // not put (failed, cancelled, or taken out again by a rollback): ours to free
    this._rt._codec.free(this._vp);
    this._vp = 0;
  }
}

class QueueJoinOp extends SyncOp {
  _begin(c, p, cell) { return c.wa_queue_join_start(p, cell); }
  _ok() { return undefined; }
}


function queueOptions(options, where) {
  if (typeof options === 'number') return { maxsize: options };
  checkOptions(options, where);
  return options ?? {};
}

/**
 * asyncio.Queue (Python 3.13, with shutdown): FIFO. Items are any JS values
 * (copied as wasyncio values: numbers, strings, bytes ... are copied; other
 * objects cross as handles and come back as the same object), so C tasks of
 * the same module can put and get them too (as wa_value_t *).
 */
export class Queue extends SyncObject {
  /**
   * @param {{ maxsize?: number, runtime?: Runtime } | number} [options]
   *   maxsize: 0 or Infinity for unbounded (default), else an integer >= 1
   */
  constructor(options) {
    const where = `new ${new.target.name}(options)`;
    const o = queueOptions(options, where);
    let maxsize = o.maxsize ?? 0;
    if (maxsize === Infinity) maxsize = 0;
    checkInt(maxsize, where, 'options.maxsize', 0, MAXSIZE_MAX);
    const rt = syncRuntime(o, where);
    const kind = new.target._kind ?? KIND_FIFO;
    const ptr = rt._c.wa__js_queue_new(kind, maxsize);
    if (!ptr) throw new RangeError(`${where}: out of wasm memory`);
    super(rt, ptr, 'wa_queue_destroy');
  }

  /** @internal */
  static _kind = KIND_FIFO;

  /** @internal */
  _describe() {
    return `qsize=${this.qsize()} maxsize=${this.maxsize || 'unbounded'}`;
  }

  /** Maximum size (0: unbounded). */
  get maxsize() {
    return this._ptr ? this._rt._c.wa_queue_maxsize(this._ptr) >>> 0 : 0;
  }

  /**
   * Put item, waiting while the queue is full. A runtime operation.
   * Rejects with QueueShutDown once the queue is shut down.
   * @param {unknown} item
   * @param {{ signal?: AbortSignal }} [options]
   */
  put(item, options) {
    return new QueuePutOp(this, item, undefined, options);
  }

  /**
   * Put item now; QueueFull if full, QueueShutDown if shut down.
   * @param {unknown} item
   */
  putNowait(item) {
    return this._putNowait(item, undefined);
  }

  /** @internal */
  _putNowait(item, prio) {
    const p = this._live();
    const c = this._rt._c;
    const codec = this._rt._codec;
    const vp = codec.toC(item);
    const rc = prio === undefined ? c.wa_queue_put_nowait(p, vp) : c.wa_queue_put_prio_nowait(p, vp, prio);
    if (rc !== 0) {
      codec.free(vp);
      throw this._error(rc, null);
    }
  }

  /**
   * Remove and return the next item, waiting while the queue is empty.
   * Rejects with QueueShutDown once the queue is shut down and empty.
   * @param {{ signal?: AbortSignal }} [options]
   */
  get(options) {
    return new QueueGetOp(this, options);
  }

  /** Remove and return the next item now; QueueEmpty, or QueueShutDown if shut down and empty. */
  getNowait() {
    const p = this._live();
    const rt = this._rt;
    const rc = rt._c.wa_queue_get_nowait(p, rt._mem.cell);
    if (rc !== 0) throw this._error(rc, null);
    return this._take(rt._mem.out());
  }

  /** One item taken earlier is processed; ValueError if called more often than items were put. */
  taskDone() {
    const rc = this._rt._c.wa_queue_task_done(this._live());
    if (rc !== 0) throw this._error(rc, rc === codes.EVALUE ? 'taskDone() called too many times' : null);
  }

  /**
   * Wait until every item put has been taskDone()'d.
   * @param {{ signal?: AbortSignal }} [options]
   */
  join(options) {
    return new QueueJoinOp(this, options);
  }

  /** Number of items in the queue. */
  qsize() {
    return this._ptr ? this._rt._c.wa_queue_qsize(this._ptr) >>> 0 : 0;
  }

  /** True if empty. */
  empty() {
    return this._ptr === 0 || this._rt._c.wa_queue_empty(this._ptr) !== 0;
  }

  /** True if bounded and holding maxsize items. */
  full() {
    return this._ptr !== 0 && this._rt._c.wa_queue_full(this._ptr) !== 0;
  }

  /**
   * Shut the queue down (Python 3.13): later puts reject with
   * QueueShutDown, gets too once the queue is empty; waiting putters and
   * getters end with QueueShutDown. immediate: the items still queued are
   * dropped and count as done for join(). Idempotent.
   * @param {boolean} [immediate]
   */
  shutdown(immediate = false) {
    if (typeof immediate !== 'boolean') throw new TypeError('queue.shutdown(immediate): immediate must be a boolean');
    if (!this._ptr) return;
    this._rt._c.wa_queue_shutdown(this._ptr, immediate ? 1 : 0);
  }

  /**
   * The items as they come, for `for await`: ends when the queue is shut
   * down and empty (or destroyed). Does not call taskDone(). With a
   * signal, a pending get is withdrawn when it aborts.
   * @param {{ signal?: AbortSignal }} [options]
   * @returns {AsyncGenerator<unknown, void, undefined>}
   */
  async *iter(options) {
    checkOptions(options, 'queue.iter(options)');
    for (;;) {
      let item;
      try {
        item = await this.get(options);
      } catch (e) {
        if (e instanceof QueueShutDown) return;
        throw e;
      }
      yield item;
    }
  }

  /** `for await (const item of queue)`: see iter(). */
  [Symbol.asyncIterator]() {
    return this.iter();
  }

  /** @internal an item handed to us: read it, free its C value */
  _take(vp) {
    if (!vp) return undefined;
    const codec = this._rt._codec;
    const v = codec.fromC(vp);
    codec.free(vp);
    return v;
  }

  /** @internal */
  _error(code, msg) {
    if (code === codes.ESHUTDOWN) return new QueueShutDown(msg || 'the queue is shut down');
    if (code === codes.EFULL) return errorFromStatus(code, msg || 'the queue is full');
    if (code === codes.EEMPTY) return errorFromStatus(code, msg || 'the queue is empty');
    return super._error(code, msg);
  }
}

/** asyncio.LifoQueue: the most recently put item first. */
export class LifoQueue extends Queue {
  /** @internal */
  static _kind = KIND_LIFO;
}

/**
 * asyncio.PriorityQueue: the item with the lowest priority first; equal
 * priorities keep insertion order. `put(item, priority)`, priority a number
 * (default 0); get() returns the item.
 */
export class PriorityQueue extends Queue {
  /** @internal */
  static _kind = KIND_PRIORITY;

  /**
   * Put item with a priority (lower first; default 0), waiting while full.
   * `put(item, { signal })` puts with priority 0.
   * @param {unknown} item
   * @param {number} [priority]
   * @param {{ signal?: AbortSignal }} [options]
   */
  put(item, priority, options) {
    if (priority !== null && typeof priority === 'object' && options === undefined) {
      options = priority; // put(item, { signal }): as a plain Queue, priority 0
      priority = undefined;
    }
    return new QueuePutOp(this, item, checkPriority(priority, 'priorityQueue.put(item, priority)'), options);
  }

  /**
   * Put item with a priority now; QueueFull / QueueShutDown.
   * @param {unknown} item
   * @param {number} [priority]
   */
  putNowait(item, priority) {
    return this._putNowait(item, checkPriority(priority, 'priorityQueue.putNowait(item, priority)'));
  }
}

