import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ChunkReader, dynamicChunkIndex, fixedChunkIndex } from '../../electron/files/chunkReader.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { buildChunk } from '../../electron/pbs/dataBlob.ts';
import { parseDynamicIndex, writeDynamicIndex } from '../../electron/pbs/dynamicIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { isRestoreError, RestoreError } from '../../shared/errors.ts';
import { buildImage, deferred, memSource, testImage } from '../helpers/memSource.ts';
import { pseudoRandom } from '../helpers/pxarTree.ts';

// The smallest chunk size an index may declare (64 KiB; see fixedIndex.ts).
const CHUNK = 65536;

function fixedReader(opts: { crypt?: CryptConfig; maxCachedChunks?: number; maxCachedBytes?: number } = {}) {
  // 12 chunks: every third stays zero (testImage), and a short tail.
  const img = testImage(CHUNK, 12, 1000);
  const built = buildImage(img, CHUNK, opts.crypt);
  const { crypt, ...cache } = opts;
  const reader = new ChunkReader(fixedChunkIndex(built.index), built.source, {
    archive: 'test.img.fidx', cryptMode: crypt ? 'encrypt' : 'none', zeroDigest: built.input.zeroDigest, ...(crypt ? { crypt } : {}), ...cache,
  });
  return { img, reader, source: built.source, index: built.index };
}

function dynamicReader(data: Buffer, lengths: number[]) {
  const chunks = new Map<string, Buffer>();
  const entries: Array<{ end: number; digest: Buffer }> = [];
  let end = 0;
  for (const n of lengths) {
    const { digest, blob } = buildChunk(data.subarray(end, end + n), { compress: true });
    end += n;
    chunks.set(toHex(digest), blob);
    entries.push({ end, digest });
  }
  const source = memSource(chunks);
  const reader = new ChunkReader(dynamicChunkIndex(parseDynamicIndex(writeDynamicIndex(entries))), source, { archive: 'root.pxar.didx', cryptMode: 'none' });
  return { reader, source };
}

