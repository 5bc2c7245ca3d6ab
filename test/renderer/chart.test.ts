// Rates, ETA and the chart and chunk-map geometry, from cumulative samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellRuleText, chunkMapLayout, cellState } from '../../renderer/chart/chunkMapLayout.ts';
import { countStates } from '../../shared/chunkMap.ts';
import { formatTick, limitAxisTop, niceCeil, rateAxis, rateTicks, timeAxis } from '../../renderer/chart/axes.ts';
import { chartFrame, PAD, pointAt, readout, stepCursor } from '../../renderer/chart/chartFrame.ts';
import { averageRate, etaSeconds, ratePoints, recentRate, SPEED_WINDOW_MS, zeroRatio } from '../../shared/rates.ts';
import { formatRate, type Units } from '../../shared/units.ts';
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
  // A cell shows failed, else in flight, if any of its chunks is; else its most common state
  // (ties: the less finished).
  assert.equal(cellState(Uint8Array.from([2, 3, 4, 1]), 0, 4), 4);
  assert.equal(cellState(Uint8Array.from([2, 1, 0, 3]), 0, 4), 1);
  assert.equal(cellState(Uint8Array.from([2, 3, 3]), 0, 3), 3);
  assert.equal(cellState(Uint8Array.from([2, 2, 3]), 0, 3), 2);
  assert.equal(cellState(Uint8Array.from([3, 2]), 0, 2), 2);
  assert.equal(cellState(Uint8Array.from([0, 2]), 0, 2), 0);
  assert.equal(cellRuleText(1), '1 cell = 1 chunk');
  assert.match(cellRuleText(3), /^1 cell = 3 chunks; a cell shows failed or in flight if any of its chunks is, else its most common state$/);
  assert.deepEqual(countStates(Uint8Array.from([0, 1, 2, 2, 3, 4])), [1, 1, 2, 1, 1]);
});

test('the speed now is over two seconds, the average apart; a pause reads 0 and no window reaches across it', () => {
  assert.equal(SPEED_WINDOW_MS, 2000);
  // 5 MB/s for 4 s, then 15 MB/s for 2 s (the slider moved): the speed now shows 15, the average less.
  const s = [];
  let bytes = 0;
  for (let t = 0; t <= 6000; t += 100) {
    s.push(sample({ at: t, elapsedMs: t, doneBytes: bytes, totalBytes: 1e9 }));
    bytes += t < 4000 ? 5e5 : 1.5e6;
  }
  assert.ok(Math.abs(recentRate(s).image - 15e6) < 1, `${recentRate(s).image}`);
  assert.ok(Math.abs(averageRate(s.at(-1)!) - ((s.at(-1)!.doneBytes / 6000) * 1000)) < 1);
  assert.ok(averageRate(s.at(-1)!) < 10e6);
  // Paused at 6 s (the last chunks in flight land), resumed at 16 s, running at 15 MB/s again.
  const last = s.at(-1)!;
  const paused = [sample({ ...last, at: 6100, elapsedMs: 6100, doneBytes: last.doneBytes + 1e6, paused: true }), sample({ ...last, at: 9000, elapsedMs: 9000, doneBytes: last.doneBytes + 2e6, paused: true })];
  assert.deepEqual(recentRate([...s, ...paused]), { image: 0, source: 0 }, 'the speed while paused is the last value');
  const base = last.doneBytes + 2e6;
  const after = Array.from({ length: 11 }, (_, i) => sample({ at: 16_000 + i * 100, elapsedMs: 16_000 + i * 100, doneBytes: base + i * 1.5e6, totalBytes: 1e9 }));
  const all = [...s, ...paused, ...after];
  const pts = ratePoints(all);
  const at = (t: number) => pts.find((p) => Math.abs(p.t - t) < 1e-9)!;
  assert.equal(at(6.1).image, 0, 'a pause is drawn as zero');
  assert.equal(at(9).image, 0);
  assert.equal(at(16).image, 0, 'the resume starts from zero, not from a slope across the pause');
  assert.ok(Math.abs(at(17).image - 15e6) < 1, `after the resume: ${at(17).image}`);
  assert.ok(Math.abs(recentRate(all).image - 15e6) < 1, 'the speed now averaged over the pause');
});

test('a short job plots at least its average: the work before the first sample counts', () => {
  // 2 s job: the first sample comes at 600 ms with 60 MB done, then 10 MB every 100 ms.
  const s = [sample({ at: 600, elapsedMs: 600, doneBytes: 6e7, sourceBytes: 3e7, totalBytes: 2e8 })];
  for (let t = 700; t <= 2000; t += 100) s.push(sample({ at: t, elapsedMs: t, doneBytes: s.at(-1)!.doneBytes + 1e7, sourceBytes: s.at(-1)!.sourceBytes + 5e6, totalBytes: 2e8 }));
  const avg = averageRate(s.at(-1)!);
  const peak = Math.max(...ratePoints(s).map((p) => p.image));
  assert.ok(peak >= avg * 0.99, `plotted peak ${peak} below the average ${avg}`);
  assert.equal(ratePoints(s)[0]!.t, 0, 'the chart starts at the origin');
  // Zero chunks counted in the first milliseconds of a 1 MB/s job: no spike far above the job.
  const z = [sample({ at: 10, elapsedMs: 10, doneBytes: 16e5, totalBytes: 1e7 })];
  for (let t = 100; t <= 4000; t += 100) z.push(sample({ at: t, elapsedMs: t, doneBytes: 16e5 + t * 1000, totalBytes: 1e7 }));
  const top = Math.max(...ratePoints(z).map((p) => p.image));
  assert.ok(top <= 3e6, `a spike of ${top} B/s on a job of ${averageRate(z.at(-1)!)} B/s`);
  assert.ok(top >= averageRate(z.at(-1)!));
});

