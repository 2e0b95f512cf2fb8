// Runs generated JS programs (emit_js.mjs) as wasyncio generator tasks on a
// runtime with a virtual clock, until they are quiescent (nothing ready, no
// timer): the same end as the oracle's.
import * as api from '../../bindings/index.js';

const { Runtime } = api;
let rt = null;

async function fresh() {
  rt = await Runtime.create({ clock: 'virtual', onError: () => {} });
  return rt;
}

const tick = () => new Promise((r) => setImmediate(r));

async function quiesce(limit = 200000) {
  for (let i = 0; i < limit; i++) {
    await tick();
    if (rt.M._wa_loop_next_wakeup() < 0) return true;
  }
  return false;
}

/**
 * Run one program. @returns {{ status: 'ok' | 'error' | 'hang', log: string[], stuck: string[], error?: string }}
 */
export async function runJs(src) {
  if (!rt) await fresh();
  // time starts at 0 for every program
  if (rt.M._wa_loop_set_clock(0) !== 0 || rt.M._wa_loop_set_clock(1) !== 0) await fresh();
  let prog;
  try {
    prog = new Function('rt', 'api', src)(rt, api);
  } catch (e) {
    return { status: 'error', log: [], stuck: [], error: `compile: ${e.message}` };
  }
  const main = rt.createTask((task) => prog.B0(task, 'main'), { name: 'main' });
  main.catch?.(() => {});
  const ok = await quiesce();
  const stuck = rt.allTasks().map((t) => t.name).sort();
  const result = { status: ok ? 'ok' : 'hang', log: prog.LOG.slice(), stuck };
  // leave nothing behind: cancel what is left (a few rounds), then free the objects
  for (let round = 0; round < 5 && rt.allTasks().length; round++) {
    for (const t of rt.allTasks()) t.cancel();
    await quiesce(10000);
  }
  if (rt.allTasks().length) rt = null; // a fresh runtime for the next program
  else prog.destroy();
  return result;
}
