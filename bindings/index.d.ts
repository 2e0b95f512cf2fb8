// Types for the wasyncio JS API (bindings/index.js).
//
// Needs only ES2022 plus the host's types: TypeScript's DOM lib (browsers)
// or @types/node (Node) for AbortSignal, Headers and URL. `using` /
// `await using` work where the compiler knows Symbol.dispose (declared below
// as @types/node and lib.esnext.disposable do, so no extra lib is needed).

declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}

/** Options of the error classes (ES2022's ErrorOptions). */
export interface ErrorInit {
  cause?: unknown;
}

/** C status codes (WA_E... in wasyncio.h). */
export declare const codes: Readonly<{
  OK: 0; ECANCELLED: -1; ETIMEDOUT: -2; EINVAL: -3; ENOMEM: -4; ESTATE: -5; ENOTASK: -6;
  ESHUTDOWN: -7; EEMPTY: -8; EFULL: -9; EBROKEN: -10; EVALUE: -11; ENETWORK: -12; EHOST: -13;
  EFAILED: -14; EDEADLOCK: -15; EGROUP: -16; ESTACK: -17; EABORTED: -18; ENOENT: -19;
  EEXIST: -20; EIO: -21; ETOOBIG: -22;
}>;

/** A failure reported by the C runtime. */
export declare class WasyncioError extends Error {
  constructor(message: string, code?: number, options?: ErrorInit);
  /** A WA_E... status code (negative), or an application code (positive). */
  code: number;
  /** 'EFAILED', 'ENETWORK' ...; 'EAPP' for application codes. */
  codeName: string;
}
/** The task or operation was cancelled (asyncio.CancelledError). */
export declare class CancelledError extends Error {}
/** A deadline passed (asyncio.TimeoutError). */
export declare class TimeoutError extends Error {}
/** Not allowed in the current state (asyncio.InvalidStateError). */
export declare class InvalidStateError extends Error {}
export declare class QueueEmpty extends Error {}
export declare class QueueFull extends Error {}
export declare class QueueShutDown extends Error {}
export declare class BrokenBarrierError extends Error {}

/**
 * Anything a task can wait for: a Task, a Future, a runtime operation
 * (sleep(), queue.get() ...), a promise or thenable.
 */
export type Awaitable<T = unknown> = Future<T> | Op<T> | PromiseLike<T>;

/** The value an awaitable resolves to. */
export type Resolved<A> = A extends Future<infer T> ? T : A extends Op<infer T> ? T : A extends PromiseLike<infer T> ? T : never;

/**
 * Body of a generator task: yields awaitables, gets their results back.
 * asyncio's exact model: cancellation is thrown in at the yield.
 *
 * What a `yield` gives back is typed `any` (TypeScript cannot type each
 * yield separately): annotate it, `const item: string = yield q.get()`.
 */
export type TaskGenerator<T = unknown> = Generator<Awaitable, T, any>;

/**
 * A task body: a generator function, an async function or a plain function.
 * It gets the task it runs in (for `task.signal`, `task.name` ...). The
 * functions taking a body are overloaded per kind, so that the task's result
 * type is inferred from what the body returns.
 */
export type TaskBody<T> =
  | ((task: Task) => TaskGenerator<T>)
  | ((task: Task) => PromiseLike<T>)
  | ((task: Task) => T);

export interface TaskOptions {
  /** Task name (default "Task-<n>"). */
  name?: string;
  /** Cancel the task when this signal aborts. */
  signal?: AbortSignal;
  /**
   * asyncio's eager_start (3.12+): run the first step inside createTask, as
   * the current task, up to its first suspension; a body that never suspends
   * comes back done. Default: the runtime's `eagerTasks` (false).
   */
  eager?: boolean;
}

export interface OpOptions {
  /** Withdraw the operation (reject with CancelledError) when this aborts. */
  signal?: AbortSignal;
}

/**
 * A runtime operation: lazy, like an asyncio coroutine. It starts when
 * awaited (`yield op` in a generator task, `await op` elsewhere) and can be
 * awaited once.
 */
export declare class Op<T = unknown> implements PromiseLike<T> {
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R>;
  finally(onFinally?: (() => void) | null): Promise<T>;
}

/** asyncio.Future's twin. Awaitable. */
export declare class Future<T = unknown> implements PromiseLike<T> {
  done(): boolean;
  cancelled(): boolean;
  /** The result; throws the error / CancelledError; InvalidStateError while pending. */
  result(): T;
  /** The error or null; throws CancelledError if cancelled; InvalidStateError while pending. */
  exception(): unknown;
  /** Request cancellation; false if already done. */
  cancel(msg?: string): boolean;
  /** fn(this) is called through the loop once done. */
  addDoneCallback(fn: (f: this) => void): void;
  removeDoneCallback(fn: Function): number;
  /** Complete with a value (futures from createFuture only). */
  setResult(value: T): void;
  /** Complete with an error (futures from createFuture only). */
  setException(error: unknown): void;
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R>;
  finally(onFinally?: (() => void) | null): Promise<T>;
}

/** A JS function or C coroutine run by the C scheduler. */
export declare class Task<T = unknown> extends Future<T> {
  name: string;
  /** Pending cancellation requests (asyncio Task.cancelling()). */
  cancelling(): number;
  /** What the task waits on: the await chain, outermost first (asyncio's get_stack). */
  getStack(): string[];
  /** Decrement the cancellation count; returns the new count. */
  uncancel(): number;
  /** Aborts (reason: CancelledError) when the task is asked to cancel. */
  readonly signal: AbortSignal;
  /** What the task runs, as given to createTask (asyncio's get_coro); null for a C task (wa_task_get_coro). */
  getCoro(): unknown;
  /** The context it runs in, live (asyncio's get_context); null for a C task (wa_task_get_context). */
  getContext(): Context | null;
}

/** A scheduled callback. */
export declare class Handle {
  /** Scheduled time (time() clock) for callLater/callAt. */
  readonly when: number | undefined;
  cancel(): void;
  cancelled(): boolean;
}

