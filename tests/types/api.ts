// Type tests of the public API (checked with `tsc --strict`, never run):
// every export of 'wasyncio', both task styles, results inferred.
import {
  ContextVar, Context, Token, copyContext,
  run, createTask, sleep, gather, currentTask, allTasks, createFuture, ensureFuture, callSoon, callLater,
  callAt, time, fetch, runtime as loadedRuntime, ready, configure, Runtime, Future, Task, Handle, Op, FetchResponse,
  CancelledError, TimeoutError, InvalidStateError, QueueEmpty, QueueFull, QueueShutDown,
  BrokenBarrierError, WasyncioError, ValueError, codes,
  WorkerPool, PoolOp, Job, ExecOp, defaultPool, setDefaultPool, cpuCount, transfer, toThread,
  runInExecutor,
  wait, waitFor, asCompleted, shield, timeout, timeoutAt, taskGroup, currentDeadline,
  TaskGroup, Timeout, AsCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED,
  Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier, Queue, LifoQueue, PriorityQueue,
  files, Files, FileHandle, asyncContextManager, withContext, provide, AsyncContextManager,
  aiter, anext, forAwait, ClientSession, SessionResponse, retry, backoffDelay,
  WebApp, WebServer, WebRequest, WebResponse, HttpError, connectWebSocket, WebSocketConnection, WebSocketClosed,
} from 'wasyncio';
import type { Awaitable, Resolved, TaskGenerator, TaskBody, TaskEvent, RuntimeStats, WaitResult, ScopeRun } from 'wasyncio';
import { compileWasm, instantiate, loadModule } from 'wasyncio/loader';
import { currentJob, transfer as transferBack } from 'wasyncio/worker';

