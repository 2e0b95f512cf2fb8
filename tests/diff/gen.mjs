// Random asyncio programs for the differential test: a seeded generator of
// a small program tree (bodies of tasks made of statements), emitted as
// Python asyncio (emit_py.mjs), as wasyncio generator tasks (emit_js.mjs)
// and, for a subset, as C (emit_c.mjs). Every statement logs what it did,
// so two runs of the same program can be compared line by line.

/** A small, fast, seeded PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    weighted(table) {
      let total = 0;
      for (const [, w] of table) total += w;
      let r = next() * total;
      for (const [v, w] of table) {
        r -= w;
        if (r < 0) return v;
      }
      return table[table.length - 1][0];
    },
  };
}

/** Every feature the generator can use; a program uses a random subset. */
export const FEATURES = [
  'sleep', 'spawn', 'await', 'cancel', 'uncancel', 'gather', 'wait', 'waitFor', 'asCompleted',
  'shield', 'timeout', 'reschedule', 'taskGroup', 'raise', 'queue', 'lock', 'event', 'condition',
  'semaphore', 'barrier',
];

/**
 * Generate program number `seed`.
 * @param {number} seed
 * @param {{ features?: string[], allowed?: string[], messages?: boolean,
 *   maxBodies?: number, maxStmts?: number, eager?: boolean }} [opts] features: exactly these;
 *   allowed: a random subset of these (default FEATURES); messages: false,
 *   cancel() without messages (the C subset); eager: false, no eager
 *   tasks (else some programs start some of their spawns eagerly);
 *   context: false, no context variable (else some programs set and read
 *   one: asyncio's contextvars, copied into each task at its creation)
 */
