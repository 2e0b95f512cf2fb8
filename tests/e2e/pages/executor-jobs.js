// JS jobs for the executor tests (Node and Chromium) and the benchmark.
// Each runs in a pool worker: `this` is { id, signal }.

export function add(a, b) {
  return a + b;
}

export function tiny(i) {
  return i * 2;
}

export async function slowAdd(a, b, ms = 20) {
  await new Promise((r) => setTimeout(r, ms));
  return a + b;
}

export function boom(msg) {
  const e = new RangeError(msg);
  throw e;
}

/** Returns the sum of the bytes and the buffer back (moved, not copied). */
export function sumBytes(buf) {
  const u = new Uint8Array(buf);
  let s = 0;
  for (const x of u) s += x;
  return { sum: s, length: u.length };
}

/** Waits until its signal aborts (cooperative), then throws the reason. */
export function waitForAbort() {
  const { signal } = this;
  return new Promise((resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    setTimeout(() => resolve('not cancelled'), 10000);
  });
}

/** Blocks its thread for ms, ignoring cancellation. */
export function block(ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) { /* spin */ }
  return 'blocked ' + ms;
}

/** Ends its own worker: process.exit in Node, self.close() in browsers. */
export async function die() {
  if (typeof process === 'object' && process.versions?.node) process.exit(7);
  self.close();
  await new Promise(() => {});
}

/** CPU-bound: FNV-1a over a small buffer `rounds` times (as the C crunch job). */
export function crunch(rounds, size = 1024) {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = i & 255;
  let h = 2166136261;
  for (let r = 0; r < rounds; r++) {
    h = (h ^ r) >>> 0;
    for (let i = 0; i < size; i++) h = Math.imul(h ^ data[i], 16777619) >>> 0;
  }
  return h;
}

const seen = [];
/**
 * A blocking call that holds its worker without using a core, as Python's
 * time.sleep does (Node workers; browsers need cross-origin isolation for
 * SharedArrayBuffer).
 */
export function sleepBlocking(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
}

/**
 * Arrives at a rendezvous of n jobs (cells: an Int32Array on a
 * SharedArrayBuffer, cell 0 counts arrivals) and blocks until all n have
 * arrived or ms have passed: true if they all met, i.e. all n ran at once.
 */
export function rendezvous(cells, n, ms) {
  Atomics.add(cells, 0, 1);
  Atomics.notify(cells, 0);
  const end = Date.now() + ms;
  for (;;) {
    const seen = Atomics.load(cells, 0);
    if (seen >= n) return true;
    const left = end - Date.now();
    if (left <= 0) return false;
    Atomics.wait(cells, 0, seen, left);
  }
}

/** Records tag in this worker's list (optionally blocking ms first). */
export function mark(tag, ms = 0) {
  if (ms) block(ms);
  seen.push(tag);
  return tag;
}
/** The tags this worker has recorded. */
export function marks() {
  return seen.slice();
}

/** Returns its argument's buffer, moved back (transfer marker made without imports). */
export function bounce(buf) {
  return { [Symbol.for('wasyncio.transfer')]: [buf], value: buf };
}

/** Returns at once, leaving a timer that throws after ms (a leftover of a finished job). */
export function leaveThrowingTimer(ms = 30) {
  setTimeout(() => { throw new Error('thrown by a leftover timer'); }, ms);
  return 'left a timer';
}

/** Returns at once, leaving a promise rejected with nobody listening. */
export function leaveRejection() {
  Promise.reject(new Error('a leftover rejection'));
  return 'left a rejection';
}

/** Allocates JS memory without bound (for the pool's memoryLimitMb). */
export function hog() {
  const keep = [];
  for (;;) keep.push(new Array(1 << 16).fill(keep.length));
}
