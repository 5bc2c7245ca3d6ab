// Rates, ETA and the chart and chunk-map geometry, from cumulative samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkMapLayout, cellState } from '../../renderer/chart/chunkMapLayout.ts';
import { countStates } from '../../shared/chunkMap.ts';
import { niceCeil, rateAxis } from '../../renderer/chart/axes.ts';
import { etaSeconds, ratePoints, recentRate, zeroRatio } from '../../shared/rates.ts';
import { sample } from './fixtures.ts';

test('rates come from windows of about a second, not from burst to burst', () => {
  // 1 MB every 100 ms for 3 s, source bytes half of that.
  const s = Array.from({ length: 31 }, (_, i) => sample({ at: i * 100, elapsedMs: i * 100, doneBytes: i * 1e6, sourceBytes: i * 5e5, totalBytes: 1e8 }));
  const pts = ratePoints(s);
  assert.equal(pts.length, s.length);
  assert.equal(pts[0]!.image, 0);
  assert.ok(Math.abs(pts.at(-1)!.image - 1e7) < 1, `${pts.at(-1)!.image}`);
  assert.ok(Math.abs(pts.at(-1)!.source - 5e6) < 1);
  assert.ok(Math.abs(recentRate(s).image - 1e7) < 1);
  // 70 MB left at 10 MB/s.
  assert.ok(Math.abs(etaSeconds(s)! - 7) < 1e-6);
  assert.equal(etaSeconds([...s.slice(0, -1), { ...s.at(-1)!, paused: true }]), undefined, 'an ETA while paused');
  assert.equal(etaSeconds([sample()]), undefined, 'an ETA without a rate');
  assert.equal(zeroRatio(sample({ doneChunks: 8, zeroChunks: 2 })), 0.25);
  assert.equal(zeroRatio(sample()), 0);
});

test('axes use round steps', () => {
  assert.deepEqual([niceCeil(0.3), niceCeil(3), niceCeil(7), niceCeil(12), niceCeil(0)], [0.5, 5, 10, 20, 1]);
  const a = rateAxis(2.6e6);
  assert.equal(a.step, 1e6);
  assert.equal(a.top, 3e6);
  const b = rateAxis(480);
  assert.ok(b.top >= 480 && b.top / b.step <= 5);
});

test('the chunk map fits any image: one cell per chunk while it fits, then several per cell', () => {
  const small = chunkMapLayout(65, 400);
  assert.equal(small.per, 1);
  assert.equal(small.cell, 16);
  assert.ok(small.cols * small.rows >= 65);
  const big = chunkMapLayout(25_600, 400, 180);
  assert.ok(big.per > 1);
  assert.ok(big.height <= 180);
  assert.ok(big.cols * big.rows * big.per >= 25_600);
  // A cell shows its least finished chunk: failed, then in flight, then pending.
  assert.equal(cellState(Uint8Array.from([2, 3, 4, 1]), 0, 4), 4);
  assert.equal(cellState(Uint8Array.from([2, 1, 0, 3]), 0, 4), 1);
  assert.equal(cellState(Uint8Array.from([2, 3, 0]), 0, 3), 0);
  assert.equal(cellState(Uint8Array.from([3, 2]), 0, 2), 2);
  assert.deepEqual(countStates(Uint8Array.from([0, 1, 2, 2, 3, 4])), [1, 1, 2, 1, 1]);
});