test('axis labels never repeat, and the time axis spans the job', () => {
  for (const units of ['si', 'iec'] as Units[]) {
    for (const max of [0, 1, 2, 3, 999, 1024, 1500, 2.6e6, 7.3e9]) {
      const { labels, top } = rateTicks(max, (r) => formatRate(r, units));
      assert.equal(new Set(labels).size, labels.length, `${units} ${max}: ${labels.join(', ')}`);
      assert.ok(top >= max && labels.length >= 3 && labels.length <= 7, `${units} ${max}: ${labels.join(', ')}`);
    }
  }
  assert.equal(rateTicks(0, formatRate).labels[0], '0 B/s');
  // A finished 21 s job: the axis ends at 21 s, not 50.
  const done = timeAxis(21, true);
  assert.equal(done.span, 21);
  assert.deepEqual(done.ticks, [0, 5, 10, 15, 20]);
  // Running: a little beyond now, in whole steps, at least 10 s.
  const running = timeAxis(21, false);
  assert.ok(running.span >= 21 && running.span <= 25, `${running.span}`);
  assert.equal(timeAxis(2, false).span, 10);
  assert.equal(timeAxis(0.4, true).ticks.at(-1), 0.4);
  assert.deepEqual([formatTick(0), formatTick(2.5), formatTick(45), formatTick(120), formatTick(150), formatTick(3600), formatTick(5400)], ['0 s', '2.5 s', '45 s', '2 min', '2:30', '1 h', '1:30 h']);
  for (const span of [0.3, 7, 21, 59, 600, 4000, 90_000]) assert.ok(timeAxis(span, true).ticks.length <= 7, `${span}`);
  // The concurrency axis: round steps above the highest limit.
  assert.deepEqual([limitAxisTop(32, 3), limitAxisTop(16, 4), limitAxisTop(64, 4), limitAxisTop(1, 5), limitAxisTop(24, 4)], [48, 20, 80, 5, 32]);
});

test('the hover readout: the point under the pointer or the keyboard cursor, in words', () => {
  const s = Array.from({ length: 51 }, (_, i) => sample({ at: i * 100, elapsedMs: i * 100, doneBytes: i * 1e6, sourceBytes: i * 4e5, totalBytes: 1e9, limit: i < 25 ? 8 : 16, rateLimit: i < 25 ? 0 : 5e6 }));
  const pts = ratePoints(s);
  const frame = chartFrame(pts, { width: 600, height: 200, formatRate, final: true });
  assert.equal(frame.span, 5);
  // The pointer at 4 s: the point at 4 s.
  const i = pointAt(pts, frame, PAD.left + frame.plotW * 0.8)!;
  assert.equal(pts[i]!.t, 4);
  assert.deepEqual(readout(pts[i]!, formatRate), { time: '4 s', image: '10.0 MB/s', source: '4.00 MB/s', limit: '16 chunks in flight', cap: '5.00 MB/s' });
  assert.equal(readout(pts[10]!, formatRate).cap, 'none');
  assert.equal(readout({ ...pts[10]!, paused: true }, formatRate).image, 'paused');
  assert.equal(pointAt(pts, frame, 5), undefined, 'left of the plot');
  // Keys: right from nothing starts at the beginning, arrows move a second, Shift ten, End the last.
  assert.equal(stepCursor(pts, undefined, 'ArrowRight', false), 0);
  assert.equal(pts[stepCursor(pts, 0, 'ArrowRight', false)!]!.t, 1);
  assert.equal(stepCursor(pts, 0, 'ArrowRight', true), pts.length - 1);
  assert.equal(stepCursor(pts, 3, 'End', false), pts.length - 1);
  assert.equal(stepCursor(pts, 3, 'Home', false), 0);
  // Sparse points (a history) still step one at a time.
  const sparse = ratePoints([0, 5000, 10_000].map((t) => sample({ at: t, elapsedMs: t, doneBytes: t * 1e3 })));
  assert.equal(stepCursor(sparse, 0, 'ArrowRight', false), 1);
});

test('a run of zero chunks shows as about as many cells as it covers, not a handful', () => {
  // 3 chunks per cell; 1 024 zero chunks, as a run and scattered two in three among written ones.
  const cells = (states: Uint8Array, per: number) => Array.from({ length: Math.ceil(states.length / per) }, (_, c) => cellState(states, c * per, Math.min(states.length, (c + 1) * per)));
  const run = new Uint8Array(3000).fill(2);
  run.fill(3, 900, 1924);
  assert.ok(cells(run, 3).filter((s) => s === 3).length >= 340);
  const scattered = new Uint8Array(1536).map((_, i) => (i % 3 === 2 ? 2 : 3));
  assert.equal(countStates(scattered)[3], 1024);
  assert.equal(cells(scattered, 3).filter((s) => s === 3).length, 512, 'scattered zero chunks hidden behind written ones');
});

test('a job opened late: the service\'s thinned history first, then what the page received itself', async () => {
  const { keepSamples, recordSample, samplesOf } = await import('../../renderer/store/samples.ts');
  for (let t = 5000; t <= 6000; t += 100) recordSample('late', sample({ at: t, elapsedMs: t, doneBytes: t * 10 }));
  keepSamples('late', [0, 2000, 4000, 6000].map((t) => sample({ at: t, elapsedMs: t, doneBytes: t * 10 })));
  const at = samplesOf('late').map((s) => s.at);
  assert.deepEqual(at.slice(0, 4), [0, 2000, 4000, 5000]);
  assert.equal(at.length, 3 + 11);
  assert.ok(at.every((v, i) => i === 0 || v > at[i - 1]!));
});
