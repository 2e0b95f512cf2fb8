// What every fixture app runs, whatever built it: tasks in both styles, a
// timeout, a fetch (the local test server), a worker-pool job and a custom C
// module (also under hashed names, as a bundler emits it: its .wasm given
// explicitly). W is the app's `import * as W from 'wasyncio'`. Each check
// settles within 30 s (a hang is reported as one) and records its value or
// error.
const LIMIT = 30_000;

/** The C module's copies under a bundler's kind of names (served at /c/). */
export const HASHED = { glue: 'add-Dx3k9a.mjs', wasm: 'add-B7q2Lm.wasm' };

export const EXPECTED = {
  tasks: ['gen', 'async'],
  timeout: 'TimeoutError',
  fetch: [200, 'object'],
  workerPool: 5,
  cModule: 42,
  cModuleHashed: 43,
};

/**
 * @param {any} W the wasyncio module namespace
 * @param {{ httpbin: string, cModule: string, hashed: { module: string, wasm: string }, jobs: URL }} where
 *   hashed: the C module's glue and .wasm under unrelated (hashed) names
 */
export async function checks(W, { httpbin, cModule, hashed, jobs }) {
  const results = {};
  async function check(name, fn) {
    let timer;
    try {
      const hang = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no outcome after ${LIMIT} ms`)), LIMIT); });
      results[name] = { ok: true, value: await Promise.race([fn(), hang]) };
    } catch (e) {
      results[name] = { ok: false, error: String((e && e.stack) || e) };
    } finally {
      clearTimeout(timer);
    }
  }
  await check('tasks', () => W.run(function* () {
    return yield W.gather(
      W.createTask(function* () { yield W.sleep(20); return 'gen'; }),
      W.createTask(async () => { await W.sleep(10); return 'async'; }),
    );
  }));
  await check('timeout', () => W.run(async (task) => {
    try {
      await W.timeout(20, async (scope) => { await W.sleep(10_000, null, { signal: scope.signal }); }, { task });
      return 'no timeout';
    } catch (e) {
      return e instanceof W.TimeoutError ? 'TimeoutError' : String(e);
    }
  }));
  await check('fetch', () => W.run(function* () {
    const res = yield W.fetch(new URL('json', httpbin).href, { timeout: 10_000 });
    const doc = yield res.json();
    return [res.status, typeof doc];
  }));
  await check('workerPool', async () => {
    const pool = new W.WorkerPool({ max: 1, module: jobs });
    try {
      return await pool.run('add', [2, 3]);
    } finally {
      pool.shutdown({ wait: false, cancelPending: true });
    }
  });
  await check('cModule', async () => {
    const rt = await W.Runtime.create({ module: cModule });
    return await rt.spawnC('add_one', 41);
  });
  await check('cModuleHashed', async () => {
    const rt = await W.Runtime.create(hashed);
    return await rt.spawnC('add_one', 42);
  });
  return results;
}
