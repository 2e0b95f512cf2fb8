// A generated program (gen.mjs) as Python asyncio source. The program logs
// into LOG; the oracle (oracle.mjs) runs B0 as the task 'main' on
// asyncio's own event loop with a virtual clock (vloop.py).

import { blockShowsMessage } from './gen.mjs';

const PRELUDE = `
import asyncio
from asyncio import (CancelledError, QueueEmpty, QueueFull, BrokenBarrierError,
                     InvalidStateError)
try:
    from asyncio import QueueShutDown
except ImportError:
    class QueueShutDown(Exception):
        pass
import contextvars
LOG = []
CNT = [0]
CTX = contextvars.ContextVar('ctx', default=0)
S = {'c': 0}
class Boom(Exception):
    pass
def now():
    return round(asyncio.get_running_loop().time() * 1000)
def log(me, *a):
    LOG.append(' '.join([me] + [str(x) for x in a]))
def fmt(e, msg):
    if isinstance(e, CancelledError):
        if not msg:
            return 'Cancelled'
        return 'Cancelled(%s)' % (e.args[0] if e.args and e.args[0] is not None else '')
    if isinstance(e, TimeoutError):
        return 'Timeout'
    if isinstance(e, Boom):
        return 'Boom(%s)' % e
    if isinstance(e, BaseExceptionGroup):
        return 'EG[%s]' % ','.join(fmt(x, False) for x in e.exceptions)
    if isinstance(e, BrokenBarrierError):
        return 'Broken'
    if isinstance(e, InvalidStateError):
        return 'InvalidState'
    return type(e).__name__
def fmtv(v):
    if v is None:
        return 'None'
    if isinstance(v, bool):
        return 'True' if v else 'False'
    if isinstance(v, BaseException):
        return fmt(v, False)
    if isinstance(v, (list, tuple)):
        return '[' + ','.join(fmtv(x) for x in v) + ']'
    return str(v)
def names(ts):
    return '[' + ','.join(sorted(t.get_name() for t in ts)) + ']'
def nm():
    CNT[0] += 1
    return 't%d' % CNT[0]
def spawn(body, eager=False):
    name = nm()
    if eager:
        return asyncio.create_task(body(name), name=name, eager_start=True)
    return asyncio.create_task(body(name), name=name)
def tgspawn(tg, body):
    name = nm()
    return tg.create_task(body(name), name=name)
def live(*xs):
    out = []
    for x in xs:
        if x is not None and x not in out:
            out.append(x)
    return out
`;

const pad = (d) => '    '.repeat(d);

/** @param {ReturnType<import('./gen.mjs').generate>} prog */
export function emitPython(prog, { prelude = true } = {}) {
  const out = prelude ? [PRELUDE] : [];
  const q = prog.queue;
  if (q) {
    const cls = { fifo: 'Queue', lifo: 'LifoQueue', prio: 'PriorityQueue' }[q.kind];
    out.push(`Q = asyncio.${cls}(${q.maxsize})`);
  }
  out.push('LK = asyncio.Lock()', 'EV = asyncio.Event()', 'CV = asyncio.Condition()');
  if (prog.sem) out.push(`SEM = asyncio.${prog.sem.bounded ? 'BoundedSemaphore' : 'Semaphore'}(${prog.sem.value})`);
  if (prog.barrier) out.push(`BR = asyncio.Barrier(${prog.barrier.parties})`);
  for (const b of prog.bodies) {
    out.push('', `async def B${b.id}(me):`);
    if (b.vars.length) out.push(`${pad(1)}${b.vars.join(' = ')} = None`);
    out.push(`${pad(1)}log(me, 'start')`);
    block(b.stmts, 1, out);
    out.push(`${pad(1)}log(me, 'end')`, `${pad(1)}return me`);
  }
  return out.join('\n') + '\n';
}

function block(stmts, d, out) {
  if (!stmts.length) out.push(`${pad(d)}pass`);
  for (const s of stmts) stmt(s, d, out);
}

function except(s, d, out, tag, msgOK, extra = '') {
  out.push(`${pad(d)}except BaseException as e:`);
  out.push(`${pad(d + 1)}log(me, '${tag}${s.n}', 'err', fmt(e, ${msgOK ? 'True' : 'False'})${extra})`);
  const p = s.p;
  if (p.reraiseCancel && p.reraiseOther) out.push(`${pad(d + 1)}raise`);
  else if (p.reraiseCancel) out.push(`${pad(d + 1)}if isinstance(e, CancelledError):`, `${pad(d + 2)}raise`);
  else if (p.reraiseOther) out.push(`${pad(d + 1)}if not isinstance(e, CancelledError):`, `${pad(d + 2)}raise`);
}