/** Options of `run()`. */
export interface RunOptions {
  /** The main task's name (default "main"). */
  name?: string;
  /** ms to wait for leftover tasks after cancelling them before run() rejects naming them (default 5000; Infinity: no limit). */
  cleanupTimeout?: number;
}

export interface GatherOptions {
  /** Failures become results instead of rejecting the gather. */
  returnExceptions?: boolean;
}

export interface RuntimeOptions {
  /** URL of the Emscripten glue (X.mjs beside X.wasm) built with `build.sh cc`; default: the runtime in dist/. */
  module?: string | URL;
  /**
   * Where the module's .wasm is (default: X.wasm beside the glue X.mjs):
   * give it when a bundler or a CDN renamed it (e.g.
   * `new URL('./c/add.wasm', import.meta.url)`), or the compiled module.
   */
  wasm?: string | URL | WebAssembly.Module;
  /** Where unretrieved task failures and callback errors go (default console.error). */
  onError?: (error: unknown, context: { message: string; task?: Task }) => void;
  /** Extra Emscripten Module options (print, printErr, arguments ...). */
  moduleOptions?: Record<string, unknown>;
  /**
   * 'virtual' (for tests): time starts at 0 and, whenever nothing is ready and
   * no fetch or worker job is in flight, jumps to the next timer at once.
   * Default 'host'.
   */
  clock?: 'host' | 'virtual';
  /** asyncio.eager_task_factory: createTask starts every task eagerly unless its options say `eager: false`. Default false. */
  eagerTasks?: boolean;
  /** Debug mode: never-awaited operations, slow steps (slowMs, default 100), unreachable cancellations; warnings to warn (default console.warn). */
  debug?: boolean | { slowMs?: number; warn?: (message: string) => void };
}

export interface RuntimeStats {
  futures: number; tasks: number; handles: number; ready: number;
  stacksInUse: number; stacksPooled: number; stackBytes: number;
  jsTasks: number; views: number; opWaiters: number; callbacks: number; jsHandles: number;
  wasmBytes: number;
}

/** One wasm module instance with the wasyncio loop in it. */
export declare class Runtime {
  /** Load a module (default: dist/wasyncio.wasm) and attach a runtime. */
  static create(options?: RuntimeOptions): Promise<Runtime>;
  /** The Emscripten module (C exports are `M._wa_...`). */
  readonly M: any;
  time(): number;
  callSoon<A extends unknown[]>(fn: (...args: A) => void, ...args: A): Handle;
  callLater<A extends unknown[]>(ms: number, fn: (...args: A) => void, ...args: A): Handle;
  callAt<A extends unknown[]>(when: number, fn: (...args: A) => void, ...args: A): Handle;
  createTask<T>(fn: (task: Task) => TaskGenerator<T>, options?: TaskOptions): Task<T>;
  createTask<T>(fn: (task: Task) => T | PromiseLike<T>, options?: TaskOptions): Task<T>;
  /** A task that runs a generator object or waits for an awaitable. */
  createTask<T>(aw: TaskGenerator<T> | Awaitable<T>, options?: TaskOptions): Task<T>;
  /** Start C coroutine `name` (WA_EXPORT_CORO(name)) with a value argument. */
  spawnC<T = unknown>(name: string, arg?: unknown, options?: TaskOptions & { stackSize?: number }): Task<T>;
  /** Make fn callable from C with wa_js_call(name, arg, &future). */
  register(name: string, fn: (arg: any) => unknown): void;
  createFuture<T = unknown>(): Future<T>;
  /** asyncio.ensure_future: a Future/Task of this runtime as it is; a generator object, an Op or a promise in a new task. */
  ensureFuture<T>(aw: Future<T>): Future<T>;
  ensureFuture<T>(aw: TaskGenerator<T> | Awaitable<T>, options?: TaskOptions): Future<T>;
  /**
   * An operation that resolves with value after ms. `sleep(0)` alone, called from async code while the
   * loop runs, is a native promise for the loop's next turn, taken when called: await it where it is made.
   */
  sleep<T = undefined>(ms: number, value?: T, options?: OpOptions): Op<T>;
  /** `gather(a, b, c)`: the results in argument order. */
  gather<A extends readonly Awaitable[]>(...aws: A): Future<{ -readonly [K in keyof A]: Resolved<A[K]> }>;
  /** With returnExceptions, a failure is a result (typed `Error`: usually an Error, or whatever was thrown). */
  gather<A extends readonly Awaitable[]>(...args: [...aws: A, options: GatherOptions & { returnExceptions: true }]): Future<{ -readonly [K in keyof A]: Resolved<A[K]> | Error }>;
  gather<A extends readonly Awaitable[]>(...args: [...aws: A, options: GatherOptions]): Future<{ -readonly [K in keyof A]: Resolved<A[K]> }>;
  /** `gather(iterable, options)`: the results in iteration order. */
  gather<T>(aws: Iterable<Awaitable<T>>, options: GatherOptions & { returnExceptions: true }): Future<(T | Error)[]>;
  gather<T>(aws: Iterable<Awaitable<T>>, options?: GatherOptions): Future<T[]>;
  currentTask(): Task | null;
  allTasks(): Task[];
  /** Every task not yet done, one per line, with its await chain. */
  dumpTasks(): string;
  /** asyncio.run: run main, then cancel and await every task still alive. */
  run<T>(main: (task: Task) => TaskGenerator<T>, options?: RunOptions): Promise<T>;
  run<T>(main: (task: Task) => T | PromiseLike<T>, options?: RunOptions): Promise<T>;
  run<T>(main: TaskGenerator<T> | Awaitable<T>, options?: RunOptions): Promise<T>;
  stats(): RuntimeStats;
  /**
   * asyncio.Runner.close: cancel every task still alive and await them, shut
   * down the runtime's own worker pools, drop callbacks not yet run. Then
   * every method throws. Idempotent; rejects (InvalidStateError) from one of
   * its own tasks.
   */
  close(): Promise<void>;
  /** True once close() was called. */
  readonly closed: boolean;
  /** `await using rt = await Runtime.create()`: close() at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
  /** Start an HTTP request on the host's fetch (a runtime operation). */
  fetch(url: string | URL, init?: FetchInit): Op<FetchResponse>;
  fetchStats(): { responses: number; pending: number; hostHandles: number };
  /** Every task event from the scheduler until the returned function is called. */
  onTaskEvent(listener: (e: TaskEvent) => void): () => void;
  /** Record per-task waiting/running spans until stop(). */
  recordTimeline(): Timeline;
}

