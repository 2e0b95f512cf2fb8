// Argument errors and status codes (bindings/errors.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTask, sleep, gather, callSoon, callLater, callAt, runtime, WasyncioError, codes,
} from '../../bindings/index.js';

test('wrong arguments throw TypeError / RangeError naming the argument', () => {
  assert.throws(() => createTask(123), { name: 'TypeError', message: /createTask\(fn\)/ });
  assert.throws(() => createTask(function* () {}, { name: 5 }), { name: 'TypeError', message: /options\.name/ });
  assert.throws(() => createTask(function* () {}, { signal: {} }), { name: 'TypeError', message: /signal/ });
  assert.throws(() => sleep(-1), { name: 'RangeError', message: /ms must be >= 0/ });
  assert.throws(() => sleep(NaN), { name: 'RangeError' });
  assert.throws(() => sleep('1'), { name: 'TypeError', message: /ms must be a number/ });
  assert.throws(() => sleep(1, 0, { signal: 'x' }), { name: 'TypeError', message: /options\.signal/ });
  assert.throws(() => callSoon('nope'), { name: 'TypeError', message: /fn must be a function/ });
  assert.throws(() => callLater(-5, () => {}), { name: 'RangeError', message: /ms must be >= 0/ });
  assert.throws(() => callAt(NaN, () => {}), { name: 'RangeError', message: /when/ });
  assert.throws(() => gather(5), { name: 'TypeError', message: /gather: argument 0/ });
  assert.throws(() => runtime.spawnC('nope'), { name: 'TypeError', message: /no C coroutine "nope"/ });
  assert.throws(() => runtime.register('', () => {}), TypeError);
  assert.equal(runtime.stats().tasks, 0, 'nothing was created by the failed calls');
});

test('status codes map to error classes', () => {
  assert.equal(codes.ECANCELLED, -1);
  const e = new WasyncioError('x', codes.ENETWORK);
  assert.equal(e.codeName, 'ENETWORK');
  assert.ok(e instanceof Error);
});
