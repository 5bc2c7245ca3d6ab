import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, zstdCompressSync } from 'node:zlib';
import {
  blobKind,
  buildChunk,
  checkBlobCrc,
  computeChunkDigest,
  decodeBlob,
  encodeBlob,
  zeroChunkDigest,
  type BlobKind,
  type EncodeOptions,
} from '../../electron/pbs/dataBlob.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { zstdDecompressesDirectly, zstdDecompressInto } from '../../electron/pbs/zstdInto.ts';
import { COMPRESSED_BLOB_MAGIC, ENCR_COMPR_BLOB_MAGIC } from '../../electron/pbs/magic.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { D, hasCode, hex, seq } from './helpers.ts';

const KEY9 = new CryptConfig(Buffer.alloc(32, 9));
const OTHER_KEY = new CryptConfig(Buffer.alloc(32, 8));

const V1 = hex('42ab3807be8370a1128dc15c0000000000000000000001010101010101010101020202020202020202020303030303030303030304040404040404040404');
const V1_DIGEST = hex('c8b59f3093e5268919b92e8e91074d14205c1ae70fac35aec7021603c9e3b63f');
const V2 = hex(
  '7b6785be222d4cf00041b37e000102030405060708090a0b0c0d0e0fdcefa2ac87a8b01ad7c6df336624404536336ba72aa6a2ab4cbdbb28948162f4063a7b44929e5e324d4112445c20b7cf8cdd988bef13c361d630243ab7816a2ae05e',
);
const V2_DIGEST = hex('01aa8f2cdd4ba5c87d86255764358ea2ab3dbf473379dcc9397217148908c1d1');
const V3 = hex('31b958426fb6a37fd468efd928b52ffd0048cd00007800000102030404040404040404040404100045ca1546b401');

/** A copy with one byte XORed. */
function flip(buf: Uint8Array, at: number, mask = 0x01): Buffer {
  const out = Buffer.from(buf);
  out[at]! ^= mask;
  return out;
}

/** Re-stamp the CRC so only the intended corruption remains. */
function fixCrc(blob: Buffer, headerSize: number): Buffer {
  blob.writeUInt32LE(crc32(blob.subarray(headerSize)), 8);
  return blob;
}

// ---- exact vectors --------------------------------------------------------------------------

test('CRC check value: crc32("123456789") = 0xcbf43926, and V1 stores CRC32(D) little-endian', () => {
  assert.equal(crc32('123456789'), 0xcbf43926);
  assert.equal(crc32(D), 0x5cc18d12);
  assert.equal(V1.readUInt32LE(8), 0x5cc18d12);
});

test('V1: uncompressed blob of D encodes and decodes byte-exactly', () => {
  assert.deepEqual(encodeBlob(D), V1);
  assert.equal(blobKind(V1), 'uncompressed');
  assert.equal(checkBlobCrc(V1), 'uncompressed');
  assert.deepEqual(computeChunkDigest(D), V1_DIGEST);
  assert.deepEqual(decodeBlob(V1, { expectedDigest: V1_DIGEST, expectedSize: 50, cryptMode: 'none' }), D);
});

test('V1: D with compress is stored as zstd, smaller than V1', () => {
  const blob = encodeBlob(D, { compress: true });
  assert.equal(blobKind(blob), 'compressed');
  assert.ok(blob.length < V1.length);
  assert.deepEqual(decodeBlob(blob, { expectedDigest: V1_DIGEST }), D);
});

test('V2: encrypted blob of D decodes with key [9;32] and its keyed digest', async () => {
  assert.equal(blobKind(V2), 'encrypted');
  assert.equal(checkBlobCrc(V2), 'encrypted');
  assert.deepEqual(KEY9.computeDigest(D), V2_DIGEST);
  assert.deepEqual(decodeBlob(V2, { crypt: KEY9, expectedDigest: V2_DIGEST, expectedSize: 50, cryptMode: 'encrypt' }), D);
  assert.deepEqual(decodeBlob(V2, { crypt: KEY9, expectedDigest: V2_DIGEST, expectedSize: 50 }), D);
});

