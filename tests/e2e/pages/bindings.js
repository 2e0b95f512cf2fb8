// The npm package's API in the browser: the same scenarios as under Node,
// each reporting ok/failed into window.results.
import {
  ready,
  run, createTask, sleep, gather, createFuture, callSoon, time, runtime, Runtime, CancelledError, fetch,
} from '/bindings/index.js';

await ready(); // the default runtime loads on first use

const results = [];
window.results = results;
const out = document.getElementById('out');

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (e) {
    results.push({ name, ok: false, error: String(e && e.stack || e) });
  }
  out.textContent += `${results.at(-1).ok ? 'ok' : 'FAILED'} ${name}\n`;
}

function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }

await check('gather of three sleeping tasks: concurrent, done in delay order', async () => {
  const t0 = time();
  const order = [];
  const r = await run(function* () {
    return yield gather(
      createTask(function* () { yield sleep(100); order.push(1); return 1; }),
      createTask(async () => { await sleep(30); order.push(2); return 2; }),
      createTask(function* () { yield sleep(60); order.push(3); return 3; }),
    );
  });
  const dt = time() - t0;
  assert(JSON.stringify(r) === '[1,2,3]', r);
  assert(JSON.stringify(order) === '[2,3,1]', order);
  assert(dt >= 99, 'took ' + dt);
});

await check('cancel a task and catch CancelledError', async () => {
  await run(function* () {
    const t = createTask(function* () { yield sleep(10000); });
    yield sleep(1);
    t.cancel('bye');
    try { yield t; throw new Error('no'); } catch (e) { assert(e instanceof CancelledError && e.message === 'bye', e); }
  });
});

await check('sleep(0) wake-ups never use setTimeout (clamped to 4 ms by browsers)', async () => {
  const realSetTimeout = globalThis.setTimeout;
  let timers = 0;
  globalThis.setTimeout = (...a) => { timers++; return realSetTimeout(...a); };
  try {
    await run(function* () { for (let i = 0; i < 1000; i++) yield sleep(0); });
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert(timers === 0, `${timers} setTimeout calls for 1000 sleep(0)`);
});

await check('100,000 JS tasks', async () => {
  const n = 100000;
  const s = await run(function* () {
    const ts = [];
    for (let i = 0; i < n; i++) ts.push(createTask(function* () { yield sleep(0); return 1; }));
    return (yield gather(ts)).length;
  });
  assert(s === n, s);
});

await check('futures, callbacks and the page stays responsive', async () => {
  let frames = 0;
  let stop = false;
  const raf = () => { frames++; if (!stop) requestAnimationFrame(raf); };
  requestAnimationFrame(raf);
  await run(function* () {
    const f = createFuture();
    callSoon(() => f.setResult('x'));
    assert((yield f) === 'x', 'future');
    // busy scheduler for ~300 ms of tiny tasks: the budget yields to the page
    const t0 = time();
    while (time() - t0 < 300) yield sleep(0);
  });
  stop = true;
  assert(frames > 5, 'frames rendered while the loop was busy: ' + frames);
});

await check('a custom module: C coroutines awaited from JS', async () => {
  const rt = await Runtime.create({ module: '/wasm/modules/interop.mjs' });
  assert((await rt.spawnC('add_one', 1)) === 2, 'add_one');
  const js = rt.createTask(function* () { yield rt.sleep(2); return 5; });
  assert((await rt.spawnC('await_js', js)) === 6, 'await_js');
  assert(runtime !== rt, 'separate runtime');
});

await check('fetch on the runtime: a JSON response, and a cancelled request is aborted', async () => {
  const data = await run(function* () {
    const r = yield fetch('/json');
    assert(r.status === 200 && r.ok, 'status ' + r.status);
    return yield r.json();
  });
  assert(typeof data === 'object', 'json');
  const tag = 'browser-' + Math.random();
  await run(function* () {
    const t = createTask(function* () { yield fetch('/delay/5000?tag=' + tag); });
    yield sleep(100);
    t.cancel();
    try { yield t; } catch (e) { assert(e instanceof CancelledError, e); }
  });
  let stats;
  for (const end = performance.now() + 30000; performance.now() < end;) {
    stats = await (await globalThis.fetch('/stats?tag=' + tag)).json();
    if (stats.aborted === 1) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert(stats.aborted === 1, 'the server saw the request aborted: ' + JSON.stringify(stats));
  const s = runtime.fetchStats();
  assert(s.responses === 0 && s.pending === 0 && s.hostHandles === 0, JSON.stringify(s));
});

document.body.dataset.done = 'true';
