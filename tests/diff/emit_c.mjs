// A generated program (gen.mjs) as C coroutine tasks, for the subset of
// features in C_FEATURES (tasks, sleeps, cancel, gather, wait_for, timeout
// scopes, TaskGroup, exceptions, queue, lock, event, eager tasks, a context
// variable as the task context pointer), without cancel messages. Same log
// lines as emit_py.mjs. The fixed part (logging, error formatting, the
// driver on the virtual clock) is c/diff_prelude.h; emitCBatch() writes one
// translation unit holding many programs, compiled once (runner_c.mjs).
//
// Exceptions become status codes: a statement that fails sets `e` (code and
// message) and, when its policy re-raises, jumps to the handler of the
// innermost enclosing try-like statement (or the body's `fail`).

/** The features the C emitter supports; generate(seed, C_GEN) stays in them. */
export const C_FEATURES = [
  'sleep', 'spawn', 'await', 'cancel', 'gather', 'waitFor', 'timeout', 'reschedule', 'taskGroup',
  'raise', 'queue', 'lock', 'event', 'eager',
];
/** Options for gen.mjs's generate(): the C subset. */
export const C_GEN = { allowed: C_FEATURES, messages: false };

import { blockShowsMessage, walk } from './gen.mjs';

const pad = (d) => '    '.repeat(d);
const QKIND = { fifo: 'WA_QUEUE_FIFO', lifo: 'WA_QUEUE_LIFO', prio: 'WA_QUEUE_PRIORITY' };

/** Whether emitC can express prog (a C_GEN program always can). */
export function cSupports(prog) {
  const ok = (f) => C_FEATURES.includes(f) || f === 'context';
  return prog.features.every(ok) && !hasMessages(prog);
}

function hasMessages(prog) {
  const any = (stmts) => stmts.some((s) => (s.k === 'cancel' && s.msg) || (s.block && any(s.block)));
  return prog.bodies.some((b) => any(b.stmts));
}

/** Many programs as one C translation unit (prefix P<seed>_ per program). */
export function emitCBatch(progs) {
  const out = ['#include "diff_prelude.h"', ''];
  for (const p of progs) out.push(emitC(p));
  out.push('static const prog_t PROGS[] = {');
  for (const p of progs) {
    const q = p.queue;
    out.push(`${pad(1)}{${p.seed}, P${p.seed}_B0, ${q ? QKIND[q.kind] : -1}, ${q ? q.maxsize : 0}},`);
  }
  out.push('};', '', 'int main(void) {',
    `${pad(1)}setvbuf(stdout, NULL, _IOFBF, 1 << 16);`,
    `${pad(1)}for (size_t i = 0; i < sizeof PROGS / sizeof PROGS[0]; i++) {`,
    `${pad(2)}int rc = D_run(&PROGS[i]);`,
    `${pad(2)}if (rc) return rc;`,
    `${pad(1)}}`,
    `${pad(1)}wa_loop_trim();`,
    `${pad(1)}return 0;`, '}', '');
  return out.join('\n');
}