test('V2: the encoder with IV 00..0f reproduces the vector byte-exactly', () => {
  assert.deepEqual(encodeBlob(D, { crypt: KEY9, iv: seq(16) }), V2);
  assert.throws(() => encodeBlob(D, { crypt: KEY9, iv: seq(12) }), RangeError);
});

test('V2: the CRC covers the ciphertext only (IV and tag are outside it)', () => {
  assert.equal(crc32(V2.subarray(44)), V2.readUInt32LE(8));
  // a changed IV keeps the CRC valid but fails GCM authentication
  assert.equal(checkBlobCrc(flip(V2, 12)), 'encrypted');
  assert.throws(() => decodeBlob(flip(V2, 12), { crypt: KEY9 }), hasCode('DECRYPT_FAILED'));
  assert.throws(() => decodeBlob(flip(V2, 30), { crypt: KEY9 }), hasCode('DECRYPT_FAILED'));
});

test('V3: zstd frame without content size decodes, with and without a known size', async () => {
  assert.equal(blobKind(V3), 'compressed');
  assert.deepEqual(decodeBlob(V3, { expectedDigest: V1_DIGEST }), D);
  assert.deepEqual(decodeBlob(V3, { expectedSize: 50 }), D);
  assert.deepEqual(decodeBlob(V3, { expectedDigest: V1_DIGEST, expectedSize: 50 }), D);
});

// ---- T4 round trips ------------------------------------------------------------------------

const MODES: Array<{ name: string; opts: EncodeOptions; kind: BlobKind }> = [
  { name: 'uncompressed', opts: {}, kind: 'uncompressed' },
  { name: 'compressed', opts: { compress: true }, kind: 'compressed' },
  { name: 'encrypted', opts: { crypt: KEY9 }, kind: 'encrypted' },
  { name: 'encrypted+compressed', opts: { crypt: KEY9, compress: true }, kind: 'encrypted-compressed' },
];

for (const { name, opts, kind } of MODES) {
  test(`T4: ${name} round trip with key [9;32] verifies digest and size`, async () => {
    const { digest, blob } = buildChunk(D, opts);
    assert.equal(blobKind(blob), kind);
    assert.deepEqual(digest, opts.crypt ? V2_DIGEST : V1_DIGEST);
    const cryptMode = opts.crypt ? 'encrypt' : 'none';
    const dec = { crypt: opts.crypt, expectedDigest: digest, expectedSize: D.length, cryptMode } as const;
    assert.deepEqual(decodeBlob(blob, dec), D);
    // Into a buffer of the caller's (the engine's pooled path), from a copy it hands over.
    assert.deepEqual(decodeBlob(Buffer.from(blob), { ...dec, into: Buffer.alloc(D.length), reuseRaw: true }), D);
  });
}

test('decoding into given buffers: zstd output lands in `into` and nowhere beyond; other blobs are views of raw (encrypted ones decrypted in place)', () => {
  // 1 MiB of half-compressible data: many 64 KiB decrypt slices, a frame of real size.
  const data = Buffer.concat([randomBytes(512 * 1024), Buffer.alloc(512 * 1024, 'restore ')]);
  for (const { name, opts, kind } of MODES) {
    const { digest, blob } = buildChunk(data, opts);
    assert.equal(blobKind(blob), kind);
    const raw = Buffer.from(blob);
    const into = Buffer.alloc(data.length + 16, 0xee);
    const got = decodeBlob(raw, { crypt: opts.crypt, expectedDigest: digest, expectedSize: data.length, into, reuseRaw: true });
    assert.ok(got.equals(data), name);
    if (kind === 'compressed' || kind === 'encrypted-compressed') {
      assert.ok(got.buffer === into.buffer && got.byteOffset === into.byteOffset, `${name}: plaintext in the given buffer`);
      assert.ok(into.subarray(data.length).every((b) => b === 0xee), `${name}: nothing written past the chunk`);
    } else {
      assert.ok(got.buffer === raw.buffer, `${name}: a view of the blob's own buffer`);
      assert.ok(into.every((b) => b === 0xee), `${name}: the given buffer is not touched`);
    }
    // Without reuseRaw the blob is left as it was.
    const kept = Buffer.from(blob);
    assert.ok(decodeBlob(kept, { crypt: opts.crypt, expectedDigest: digest, into }).equals(data));
    assert.ok(kept.equals(blob), `${name}: raw untouched`);
  }
  const small = Buffer.alloc(10);
  const { blob } = buildChunk(data, { compress: true });
  assert.throws(() => decodeBlob(blob, { expectedSize: data.length, into: small }), RangeError);
});

