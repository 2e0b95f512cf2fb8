// A generated program (gen.mjs) as wasyncio generator tasks: the body of a
// function (rt, api) that returns { B0, LOG, destroy }. Same statements,
// same log lines as emit_py.mjs.

import { blockShowsMessage } from './gen.mjs';

const PRELUDE = `
const { CancelledError, TimeoutError, QueueEmpty, QueueFull, QueueShutDown, BrokenBarrierError,
  InvalidStateError, ValueError, Queue, LifoQueue, PriorityQueue, Lock, Event, Condition,
  Semaphore, BoundedSemaphore, Barrier } = api;
const LOG = [];
const CTX = new api.ContextVar('ctx', { default: 0 });
let CNT = 0;
const S = { c: 0 };
class Boom extends Error {}
const now = () => Math.round(rt.time());
const str = (x) => (x === null || x === undefined ? 'None' : x === true ? 'True' : x === false ? 'False' : String(x));
const log = (me, ...a) => { LOG.push([me, ...a.map(str)].join(' ')); };
function fmt(e, msg) {
  if (e instanceof CancelledError) return msg ? 'Cancelled(' + (e.message ?? '') + ')' : 'Cancelled';
  if (e instanceof TimeoutError) return 'Timeout';
  if (e instanceof Boom) return 'Boom(' + e.message + ')';
  if (e instanceof AggregateError) return 'EG[' + e.errors.map((x) => fmt(x, false)).join(',') + ']';
  if (e instanceof BrokenBarrierError) return 'Broken';
  if (e instanceof InvalidStateError) return 'InvalidState';
  if (e instanceof QueueEmpty) return 'QueueEmpty';
  if (e instanceof QueueFull) return 'QueueFull';
  if (e instanceof QueueShutDown) return 'QueueShutDown';
  if (e instanceof ValueError) return 'ValueError';
  return 'JS:' + (e && e.name) + ':' + (e && e.message);
}
function fmtv(v) {
  if (v instanceof Error) return fmt(v, false);
  if (Array.isArray(v)) return '[' + v.map(fmtv).join(',') + ']';
  return str(v);
}
const names = (ts) => '[' + [...ts].map((t) => t.name).sort().join(',') + ']';
const nm = () => 't' + ++CNT;
const spawn = (body, eager = false) => { const name = nm(); return rt.createTask((task) => body(task, name), { name, eager }); };
const tgspawn = (tg, body) => { const name = nm(); return tg.createTask((task) => body(task, name), { name }); };
const live = (...xs) => { const out = []; for (const x of xs) if (x !== null && !out.includes(x)) out.push(x); return out; };
`;

const pad = (d) => '  '.repeat(d);

/** @param {ReturnType<import('./gen.mjs').generate>} prog */
let QKIND = null;

export function emitJs(prog, { prelude = true } = {}) {
  const out = prelude ? [PRELUDE] : [];
  QKIND = prog.queue?.kind ?? null;
  const q = prog.queue;
  const objs = [];
  if (q) {
    const cls = { fifo: 'Queue', lifo: 'LifoQueue', prio: 'PriorityQueue' }[q.kind];
    out.push(`const Q = new ${cls}({ maxsize: ${q.maxsize}, runtime: rt });`);
    objs.push('Q');
  }
  out.push('const LK = new Lock({ runtime: rt });', 'const EV = new Event({ runtime: rt });',
    'const CV = new Condition(null, { runtime: rt });');
  objs.push('LK', 'EV', 'CV');
  if (prog.sem) {
    out.push(`const SEM = new ${prog.sem.bounded ? 'BoundedSemaphore' : 'Semaphore'}(${prog.sem.value}, { runtime: rt });`);
    objs.push('SEM');
  }
  if (prog.barrier) {
    out.push(`const BR = new Barrier(${prog.barrier.parties}, { runtime: rt });`);
    objs.push('BR');
  }
  for (const b of prog.bodies) {
    out.push('', `function* B${b.id}(task, me) {`);
    const vars = ['lst = null', 'r = null', 'x = null', 'dn = null', 'cm = null', 'it = null', 'nx = null',
      ...b.vars.map((v) => `${v} = null`)];
    out.push(`${pad(1)}let ${vars.join(', ')};`);
    out.push(`${pad(1)}log(me, 'start');`);
    block(b.stmts, 1, out);
    out.push(`${pad(1)}log(me, 'end');`, `${pad(1)}return me;`, '}');
  }
  out.push(`return { B0, LOG, destroy() { ${objs.map((o) => `${o}.destroy();`).join(' ')} } };`);
  return out.join('\n') + '\n';
}