/** try: r = await EXPR; log ok / except: log err (+ policy) */
function awaitStmt(s, d, out, expr, msgOK, tag = 'k') {
  out.push(`${pad(d)}try:`);
  out.push(`${pad(d + 1)}r = await ${expr}`);
  out.push(`${pad(d + 1)}log(me, '${tag}${s.n}', 'ok', fmtv(r))`);
  except(s, d, out, tag, msgOK);
}

function nowait(s, d, out, expr, tag) {
  out.push(`${pad(d)}try:`);
  out.push(`${pad(d + 1)}log(me, '${tag}${s.n}', 'ok', fmtv(${expr}))`);
  out.push(`${pad(d)}except BaseException as e:`);
  out.push(`${pad(d + 1)}log(me, '${tag}${s.n}', 'err', fmt(e, False))`);
}

const item = (t) => (t.v ? t.v : `spawn(B${t.body})`);

function stmt(s, d, out) {
  switch (s.k) {
    case 'log':
      out.push(`${pad(d)}log(me, 'L${s.n}'${s.time ? ", '@', now()" : ''})`);
      break;
    case 'sleep':
      awaitStmt(s, d, out, `asyncio.sleep(${s.ms / 1000})`, true, 's');
      break;
    case 'spawn':
      out.push(`${pad(d)}${s.v} = spawn(B${s.body}${s.eager ? ', True' : ''})`);
      out.push(`${pad(d)}log(me, 'S${s.n}', ${s.v}.get_name())`);
      break;
    case 'await':
      out.push(`${pad(d)}if ${s.v} is not None:`);
      awaitStmt(s, d + 1, out, s.v, false, 'a');
      break;
    case 'cancel':
      out.push(`${pad(d)}if ${s.v} is not None:`);
      out.push(`${pad(d + 1)}log(me, 'C${s.n}', ${s.v}.cancel(${s.msg ? `'${s.msg}'` : ''}))`);
      break;
    case 'uncancel': {
      const call = { uncancel: 'uncancel()', cancelling: 'cancelling()', cancelSelf: 'cancel()' }[s.op];
      out.push(`${pad(d)}log(me, 'U${s.n}', '${s.op}', asyncio.current_task().${call})`);
      break;
    }
    case 'gather':
      out.push(`${pad(d)}lst = live(${s.items.map(item).join(', ')})`);
      awaitStmt(s, d, out, `asyncio.gather(*lst, return_exceptions=${s.retEx ? 'True' : 'False'})`, false, 'g');
      break;
    case 'wait':
      out.push(`${pad(d)}lst = live(${s.vs.join(', ')})`);
      out.push(`${pad(d)}if lst:`);
      out.push(`${pad(d + 1)}try:`);
      out.push(`${pad(d + 2)}dn, pn = await asyncio.wait(lst, timeout=${s.timeout === null ? 'None' : s.timeout / 1000}, return_when=asyncio.${s.when})`);
      out.push(`${pad(d + 2)}log(me, 'w${s.n}', 'ok', names(dn), names(pn))`);
      except(s, d + 1, out, 'w', false);
      break;
    case 'waitFor':
      out.push(`${pad(d)}x = ${item(s.t)}`);
      out.push(`${pad(d)}if x is not None:`);
      awaitStmt(s, d + 1, out, `asyncio.wait_for(x, ${s.ms / 1000})`, false, 'f');
      break;
    case 'asCompleted':
      out.push(`${pad(d)}lst = live(${s.items.map(item).join(', ')})`);
      out.push(`${pad(d)}try:`);
      out.push(`${pad(d + 1)}for fut in asyncio.as_completed(lst, timeout=${s.timeout === null ? 'None' : s.timeout / 1000}):`);
      out.push(`${pad(d + 2)}r = await fut`);
      out.push(`${pad(d + 2)}log(me, 'c${s.n}', 'got', fmtv(r))`);
      out.push(`${pad(d + 1)}log(me, 'c${s.n}', 'end')`);
      except(s, d, out, 'c', false);
      break;
    case 'shield':
      out.push(`${pad(d)}if ${s.v} is not None:`);
      awaitStmt(s, d + 1, out, `asyncio.shield(${s.v})`, false, 'h');
      break;
    case 'timeout':
      out.push(`${pad(d)}cm = None`);
      out.push(`${pad(d)}try:`);
      out.push(`${pad(d + 1)}async with asyncio.timeout(${s.ms / 1000}) as cm:`);
      if (s.resched) {
        const when = s.resched.ms === null ? 'None' : `asyncio.get_running_loop().time() + ${s.resched.ms / 1000}`;
        out.push(`${pad(d + 2)}cm.reschedule(${when})`);
      }
      block(s.block, d + 2, out);
      out.push(`${pad(d + 1)}log(me, 'T${s.n}', 'ok', cm.expired())`);
      except(s, d, out, 'T', false, ", cm.expired() if cm is not None else None");
      break;
    case 'taskGroup':
      out.push(`${pad(d)}try:`);
      out.push(`${pad(d + 1)}async with asyncio.TaskGroup() as tg:`);
      for (const k of s.kids) out.push(`${pad(d + 2)}log(me, 'G${s.n}', 'kid', tgspawn(tg, B${k}).get_name())`);
      block(s.block, d + 2, out);
      out.push(`${pad(d + 1)}log(me, 'G${s.n}', 'ok')`);
      except(s, d, out, 'G', false);
      break;
    case 'ctx':
      if (s.op === 'set') out.push(`${pad(d)}CTX.set(${s.n})`);
      out.push(`${pad(d)}log(me, 'X${s.n}', '${s.op}', CTX.get())`);
      break;
    case 'raise':
      out.push(`${pad(d)}raise Boom('b${s.n}')`);
      break;
    case 'try':
      out.push(`${pad(d)}try:`);
      block(s.block, d + 1, out);
      out.push(`${pad(d + 1)}log(me, 'Y${s.n}', 'ok')`);
      except(s, d, out, 'Y', false);
      break;
    case 'queue':
      switch (s.op) {
        case 'put': awaitStmt(s, d, out, `Q.put(${s.item})`, true, 'qp'); break;
        case 'putNowait': nowait(s, d, out, `Q.put_nowait(${s.item})`, 'qP'); break;
        case 'get': awaitStmt(s, d, out, 'Q.get()', true, 'qg'); break;
        case 'getNowait': nowait(s, d, out, 'Q.get_nowait()', 'qG'); break;
        case 'taskDone': nowait(s, d, out, 'Q.task_done()', 'qd'); break;
        case 'join': awaitStmt(s, d, out, 'Q.join()', true, 'qj'); break;
        case 'qsize': out.push(`${pad(d)}log(me, 'qs${s.n}', Q.qsize(), Q.empty(), Q.full())`); break;
        case 'shutdown': nowait(s, d, out, `Q.shutdown(${s.immediate ? 'True' : 'False'})`, 'qx'); break;
      }
      break;
    case 'lock':
      out.push(`${pad(d)}try:`);
      out.push(`${pad(d + 1)}async with LK:`);
      out.push(`${pad(d + 2)}log(me, 'K${s.n}', 'in', LK.locked())`);
      block(s.block, d + 2, out);
      out.push(`${pad(d + 1)}log(me, 'K${s.n}', 'out', LK.locked())`);
      except(s, d, out, 'K', blockShowsMessage(s));
      break;
    case 'event':
      if (s.op === 'wait') awaitStmt(s, d, out, 'EV.wait()', true, 'e');
      else out.push(`${pad(d)}log(me, 'e${s.n}', '${s.op}', EV.${s.op}())`);
      break;
    case 'condition':
      out.push(`${pad(d)}try:`);
      out.push(`${pad(d + 1)}async with CV:`);
      if (s.op === 'wait') {
        out.push(`${pad(d + 2)}r = await CV.wait()`);
      } else if (s.op === 'waitFor') {
        out.push(`${pad(d + 2)}r = await CV.wait_for(lambda: S['c'] >= ${s.target})`);
      } else {
        out.push(`${pad(d + 2)}S['c'] += 1`);
        out.push(`${pad(d + 2)}r = CV.${s.op === 'notify' ? `notify(${s.count})` : 'notify_all()'}`);
      }
      out.push(`${pad(d + 2)}log(me, 'n${s.n}', '${s.op}', fmtv(r), S['c'], CV.locked())`);
      except(s, d, out, 'n', true);
      break;
    case 'semaphore':
      out.push(`${pad(d)}try:`);
      out.push(`${pad(d + 1)}async with SEM:`);
      out.push(`${pad(d + 2)}log(me, 'M${s.n}', 'in', SEM.locked())`);
      block(s.block, d + 2, out);
      out.push(`${pad(d + 1)}log(me, 'M${s.n}', 'out', SEM.locked())`);
      except(s, d, out, 'M', blockShowsMessage(s));
      break;
    case 'barrier':
      if (s.op === 'wait') awaitStmt(s, d, out, 'BR.wait()', true, 'b');
      else out.push(`${pad(d)}await BR.${s.op}()`, `${pad(d)}log(me, 'b${s.n}', '${s.op}', BR.broken, BR.n_waiting)`);
      break;
    default:
      throw new Error(`emit_py: unknown statement ${s.k}`);
  }
}