test('T4: encrypted blobs use a fresh random IV, so equal data gives different bytes but one digest', () => {
  const a = buildChunk(D, { crypt: KEY9 });
  const b = buildChunk(D, { crypt: KEY9 });
  assert.notDeepEqual(a.blob, b.blob);
  assert.deepEqual(a.digest, b.digest);
});

test('encoder keeps data uncompressed when zstd would not shrink it', () => {
  const noise = randomBytes(4096);
  assert.equal(blobKind(encodeBlob(noise, { compress: true })), 'uncompressed');
  assert.equal(blobKind(encodeBlob(noise, { compress: true, crypt: KEY9 })), 'encrypted');
  const zeros = Buffer.alloc(65536);
  const blob = encodeBlob(zeros, { compress: true });
  assert.equal(blobKind(blob), 'compressed');
  assert.ok(blob.length < 1024);
  assert.deepEqual(decodeBlob(blob, { expectedSize: 65536 }), zeros);
});

test('sign-only archives carry plain chunks', () => {
  assert.deepEqual(decodeBlob(V1, { cryptMode: 'sign-only' }), D);
  assert.throws(() => decodeBlob(V2, { crypt: KEY9, cryptMode: 'sign-only' }), hasCode('CHUNK_CRYPT_MODE_MISMATCH'));
});

// ---- Z and T3 ------------------------------------------------------------------------------

test('Z: zero-chunk digests for every accepted chunk size', () => {
  const expected: Array<[number, string]> = [
    [64 * 1024, 'de2f256064a0af797747c2b97505dc0b9f3df0de4f489eac731c23ae9ca9cc31'],
    [128 * 1024, 'fa43239bcee7b97ca62f007cc68487560a39e19f74f3dde7486db3f98df8e471'],
    [256 * 1024, '8a39d2abd3999ab73c34db2476849cddf303ce389b35826850f9a700589b4a90'],
    [512 * 1024, '07854d2fef297a06ba81685e660c332de36d5d18d546927d30daad6d7fda1541'],
    [1024 * 1024, '30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58'],
    [2 * 1024 * 1024, '5647f05ec18958947d32874eeb788fa396a05d0bab7c1b71f112ceb7e9b31eee'],
    [4 * 1024 * 1024, 'bb9f8df61474d25e71fa00722318cd387396ca1736605e1248821cc0de3d3af8'],
  ];
  for (const [size, digest] of expected) {
    assert.equal(zeroChunkDigest(size).toString('hex'), digest, `${size}`);
    // the cached value is stable
    assert.equal(zeroChunkDigest(size).toString('hex'), digest, `${size} (cached)`);
  }
});