/** One program: its bodies as coroutines P<seed>_B<i>. */
export function emitC(prog) {
  if (!cSupports(prog)) throw new Error(`emit_c: seed ${prog.seed} is outside the C subset`);
  const P = `P${prog.seed}_`;
  const out = [];
  for (const b of prog.bodies) out.push(`static int ${P}B${b.id}(void *arg);`);
  for (const b of prog.bodies) {
    const ctx = { P, prio: prog.queue?.kind === 'prio', labels: 0 };
    out.push('', `static int ${P}B${b.id}(void *arg) {`);
    out.push(`${pad(1)}const char *me = arg;`);
    out.push(`${pad(1)}own_t own = {.n = 0};`);
    out.push(`${pad(1)}err_t e = {0, ""};`);
    out.push(`${pad(1)}char buf[64];`);
    out.push(`${pad(1)}int rc = 0;`);
    out.push(`${pad(1)}(void)buf;`);
    if (b.vars.length) out.push(`${pad(1)}wa_task_t ${b.vars.map((v) => `*${v} = NULL`).join(', ')};`);
    // timeout scopes: one each; `cm`, as in Python, is the last one entered
    const scopes = [...walk(b.stmts)].filter((s) => s.k === 'timeout').map((s) => `sc${s.n}`);
    if (scopes.length) out.push(`${pad(1)}wa_timeout_t ${scopes.join(', ')}, *cm = NULL;`, `${pad(1)}(void)cm;`);
    out.push(`${pad(1)}L(me, "start");`);
    block(b.stmts, 1, out, ctx, 'fail');
    out.push(`${pad(1)}L(me, "end");`);
    out.push(`${pad(1)}rc = wa_return((void *)me, NULL);`);
    out.push(`${pad(1)}goto out;`);
    out.push('fail:');
    out.push(`${pad(1)}rc = e.code == WA_ECANCELLED ? WA_ECANCELLED : wa_fail(e.code, "%s", e.msg);`);
    out.push('out:');
    out.push(`${pad(1)}RELEASE(&own);`);
    out.push(`${pad(1)}return rc;`);
    out.push('}');
  }
  return out.join('\n') + '\n';
}

function block(stmts, d, out, ctx, h) {
  for (const s of stmts) stmt(s, d, out, ctx, h);
}

/** The except part: log the error; re-raise (goto h) as the policy says. */
function except(s, d, out, tag, msgOK, h, extra = '') {
  const fmtArgs = extra ? `"${tag}${s.n} err %s %s", FMT(&e, ${msgOK ? 1 : 0}, buf, sizeof buf), ${extra}`
    : `"${tag}${s.n} err %s", FMT(&e, ${msgOK ? 1 : 0}, buf, sizeof buf)`;
  out.push(`${pad(d)}L(me, ${fmtArgs});`);
  const p = s.p;
  if (p.reraiseCancel && p.reraiseOther) out.push(`${pad(d)}goto ${h};`);
  else if (p.reraiseCancel) out.push(`${pad(d)}if (e.code == WA_ECANCELLED) goto ${h};`);
  else if (p.reraiseOther) out.push(`${pad(d)}if (e.code != WA_ECANCELLED) goto ${h};`);
}

/** rc = CALL; log ok (okFmt, okArgs) or the error (+ policy). */
function awaitStmt(s, d, out, h, call, tag, msgOK, { okFmt = 'None', okArgs = '', errMsg = 'NULL' } = {}) {
  out.push(`${pad(d)}rc = ${call};`);
  out.push(`${pad(d)}if (rc == 0) {`);
  out.push(`${pad(d + 1)}L(me, "${tag}${s.n} ok ${okFmt}"${okArgs ? `, ${okArgs}` : ''});`);
  out.push(`${pad(d)}} else {`);
  out.push(`${pad(d + 1)}ERR(&e, rc, ${errMsg});`);
  except(s, d + 1, out, tag, msgOK, h);
  out.push(`${pad(d)}}`);
}

/** A non-blocking call: log ok or the error, never re-raised. */
function nowait(s, d, out, call, tag, { okFmt = 'None', okArgs = '' } = {}) {
  out.push(`${pad(d)}rc = ${call};`);
  out.push(`${pad(d)}if (rc == 0) {`);
  out.push(`${pad(d + 1)}L(me, "${tag}${s.n} ok ${okFmt}"${okArgs ? `, ${okArgs}` : ''});`);
  out.push(`${pad(d)}} else {`);
  out.push(`${pad(d + 1)}ERR(&e, rc, NULL);`);
  out.push(`${pad(d + 1)}L(me, "${tag}${s.n} err %s", FMT(&e, 0, buf, sizeof buf));`);
  out.push(`${pad(d)}}`);
}

const item = (t, ctx) => (t.v ? t.v : `SPAWN(&own, ${ctx.P}B${t.body})`);