describe('ChunkReader over a fixed index', () => {
  it('returns the image bytes for reads within, across and past chunk boundaries', async () => {
    const { img, reader } = fixedReader();
    assert.equal(reader.size, img.length);
    for (const [off, len] of [[0, 10], [CHUNK - 6, 20], [CHUNK + 904, 3 * CHUNK], [0, img.length], [img.length - 5, 100], [img.length, 10]] as const) {
      assert.deepEqual(Buffer.from(await reader.read(off, len)), img.subarray(off, off + len), `${off}+${len}`);
    }
  });

  it('serves zero chunks without fetching them, and counts only real fetches', async () => {
    const { reader, source } = fixedReader();
    await reader.read(CHUNK, CHUNK); // chunk 1: zero
    assert.equal(reader.chunksFetched, 0);
    assert.equal(source.reads.length, 0);
    await reader.read(0, 3 * CHUNK); // chunks 0, 1, 2: two real ones
    assert.equal(reader.chunksFetched, 2);
    await reader.read(0, 3 * CHUNK); // cached
    assert.equal(reader.chunksFetched, 2);
  });

  it('keeps at most maxCachedChunks decoded chunks, least recently used out first', async () => {
    const { reader } = fixedReader({ maxCachedChunks: 2 });
    const at = (i: number) => reader.read(i * CHUNK, 1);
    await at(0);
    await at(2);
    await at(0); // refreshes 0
    await at(3); // evicts 2
    assert.equal(reader.chunksFetched, 3);
    await at(0);
    assert.equal(reader.chunksFetched, 3, 'chunk 0 stayed');
    await at(2);
    assert.equal(reader.chunksFetched, 4, 'chunk 2 was evicted');
    assert.deepEqual(reader.cached, { chunks: 2, bytes: 2 * CHUNK });
  });

  it('fetches a chunk that repeats in the index once', async () => {
    // testImage: chunks 5 and 12 hold the same 'repeat' block.
    const img = testImage(CHUNK, 13, 0);
    const built = buildImage(img, CHUNK);
    assert.deepEqual(built.index.digests.subarray(5 * 32, 6 * 32), built.index.digests.subarray(12 * 32, 13 * 32));
    const reader = new ChunkReader(fixedChunkIndex(built.index), built.source, { cryptMode: 'none', zeroDigest: built.input.zeroDigest });
    assert.deepEqual(Buffer.from(await reader.read(0, img.length)), img);
    assert.equal(reader.chunksFetched, 8, '13 chunks: 4 zero (1, 4, 7, 10), 12 repeats 5');
  });

  it('keeps the cache within maxCachedBytes', async () => {
    const { reader } = fixedReader({ maxCachedBytes: 2 * CHUNK + 100 });
    await reader.read(0, 12 * CHUNK);
    assert.ok(reader.cached.bytes <= 2 * CHUNK + 100, JSON.stringify(reader.cached));
  });

  it('fetches a chunk once for concurrent reads of it', async () => {
    const { img, reader, source } = fixedReader();
    const gate = deferred();
    source.hook = () => gate.promise;
    const reads = Array.from({ length: 5 }, (_, k) => reader.read(3 * CHUNK + k * 100, 50));
    // Every read is waiting on the one fetch before it is released.
    await new Promise((r) => setImmediate(r));
    gate.resolve();
    const got = await Promise.all(reads);
    assert.equal(source.reads.length, 1);
    got.forEach((b, k) => assert.deepEqual(Buffer.from(b), img.subarray(3 * CHUNK + k * 100, 3 * CHUNK + k * 100 + 50)));
  });

  it('keeps a shared fetch for the readers still waiting when one gives up, stops it when all do', async () => {
    const { img, reader, source } = fixedReader();
    const gate = deferred();
    const signals: AbortSignal[] = [];
    source.hook = () => gate.promise;
    const orig = source.readChunk;
    source.readChunk = (d, s) => {
      signals.push(s!);
      return orig(d, s);
    };
    const quitter = new AbortController();
    const a = reader.read(3 * CHUNK, 10, quitter.signal);
    const b = reader.read(3 * CHUNK, 10);
    quitter.abort();
    await assert.rejects(a, (e: unknown) => isRestoreError(e, 'CANCELLED'));
    assert.equal(signals[0]!.aborted, false);
    gate.resolve();
    assert.deepEqual(Buffer.from(await b), img.subarray(3 * CHUNK, 3 * CHUNK + 10));

    const { reader: r2, source: s2 } = fixedReader();
    const gate2 = deferred();
    let seen: AbortSignal | undefined;
    s2.hook = () => gate2.promise;
    const orig2 = s2.readChunk;
    s2.readChunk = (d, s) => {
      seen = s;
      return orig2(d, s);
    };
    const all = new AbortController();
    const c = r2.read(0, 10, all.signal);
    all.abort();
    await assert.rejects(c, (e: unknown) => isRestoreError(e, 'CANCELLED'));
    assert.equal(seen!.aborted, true, 'the fetch nobody waits for is stopped');
    gate2.resolve();
    s2.hook = undefined;
    assert.deepEqual(Buffer.from(await r2.read(0, 10)), img.subarray(0, 10), 'a later read starts afresh');
  });

  it('decodes encrypted chunks with the key', async () => {
    const crypt = new CryptConfig(Buffer.alloc(32, 3));
    const { img, reader } = fixedReader({ crypt });
    assert.deepEqual(Buffer.from(await reader.read(0, img.length)), img);
  });

  it('reports a damaged chunk with its code and location, and retries transient source errors', async () => {
    const { reader, source, index } = fixedReader();
    const hex = toHex(index.digests.subarray(2 * 32, 3 * 32));
    const blob = source.chunks.get(hex)!;
    blob[blob.length - 1]! ^= 1;
    await assert.rejects(reader.read(2 * CHUNK, 1), (e: unknown) => {
      assert.ok(isRestoreError(e, 'BLOB_CRC_MISMATCH'), String(e));
      assert.deepEqual(e.chunk, { index: 2, offset: 2 * CHUNK, digest: hex });
      return true;
    });

    const { img, index: index2, source: s2 } = fixedReader();
    let failures = 0;
    s2.hook = () => {
      if (failures++ < 2) throw new RestoreError('CONNECTION_FAILED', 'dropped', { transient: true });
    };
    const retrying = new ChunkReader(fixedChunkIndex(index2), s2, { cryptMode: 'none', retry: { retries: 3, baseMs: 1, maxMs: 1 } });
    assert.deepEqual(Buffer.from(await retrying.read(0, 10)), img.subarray(0, 10));
    assert.equal(s2.reads.length, 3);
    assert.equal(retrying.chunksFetched, 1, 'retries are not separate fetches');
  });
});

describe('ChunkReader over a dynamic index', () => {
  it('finds chunks of varying length by binary search and returns the stream bytes', async () => {
    const data = pseudoRandom('didx', 50_000);
    const lengths = [1, 4000, 9999, 123, 20000, 15877];
    const { reader, source } = dynamicReader(data, lengths);
    assert.equal(reader.size, 50_000);
    for (const [off, len] of [[0, 1], [0, 2], [4000, 2], [14_000, 200], [14_123, 1], [30_000, 20_000], [0, 50_000]] as const) {
      assert.deepEqual(Buffer.from(await reader.read(off, len)), data.subarray(off, off + len), `${off}+${len}`);
    }
    assert.equal(new Set(source.reads).size, lengths.length);
    assert.equal(createHash('sha256').update(await reader.read(0, 50_000)).digest('hex'), createHash('sha256').update(data).digest('hex'));
  });
});
