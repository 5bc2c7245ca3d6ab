// Chunk buffers are pooled and bounded by the limit: a restore uses at most 3 × limit − 1 buffers
// of one valid stored chunk each, at every limit including 1, gets them back from the decode workers
// and uses them again, and stays bit-exact.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BufferPool } from '../../electron/engine/bufferPool.ts';
import { DecodePool } from '../../electron/engine/decodePool.ts';
import { inlineDecoder, type ChunkDecoder } from '../../electron/engine/decoder.ts';
import { RestoreEngine } from '../../electron/engine/restoreEngine.ts';
import { openTarget } from '../../electron/engine/target.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { buildChunk, isCompressedBlob } from '../../electron/pbs/dataBlob.ts';
import { maxChunkBlobBytes } from '../../shared/limits.ts';
import { buildImage } from '../helpers/memSource.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const CS = 64 * 1024;
const workers = new DecodePool(2);
after(() => workers.close());

/** Compressible (text-like), incompressible and zero chunks, no digest twice (no repeat cache). */
function mixedImage(chunks: number): Buffer {
  const img = Buffer.alloc(chunks * CS);
  for (let i = 0; i < chunks; i++) {
    const part = img.subarray(i * CS, (i + 1) * CS);
    if (i % 5 === 4) continue;
    let h = createHash('sha256').update(`chunk ${i}`).digest();
    for (let off = 0; off < CS; off += 32) {
      if (i % 2 === 0) part.write(`${h.toString('hex').slice(0, 8)} line ${off}\n`.padEnd(32, '.'), off);
      else h.copy(part, off);
      h = createHash('sha256').update(h).digest();
    }
  }
  return img;
}

test('a pool hands out buffers of one capacity, reuses what comes back, ignores strangers, keeps at most max, refuses a double give', () => {
  const pool = new BufferPool(1000, 3);
  const a = pool.take(800);
  const b = pool.take(1000);
  assert.equal(a.length, 800);
  assert.equal(a.buffer.byteLength, 1000);
  assert.notEqual(a.buffer, b.buffer);
  const big = pool.take(1001);
  assert.equal(big.length, 1001, 'an oversized request gets a buffer of its own');
  pool.give(big.buffer);
  pool.give(a.buffer);
  assert.throws(() => pool.give(a.buffer), /given back twice/);
  const c = pool.take(10);
  assert.ok(c.buffer === a.buffer, 'a buffer given back is used again');
  assert.equal(pool.stats.allocated, 2);
  pool.give(b.buffer);
  pool.give(c.buffer);
  pool.max = 1;
  pool.take(1);
  pool.take(1);
  assert.equal(pool.stats.allocated, 3, 'a lower max kept only one of the two free buffers');
});

for (const [name, decoder] of [['inline', inlineDecoder], ['worker pool', workers]] as Array<[string, ChunkDecoder]>) {
  for (const limit of [1, 2, 4, 8]) {
    test(`${name}, limit ${limit}: at most 3 × limit − 1 chunk buffers, reused, bit-exact`, async () => {
      const crypt = limit === 2 ? new CryptConfig(Buffer.alloc(32, 7)) : undefined;
      const b = buildImage(mixedImage(30), CS, crypt);
      assert.ok([...b.source.chunks.values()].some((c) => isCompressedBlob(c)), 'the image has compressed chunks');
      assert.ok([...b.source.chunks.values()].some((c) => !isCompressedBlob(c)), 'and incompressible ones');
      const path = join(await tempDir(), 'disk.raw');
      const target = await openTarget({ path, size: b.index.size });
      const engine = new RestoreEngine(b.input, { target, concurrency: limit, decoder });
      const summary = await engine.run();
      assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
      assert.equal(await sha256File(path), b.sha256);
      const stats = engine.bufferStats();
      assert.equal(stats.capacity, maxChunkBlobBytes(CS), 'one buffer holds any valid stored chunk');
      assert.ok(stats.peak <= 3 * limit - 1, `held ${stats.peak} buffers at once at limit ${limit}`);
      assert.ok(stats.allocated <= 3 * limit - 1, `allocated ${stats.allocated} buffers for 24 chunks at limit ${limit}`);
    });
  }
}

test('the worker pool returns both buffers of a compressed chunk to the pool it was given', async () => {
  const data = Buffer.from('restore console '.repeat(8000));
  const { digest, blob } = buildChunk(data, { compress: true });
  const buffers = new BufferPool(data.length + 44, 8);
  for (let round = 0; round < 3; round++) {
    const raw = buffers.take(blob.length);
    raw.set(blob);
    const got = await workers.decode(raw, { expectedDigest: digest, expectedSize: data.length }, undefined, buffers);
    assert.ok(got.equals(data));
    assert.equal(got.buffer.byteLength, buffers.capacity, 'the plaintext is in one of the pool\'s buffers');
    buffers.give(got.buffer);
  }
  assert.equal(buffers.stats.allocated, 2, 'the stored chunk and its plaintext buffer went round and came back');
});
