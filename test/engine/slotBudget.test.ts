// The machine-wide budget of chunks in flight: each job within its own limit and its fair share,
// all jobs together never above the budget, slots handed out again as they come back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlotBudget, type JobSlots } from '../../electron/engine/slotBudget.ts';

/** Asks for n slots; returns the promises, which resolve as slots are granted. */
function ask(l: JobSlots, n: number, signal?: AbortSignal): Array<Promise<void>> {
  return Array.from({ length: n }, () => l.acquire(signal));
}

/** Jobs asking one slot at a time in turn, as engines do (each waits for one slot before the next). */
function interleave(jobs: JobSlots[], n: number): void {
  for (let i = 0; i < n; i++) for (const j of jobs) void j.acquire();
}

/** Lets granted acquisitions run their continuations. */
const settle = () => new Promise((r) => setImmediate(r));

test('one job: its own limit applies under a larger budget, the budget under a larger limit', async () => {
  const b = new SlotBudget(8);
  const a = b.lender(3);
  void ask(a, 10);
  await settle();
  assert.equal(a.active, 3);
  a.limit = 20;
  assert.equal(a.active, 8, 'the budget caps a job whose limit is higher');
  assert.equal(b.active, 8);
  a.release();
  assert.equal(a.active, 8, 'a slot coming back goes to the next waiter');
  assert.equal(b.maxActive, 8);
});

test('two jobs wanting everything split the budget evenly; a job wanting less leaves the rest', async () => {
  const b = new SlotBudget(10);
  const a = b.lender(64);
  const c = b.lender(64);
  interleave([a, c], 20);
  assert.deepEqual([a.active, c.active], [5, 5]);
  const d = new SlotBudget(10);
  const small = d.lender(2);
  const big = d.lender(64);
  interleave([small, big], 20);
  assert.deepEqual([small.active, big.active], [2, 8], 'max-min fair: the small limit is met, the rest goes to the other job');
});

test('a job above its share (it started alone) gets nothing new until it is below; nothing is taken back', () => {
  const b = new SlotBudget(8);
  const a = b.lender(64);
  void ask(a, 20);
  assert.equal(a.active, 8);
  const c = b.lender(64);
  void ask(c, 20);
  assert.equal(c.active, 0, 'the budget is full');
  const shares = b.shares();
  assert.deepEqual([shares.get(a), shares.get(c)], [4, 4]);
  for (let i = 0; i < 4; i++) a.release();
  assert.deepEqual([a.active, c.active], [4, 4], 'every slot coming back went to the job below its share');
  a.release();
  assert.deepEqual([a.active, c.active], [4, 4], 'and back to the first once it is below its share');
  assert.ok(b.maxActive <= 8);
});

test('a job that wants no more (nothing waiting, or paused) leaves its part to the others', async () => {
  const b = new SlotBudget(8);
  const a = b.lender(64);
  const c = b.lender(64);
  const held = ask(a, 2);
  await Promise.all(held);
  void ask(c, 20);
  assert.deepEqual([a.active, c.active], [2, 6], 'a job holding 2 and asking nothing more leaves 6');
  const d = new SlotBudget(8);
  const p = d.lender(64);
  const q = d.lender(64);
  p.pause();
  void ask(p, 20);
  void ask(q, 20);
  assert.deepEqual([p.active, q.active], [0, 8], 'a paused job gets nothing and wants nothing');
  p.resume();
  for (let i = 0; i < 4; i++) q.release();
  assert.deepEqual([p.active, q.active], [4, 4]);
});

test('the ceiling a job could reach: its share were it to want everything', () => {
  const b = new SlotBudget(64);
  const a = b.lender(16);
  assert.equal(a.ceiling(), 64, 'alone');
  const c = b.lender(16);
  void ask(c, 40);
  assert.equal(a.ceiling(), 48, 'the other job wants 16');
  c.limit = 64;
  assert.equal(a.ceiling(), 32, 'two jobs wanting everything');
  c.close();
  assert.equal(b.jobs, 1);
});

test('a smaller budget admits nobody until below it; an aborted waiter leaves the queue', async () => {
  const b = new SlotBudget(6);
  const a = b.lender(64);
  void ask(a, 6);
  const ac = new AbortController();
  const waiting = a.acquire(ac.signal);
  b.total = 3;
  a.release();
  a.release();
  assert.equal(a.active, 4, 'still above the new budget: nothing admitted');
  ac.abort(new Error('stop'));
  await assert.rejects(waiting, /stop/);
  a.release();
  a.release();
  assert.equal(a.active, 2);
  assert.equal(b.active, 2);
  assert.throws(() => (b.total = 0), RangeError);
});

test('closing a job rejects what still waits; its slots go to the others as they come back', async () => {
  const b = new SlotBudget(4);
  const a = b.lender(64);
  const c = b.lender(64);
  interleave([a, c], 2);
  const late = a.acquire();
  void ask(c, 2);
  assert.deepEqual([a.active, c.active], [2, 2]);
  a.close();
  await assert.rejects(late, { code: 'INTERNAL' });
  a.release();
  a.release();
  assert.equal(c.active, 4, "the closed job's slots went to the other one as they came back");
  await assert.rejects(a.acquire(), { code: 'INTERNAL' });
});

test("a job keeps its share while its engines have chunks to start, even with no chunk waiting that moment", () => {
  const b = new SlotBudget(6);
  const a = b.lender(64);
  const c = b.lender(64);
  a.join();
  c.join();
  void ask(a, 6);
  assert.equal(a.active, 3, 'the other job is between two acquisitions: its half stays free for it');
  c.leave();
  assert.equal(a.active, 6, 'the other job has nothing more to start: its part goes to this one');
});
