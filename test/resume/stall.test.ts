// Stall detection on a fake clock: reads held at a gate with no bytes arriving for 10 s make the
// job stalled (since when, in progress and as an event); bytes arriving clear it; reads waiting
// for the rate cap are no stall; after the stall timeout the job fails with STALLED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestoreEngine } from '../../electron/engine/restoreEngine.ts';
import type { StallChange } from '../../electron/engine/stallWatch.ts';
import { buildImage, testImage } from '../helpers/memSource.ts';

const CS = 64 * 1024;
const img = testImage(CS, 24, 0);

/** An image whose reads wait until released, an engine on a fake clock, and its stall events. */
function setup(stall: { timeoutMs?: number }, waitingForCap = 0) {
  const b = buildImage(img, CS);
  let now = 1_000_000;
  let held: Array<() => void> = [];
  let hold = true;
  let onHeld: (() => void) | undefined;
  b.source.hook = () => {
    if (!hold) return;
    return new Promise<void>((r) => {
      held.push(r);
      onHeld?.();
    });
  };
  const engine = new RestoreEngine(b.input, {
    concurrency: 2,
    stall: { afterMs: 10_000, now: () => now, tickMs: 0, ...stall },
    rate: { limit: waitingForCap ? 1 : 0, waiting: waitingForCap, limited: waitingForCap > 0 },
  });
  const changes: StallChange[] = [];
  engine.on('stall', (c: StallChange) => changes.push(c));
  return {
    engine,
    changes,
    advance: (ms: number) => (now += ms),
    get now() {
      return now;
    },
    heldReads: (n: number) => new Promise<void>((r) => (onHeld = () => held.length >= n && r()) && onHeld()),
    release(all = false) {
      if (all) hold = false;
      for (const f of held.splice(0)) f();
    },
  };
}

test('no bytes for 10 s while reading is a stall, with its start; bytes arriving clear it', async () => {
  const s = setup({ timeoutMs: 0 });
  const run = s.engine.run();
  await s.heldReads(2);
  const start = s.now;
  s.advance(9_999);
  s.engine.checkStall();
  assert.deepEqual(s.changes, []);
  assert.equal(s.engine.progress().stalledSince, undefined);
  s.advance(1);
  s.engine.checkStall();
  assert.deepEqual(s.changes, [{ kind: 'stalled', since: start }]);
  assert.equal(s.engine.progress().stalledSince, start);
  // Even a long stall does not fail without a timeout.
  s.advance(3_600_000);
  s.engine.checkStall();
  assert.equal(s.changes.length, 1);
  const cleared = new Promise<void>((r) => s.engine.on('stall', (c: StallChange) => c.kind === 'cleared' && r()));
  s.release(true);
  await cleared;
  assert.equal((s.changes as StallChange[])[1]?.kind, 'cleared');
  assert.equal(s.engine.progress().stalledSince, undefined);
  const summary = await run;
  assert.equal(summary.status, 'succeeded');
});

test('reads waiting for the rate cap are not a stall', async () => {
  const s = setup({ timeoutMs: 0 }, 2);
  const run = s.engine.run();
  await s.heldReads(2);
  s.advance(60_000);
  s.engine.checkStall();
  assert.deepEqual(s.changes, []);
  s.release(true);
  assert.equal((await run).status, 'succeeded');
});

test('stalled past the stall timeout fails the job with STALLED', async () => {
  const s = setup({ timeoutMs: 300_000 });
  const run = s.engine.run();
  await s.heldReads(2);
  s.advance(10_000);
  s.engine.checkStall();
  assert.equal(s.changes.at(-1)?.kind, 'stalled');
  s.advance(289_999);
  s.engine.checkStall();
  assert.equal(s.changes.length, 1);
  s.advance(1);
  s.engine.checkStall();
  assert.equal(s.changes.at(-1)?.kind, 'timeout');
  // The held reads are aborted by the failure (the gate honours the signal through the engine).
  s.release();
  const summary = await run;
  assert.equal(summary.status, 'failed');
  assert.equal(summary.error?.code, 'STALLED');
  assert.match(summary.error!.message, /no data arrived from the source for 300 s/);
});
