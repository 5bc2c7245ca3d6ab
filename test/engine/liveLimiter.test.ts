// The live limiter on its own (p-limit's concurrency setter, with pause and abort): who gets a
// slot when the limit rises, falls below what is active, is paused, or a waiter gives up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveLimiter } from '../../electron/engine/liveLimiter.ts';

/** Asks for `n` slots and records, in order, which were granted. */
function waiters(l: LiveLimiter, n: number, signal?: AbortSignal): { granted: number[]; all: Array<Promise<void>> } {
  const granted: number[] = [];
  const all = Array.from({ length: n }, (_, i) => l.acquire(signal).then(() => void granted.push(i)));
  return { granted, all };
}

/** Lets every settled promise run its callbacks. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test('up to the limit at once; raising it admits waiters at once, in order', async () => {
  const l = new LiveLimiter(2);
  const w = waiters(l, 5);
  await settle();
  assert.deepEqual(w.granted, [0, 1]);
  assert.equal(l.active, 2);
  l.limit = 4;
  await settle();
  assert.deepEqual(w.granted, [0, 1, 2, 3]);
  assert.equal(l.active, 4);
  l.release();
  await settle();
  assert.deepEqual(w.granted, [0, 1, 2, 3, 4]);
  assert.equal(l.active, 4);
});

test('lowering below the active count lets them finish and admits nobody until below the new limit', async () => {
  const l = new LiveLimiter(4);
  await Promise.all([l.acquire(), l.acquire(), l.acquire(), l.acquire()]);
  const w = waiters(l, 2);
  l.limit = 2;
  assert.equal(l.active, 4, 'nothing running is taken away');
  l.release();
  l.release();
  await settle();
  assert.deepEqual(w.granted, [], 'admitted at 2 active with a limit of 2');
  l.release();
  await settle();
  assert.deepEqual(w.granted, [0]);
  assert.equal(l.active, 2);
  assert.throws(() => (l.limit = 0), RangeError);
  assert.throws(() => new LiveLimiter(1.5), RangeError);
  assert.throws(() => new LiveLimiter(1).release(), /release\(\) without acquire\(\)/);
});

test('paused: nobody is admitted, even with free slots, until resumed', async () => {
  const l = new LiveLimiter(3);
  await l.acquire();
  l.pause();
  assert.equal(l.paused, true);
  const w = waiters(l, 2);
  l.limit = 5;
  l.release();
  await settle();
  assert.deepEqual(w.granted, []);
  assert.equal(l.active, 0);
  l.resume();
  await settle();
  assert.deepEqual(w.granted, [0, 1]);
});

test('a waiter that aborts leaves the queue with its reason and takes no slot', async () => {
  const l = new LiveLimiter(1);
  await l.acquire();
  const ac = new AbortController();
  const aborted = l.acquire(ac.signal);
  const after = waiters(l, 1);
  const reason = new Error('stop waiting');
  ac.abort(reason);
  await assert.rejects(aborted, (e) => e === reason);
  l.release();
  await settle();
  assert.deepEqual(after.granted, [0], 'the slot went to the next waiter, not the aborted one');
  assert.equal(l.active, 1);
  // An already aborted signal fails at once.
  await assert.rejects(async () => l.acquire(AbortSignal.abort(reason)), (e) => e === reason);
  assert.equal(l.active, 1);
});