export interface TaskEvent {
  type: 'created' | 'started' | 'suspended' | 'resumed' | 'cancelling' | 'done';
  /** Task number: unique, increasing. */
  id: number;
  name: string;
  /** ms, time() clock */
  time: number;
  outcome?: 'ok' | 'failed' | 'cancelled';
  status?: number;
}

export interface TimelineTask {
  id: number;
  name: string;
  created: number;
  end: number | null;
  outcome: 'ok' | 'failed' | 'cancelled' | null;
  cancelRequested: number | null;
  spans: { state: 'waiting' | 'running'; from: number; to: number | null }[];
}

export interface Timeline {
  tasks: Map<number, TimelineTask>;
  start: number;
  stop(): void;
  clear(): void;
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | [string, string][] | Headers;
  body?: string | ArrayBuffer | ArrayBufferView | URLSearchParams;
  redirect?: 'follow' | 'error' | 'manual';
  /** ms for the whole exchange (response and body); 0 (the default): none */
  timeout?: number;
  /** most bytes text()/json()/bytes()/arrayBuffer() take, counted decompressed
   * (default 64 MiB; Infinity: none); past it they reject with ETOOBIG */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

/** A response from fetch(): status and headers at once, the body as operations. */
export declare class FetchResponse implements AsyncIterable<Uint8Array> {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly type: string;
  readonly redirected: boolean;
  readonly headers: Headers;
  readonly ok: boolean;
  readonly bodyUsed: boolean;
  withSignal(signal: AbortSignal): this;
  text(): Op<string>;
  json<T = any>(): Op<T>;
  bytes(): Op<Uint8Array>;
  arrayBuffer(): Op<ArrayBuffer>;
  /** Next chunk as it arrives, or null at the end. */
  read(maxBytes?: number): Op<Uint8Array | null>;
  close(): void;
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The default runtime behind the module-level functions (the package's
 * dist/wasyncio.wasm). It loads on the first run() or ready(), not at
 * import: null until then. Module-level functions other than run() work
 * inside run(), or after `await ready()`.
 */
export declare let runtime: Runtime | null;
/** Load the default runtime (once; later calls return the same promise). */
export declare function ready(): Promise<Runtime>;
export interface ConfigureOptions {
  /**
   * Where the package's assets are (wasyncio.wasm, wasyncio.mjs, worker.js,
   * worker.node.js, as in its dist/): for a bundler that does not emit the
   * files named by `new URL(…, import.meta.url)` (esbuild), or a CDN.
   * Relative to the page (browsers) or the current directory (Node); null:
   * next to the code (the default). Set it before the default runtime
   * loads and before a WorkerPool starts a worker.
   */
  assetsURL?: string | URL | null;
}
/** Package settings; call it before the first use. */
export declare function configure(options: ConfigureOptions): void;
export declare const run: Runtime['run'];
export declare const createTask: Runtime['createTask'];
export declare const sleep: Runtime['sleep'];
export declare const gather: Runtime['gather'];
export declare const currentTask: Runtime['currentTask'];
export declare const allTasks: Runtime['allTasks'];
export declare const createFuture: Runtime['createFuture'];
export declare const ensureFuture: Runtime['ensureFuture'];
export declare const callSoon: Runtime['callSoon'];
export declare const callLater: Runtime['callLater'];
export declare const callAt: Runtime['callAt'];
export declare const time: Runtime['time'];
export declare const fetch: Runtime['fetch'];

// ---------------------------------------------------------------------------
// Executor (issue 7): WorkerPool, toThread, runInExecutor
// ---------------------------------------------------------------------------

export interface WorkerPoolOptions {
  /** Workers kept even when idle (default 0). */
  min?: number;
  /** Most workers (default: number of cores, at least min). */
  max?: number;
  /** ms an idle worker above min lives (default 10000; Infinity: forever). */
  idleTimeout?: number;
  /** Jobs that may wait for a worker (default Infinity; 0: none). Further submissions wait for room. */
  maxQueue?: number;
  /** ms a cancelled running job has to stop before its worker is terminated and replaced (default 1000). */
  cancelGrace?: number;
  /** Default module of JS jobs (URL of an ES module). */
  module?: string | URL;
  /** Modules every worker imports when it starts (warm-up). */
  preload?: (string | URL)[];
  /** C stack of a C job in a worker, bytes (default 262144). */
  stackSize?: number;
  /** Worker name prefix, for Node's worker_threads (default 'wasyncio'); browsers' workers stay unnamed, so bundlers can recognise the literal `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`. */
  name?: string;
  /** Per worker, MiB (16..65536): its wasm memories cannot grow past it (malloc returns
   * NULL); in Node its JS heap is capped too (past it the job fails with EABORTED). */
  memoryLimitMb?: number;
  /** Gets what a job left behind (a timer that threw, an unhandled rejection); no job
   * fails for it and the worker is replaced. Default: console.error. */
  onStrayError?: (error: Error) => void;
}

export interface PoolRunOptions {
  /** Module exporting the function (default: the pool's `module`). */
  module?: string | URL;
  /** Cancels the job when it aborts. */
  signal?: AbortSignal;
}

export interface WorkerPoolStats {
  workers: number; idle: number; busy: number; starting: number;
  queued: number; waiting: number; running: number;
  completed: number; failed: number; cancelled: number; crashed: number; started: number;
  /** errors jobs left behind (see onStrayError) */
  strayErrors: number;
}

/**
 * A submitted job, as awaitable: `await` gives a promise; yielded in a
 * generator task or gathered, it is a runtime operation (cancelling the
 * task cancels the job). May be awaited several times.
 */
export declare class PoolOp<T = unknown> implements PromiseLike<T> {
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R>;
  finally(onFinally?: (() => void) | null): Promise<T>;
}

/** A job accepted into a pool's queue (what submit() resolves to). Not a thenable. */
export declare class Job<T = unknown> {
  readonly id: number;
  readonly state: 'queued' | 'running' | 'done';
  done(): boolean;
  cancelled(): boolean;
  /** Cancel: a queued job is removed; a running one is told, then terminated after cancelGrace. */
  cancel(msg?: string): boolean;
  /** The job's result. */
  result(): PoolOp<T>;
}

/** A pool of Web Workers (browsers) or worker_threads (Node). */
export declare class WorkerPool {
  constructor(options?: WorkerPoolOptions);
  readonly options: Required<Omit<WorkerPoolOptions, 'module'>> & { module?: string };
  readonly closed: boolean;
  /**
   * Run the JS function exported as `name` in a worker: `fn.apply({ signal, id }, args)`.
   * Submitted at once (waiting for room in the queue if it is full).
   */
  run<T = unknown>(name: string, args?: unknown[], options?: PoolRunOptions): PoolOp<T>;
  /** Submit; resolves to a Job once accepted into the queue (backpressure). */
  submit<T = unknown>(name: string, args?: unknown[], options?: PoolRunOptions): PoolOp<Job<T>>;
  /** No new jobs; cancelPending cancels jobs not yet running; resolves when all settled and workers exited (wait, default true). */
  shutdown(options?: { wait?: boolean; cancelPending?: boolean }): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  stats(): WorkerPoolStats;
}

/** A runtime operation running a pool job (lazy: starts when awaited). */
export declare class ExecOp<T = unknown> extends Op<T> {}

/** The default pool, for blocking calls: min 0, max = min(32, cores + 4) like asyncio's default executor; made on first use (again after shutdown). */
export declare function defaultPool(): WorkerPool;
/** Replace the default pool. */
export declare function setDefaultPool(pool: WorkerPool): void;
/** Logical cores of this machine. */
export declare function cpuCount(): number;
/** Move (not copy) value's buffer (or the listed transferables) to the other thread. */
export declare function transfer<T>(value: T, list?: readonly object[]): T;

export interface ExecOptions {
  /** Withdraw the job when this aborts. */
  signal?: AbortSignal;
}

/** Merged into class Runtime (installed by bindings/executor.js). */
export interface Runtime {
  /**
   * loop.run_in_executor for C: run C job `fn` (WA_EXPORT_JOB name or table
   * index) of this runtime's module on bytes in a worker; resolves to the output.
   * pool null: the default pool. bytes are copied unless wrapped in transfer().
   */
  runInExecutor(pool: WorkerPool | null, fn: string | number, bytes?: ArrayBuffer | ArrayBufferView, options?: ExecOptions): ExecOp<Uint8Array>;
  /** asyncio.to_thread for JS: the default pool runs `module`'s export `name` with args. */
  toThread<T = unknown>(module: string | URL, name: string, ...args: unknown[]): ExecOp<T>;
}
export declare const toThread: Runtime['toThread'];
export declare const runInExecutor: Runtime['runInExecutor'];

// ---------------------------------------------------------------------------
// Combinators (issue 4): wait, waitFor, asCompleted, shield, timeout scopes,
// TaskGroup (bindings/combinators.js)
// ---------------------------------------------------------------------------

/** asyncio.wait's returnWhen values. */
export declare const FIRST_COMPLETED: 'FIRST_COMPLETED';
export declare const FIRST_EXCEPTION: 'FIRST_EXCEPTION';
export declare const ALL_COMPLETED: 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

export interface WaitOptions extends OpOptions {
  /** ms; null/undefined: none. A timeout cancels nothing. */
  timeout?: number | null;
  /** Default ALL_COMPLETED. */
  returnWhen?: ReturnWhen;
}

/** What wait() resolves to: the same Task/Future objects, in argument order. */
export interface WaitResult<F extends Future = Future> {
  done: Set<F>;
  pending: Set<F>;
}

/**
 * A block with a scope: `yield*` it in a generator task, `await` it in async
 * code. Runs once.
 */
export interface ScopeRun<T> extends PromiseLike<T>, Iterable<Awaitable> {
  [Symbol.iterator](): Generator<Awaitable, T, any>;
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R>;
  finally(onFinally?: (() => void) | null): Promise<T>;
}

export interface ScopeOptions {
  /** The task the scope belongs to (async code; default: the running task). */
  task?: Task;
  /**
   * The signal of the owning task or of an enclosing scope (names the owner
   * and nests the scope in that one), or any other AbortSignal, which
   * cancels the scope: it then ends with a CancelledError (cause: the
   * reason) and the task goes on.
   */
  signal?: AbortSignal;
}

/**
 * A body run in a scope: a generator function (generator tasks) or an
 * async/plain function. (The functions taking one are overloaded per kind,
 * so that the result type is inferred.)
 */
export type ScopeBody<S, T> =
  | ((scope: S) => Generator<Awaitable, T, any>)
  | ((scope: S) => PromiseLike<T>)
  | ((scope: S) => T);

/** The scopes' common face. */
export interface ScopeBase {
  /** Aborts when the scope is cancelled: its deadline, its group's first failure, an enclosing scope, the task's cancellation, the external signal. */
  readonly signal: AbortSignal;
  /** The task the scope belongs to. */
  readonly task: Task;
  /** Effective deadline of the code in the scope (runtime.time() ms; Infinity: none; NaN when not entered). */
  readonly deadline: number;
}

/** A timeout scope (asyncio.Timeout), given to the body of timeout() / timeoutAt(). */
export declare class Timeout implements ScopeBase {
  private constructor();
  readonly signal: AbortSignal;
  readonly task: Task;
  readonly deadline: number;
  /** The scope's own deadline (runtime.time() ms; Infinity: none). */
  when(): number;
  /** Move the deadline (null/Infinity: none; the past: expires at once). InvalidStateError once expired or exited. */
  reschedule(when: number | null): void;
  /** True if the deadline passed while the scope was entered. */
  expired(): boolean;
}

/**
 * asyncio.as_completed: an async iterable of the Tasks/Futures given (other
 * awaitables wrapped in tasks), in completion order. next() is a runtime
 * operation (`yield it.next()` in generator tasks). At the timeout next()
 * rejects with TimeoutError and the iterator closes.
 */
export declare class AsCompleted<F extends Future = Future> implements AsyncIterable<F> {
  private constructor();
  /** A runtime operation (awaitable, or yieldable in a generator task). */
  next(): Op<IteratorResult<F, undefined>>;
  return(value?: unknown): Promise<IteratorResult<F, undefined>>;
  /** Futures still to come (or time out). */
  readonly remaining: number;
  /** Withdraw from the futures (cancels none); pending next()s end with done. */
  close(): void;
  /** The iterator itself (its next() is a thenable operation). */
  [Symbol.asyncIterator](): AsyncIterator<F, undefined>;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TaskGroupOptions extends ScopeOptions {
  /** Default: the package's runtime. */
  runtime?: Runtime;
}

// ---------------------------------------------------------------------------
// Synchronization primitives and queues (issue 5): bindings/sync.js
// ---------------------------------------------------------------------------

/** asyncio's ValueError: a BoundedSemaphore released too often, taskDone() called too often. Code EVALUE. */
export declare class ValueError extends WasyncioError {
  constructor(message?: string, options?: ErrorInit);
}

export interface SyncOptions {
  /** The runtime the object lives on (default: the default runtime of the module-level API). */
  runtime?: Runtime;
}

/**
 * asyncio.TaskGroup. Leaving waits for every task; the first failure cancels
 * the others and the body; failures are thrown together as an AggregateError
 * (the original errors, children's in completion order, then the body's);
 * a cancellation from outside propagates.
 */
export declare class TaskGroup implements ScopeBase {
  constructor(options?: TaskGroupOptions);
  readonly signal: AbortSignal;
  readonly task: Task;
  readonly deadline: number;
  /** Tasks of the group not yet done. */
  readonly size: number;
  /** Run body(tg) in the group (yield* / await). */
  run<T>(body: (tg: TaskGroup) => TaskGenerator<T>): ScopeRun<T>;
  run<T>(body: (tg: TaskGroup) => T | PromiseLike<T>): ScopeRun<T>;
  /** Enter now (async code): the owner is options.task or the task of options.signal. */
  enter(): this;
  /** Leave a group entered with enter(); error: the body's failure. */
  exit(error?: unknown): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  /** Start a task in the group. InvalidStateError if not entered, finished or shutting down (the task never runs). */
  createTask<T>(fn: (task: Task) => TaskGenerator<T>, options?: TaskOptions): Task<T>;
  createTask<T>(fn: (task: Task) => T | PromiseLike<T>, options?: TaskOptions): Task<T>;
  /** A task that runs a generator object or waits for an awaitable. */
  createTask<T>(aw: TaskGenerator<T> | Awaitable<T>, options?: TaskOptions): Task<T>;
}

/** Merged into class Runtime (installed by bindings/combinators.js). */
export interface Runtime {
  /** asyncio.wait: resolves to { done, pending } (Sets of the same objects). Cancels nothing. */
  wait<F extends Future>(aws: Iterable<F>, options?: WaitOptions): Op<WaitResult<F>>;
  /**
   * asyncio.wait_for: aw's result, or TimeoutError after ms once aw (cancelled
   * at the deadline) is done; a result arriving with the deadline is kept.
   * ms null: no limit.
   */
  waitFor<A>(aw: A, ms: number | null, options?: OpOptions): Op<Resolved<A>>;
  /** asyncio.as_completed (async iterable; timeout in ms). */
  asCompleted<F extends Future = Task>(aws: Iterable<Awaitable>, options?: { timeout?: number | null; signal?: AbortSignal }): AsCompleted<F>;
  /** asyncio.shield: cancelling the returned future (or its awaiter) leaves aw running. A done Future is returned as is. */
  shield<A>(aw: A, options?: OpOptions): Future<Resolved<A>>;
  /** asyncio.timeout: run body(scope) with a deadline ms from now (null: none). */
  timeout<T>(ms: number | null, body: (scope: Timeout) => TaskGenerator<T>, options?: ScopeOptions): ScopeRun<T>;
  timeout<T>(ms: number | null, body: (scope: Timeout) => T | PromiseLike<T>, options?: ScopeOptions): ScopeRun<T>;
  /** asyncio.timeout_at: deadline in runtime.time() ms. */
  timeoutAt<T>(when: number | null, body: (scope: Timeout) => TaskGenerator<T>, options?: ScopeOptions): ScopeRun<T>;
  timeoutAt<T>(when: number | null, body: (scope: Timeout) => T | PromiseLike<T>, options?: ScopeOptions): ScopeRun<T>;
  /** Run body(tg) in a new TaskGroup. */
  taskGroup<T>(body: (tg: TaskGroup) => TaskGenerator<T>, options?: ScopeOptions): ScopeRun<T>;
  taskGroup<T>(body: (tg: TaskGroup) => T | PromiseLike<T>, options?: ScopeOptions): ScopeRun<T>;
  /** Effective deadline of a task (default: the running one); Infinity: none. */
  currentDeadline(task?: Task): number;
}
export declare const wait: Runtime['wait'];
export declare const waitFor: Runtime['waitFor'];
export declare const asCompleted: Runtime['asCompleted'];
export declare const shield: Runtime['shield'];
export declare const timeout: Runtime['timeout'];
export declare const timeoutAt: Runtime['timeoutAt'];
export declare const taskGroup: Runtime['taskGroup'];
export declare const currentDeadline: Runtime['currentDeadline'];

/**
 * Base of the primitives: one C object on one runtime. Holds C memory until
 * destroy() (or `using`); a forgotten object is destroyed when garbage-collected.
 */
declare abstract class SyncObject {
  /** The runtime it lives on. */
  readonly runtime: Runtime;
  /** Address of the C object (wa_queue_t * ...) for C code of the same module; 0 once destroyed. */
  readonly ptr: number;
  readonly destroyed: boolean;
  /**
   * Free the C object. Pending operations end at once: queue operations with
   * QueueShutDown, the others with a WasyncioError (code ESHUTDOWN). Idempotent.
   */
  destroy(): void;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** asyncio.Lock: a FIFO mutex for tasks. */
export declare class Lock extends SyncObject {
  constructor(options?: SyncOptions);
  /** Resolves true once held. */
  acquire(options?: OpOptions): Op<true>;
  /** InvalidStateError if not locked. */
  release(): void;
  locked(): boolean;
  /** Hold the lock while fn runs (generator fn: use with `yield*` in a generator task). */
  with<T>(fn: () => Generator<Awaitable, T, any>): Generator<Awaitable, T, any>;
  with<T>(fn: () => T | PromiseLike<T>, options?: OpOptions): Promise<T>;
}

/** asyncio.Event. */
export declare class Event extends SyncObject {
  constructor(options?: SyncOptions);
  /** Resolves true once the event is set. */
  wait(options?: OpOptions): Op<true>;
  set(): void;
  clear(): void;
  isSet(): boolean;
}

/** asyncio.Condition over its own Lock or a shared one. */
export declare class Condition extends SyncObject {
  constructor(lock?: Lock | null, options?: SyncOptions);
  constructor(options: SyncOptions);
  acquire(options?: OpOptions): Op<true>;
  release(): void;
  locked(): boolean;
  /** Release the lock, wait for a notification, re-acquire it. InvalidStateError if the lock is not held. */
  wait(options?: OpOptions): Op<true>;
  /** Wait until predicate() is truthy (checked in the scheduler with the lock held); resolves with its value. */
  waitFor<T>(predicate: () => T, options?: OpOptions): Op<T>;
  /** Wake up to n waiters (default 1); returns how many. The lock must be held. */
  notify(n?: number): number;
  notifyAll(): number;
  with<T>(fn: () => Generator<Awaitable, T, any>): Generator<Awaitable, T, any>;
  with<T>(fn: () => T | PromiseLike<T>, options?: OpOptions): Promise<T>;
}

/** asyncio.Semaphore. */
export declare class Semaphore extends SyncObject {
  /** value: initial slots, an integer >= 0 (default 1). */
  constructor(value?: number, options?: SyncOptions);
  acquire(options?: OpOptions): Op<true>;
  release(): void;
  locked(): boolean;
  /** Slots free now. */
  readonly value: number;
  with<T>(fn: () => Generator<Awaitable, T, any>): Generator<Awaitable, T, any>;
  with<T>(fn: () => T | PromiseLike<T>, options?: OpOptions): Promise<T>;
}

/** asyncio.BoundedSemaphore: release() above the initial value throws ValueError. */
export declare class BoundedSemaphore extends Semaphore {}

/** asyncio.Barrier. */
export declare class Barrier extends SyncObject {
  /** parties: an integer >= 1. */
  constructor(parties: number, options?: SyncOptions);
  /** Resolves with the arrival index (0 .. parties-1); BrokenBarrierError if broken or reset. */
  wait(options?: OpOptions): Op<number>;
  reset(): void;
  abort(): void;
  readonly parties: number;
  readonly nWaiting: number;
  readonly broken: boolean;
}

export interface QueueOptions extends SyncOptions {
  /** 0 or Infinity: unbounded (default). */
  maxsize?: number;
}

/**
 * asyncio.Queue (CPython 3.14's; shutdown from 3.13). Items are any JS values (numbers,
 * strings, bytes ... copied; other objects cross as handles: the same object
 * comes back); C tasks see them as wa_value_t *.
 */
export declare class Queue<T = any> extends SyncObject implements AsyncIterable<T> {
  constructor(options?: QueueOptions | number);
  readonly maxsize: number;
  /** Waits while full; QueueShutDown once shut down. */
  put(item: T, options?: OpOptions): Op<void>;
  /** QueueFull / QueueShutDown. */
  putNowait(item: T): void;
  /** Waits while empty; QueueShutDown once shut down and empty. */
  get(options?: OpOptions): Op<T>;
  /** QueueEmpty / QueueShutDown. */
  getNowait(): T;
  /** ValueError if called more often than items were put. */
  taskDone(): void;
  join(options?: OpOptions): Op<void>;
  qsize(): number;
  empty(): boolean;
  full(): boolean;
  /** Python 3.13's shutdown(immediate). */
  shutdown(immediate?: boolean): void;
  /** Items as they come; ends when the queue is shut down and empty. Does not call taskDone(). */
  iter(options?: OpOptions): AsyncGenerator<T, void, undefined>;
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined>;
}

/** asyncio.LifoQueue. */
export declare class LifoQueue<T = any> extends Queue<T> {}

/** asyncio.PriorityQueue: lowest priority first; ties keep insertion order. */
export declare class PriorityQueue<T = any> extends Queue<T> {
  /** priority: a number, lower first (default 0). */
  put(item: T, priority?: number, options?: OpOptions): Op<void>;
  /** Priority 0. */
  put(item: T, options?: OpOptions): Op<void>;
  putNowait(item: T, priority?: number): void;
}

/** Merged into class Runtime (installed by bindings/sync.js). */
export interface Runtime {
  /** Live synchronization objects and bytes of the C heap in use (leak checks). */
  syncStats(): { objects: number; heapBytes: number };
}

// ---- async context managers and async iteration (context.js, iterate.js) ----

/** The value a generator-style context manager hands to the body: `yield provide(value)`. */
export declare function provide<T>(value: T): { readonly value: T };

/** One use of an async context manager (Python's @asynccontextmanager). */
export declare class AsyncContextManager<T = any> {
  /** Run the manager up to its yield; resolves to the provided value. */
  enter(): PromiseLike<T>;
  /** Resume the manager after the body (with the body's error, if any): true if it suppressed the error. */
  exit(error?: unknown): PromiseLike<boolean>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Make an async context manager from an async generator function or a generator-task-style generator function. */
export declare function asyncContextManager<A extends any[], T>(
  factory: ((...args: A) => AsyncGenerator<T, void, any>) | ((...args: A) => Generator<any, void, any>),
  options?: { runtime?: Runtime },
): (...args: A) => AsyncContextManager<T>;

/** `async with cm as v: body(v)`: a generator (for `yield*`) for a generator body, else a promise. */
export declare function withContext<T, R>(cm: AsyncContextManager<T>, body: (value: T) => Generator<any, R, any>): Generator<any, R | undefined, any>;
export declare function withContext<T, R>(cm: AsyncContextManager<T>, body: (value: T) => R | PromiseLike<R>): Promise<R | undefined>;

/** Python's aiter: the async iterator of x. */
export declare function aiter<T>(x: AsyncIterable<T> | Iterable<T | PromiseLike<T>>): AsyncIterableIterator<T>;
/** Python's anext: an awaitable of the next step, `{ value, done }`. */
export declare function anext<T>(it: AsyncIterator<T>): PromiseLike<IteratorResult<T>>;
/** `async for v in source: body(v)`: a generator (for `yield*`) for a generator body, else a promise. */
export declare const forAwait: {
  <T>(source: AsyncIterable<T> | Iterable<T>, body: (value: T) => Generator<any, unknown, any>): Generator<any, void, any>;
  <T>(source: AsyncIterable<T> | Iterable<T>, body: (value: T) => unknown): Promise<void>;
  /** Returned by a body: stop the loop. */
  readonly BREAK: unique symbol;
};

// ---- files (files.js) ----

export interface FileStat {
  size: number;
  /** Last modification, ms since the epoch (0: unknown, e.g. OPFS directories). */
  mtimeMs: number;
  isDirectory: boolean;
  isFile: boolean;
}

/** An open file (files.open). */
export declare class FileHandle implements AsyncIterable<Uint8Array> {
  readonly path: string;
  readonly mode: string;
  readonly closed: boolean;
  /** The next chunk at the position (at most maxBytes, default 64 KiB), or null at the end. */
  read(maxBytes?: number, options?: OpOptions): Op<Uint8Array | null>;
  /** Resolves to the number of bytes written. */
  write(data: string | ArrayBuffer | ArrayBufferView, options?: OpOptions): Op<number>;
  close(): Op<void>;
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined>;
  [Symbol.asyncDispose](): Promise<void>;
}

export type OpenMode = 'r' | 'r+' | 'w' | 'w+' | 'a' | 'a+' | 'wx' | 'wx+' | 'ax';

/** Files and directories on the host: node:fs under Node, OPFS in browsers. */
export declare class Files {
  open(path: string, mode?: OpenMode, options?: OpOptions): Op<FileHandle>;
  readFile(path: string, options: OpOptions & { encoding: 'utf8' | 'utf-8' }): Op<string>;
  readFile(path: string, options?: OpOptions): Op<Uint8Array>;
  writeFile(path: string, data: string | ArrayBuffer | ArrayBufferView, options?: OpOptions): Op<void>;
  stat(path: string, options?: OpOptions): Op<FileStat>;
  exists(path: string): Promise<boolean>;
  list(path: string, options?: OpOptions): Op<string[]>;
  remove(path: string, options?: OpOptions & { recursive?: boolean }): Op<void>;
  mkdir(path: string, options?: OpOptions & { recursive?: boolean }): Op<void>;
  rename(from: string, to: string, options?: OpOptions): Op<void>;
}

export interface Runtime {
  /** Files and directories on the host. */
  readonly files: Files;
}
export declare const files: Files;

// ---- client sessions and retry (session.js, retry.js) ----

export interface ClientTimeout {
  /** The whole exchange, body included (ms; null: none). */
  total?: number | null;
  /** Until the response headers arrive (ms). */
  connect?: number | null;
  /** Each body read (ms). */
  read?: number | null;
}

export interface ClientSessionOptions {
  baseUrl?: string | URL;
  headers?: Record<string, string> | [string, string][] | Headers;
  /** Keep a cookie jar (default true). */
  cookies?: boolean;
  /** Requests in flight at once (default 100; 0: no limit). */
  limit?: number;
  /** Requests in flight to one host (default 0: no limit). */
  limitPerHost?: number;
  timeout?: ClientTimeout;
  runtime?: Runtime;
}

export interface SessionRequestInit extends OpOptions {
  headers?: Record<string, string> | [string, string][] | Headers;
  body?: string | ArrayBuffer | ArrayBufferView | URLSearchParams;
  json?: unknown;
  params?: Record<string, string | number | boolean>;
  redirect?: 'follow' | 'error' | 'manual';
  timeout?: ClientTimeout;
}

export declare class SessionResponse implements AsyncIterable<Uint8Array> {
  readonly response: FetchResponse;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: Headers;
  readonly ok: boolean;
  text(): Task<string>;
  json<T = any>(): Task<T>;
  bytes(): Task<Uint8Array>;
  arrayBuffer(): Task<ArrayBuffer>;
  read(maxBytes?: number): Task<Uint8Array | null>;
  close(): void;
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined>;
  [Symbol.asyncDispose](): Promise<void>;
}

export declare class ClientSession {
  constructor(options?: ClientSessionOptions);
  readonly closed: boolean;
  readonly cookies: { get(host: string): Record<string, string> } | null;
  request(method: string, url: string | URL, init?: SessionRequestInit): Task<SessionResponse>;
  get(url: string | URL, init?: SessionRequestInit): Task<SessionResponse>;
  head(url: string | URL, init?: SessionRequestInit): Task<SessionResponse>;
  post(url: string | URL, init?: SessionRequestInit): Task<SessionResponse>;
  put(url: string | URL, init?: SessionRequestInit): Task<SessionResponse>;
  patch(url: string | URL, init?: SessionRequestInit): Task<SessionResponse>;
  delete(url: string | URL, init?: SessionRequestInit): Task<SessionResponse>;
  close(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface RetryOptions {
  attempts?: number;
  baseDelay?: number;
  factor?: number;
  maxDelay?: number;
  jitter?: boolean;
  retryOn?: (error: unknown) => boolean;
  retryStatus?: number[];
  onRetry?: (attempt: number, failure: unknown, delay: number) => void;
  random?: () => number;
  runtime?: Runtime;
}
/** Run fn() again after a retryable failure, with exponential backoff and jitter. */
export declare function retry<T>(fn: () => Awaitable<T> | Generator<any, T, any>, options?: RetryOptions): Task<T>;
/** The delay before attempt n + 1. */
export declare function backoffDelay(n: number, options?: Pick<RetryOptions, 'baseDelay' | 'factor' | 'maxDelay' | 'jitter' | 'random'>): number;

// ---- HTTP server under Node (web.js) ----

/** Answer a request with an error status: `throw new HttpError(404, 'no such item')`. */
export declare class HttpError extends Error {
  constructor(status: number, message?: string, options?: ErrorInit);
  readonly status: number;
}

export type WebBody = string | Uint8Array | ArrayBuffer | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> | null | undefined;

export declare class WebResponse {
  constructor(body?: WebBody, init?: { status?: number; headers?: Record<string, string> });
  status: number;
  headers: Record<string, string>;
  body: WebBody;
  static json(value: unknown, init?: { status?: number; headers?: Record<string, string> }): WebResponse;
}

export declare class WebRequest implements AsyncIterable<Uint8Array> {
  readonly method: string;
  readonly url: URL;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Aborts when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json<T = any>(): Promise<T>;
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined>;
}

export type WebHandler =
  | ((req: WebRequest) => unknown)
  | ((req: WebRequest) => Generator<any, unknown, any>)
  | { c: string };

export declare class WebServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly activeRequests: number;
  /** Stop accepting, wait for handlers up to `deadline` ms (default 5000), then cancel the rest. */
  close(options?: { deadline?: number }): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export declare class WebApp {
  constructor(options?: { runtime?: Runtime; onError?: (error: unknown, req: WebRequest) => void });
  route(method: string, pattern: string, handler: WebHandler): this;
  get(pattern: string, handler: WebHandler): this;
  post(pattern: string, handler: WebHandler): this;
  put(pattern: string, handler: WebHandler): this;
  patch(pattern: string, handler: WebHandler): this;
  delete(pattern: string, handler: WebHandler): this;
  /** Node only (node:http). */
  listen(options?: { port?: number; host?: string }): Promise<WebServer>;
}

// ---- WebSocket (websocket.js) ----

export declare class WebSocketClosed {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

export declare class WebSocketConnection implements AsyncIterable<string | Uint8Array> {
  readonly protocol: string;
  readonly closeInfo: WebSocketClosed | null;
  readonly closed: Promise<WebSocketClosed>;
  /** Messages waiting in the receive buffer. */
  readonly buffered: number;
  readonly bufferedAmount: number;
  /** The next message, or null once closed and drained. */
  receive(options?: OpOptions): Task<string | Uint8Array | null>;
  /** Waits while more than highWaterMark bytes wait to be sent. */
  send(data: string | ArrayBuffer | ArrayBufferView): Task<void>;
  close(code?: number, reason?: string): Promise<WebSocketClosed>;
  [Symbol.asyncIterator](): AsyncGenerator<string | Uint8Array, void, undefined>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface WebSocketOptions extends OpOptions {
  protocols?: string[];
  /** Messages buffered before the socket is paused (default 64). */
  maxQueue?: number;
  /** Bytes waiting to be sent before send() waits (default 1 MiB). */
  highWaterMark?: number;
  /** Extra handshake headers (Node only). */
  headers?: Record<string, string>;
  runtime?: Runtime;
}

export declare function connectWebSocket(url: string | URL, options?: WebSocketOptions): Task<WebSocketConnection>;

export interface WebApp {
  /** A WebSocket route: handler(ws, req) runs as a task once upgraded. */
  ws(pattern: string, handler: (ws: WebSocketConnection, req: WebRequest) => unknown, options?: { protocols?: string[]; maxQueue?: number; highWaterMark?: number }): this;
}

/** asyncio contextvars.Context: the values of the ContextVars. */
export declare class Context {
  constructor();
  /** Run fn in this context (synchronously). */
  run<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): R;
  get<T>(v: ContextVar<T>, dflt?: T): T | undefined;
  has(v: ContextVar<unknown>): boolean;
  copy(): Context;
}
/** What ContextVar.set returns, for reset(). */
export declare class Token<T = unknown> {
  static readonly MISSING: unique symbol;
  readonly var: ContextVar<T>;
  readonly oldValue: T | typeof Token.MISSING;
}
/**
 * asyncio contextvars.ContextVar: a value per task (copied at task creation,
 * kept across yields and, under Node, across awaits) and per callback.
 */
export declare class ContextVar<T = unknown> {
  constructor(name: string, options?: { default?: T });
  readonly name: string;
  /** The value here; else dflt if given; else the default; else a RangeError. */
  get(dflt?: T): T;
  set(value: T): Token<T>;
  reset(token: Token<T>): void;
}
/** asyncio contextvars.copy_context(). */
export declare function copyContext(): Context;
