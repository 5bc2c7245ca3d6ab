// The pure code of shared/ that every shell uses: the one error class, the concurrency limits, the
// final job states, the chunk map's packed form, and the CLI's progress line built on the shared
// rate windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ProgressLine } from '../../electron/cli/progressLine.ts';
import { parseConcurrency } from '../../electron/cli/args.ts';
import { ChunkState, decodeChunkMap, encodeChunkMap } from '../../shared/chunkMap.ts';
import { isRestoreError, RestoreError, toContractError, toRestoreError } from '../../shared/errors.ts';
import { isActiveState, isFinalState } from '../../shared/jobStates.ts';
import { clampConcurrency, DEFAULT_CONCURRENCY, isConcurrencyLimit, MAX_CONCURRENCY } from '../../shared/limits.ts';
import { formatClock } from '../../shared/units.ts';
import { sample } from '../renderer/fixtures.ts';

const FP = `${'ab:'.repeat(31)}ab`;

test('one error class: codes, chunk and fingerprint survive a boundary both ways', () => {
  const chunk = { index: 3, offset: 12_582_912, digest: 'aa'.repeat(32) };
  const e = new RestoreError('TLS_FINGERPRINT_MISMATCH', 'TLS check failed', { fingerprint: FP, transient: false });
  assert.deepEqual(e.toInfo(), { code: 'TLS_FINGERPRINT_MISMATCH', message: 'TLS check failed', fingerprint: FP });
  const back = RestoreError.from({ code: 'CHUNK_DIGEST_MISMATCH', message: 'bad', chunk });
  assert.ok(back instanceof Error && isRestoreError(back, 'CHUNK_DIGEST_MISMATCH'));
  assert.deepEqual(back.toInfo(), { code: 'CHUNK_DIGEST_MISMATCH', message: 'bad', chunk });
  assert.equal(isRestoreError(back, 'CHUNK_MISSING'), false);
  // What leaves the service: the class as it is, an abort as CANCELLED, anything else INTERNAL.
  assert.deepEqual(toContractError(e), e.toInfo());
  assert.deepEqual(toContractError(new DOMException('stop', 'AbortError')), { code: 'CANCELLED', message: 'cancelled' });
  assert.deepEqual(toContractError('boom'), { code: 'INTERNAL', message: 'boom' });
  // Node errors keep a meaningful code.
  const errno = (code: string): Error => Object.assign(new Error(`${code}: nope`), { code });
  assert.equal(toRestoreError(errno('ENOSPC'), 'writing').code, 'ENOSPC');
  assert.equal(toRestoreError(errno('EROFS'), 'writing').code, 'TARGET_NOT_WRITABLE');
  assert.equal(toRestoreError(errno('EIO'), 'writing').code, 'IO_ERROR');
  assert.equal(toRestoreError(new Error('x'), 'writing').code, 'INTERNAL');
  assert.equal(toRestoreError(e, 'x'), e, 'a RestoreError is kept as it is');
});

test('concurrency limits: one range for the engine, the CLI and the schemas', () => {
  assert.equal(DEFAULT_CONCURRENCY, 16);
  assert.equal(MAX_CONCURRENCY, 64);
  assert.deepEqual([0, 1, 16.4, 64, 65, -3].map(clampConcurrency), [1, 1, 16, 64, 64, 1]);
  assert.throws(() => clampConcurrency(Number.NaN), RangeError);
  assert.deepEqual([1, 64, 0, 65, 2.5, '8'].map(isConcurrencyLimit), [true, true, false, false, false, false]);
  assert.equal(parseConcurrency('64'), 64);
  assert.equal(parseConcurrency('auto'), 'auto');
  assert.throws(() => parseConcurrency('65'), (e: RestoreError) => e.code === 'USAGE' && /from 1 to 64/.test(e.message));
});

test('final job states are the same set in every shell', () => {
  assert.deepEqual((['queued', 'running', 'paused', 'cancelling', 'cancelled', 'failed', 'succeeded'] as const).filter(isFinalState), ['cancelled', 'failed', 'succeeded']);
  assert.equal(isActiveState('cancelling'), true);
  assert.equal(isActiveState('failed'), false);
});

test('the packed chunk map is standard base64 of two bits per chunk', () => {
  const { pending, inFlight, done, zero, failed } = ChunkState;
  // Alternating states never form runs, so the packed form is chosen.
  const states = Uint8Array.from({ length: 400 }, (_, i) => [done, zero, inFlight, pending][i % 4]!);
  states[5] = failed;
  const m = encodeChunkMap(states);
  assert.equal(m.encoding, 'packed2');
  if (m.encoding !== 'packed2') return;
  // done=2, zero=3, inFlight=1, pending=0 → bits 00 01 11 10 (chunk 0 lowest) = 0x1e per byte.
  const expected = Buffer.alloc(100, 0x1e);
  expected[1] = (2 | (0 << 2) | (1 << 4) | (0 << 6)) as number; // chunk 5 is failed (4 & 3 = 0)
  assert.equal(m.data, expected.toString('base64'));
  assert.deepEqual(m.failed, [5]);
  assert.deepEqual(decodeChunkMap(m), states);
});

test('the CLI progress line: speed over 2 s and the average, ETA over 10 s, "paused" and no ETA while paused, zero share by chunks', () => {
  const line = new ProgressLine(new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream);
  let text = '';
  // 20 MB/s for 10 s, then 10 MB/s for 3 s, samples every 500 ms; 1 GB in all.
  let bytes = 0;
  for (let t = 0; t <= 13_000; t += 500) {
    text = line.line(sample({ elapsedMs: t, doneBytes: bytes, totalBytes: 1e9, doneChunks: 10, zeroChunks: 4, inFlight: 3, limit: 8 }));
    bytes += t < 10_000 ? 1e7 : 5e6;
  }
  const done = bytes - 5e6;
  // Speed: the last 2 s (10 MB/s), the average apart. ETA: the last 10 s, from t = 3 s (60 MB done) on: 17 MB/s, not 10.
  const avg = (done / 13_000) * 1000;
  assert.match(text, new RegExp(`^ *\\d+\\.\\d%\\s+10\\.0 MB/s \\(avg ${(avg / 1e6).toFixed(1)}\\) {2}zero {2}40% {2}ETA \\d+:\\d\\d {2}in flight 3/8$`));
  const eta = text.match(/ETA (\S+)/)![1];
  assert.equal(eta, formatClock((1e9 - done) / ((done - 6e7) / 10)));
  assert.notEqual(eta, formatClock((1e9 - done) / 1e7), 'the ETA followed the 3 s speed');
  const paused = line.line(sample({ elapsedMs: 13_500, doneBytes: done, totalBytes: 1e9, paused: true }));
  // Paused: the speed reads "paused", not the last value.
  assert.match(paused, /^ *\d+\.\d%\s+paused\s+\(avg [\d.]+\) .*ETA --:--/);
  assert.doesNotMatch(paused, /MB\/s/);
  const auto = line.line(sample({ elapsedMs: 14_000, doneBytes: done, totalBytes: 1e9, inFlight: 20, limit: 24, auto: true, limitReason: 'auto: settled at 24, more was not faster' }));
  assert.match(auto, /in flight 20\/24 \(auto: settled at 24, more was not faster\)$/);
  assert.equal(formatClock(3725), '1:02:05');
  assert.equal(formatClock(65), '1:05');
  assert.equal(formatClock(Infinity), '--:--');
});