function stmt(s, d, out, ctx, h) {
  const n = s.n;
  switch (s.k) {
    case 'log':
      if (s.time) out.push(`${pad(d)}L(me, "L${n} @ %lld", NOW());`);
      else out.push(`${pad(d)}L(me, "L${n}");`);
      break;
    case 'sleep':
      awaitStmt(s, d, out, h, `wa_sleep(${s.ms})`, 's', true);
      break;
    case 'spawn':
      out.push(`${pad(d)}${s.v} = ${s.eager ? 'SPAWN_EAGER' : 'SPAWN'}(&own, ${ctx.P}B${s.body});`);
      out.push(`${pad(d)}L(me, "S${n} %s", wa_task_name(${s.v}));`);
      break;
    case 'await':
      out.push(`${pad(d)}if (${s.v}) {`);
      awaitStmt(s, d + 1, out, h, `wa_await(${s.v})`, 'a', false,
        { okFmt: '%s', okArgs: `(const char *)wa_future_result(${s.v})`, errMsg: `wa_future_message(${s.v})` });
      out.push(`${pad(d)}}`);
      break;
    case 'cancel':
      out.push(`${pad(d)}if (${s.v}) L(me, "C${n} %s", B(wa_cancel(${s.v}, NULL) == 1));`);
      break;
    case 'gather': {
      out.push(`${pad(d)}{`);
      out.push(`${pad(d + 1)}wa_future_t *lst[8], *g = NULL;`);
      // one declaration each: spawned in order (arguments are unsequenced)
      s.items.forEach((t, i) => out.push(`${pad(d + 1)}wa_future_t *i${i} = ${item(t, ctx)};`));
      out.push(`${pad(d + 1)}size_t nl = LIVE(lst, ${s.items.length}, ${s.items.map((t, i) => `i${i}`).join(', ')});`);
      out.push(`${pad(d + 1)}rc = wa_gather(&g, lst, nl, ${s.retEx ? 'WA_RETURN_EXCEPTIONS' : '0'});`);
      out.push(`${pad(d + 1)}if (rc == 0) rc = wa_await(g);`);
      out.push(`${pad(d + 1)}if (rc == 0) {`);
      out.push(`${pad(d + 2)}char vals[256] = "[";`);
      out.push(`${pad(d + 2)}for (size_t i = 0; i < nl; i++) {`);
      out.push(`${pad(d + 3)}if (i) strcat(vals, ",");`);
      out.push(`${pad(d + 3)}strcat(vals, VAL(lst[i], buf, sizeof buf));`);
      out.push(`${pad(d + 2)}}`);
      out.push(`${pad(d + 2)}strcat(vals, "]");`);
      out.push(`${pad(d + 2)}L(me, "g${n} ok %s", vals);`);
      out.push(`${pad(d + 1)}} else {`);
      out.push(`${pad(d + 2)}ERR(&e, rc, g ? wa_future_message(g) : NULL);`);
      out.push(`${pad(d + 2)}wa_release(g);`);
      out.push(`${pad(d + 2)}g = NULL;`);
      except(s, d + 2, out, 'g', false, h);
      out.push(`${pad(d + 1)}}`);
      out.push(`${pad(d + 1)}wa_release(g);`);
      out.push(`${pad(d)}}`);
      break;
    }
    case 'waitFor':
      out.push(`${pad(d)}{`);
      out.push(`${pad(d + 1)}wa_task_t *x = ${item(s.t, ctx)};`);
      out.push(`${pad(d + 1)}if (x) {`);
      awaitStmt(s, d + 2, out, h, `wa_wait_for(x, ${s.ms})`, 'f', false,
        { okFmt: '%s', okArgs: '(const char *)wa_future_result(x)', errMsg: 'wa_future_message(x)' });
      out.push(`${pad(d + 1)}}`);
      out.push(`${pad(d)}}`);
      break;
    case 'timeout': {
      const x = `x${n}`, done = `d${n}`;
      const sc = `&sc${n}`;
      out.push(`${pad(d)}{`);
      out.push(`${pad(d + 1)}cm = NULL;`);
      out.push(`${pad(d + 1)}rc = wa_timeout_enter(${sc}, ${s.ms});`);
      out.push(`${pad(d + 1)}if (rc) { ERR(&e, rc, NULL); goto ${h}; }`);
      out.push(`${pad(d + 1)}cm = ${sc};`);
      if (s.resched) {
        out.push(`${pad(d + 1)}wa_timeout_reschedule(cm, ${s.resched.ms === null ? 'WA_NO_TIMEOUT' : `wa_time() + ${s.resched.ms}`});`);
      }
      block(s.block, d + 1, out, ctx, x);
      out.push(`${pad(d + 1)}e.code = 0;`);
      out.push(`${x}:`);
      out.push(`${pad(d + 1)}rc = wa_timeout_exit(${sc}, e.code);`);
      out.push(`${pad(d + 1)}if (rc == 0) {`);
      out.push(`${pad(d + 2)}L(me, "T${n} ok %s", B(wa_timeout_expired(cm)));`);
      out.push(`${pad(d + 2)}goto ${done};`);
      out.push(`${pad(d + 1)}}`);
      out.push(`${pad(d + 1)}if (rc != e.code) ERR(&e, rc, NULL);`);
      except(s, d + 1, out, 'T', false, h, 'cm ? B(wa_timeout_expired(cm)) : "None"');
      out.push(`${done}:;`);
      out.push(`${pad(d)}}`);
      break;
    }
    case 'taskGroup': {
      const x = `x${n}`, done = `d${n}`, tg = `tg${n}`;
      out.push(`${pad(d)}{`);
      out.push(`${pad(d + 1)}wa_taskgroup_t *${tg} = NULL;`);
      out.push(`${pad(d + 1)}rc = wa_taskgroup_enter(&${tg});`);
      out.push(`${pad(d + 1)}if (rc) { ERR(&e, rc, NULL); goto ${h}; }`);
      for (const k of s.kids) out.push(`${pad(d + 1)}L(me, "G${n} kid %s", wa_task_name(TGSPAWN(&own, ${tg}, ${ctx.P}B${k})));`);
      block(s.block, d + 1, out, ctx, x);
      out.push(`${pad(d + 1)}e.code = 0;`);
      out.push(`${x}:`);
      // the body's error goes into the group's with its message (wa_fail)
      out.push(`${pad(d + 1)}if (e.code != 0 && e.code != WA_ECANCELLED) wa_fail(e.code, "%s", e.msg);`);
      out.push(`${pad(d + 1)}rc = wa_taskgroup_exit(${tg}, e.code);`);
      out.push(`${pad(d + 1)}if (rc == WA_EGROUP) EGERR(&e, ${tg});`);
      out.push(`${pad(d + 1)}else if (rc != 0 && rc != e.code) ERR(&e, rc, NULL);`);
      out.push(`${pad(d + 1)}wa_taskgroup_free(${tg});`);
      out.push(`${pad(d + 1)}if (rc == 0) {`);
      out.push(`${pad(d + 2)}L(me, "G${n} ok");`);
      out.push(`${pad(d + 2)}goto ${done};`);
      out.push(`${pad(d + 1)}}`);
      except(s, d + 1, out, 'G', false, h);
      out.push(`${done}:;`);
      out.push(`${pad(d)}}`);
      break;
    }
    case 'ctx': /* the context pointer holds the value itself */
      if (s.op === 'set') out.push(`${pad(d)}wa_context_set((void *)(intptr_t)${n});`);
      out.push(`${pad(d)}L(me, "X${n} ${s.op} %d", (int)(intptr_t)wa_context_get());`);
      break;
    case 'raise':
      out.push(`${pad(d)}ERR(&e, BOOM, "b${n}");`);
      out.push(`${pad(d)}goto ${h};`);
      break;
    case 'try': {
      const c = `c${n}`, done = `d${n}`;
      out.push(`${pad(d)}{`);
      block(s.block, d + 1, out, ctx, c);
      out.push(`${pad(d + 1)}L(me, "Y${n} ok");`);
      out.push(`${pad(d + 1)}goto ${done};`);
      out.push(`${c}:`);
      except(s, d + 1, out, 'Y', false, h);
      out.push(`${done}:;`);
      out.push(`${pad(d)}}`);
      break;
    }
    case 'lock': {
      const u = `u${n}`, c = `c${n}`, done = `d${n}`;
      out.push(`${pad(d)}{`);
      out.push(`${pad(d + 1)}rc = wa_lock_acquire(LK);`);
      out.push(`${pad(d + 1)}if (rc) { ERR(&e, rc, NULL); goto ${c}; }`);
      out.push(`${pad(d + 1)}L(me, "K${n} in %s", B(wa_lock_locked(LK)));`);
      block(s.block, d + 1, out, ctx, u);
      out.push(`${pad(d + 1)}wa_lock_release(LK);`);
      out.push(`${pad(d + 1)}L(me, "K${n} out %s", B(wa_lock_locked(LK)));`);
      out.push(`${pad(d + 1)}goto ${done};`);
      out.push(`${u}:`);
      out.push(`${pad(d + 1)}wa_lock_release(LK);`);
      out.push(`${c}:`);
      except(s, d + 1, out, 'K', blockShowsMessage(s), h);
      out.push(`${done}:;`);
      out.push(`${pad(d)}}`);
      break;
    }
    case 'event':
      if (s.op === 'wait') awaitStmt(s, d, out, h, 'wa_event_wait(EV)', 'e', true, { okFmt: 'True' });
      else out.push(`${pad(d)}wa_event_${s.op}(EV);`, `${pad(d)}L(me, "e${n} ${s.op} None");`);
      break;
    case 'queue': {
      const it = `(void *)(intptr_t)${s.item}`;
      const put = ctx.prio ? `wa_queue_put_prio(Q, ${it}, ${s.item})` : `wa_queue_put(Q, ${it})`;
      const putNowait = ctx.prio ? `wa_queue_put_prio_nowait(Q, ${it}, ${s.item})` : `wa_queue_put_nowait(Q, ${it})`;
      const got = { okFmt: '%d', okArgs: '(int)(intptr_t)got' };
      switch (s.op) {
        case 'put': awaitStmt(s, d, out, h, put, 'qp', true); break;
        case 'putNowait': nowait(s, d, out, putNowait, 'qP'); break;
        case 'get':
          out.push(`${pad(d)}{`, `${pad(d + 1)}void *got = NULL;`);
          awaitStmt(s, d + 1, out, h, 'wa_queue_get(Q, &got)', 'qg', true, got);
          out.push(`${pad(d)}}`);
          break;
        case 'getNowait':
          out.push(`${pad(d)}{`, `${pad(d + 1)}void *got = NULL;`);
          nowait(s, d + 1, out, 'wa_queue_get_nowait(Q, &got)', 'qG', got);
          out.push(`${pad(d)}}`);
          break;
        case 'taskDone': nowait(s, d, out, 'wa_queue_task_done(Q)', 'qd'); break;
        case 'join': awaitStmt(s, d, out, h, 'wa_queue_join(Q)', 'qj', true); break;
        case 'qsize':
          out.push(`${pad(d)}L(me, "qs${n} %zu %s %s", wa_queue_qsize(Q), B(wa_queue_empty(Q)), B(wa_queue_full(Q)));`);
          break;
        case 'shutdown': nowait(s, d, out, `wa_queue_shutdown(Q, ${s.immediate ? 'true' : 'false'})`, 'qx'); break;
      }
      break;
    }
    default:
      throw new Error(`emit_c: unsupported statement ${s.k}`);
  }
}