test('Z: the encrypted 4 MiB zero digest with key [9;32] is keyed', () => {
  const d = zeroChunkDigest(4 * 1024 * 1024, KEY9);
  assert.equal(d.toString('hex'), '5deba33f00ff0935e34bd1c65545a31d7eb8f5b17bc8c97c09384c9d9ee78409');
  assert.notDeepEqual(zeroChunkDigest(4 * 1024 * 1024, OTHER_KEY), d);
  assert.notDeepEqual(zeroChunkDigest(4 * 1024 * 1024), d);
  // a short all-zero last chunk never matches the zero digest
  assert.notDeepEqual(computeChunkDigest(new Uint8Array(4 * 1024 * 1024 - 4096)), zeroChunkDigest(4 * 1024 * 1024));
});

test('T3: digest bb9f8df6… maps to .chunks/bb9f/<hex>', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'pbs-t3-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, '.chunks'));
  const store = await LocalDatastore.open(root);
  const digestHex = 'bb9f8df61474d25e71fa00722318cd387396ca1736605e1248821cc0de3d3af8';
  assert.equal(store.chunkPath(hex(digestHex)), join(store.root, '.chunks', 'bb9f', digestHex));
});

// ---- error paths ---------------------------------------------------------------------------

test('blob too small: under 12 bytes, and an encrypted magic under 44 bytes', () => {
  assert.throws(() => decodeBlob(V1.subarray(0, 11)), hasCode('BLOB_TOO_SMALL'));
  assert.throws(() => decodeBlob(Buffer.alloc(0)), hasCode('BLOB_TOO_SMALL'));
  assert.throws(() => decodeBlob(V2.subarray(0, 43), { crypt: KEY9 }), hasCode('BLOB_TOO_SMALL'));
  // a 12-byte unencrypted blob with empty payload is valid
  assert.deepEqual(decodeBlob(encodeBlob(Buffer.alloc(0)), { expectedSize: 0 }), Buffer.alloc(0));
});

test('bad magic', () => {
  assert.throws(() => decodeBlob(flip(V1, 0)), hasCode('BLOB_BAD_MAGIC'));
  assert.throws(() => blobKind(Buffer.alloc(64)), hasCode('BLOB_BAD_MAGIC'));
});

test('CRC mismatch: one flipped payload byte, or a flipped CRC byte', async () => {
  assert.throws(() => decodeBlob(flip(V1, 30)), hasCode('BLOB_CRC_MISMATCH'));
  assert.throws(() => decodeBlob(flip(V1, 9)), hasCode('BLOB_CRC_MISMATCH'));
  assert.throws(() => decodeBlob(flip(V3, V3.length - 1)), hasCode('BLOB_CRC_MISMATCH'));
  assert.throws(() => decodeBlob(flip(V2, 50), { crypt: KEY9 }), hasCode('BLOB_CRC_MISMATCH'));
  assert.throws(() => decodeBlob(flip(V1, 12)), hasCode('BLOB_CRC_MISMATCH'));
});

test('digest mismatch: corrupted plaintext with a re-stamped CRC, or a wrong expected digest', async () => {
  const corrupted = fixCrc(flip(V1, 20), 12);
  assert.equal(checkBlobCrc(corrupted), 'uncompressed');
  assert.throws(() => decodeBlob(corrupted, { expectedDigest: V1_DIGEST }), hasCode('CHUNK_DIGEST_MISMATCH'));
  assert.throws(() => decodeBlob(V3, { expectedDigest: V2_DIGEST }), hasCode('CHUNK_DIGEST_MISMATCH'));
  // an encrypted chunk's digest is keyed: the plain SHA-256 must not be accepted
  assert.throws(() => decodeBlob(V2, { crypt: KEY9, expectedDigest: V1_DIGEST }), hasCode('CHUNK_DIGEST_MISMATCH'));
  // without an expected digest, the corrupted blob decodes (only the CRC was checked)
  assert.deepEqual(decodeBlob(corrupted), flip(D, 8));
});