export function generate(seed, opts = {}) {
  const R = rng(seed * 2654435761 + 12345);
  const features = new Set(opts.features ?? (opts.allowed ?? FEATURES).filter(() => R.chance(0.6)));
  if (!features.size) features.add('sleep');
  // Eager tasks (asyncio's eager_start) come from a generator of their own,
  // so that the programs of older seeds stay what they were.
  const E = rng(seed * 40503 + 777);
  const eager = opts.eager !== false && E.chance(0.4);
  if (eager) features.add('eager');
  const nBodies = R.int(2, opts.maxBodies ?? 5);
  const maxStmts = opts.maxStmts ?? 7;
  const prog = {
    seed,
    features: [...features],
    queue: features.has('queue')
      ? { kind: R.pick(['fifo', 'fifo', 'lifo', 'prio']), maxsize: R.pick([0, 1, 1, 2, 3]) }
      : null,
    sem: features.has('semaphore') ? { value: R.int(1, 2), bounded: R.chance(0.3) } : null,
    barrier: features.has('barrier') ? { parties: R.int(2, 3) } : null,
    bodies: [],
  };
  let nextId = 0;
  const id = () => ++nextId;
  // Durations: distinct-ish values keep deadlines apart (ties are discarded).
  const ms = () => R.pick([1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 61, 71, 89]) +
    R.int(0, 40) * 100;

  for (let b = 0; b < nBodies; b++) {
    const vars = []; // task variables of this body
    const stmts = genBlock(b, vars, R.int(1, maxStmts), 0);
    prog.bodies.push({ id: b, stmts, vars });
  }
  // A context variable (contextvars), from a generator of its own as eager
  // tasks: `ctx` statements set it or log it, sprinkled over the program.
  const X = rng(seed * 69069 + 4242);
  if (opts.context !== false && X.chance(0.35)) {
    prog.features.push('context');
    for (const b of prog.bodies) addContext(b.stmts);
  }
  return prog;

  function addContext(stmts) {
    for (let i = stmts.length; i >= 0; i--) {
      if (stmts[i]?.block) addContext(stmts[i].block);
      if (X.chance(0.3)) stmts.splice(i, 0, { k: 'ctx', n: id(), op: X.chance(0.5) ? 'set' : 'get' });
    }
  }

  function canSpawn(b) { return b + 1 < nBodies; }
  function childBody(b) { return R.int(b + 1, nBodies - 1); }

  function genBlock(b, vars, n, depth) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const s = genStmt(b, vars, depth);
      if (s) out.push(s);
    }
    return out;
  }

  function policy() {
    return { reraiseCancel: R.chance(0.75), reraiseOther: R.chance(0.3) };
  }

  function someVars(vars, k) {
    const out = [];
    for (let i = 0; i < k && vars.length; i++) out.push(R.pick(vars));
    return out;
  }

  /** A task to await: an existing variable, or a new task of a child body. */
  function target(b, vars) {
    if (vars.length && R.chance(0.6)) return { v: R.pick(vars) };
    if (canSpawn(b)) return { body: childBody(b) };
    return null;
  }

  function genStmt(b, vars, depth) {
    const table = [['log', 2]];
    if (features.has('sleep')) table.push(['sleep', 5]);
    if (features.has('spawn') && canSpawn(b)) table.push(['spawn', 5]);
    if (features.has('await') && vars.length) table.push(['await', 4]);
    if (features.has('cancel') && vars.length) table.push(['cancel', 3]);
    if (features.has('uncancel')) table.push(['uncancel', 1]);
    if (features.has('gather') && (vars.length || canSpawn(b))) table.push(['gather', 2]);
    if (features.has('wait') && (vars.length || canSpawn(b))) table.push(['wait', 2]);
    if (features.has('waitFor') && (vars.length || canSpawn(b))) table.push(['waitFor', 2]);
    if (features.has('asCompleted') && (vars.length || canSpawn(b))) table.push(['asCompleted', 1]);
    if (features.has('shield') && vars.length) table.push(['shield', 2]);
    if (features.has('timeout') && depth < 2) table.push(['timeout', 2]);
    if (features.has('taskGroup') && depth < 2 && canSpawn(b)) table.push(['taskGroup', 2]);
    if (features.has('raise')) table.push(['raise', 1], ['try', depth < 2 ? 1 : 0]);
    if (prog.queue) table.push(['queue', 6]);
    if (features.has('lock') && depth < 2) table.push(['lock', 2]);
    if (features.has('event')) table.push(['event', 3]);
    if (features.has('condition')) table.push(['condition', 3]);
    if (prog.sem && depth < 2) table.push(['semaphore', 2]);
    if (prog.barrier) table.push(['barrier', 2]);
    const k = R.weighted(table);
    const n = id();
    switch (k) {
      case 'log': return { k, n, time: R.chance(0.5) };
      case 'sleep': return { k, n, ms: R.chance(0.35) ? 0 : ms(), p: policy() };
      case 'spawn': {
        const v = `v${n}`;
        vars.push(v);
        return { k, n, v, body: childBody(b), eager: eager && E.chance(0.5) };
      }
      case 'await': return { k, n, v: R.pick(vars), p: policy() };
      case 'cancel': return { k, n, v: R.pick(vars), msg: R.chance(0.5) && opts.messages !== false ? `m${n}` : null };
      case 'uncancel': return { k, n, op: R.pick(['uncancel', 'cancelling', 'cancelSelf']) };
      case 'gather': {
        const items = [];
        const cnt = R.int(1, 3);
        for (let i = 0; i < cnt; i++) { const t = target(b, vars); if (t) items.push(t); }
        if (!items.length) return null;
        return { k, n, items, retEx: R.chance(0.5), p: policy() };
      }
      case 'wait': {
        const vs = someVars(vars, R.int(1, 3));
        if (!vs.length) return null;
        return {
          k, n, vs,
          timeout: R.chance(0.4) ? ms() : null,
          when: R.pick(['ALL_COMPLETED', 'FIRST_COMPLETED', 'FIRST_EXCEPTION']),
          p: policy(),
        };
      }
      case 'waitFor': {
        const t = target(b, vars);
        if (!t) return null;
        return { k, n, t, ms: R.chance(0.15) ? 0 : ms(), p: policy() };
      }
      case 'asCompleted': {
        const items = [];
        const cnt = R.int(1, 3);
        for (let i = 0; i < cnt; i++) { const t = target(b, vars); if (t) items.push(t); }
        if (!items.length) return null;
        return { k, n, items, timeout: R.chance(0.4) ? ms() : null, p: policy() };
      }
      case 'shield': return { k, n, v: R.pick(vars), p: policy() };
      case 'timeout': {
        const block = genBlock(b, vars, R.int(1, 3), depth + 1);
        return {
          k, n, ms: ms(), block, p: policy(),
          resched: features.has('reschedule') && R.chance(0.5) ? { ms: R.chance(0.2) ? null : ms() } : null,
        };
      }
      case 'taskGroup': {
        const kids = [];
        const cnt = R.int(1, 3);
        for (let i = 0; i < cnt; i++) kids.push(childBody(b));
        const block = genBlock(b, vars, R.int(0, 2), depth + 1);
        return { k, n, kids, block, p: policy() };
      }
      case 'raise': return { k, n };
      case 'try': return { k, n, block: genBlock(b, vars, R.int(1, 3), depth + 1), p: policy() };
      case 'queue': {
        const op = R.weighted([
          ['put', 4], ['putNowait', 2], ['get', 4], ['getNowait', 2], ['taskDone', 1], ['join', 1],
          ['qsize', 1], ['shutdown', prog.queue.kind === 'fifo' ? 0.6 : 0.3],
        ]);
        return { k, n, op, item: R.int(1, 9), immediate: R.chance(0.5), p: policy() };
      }
      case 'lock': return { k, n, block: genBlock(b, vars, R.int(1, 2), depth + 1), p: policy() };
      case 'event': return { k, n, op: R.weighted([['wait', 3], ['set', 2], ['clear', 1]]), p: policy() };
      case 'condition': return {
        k, n, op: R.weighted([['wait', 2], ['waitFor', 2], ['notify', 2], ['notifyAll', 1]]),
        count: R.int(1, 2), target: R.int(1, 3), p: policy(),
      };
      case 'semaphore': return { k, n, block: genBlock(b, vars, R.int(1, 2), depth + 1), p: policy() };
      case 'barrier': return { k, n, op: R.weighted([['wait', 5], ['abort', 0.5], ['reset', 0.5]]), p: policy() };
    }
    return null;
  }
}

/**
 * Whether the catch around a lock or semaphore block logs cancellation
 * messages: not when the block holds a statement that can raise a
 * cancellation retrieved from another task or future (await, gather, ...),
 * as CPython gives a cancelled task's message to its first retriever only
 * and wasyncio to every one (README, Status; differential seed 104293).
 */
export function blockShowsMessage(s) {
  return ![...walk(s.block)].some((x) => RETRIEVING.has(x.k));
}
const RETRIEVING = new Set(['await', 'gather', 'waitFor', 'shield', 'asCompleted']);

/** The statements of a program tree, depth first (for shrinking). */
export function* walk(stmts) {
  for (const s of stmts) {
    yield s;
    if (s.block) yield* walk(s.block);
  }
}