function block(stmts, d, out) {
  for (const s of stmts) stmt(s, d, out);
}

function catchPart(s, d, out, tag, msgOK, extra = '') {
  out.push(`${pad(d)}} catch (e) {`);
  out.push(`${pad(d + 1)}log(me, '${tag}${s.n}', 'err', fmt(e, ${msgOK})${extra});`);
  const p = s.p;
  if (p.reraiseCancel && p.reraiseOther) out.push(`${pad(d + 1)}throw e;`);
  else if (p.reraiseCancel) out.push(`${pad(d + 1)}if (e instanceof CancelledError) throw e;`);
  else if (p.reraiseOther) out.push(`${pad(d + 1)}if (!(e instanceof CancelledError)) throw e;`);
  out.push(`${pad(d)}}`);
}

function awaitStmt(s, d, out, expr, msgOK, tag) {
  out.push(`${pad(d)}try {`);
  out.push(`${pad(d + 1)}r = yield ${expr};`);
  out.push(`${pad(d + 1)}log(me, '${tag}${s.n}', 'ok', fmtv(r));`);
  catchPart(s, d, out, tag, msgOK);
}

function nowait(s, d, out, expr, tag) {
  out.push(`${pad(d)}try {`);
  out.push(`${pad(d + 1)}log(me, '${tag}${s.n}', 'ok', fmtv(${expr}));`);
  out.push(`${pad(d)}} catch (e) {`);
  out.push(`${pad(d + 1)}log(me, '${tag}${s.n}', 'err', fmt(e, false));`);
  out.push(`${pad(d)}}`);
}

const item = (t) => (t.v ? t.v : `spawn(B${t.body})`);
const secs = (ms) => (ms === null ? 'null' : String(ms));