test('size mismatch: uncompressed, compressed (shorter and longer than expected)', async () => {
  assert.throws(() => decodeBlob(V1, { expectedSize: 49 }), hasCode('CHUNK_SIZE_MISMATCH'));
  assert.throws(() => decodeBlob(V1, { expectedSize: 51 }), hasCode('CHUNK_SIZE_MISMATCH'));
  assert.throws(() => decodeBlob(V3, { expectedSize: 49 }), hasCode('CHUNK_SIZE_MISMATCH'));
  assert.throws(() => decodeBlob(V3, { expectedSize: 51 }), hasCode('CHUNK_SIZE_MISMATCH'));
  assert.throws(() => decodeBlob(V3, { expectedSize: 10 }), hasCode('CHUNK_SIZE_MISMATCH'));
  assert.throws(() => decodeBlob(V3, { expectedSize: 4096 }), hasCode('CHUNK_SIZE_MISMATCH'));
  const big = encodeBlob(Buffer.alloc(1 << 20), { compress: true, crypt: KEY9 });
  assert.throws(() => decodeBlob(big, { crypt: KEY9, expectedSize: 4096 }), hasCode('CHUNK_SIZE_MISMATCH'));
});

test('crypt-mode mismatch both ways', async () => {
  assert.throws(() => decodeBlob(V1, { cryptMode: 'encrypt' }), hasCode('CHUNK_CRYPT_MODE_MISMATCH'));
  assert.throws(() => decodeBlob(V3, { crypt: KEY9, cryptMode: 'encrypt' }), hasCode('CHUNK_CRYPT_MODE_MISMATCH'));
  assert.throws(() => decodeBlob(V2, { crypt: KEY9, cryptMode: 'none' }), hasCode('CHUNK_CRYPT_MODE_MISMATCH'));
  assert.throws(() => decodeBlob(V2, { crypt: KEY9, cryptMode: 'none' }), hasCode('CHUNK_CRYPT_MODE_MISMATCH'));
});

test('encrypted blob without a key: MISSING_KEY', async () => {
  assert.throws(() => decodeBlob(V2), hasCode('MISSING_KEY'));
  assert.throws(() => decodeBlob(V2, { cryptMode: 'encrypt' }), hasCode('MISSING_KEY'));
  const ec = encodeBlob(D, { crypt: KEY9, compress: true });
  assert.throws(() => decodeBlob(ec), hasCode('MISSING_KEY'));
});

test('wrong key: DECRYPT_FAILED', async () => {
  assert.throws(() => decodeBlob(V2, { crypt: OTHER_KEY }), hasCode('DECRYPT_FAILED'));
  const ec = encodeBlob(D, { crypt: KEY9, compress: true });
  assert.throws(() => decodeBlob(ec, { crypt: OTHER_KEY }), hasCode('DECRYPT_FAILED'));
});

test('corrupt zstd payload with a correct CRC: BLOB_DECOMPRESS_FAILED', async () => {
  const garbage = Buffer.from('this is certainly not a zstd frame');
  const bad = Buffer.concat([COMPRESSED_BLOB_MAGIC, Buffer.alloc(4), garbage]);
  fixCrc(bad, 12);
  assert.equal(checkBlobCrc(bad), 'compressed');
  assert.throws(() => decodeBlob(bad), hasCode('BLOB_DECOMPRESS_FAILED'));
  assert.throws(() => decodeBlob(bad), hasCode('BLOB_DECOMPRESS_FAILED'));

  // a truncated frame (CRC re-stamped) fails too
  const frame = zstdCompressSync(randomBytes(2000));
  const truncated = fixCrc(Buffer.concat([COMPRESSED_BLOB_MAGIC, Buffer.alloc(4), frame.subarray(0, frame.length - 5)]), 12);
  assert.throws(() => decodeBlob(truncated), hasCode('BLOB_DECOMPRESS_FAILED'));

  // encrypted+compressed: decryption succeeds, the plaintext is not zstd
  const enc = encodeBlob(garbage, { crypt: KEY9 });
  Buffer.from(ENCR_COMPR_BLOB_MAGIC).copy(enc, 0);
  assert.equal(checkBlobCrc(enc), 'encrypted-compressed');
  assert.throws(() => decodeBlob(enc, { crypt: KEY9 }), hasCode('BLOB_DECOMPRESS_FAILED'));
});

