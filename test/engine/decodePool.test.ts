import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DecodePool } from '../../electron/engine/decodePool.ts';
import { RestoreEngine } from '../../electron/engine/restoreEngine.ts';
import { openTarget } from '../../electron/engine/target.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { buildChunk, decodeBlob } from '../../electron/pbs/dataBlob.ts';
import { buildImage, testImage } from '../helpers/memSource.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const pool = new DecodePool(2);
after(() => pool.close());
const crypt = new CryptConfig(Buffer.alloc(32, 9));

test('the pool decodes every blob kind exactly like the inline decoder and moves buffers', async () => {
  const text = Buffer.from('restore console '.repeat(20000));
  const noise = randomBytes(300_000);
  for (const data of [text, noise]) {
    for (const opts of [{}, { compress: true }, { crypt }, { compress: true, crypt }]) {
      const { digest, blob } = buildChunk(data, opts);
      const expected = decodeBlob(Buffer.from(blob), { expectedDigest: digest, expectedSize: data.length, ...(opts.crypt ? { crypt } : {}) });
      const raw = Buffer.from(blob);
      const large = raw.byteLength >= 64 * 1024;
      const got = await pool.decode(raw, { expectedDigest: digest, expectedSize: data.length, cryptMode: opts.crypt ? 'encrypt' : 'none', ...(opts.crypt ? { crypt } : {}) });
      assert.ok(got.equals(expected));
      // Large inputs are moved (the sender's view detaches); small ones may share Node's pool and are copied.
      if (large) assert.equal(raw.byteLength, 0, 'a large input was copied instead of transferred');
    }
  }
});

test('errors from workers keep their stable codes', async () => {
  const data = Buffer.from('x'.repeat(100_000));
  const plain = buildChunk(data, { compress: true });
  const enc = buildChunk(data, { crypt });
  await assert.rejects(pool.decode(Buffer.from(plain.blob), { expectedDigest: enc.digest }), { code: 'CHUNK_DIGEST_MISMATCH' });
  await assert.rejects(pool.decode(Buffer.from(plain.blob), { expectedSize: 5 }), { code: 'CHUNK_SIZE_MISMATCH' });
  await assert.rejects(pool.decode(Buffer.from(enc.blob), {}), { code: 'MISSING_KEY' });
  await assert.rejects(pool.decode(Buffer.from(enc.blob), { crypt: new CryptConfig(Buffer.alloc(32, 1)) }), { code: 'DECRYPT_FAILED' });
  await assert.rejects(pool.decode(Buffer.from(plain.blob), { cryptMode: 'encrypt' }), { code: 'CHUNK_CRYPT_MODE_MISMATCH' });
  // The pool still works after errors.
  assert.ok((await pool.decode(Buffer.from(plain.blob), { expectedDigest: plain.digest })).equals(data));
});

test('the engine restores an encrypted image bit-exact through the pool', async () => {
  const dir = await tempDir();
  const path = join(dir, 'pool.raw');
  const b = buildImage(testImage(64 * 1024, 40, 333), 64 * 1024, crypt);
  const target = await openTarget({ path, size: b.index.size });
  const summary = await new RestoreEngine(b.input, { target, concurrency: 8, decoder: pool }).run();
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  assert.equal(await sha256File(path), b.sha256);
});