function stmt(s, d, out) {
  switch (s.k) {
    case 'log':
      out.push(`${pad(d)}log(me, 'L${s.n}'${s.time ? ", '@', now()" : ''});`);
      break;
    case 'sleep':
      awaitStmt(s, d, out, `rt.sleep(${s.ms})`, true, 's');
      break;
    case 'spawn':
      out.push(`${pad(d)}${s.v} = spawn(B${s.body}${s.eager ? ', true' : ''});`);
      out.push(`${pad(d)}log(me, 'S${s.n}', ${s.v}.name);`);
      break;
    case 'await':
      out.push(`${pad(d)}if (${s.v} !== null) {`);
      awaitStmt(s, d + 1, out, s.v, false, 'a');
      out.push(`${pad(d)}}`);
      break;
    case 'cancel':
      out.push(`${pad(d)}if (${s.v} !== null) log(me, 'C${s.n}', ${s.v}.cancel(${s.msg ? `'${s.msg}'` : ''}));`);
      break;
    case 'uncancel': {
      const call = { uncancel: 'uncancel()', cancelling: 'cancelling()', cancelSelf: 'cancel()' }[s.op];
      out.push(`${pad(d)}log(me, 'U${s.n}', '${s.op}', task.${call});`);
      break;
    }
    case 'gather':
      out.push(`${pad(d)}lst = live(${s.items.map(item).join(', ')});`);
      awaitStmt(s, d, out, `rt.gather(lst, { returnExceptions: ${s.retEx} })`, false, 'g');
      break;
    case 'wait':
      out.push(`${pad(d)}lst = live(${s.vs.join(', ')});`);
      out.push(`${pad(d)}if (lst.length) {`);
      out.push(`${pad(d + 1)}try {`);
      out.push(`${pad(d + 2)}dn = yield rt.wait(lst, { timeout: ${secs(s.timeout)}, returnWhen: '${s.when}' });`);
      out.push(`${pad(d + 2)}log(me, 'w${s.n}', 'ok', names(dn.done), names(dn.pending));`);
      catchPart(s, d + 1, out, 'w', false);
      out.push(`${pad(d)}}`);
      break;
    case 'waitFor':
      out.push(`${pad(d)}x = ${item(s.t)};`);
      out.push(`${pad(d)}if (x !== null) {`);
      awaitStmt(s, d + 1, out, `rt.waitFor(x, ${s.ms})`, false, 'f');
      out.push(`${pad(d)}}`);
      break;
    case 'asCompleted':
      out.push(`${pad(d)}lst = live(${s.items.map(item).join(', ')});`);
      out.push(`${pad(d)}try {`);
      out.push(`${pad(d + 1)}it = rt.asCompleted(lst, { timeout: ${secs(s.timeout)} });`);
      out.push(`${pad(d + 1)}for (;;) {`);
      out.push(`${pad(d + 2)}nx = yield it.next();`);
      out.push(`${pad(d + 2)}if (nx.done) break;`);
      out.push(`${pad(d + 2)}r = yield nx.value;`);
      out.push(`${pad(d + 2)}log(me, 'c${s.n}', 'got', fmtv(r));`);
      out.push(`${pad(d + 1)}}`);
      out.push(`${pad(d + 1)}log(me, 'c${s.n}', 'end');`);
      catchPart(s, d, out, 'c', false);
      break;
    case 'shield':
      out.push(`${pad(d)}if (${s.v} !== null) {`);
      awaitStmt(s, d + 1, out, `rt.shield(${s.v})`, false, 'h');
      out.push(`${pad(d)}}`);
      break;
    case 'timeout':
      out.push(`${pad(d)}cm = null;`);
      out.push(`${pad(d)}try {`);
      out.push(`${pad(d + 1)}yield* rt.timeout(${s.ms}, function* (scope) {`);
      out.push(`${pad(d + 2)}cm = scope;`);
      if (s.resched) {
        out.push(`${pad(d + 2)}scope.reschedule(${s.resched.ms === null ? 'null' : `rt.time() + ${s.resched.ms}`});`);
      }
      block(s.block, d + 2, out);
      out.push(`${pad(d + 1)}});`);
      out.push(`${pad(d + 1)}log(me, 'T${s.n}', 'ok', cm.expired());`);
      catchPart(s, d, out, 'T', false, ', cm !== null ? cm.expired() : null');
      break;
    case 'taskGroup':
      out.push(`${pad(d)}try {`);
      out.push(`${pad(d + 1)}yield* rt.taskGroup(function* (tg) {`);
      for (const k of s.kids) out.push(`${pad(d + 2)}log(me, 'G${s.n}', 'kid', tgspawn(tg, B${k}).name);`);
      block(s.block, d + 2, out);
      out.push(`${pad(d + 1)}});`);
      out.push(`${pad(d + 1)}log(me, 'G${s.n}', 'ok');`);
      catchPart(s, d, out, 'G', false);
      break;
    case 'ctx':
      if (s.op === 'set') out.push(`${pad(d)}CTX.set(${s.n});`);
      out.push(`${pad(d)}log(me, 'X${s.n}', '${s.op}', CTX.get());`);
      break;
    case 'raise':
      out.push(`${pad(d)}throw new Boom('b${s.n}');`);
      break;
    case 'try':
      out.push(`${pad(d)}try {`);
      block(s.block, d + 1, out);
      out.push(`${pad(d + 1)}log(me, 'Y${s.n}', 'ok');`);
      catchPart(s, d, out, 'Y', false);
      break;
    case 'queue': {
      const prio = QKIND === 'prio' ? `, ${s.item}` : '';
      switch (s.op) {
        case 'put': awaitStmt(s, d, out, `Q.put(${s.item}${prio})`, true, 'qp'); break;
        case 'putNowait': nowait(s, d, out, `Q.putNowait(${s.item}${prio})`, 'qP'); break;
        case 'get': awaitStmt(s, d, out, 'Q.get()', true, 'qg'); break;
        case 'getNowait': nowait(s, d, out, 'Q.getNowait()', 'qG'); break;
        case 'taskDone': nowait(s, d, out, 'Q.taskDone()', 'qd'); break;
        case 'join': awaitStmt(s, d, out, 'Q.join()', true, 'qj'); break;
        case 'qsize': out.push(`${pad(d)}log(me, 'qs${s.n}', Q.qsize(), Q.empty(), Q.full());`); break;
        case 'shutdown': nowait(s, d, out, `Q.shutdown(${s.immediate})`, 'qx'); break;
      }
      break;
    }
    case 'lock':
      out.push(`${pad(d)}try {`);
      out.push(`${pad(d + 1)}yield* LK.with(function* () {`);
      out.push(`${pad(d + 2)}log(me, 'K${s.n}', 'in', LK.locked());`);
      block(s.block, d + 2, out);
      out.push(`${pad(d + 1)}});`);
      out.push(`${pad(d + 1)}log(me, 'K${s.n}', 'out', LK.locked());`);
      catchPart(s, d, out, 'K', blockShowsMessage(s));
      break;
    case 'event':
      if (s.op === 'wait') awaitStmt(s, d, out, 'EV.wait()', true, 'e');
      else out.push(`${pad(d)}log(me, 'e${s.n}', '${s.op}', EV.${s.op}());`);
      break;
    case 'condition':
      out.push(`${pad(d)}try {`);
      out.push(`${pad(d + 1)}yield* CV.with(function* () {`);
      if (s.op === 'wait') {
        out.push(`${pad(d + 2)}r = yield CV.wait();`);
      } else if (s.op === 'waitFor') {
        out.push(`${pad(d + 2)}r = yield CV.waitFor(() => S.c >= ${s.target});`);
      } else {
        out.push(`${pad(d + 2)}S.c += 1;`);
        out.push(`${pad(d + 2)}CV.${s.op === 'notify' ? `notify(${s.count})` : 'notifyAll()'};`);
        out.push(`${pad(d + 2)}r = null;`);
      }
      out.push(`${pad(d + 2)}log(me, 'n${s.n}', '${s.op}', fmtv(r), S.c, CV.locked());`);
      out.push(`${pad(d + 1)}});`);
      catchPart(s, d, out, 'n', true);
      break;
    case 'semaphore':
      out.push(`${pad(d)}try {`);
      out.push(`${pad(d + 1)}yield* SEM.with(function* () {`);
      out.push(`${pad(d + 2)}log(me, 'M${s.n}', 'in', SEM.locked());`);
      block(s.block, d + 2, out);
      out.push(`${pad(d + 1)}});`);
      out.push(`${pad(d + 1)}log(me, 'M${s.n}', 'out', SEM.locked());`);
      catchPart(s, d, out, 'M', blockShowsMessage(s));
      break;
    case 'barrier':
      if (s.op === 'wait') awaitStmt(s, d, out, 'BR.wait()', true, 'b');
      else out.push(`${pad(d)}BR.${s.op}();`, `${pad(d)}log(me, 'b${s.n}', '${s.op}', BR.broken, BR.nWaiting);`);
      break;
    default:
      throw new Error(`emit_js: unknown statement ${s.k}`);
  }
}