test('zstd into a bounded buffer: exact fit, too large, truncated, trailing garbage, two frames; a failure leaves the next call working', () => {
  const plain = Buffer.concat([randomBytes(3000), Buffer.alloc(5000, 'x')]);
  const frame = zstdCompressSync(plain);
  const exact = Buffer.alloc(plain.length);
  assert.equal(zstdDecompressInto(frame, exact), plain.length);
  assert.ok(exact.equals(plain));
  // zstd may use all of the buffer it is given as scratch (decodeBlob gives exactly the chunk's size).
  const roomy = Buffer.alloc(plain.length + 100);
  assert.equal(zstdDecompressInto(frame, roomy), plain.length);
  assert.ok(roomy.subarray(0, plain.length).equals(plain));
  assert.throws(() => zstdDecompressInto(frame, Buffer.alloc(plain.length - 1)), hasCode('CHUNK_SIZE_MISMATCH'));
  assert.throws(() => zstdDecompressInto(frame.subarray(0, frame.length - 5), Buffer.alloc(plain.length)), hasCode('BLOB_DECOMPRESS_FAILED'));
  assert.throws(() => zstdDecompressInto(Buffer.concat([frame, Buffer.from('garbage!')]), Buffer.alloc(plain.length + 100)), hasCode('BLOB_DECOMPRESS_FAILED'));
  const two = Buffer.alloc(2 * plain.length);
  assert.equal(zstdDecompressInto(Buffer.concat([frame, frame]), two), 2 * plain.length);
  assert.ok(two.equals(Buffer.concat([plain, plain])));
  assert.throws(() => zstdDecompressInto(Buffer.concat([frame, frame]), Buffer.alloc(plain.length + 1)), hasCode('CHUNK_SIZE_MISMATCH'));
  // After each failure above, the same thread's next decode is still right.
  const again = Buffer.alloc(plain.length);
  assert.equal(zstdDecompressInto(frame, again), plain.length);
  assert.ok(again.equals(plain));
  assert.equal(zstdDecompressesDirectly(), true, 'this Node decodes straight into the given buffer');
});

test('encodeBlob refuses data above MAX_BLOB_SIZE', () => {
  // a fake length avoids allocating 128 MiB
  const fake = { length: 128 * 1024 * 1024 + 1 } as Uint8Array;
  assert.throws(() => encodeBlob(fake), RangeError);
});

test('computeChunkDigest: plain SHA-256 without a key', () => {
  assert.deepEqual(computeChunkDigest(D), createHash('sha256').update(D).digest());
  assert.deepEqual(computeChunkDigest(D, KEY9), V2_DIGEST);
});

test('every decode of a blob that is not a chunk is bounded: a small bomb or a large plain blob is BLOB_TOO_LARGE', async () => {
  const bomb = encodeBlob(Buffer.alloc(4 * 1024 * 1024), { compress: true });
  assert.ok(bomb.length < 4096, 'a bomb is small');
  assert.throws(() => decodeBlob(bomb, { maxSize: 1024 * 1024 }), hasCode('BLOB_TOO_LARGE'));
  // The same bound on the one decode path, encrypted and compressed.
  assert.throws(() => decodeBlob(encodeBlob(Buffer.alloc(4 * 1024 * 1024), { compress: true, crypt: KEY9 }), { crypt: KEY9, maxSize: 1024 * 1024 }), hasCode('BLOB_TOO_LARGE'));
  assert.throws(() => decodeBlob(encodeBlob(Buffer.alloc(2000, 1)), { maxSize: 1000 }), hasCode('BLOB_TOO_LARGE'));
  assert.equal(decodeBlob(bomb, { maxSize: 4 * 1024 * 1024 }).length, 4 * 1024 * 1024, 'the bound itself passes');
});