/** Compile-time equality: expect<A>()(b) accepts b only if its type is exactly A. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
function expectType<A>() {
  return <B>(_value: B, ..._exact: Equal<A, B> extends true ? [] : [never]) => {};
}

// the default runtime loads on first use: null until then
expectType<Runtime | null>()(loadedRuntime);
configure({ assetsURL: new URL('https://cdn.example/wasyncio/') });
configure({ assetsURL: null });
const runtime = await ready();
expectType<Runtime>()(runtime);
const custom = Runtime.create({ module: '/c/add-1f3a.mjs', wasm: new URL('https://cdn.example/add-9c2e.wasm') });
const eagerRt: Promise<Runtime> = Runtime.create({ eagerTasks: true });
expectType<Promise<Runtime>>()(custom);

async function tasks() {
  // results are inferred, in both styles
  expectType<Task<number>>()(createTask(async (t) => 1));
  expectType<Task<string>>()(createTask(async (t) => { await sleep(1, undefined, { signal: t.signal }); return 'x'; }));
  expectType<Task<number>>()(createTask(function* () { yield sleep(10); return 2; }));
  expectType<Task<number>>()(createTask(function* () { return 3; }, { eager: true, name: 'e' }));
  expectType<Task<void>>()(createTask(function* () { yield sleep(10); }));
  expectType<Task<string>>()(createTask(() => 'plain'));
  expectType<Task<number>>()(createTask(sleep(5, 3)));
  expectType<Task<boolean>>()(createTask(Promise.resolve(true)));
  expectType<Promise<number>>()(run(async (task) => 5));
  expectType<Promise<number>>()(run(function* main() { yield sleep(1); return 5; }));
  expectType<Promise<string>>()(run(createTask(async () => 'x'), { name: 'main' }));

  // generator tasks: a yield gives `any` (no TS7057 under strict); annotate it
  const q = new Queue<string>();
  const worker = createTask(function* worker(task) {
    const job = yield q.get();
    const typed: string = yield q.get();
    q.taskDone();
    return [job, typed, task.name] as const;
  }, { name: 'worker' });
  expectType<Task<readonly [any, string, string]>>()(worker);

  // Task / Future
  const t = createTask(async () => 1);
  const v: number = await t;
  t.name = 'renamed';
  expectType<number>()(t.cancelling());
  expectType<number>()(t.uncancel());
  expectType<AbortSignal>()(t.signal);
  expectType<boolean>()(t.cancel('why'));
  expectType<boolean>()(t.done() && t.cancelled());
  expectType<number>()(t.result());
  expectType<unknown>()(t.exception());
  t.addDoneCallback((task) => { expectType<Task<number>>()(task); });
  expectType<number>()(t.removeDoneCallback(() => {}));
  const f = createFuture<string>();
  f.setResult('ok');
  f.setException(new Error('no'));
  expectType<string>()(await f);
  expectType<Future<number>>()(runtime.createFuture<number>());
  expectType<Future<string>>()(ensureFuture(f));
  expectType<Future<number>>()(ensureFuture(Promise.resolve(1), { name: 'p' }));
  expectType<Future<number>>()(runtime.ensureFuture(sleep(1, 2)));
  expectType<unknown>()(t.getCoro());
  expectType<Context | null>()(t.getContext());
  expectType<string[]>()(t.getStack());
  expectType<Task | null>()(currentTask());
  expectType<Task[]>()(allTasks());

  // gather: a tuple of results, or an array
  expectType<Future<[number, string, undefined]>>()(gather(createTask(async () => 1), sleep(1, 'a'), sleep(2)));
  expectType<Future<number[]>>()(gather([sleep(1, 1), sleep(2, 2)]));
  expectType<Future<(number | Error)[]>>()(gather([sleep(1, 1), sleep(2, 2)], { returnExceptions: true }));
  expectType<Future<[number | Error, string | Error]>>()(gather(sleep(1, 1), sleep(2, "x"), { returnExceptions: true }));
  expectType<Future<[number]>>()(gather(sleep(1, 1), { returnExceptions: false }));
  const [n1, s1] = await gather(createTask(async () => 1), Promise.resolve('p'));
  expectType<number>()(n1);
  expectType<string>()(s1);

  // handles and the clock
  const h: Handle = callSoon((a: number, b: string) => {}, 1, 'b');
  callLater(10, () => {});
  callAt(time() + 10, (x: boolean) => {}, true);
  expectType<number | undefined>()(h.when);
  h.cancel();
  expectType<boolean>()(h.cancelled());
  expectType<number>()(time());
}

async function combinators() {
  await run(function* main() {
    const a = createTask(function* () { yield sleep(50); return 'a'; });
    const b = createTask(function* () { yield sleep(500); return 'b'; });
    const { done, pending }: WaitResult<Task<string>> = yield wait([a, b], { returnWhen: FIRST_COMPLETED });
    expectType<Set<Task<string>>>()(done);
    try {
      yield waitFor(b, 20);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
    }
    const r = yield* timeout(100, function* (scope) {
      expectType<Timeout>()(scope);
      yield sleep(10);
      return 'in time';
    });
    expectType<string>()(r);
    const n = yield* taskGroup(function* (tg) {
      tg.createTask(function* () { yield sleep(10); });
      expectType<Task<number>>()(tg.createTask(async () => 1));
      return tg.size;
    });
    expectType<number>()(n);
    const it = asCompleted([sleep(30, 'slow'), sleep(10, 'fast')], { timeout: 1000 });
    for (;;) {
      const { value, done }: IteratorResult<Task, undefined> = yield it.next();
      if (done) break;
      console.log(yield value);
    }
  });

  await run(async (task) => {
    const page = await timeout(2000, async (scope) => {
      const res = await fetch('http://127.0.0.1/', { signal: scope.signal });
      return res.text();
    }, { task });
    expectType<string>()(page);
    await taskGroup(async (tg) => {
      tg.createTask(async (t) => sleep(10, null, { signal: t.signal }));
      await sleep(5, null, { signal: tg.signal });
    }, { task });
    await taskGroup((tg) => { tg.createTask(async () => 1); }, { signal: task.signal });
    for await (const t of asCompleted([sleep(20, 1), sleep(10, 2)], { timeout: 1000 })) {
      console.log(await t);
    }
    expectType<Op<number>>()(waitFor(createTask(async () => 1), 100));
    expectType<Op<string>>()(waitFor(sleep(1, 'x'), null, { signal: task.signal }));
    expectType<Future<number>>()(shield(createTask(async () => 1)));
    expectType<ScopeRun<number>>()(timeoutAt(time() + 100, async (scope) => {
      scope.reschedule(null);
      scope.reschedule(scope.when() + 10);
      return scope.expired() ? 0 : scope.deadline;
    }, { task }));
    expectType<number>()(currentDeadline());
    expectType<number>()(currentDeadline(task));
    const tg = new TaskGroup({ task, runtime });
    expectType<string>()(await tg.run(async () => 'x'));
    const entered = new TaskGroup({ task }).enter();
    entered.createTask(async () => 1);
    await entered.exit();
    const ac: AsCompleted = asCompleted([createTask(async () => 1)]);
    expectType<number>()(ac.remaining);
    ac.close();
    const modes: string[] = [FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED];
  });
}

async function sync() {
  const lock = new Lock();
  expectType<Op<true>>()(lock.acquire());
  lock.release();
  expectType<boolean>()(lock.locked());
  expectType<Promise<number>>()(lock.with(async () => 1));
  await run(function* () {
    const n = yield* lock.with(function* () { yield sleep(1); return 1; });
    expectType<number>()(n);
  });
  const ev = new Event({ runtime });
  ev.set(); ev.clear();
  expectType<boolean>()(ev.isSet());
  expectType<Op<true>>()(ev.wait({ signal: AbortSignal.timeout(10) }));
  const cond = new Condition(lock);
  new Condition({ runtime });
  new Condition();
  expectType<Op<string>>()(cond.waitFor(() => 'ready'));
  expectType<number>()(cond.notify(2) + cond.notifyAll());
  const sem = new Semaphore(10);
  const bsem = new BoundedSemaphore(2, { runtime });
  expectType<number>()(sem.value + bsem.value);
  await sem.with(async () => {});
  const barrier = new Barrier(3);
  expectType<Op<number>>()(barrier.wait());
  expectType<number>()(barrier.parties + barrier.nWaiting);
  expectType<boolean>()(barrier.broken);
  barrier.reset(); barrier.abort();
  const q = new Queue<number>({ maxsize: 100 });
  new Queue(5);
  await q.put(1);
  q.putNowait(2);
  expectType<number>()(await q.get());
  expectType<number>()(q.getNowait());
  await q.join();
  expectType<number>()(q.qsize() + q.maxsize);
  expectType<boolean>()(q.empty() || q.full());
  for await (const item of q.iter({ signal: AbortSignal.abort() })) expectType<number>()(item);
  for await (const item of q) expectType<number>()(item);
  q.shutdown(true);
  const lifo = new LifoQueue<string>();
  lifo.putNowait('x');
  const pq = new PriorityQueue<string>();
  await pq.put('low', 5);
  await pq.put('zero', { signal: AbortSignal.timeout(5) });
  pq.putNowait('high', -1);
  expectType<number>()(q.ptr);
  expectType<Runtime>()(q.runtime);
  expectType<boolean>()(q.destroyed);
  q.destroy();
  expectType<{ objects: number; heapBytes: number }>()(runtime.syncStats());
}

async function errors() {
  const errs: Error[] = [
    new CancelledError('x'), new TimeoutError(), new InvalidStateError(), new QueueEmpty(),
    new QueueFull(), new QueueShutDown(), new BrokenBarrierError(),
    new WasyncioError('failed', codes.EFAILED, { cause: 1 }), new ValueError('too often'),
  ];
  const e = new WasyncioError('x', -14);
  expectType<number>()(e.code);
  expectType<string>()(e.codeName);
  expectType<-1>()(codes.ECANCELLED);
  const ve: WasyncioError = new ValueError();
}

async function fetching() {
  const res = await fetch('http://127.0.0.1:8080/', { method: 'POST', body: 'x', headers: { a: 'b' }, timeout: 1000 });
  expectType<FetchResponse>()(res);
  expectType<number>()(res.status);
  expectType<boolean>()(res.ok && res.redirected && res.bodyUsed);
  expectType<string | null>()(res.headers.get('content-type'));
  expectType<Op<string>>()(res.text());
  expectType<{ a: number }>()(await res.json<{ a: number }>());
  expectType<Uint8Array>()(await res.bytes());
  expectType<ArrayBuffer>()(await res.arrayBuffer());
  expectType<Uint8Array | null>()(await res.read(1024));
  for await (const chunk of res.withSignal(AbortSignal.timeout(100))) expectType<Uint8Array>()(chunk);
  res.close();
  const r2 = await runtime.fetch(new URL('http://127.0.0.1/'));
  r2.close();
  expectType<{ responses: number; pending: number; hostHandles: number }>()(runtime.fetchStats());
}

async function executor() {
  const pool = new WorkerPool({ min: 0, max: 2, idleTimeout: 1000, maxQueue: 10, cancelGrace: 100,
    module: new URL('./jobs.js', import.meta.url), preload: ['./x.js'], stackSize: 65536, name: 'p' });
  expectType<PoolOp<number>>()(pool.run<number>('add', [1, 2]));
  expectType<number>()(await pool.run<number>('add', [1, 2], { signal: AbortSignal.timeout(1000) }));
  const job = await pool.submit<string>('hash', [transfer(new Uint8Array(8))]);
  expectType<Job<string>>()(job);
  expectType<number>()(job.id);
  expectType<'queued' | 'running' | 'done'>()(job.state);
  expectType<boolean>()(job.cancel('stop') || job.done() || job.cancelled());
  expectType<string>()(await job.result());
  expectType<number>()(pool.stats().workers + pool.options.max);
  expectType<boolean>()(pool.closed);
  await pool.shutdown({ wait: true, cancelPending: true });
  expectType<WorkerPool>()(defaultPool());
  setDefaultPool(pool);
  expectType<number>()(cpuCount());
  expectType<ExecOp<number>>()(toThread<number>(new URL('./jobs.js', import.meta.url), 'add', 1, 2));
  expectType<ExecOp<Uint8Array>>()(runInExecutor(null, 'checksum', new Uint8Array(4)));
  expectType<ExecOp<Uint8Array>>()(runtime.runInExecutor(pool, 3, new ArrayBuffer(4), { signal: AbortSignal.timeout(9) }));
  await run(function* () {
    const sum: number = yield pool.run('add', [1, 2]);
    const out: Uint8Array = yield runInExecutor(null, 'checksum', transfer(new Uint8Array(4)));
  });
  // worker side
  const cj = currentJob();
  if (cj) { expectType<number>()(cj.id); expectType<AbortSignal>()(cj.signal); }
  expectType<ArrayBuffer>()(transferBack(new ArrayBuffer(1)));
}

async function runtimes() {
  const rt = await Runtime.create({
    module: new URL('./add.mjs', import.meta.url),
    onError: (err, ctx) => console.error(ctx.message, ctx.task?.name, err),
    moduleOptions: { print: console.log },
  });
  expectType<Task<number>>()(rt.spawnC<number>('add_one', 41, { name: 'c', stackSize: 65536 }));
  rt.register('jsDouble', async (x: number) => x * 2);
  expectType<RuntimeStats>()(rt.stats());
  const off = rt.onTaskEvent((e: TaskEvent) => { const type: string = e.type; });
  off();
  const tl = rt.recordTimeline();
  for (const [id, t] of tl.tasks) expectType<number>()(t.spans.length);
  tl.stop(); tl.clear();
  expectType<Op<undefined>>()(rt.sleep(1));
  expectType<Runtime>()(runtime);
  // the loader
  const mod: WebAssembly.Module = await compileWasm(new URL('./add.wasm', import.meta.url));
  const M = await instantiate(async (o: object) => o, mod, { print() {} });
  const M2 = await loadModule('./add.mjs');
}

// helpers of the type vocabulary
type R1 = Resolved<Task<number>>;
type R2 = Resolved<Op<string>>;
type R3 = Resolved<Promise<boolean>>;
const resolvedOk: [R1, R2, R3] = [1, 's', true];
const aw: Awaitable<number> = sleep(1, 1);
const body: TaskBody<number> = async () => 1;
function* gen(): TaskGenerator<number> { const x: number = yield sleep(1, 1); return x; }
createTask(gen());

// I/O: files, context managers, async iteration, sessions, retry, the server, WebSocket
async function io(): Promise<void> {
  const f: FileHandle = await files.open('a.txt', 'w');
  expectType<Op<number>>()(f.write('x'));
  await f.close();
  expectType<Op<string>>()(files.readFile('a.txt', { encoding: 'utf8' }));
  expectType<Op<Uint8Array>>()(files.readFile('a.txt'));
  expectType<Op<string[]>>()(files.list('.'));
  const fs: Files = runtime.files;
  expectType<boolean>()(await fs.exists('a.txt'));
  const cm = asyncContextManager(async function* (n: number) { yield n * 2; });
  const m: AsyncContextManager<number> = cm(1);
  expectType<Promise<number | undefined>>()(withContext(m, async (v: number) => v + 1));
  const g = asyncContextManager(function* () { yield provide('x'); });
  const it = aiter([1, 2]);
  expectType<PromiseLike<IteratorResult<number>>>()(anext(it));
  await forAwait([1], async (v: number) => forAwait.BREAK);
  const s = new ClientSession({ baseUrl: 'http://x/', limitPerHost: 2, timeout: { total: 1000, connect: 100, read: 100 } });
  const r: SessionResponse = await s.get('y', { params: { q: 1 } });
  expectType<Task<string>>()(r.text());
  s.close();
  expectType<Task<number>>()(retry(async () => 1, { attempts: 2 }));
  expectType<number>()(backoffDelay(2));
  const app = new WebApp();
  app.get('/x/{id}', (req: WebRequest) => new WebResponse(req.params.id, { status: 200 }));
  app.ws('/ws', async (ws: WebSocketConnection) => { for await (const msg of ws) await ws.send(msg); });
  app.get('/e', () => { throw new HttpError(404); });
  const srv: WebServer = await app.listen({ port: 0 });
  await srv.close({ deadline: 10 });
  const ws: WebSocketConnection = await connectWebSocket('ws://x/');
  const c: WebSocketClosed = await ws.close(1000, 'bye');
  void g; void c;
}
void io;

// task-local context (contextvars)
const requestId = new ContextVar<string>('requestId', { default: '-' });
const tok: Token<string> = requestId.set('r1');
const rid: string = requestId.get();
requestId.reset(tok);
const snapshot: Context = copyContext();
const fromRun: number = snapshot.run((a: number) => a + 1, 1);
const maybe: string | undefined = snapshot.get(requestId);
void rid; void fromRun; void maybe; void Token.MISSING; void new Context().copy();
