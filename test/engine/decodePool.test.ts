import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DecodePool, setDecodeWorkerUrl } from '../../electron/engine/decodePool.ts';
import { RestoreEngine } from '../../electron/engine/restoreEngine.ts';
import { openTarget } from '../../electron/engine/target.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { buildChunk, decodeBlob } from '../../electron/pbs/dataBlob.ts';
import { RestoreError } from '../../shared/errors.ts';
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

test('a worker that crashes fails only its own tasks, with INTERNAL; the pool goes on with a new one', async () => {
  // Workers start on first use: the crashing one is the pool's first and only worker.
  setDecodeWorkerUrl(new URL('./fixtures/crashingDecodeWorker.ts', import.meta.url));
  const crashing = new DecodePool(1);
  const data = Buffer.from('y'.repeat(100_000));
  const good = buildChunk(data, { compress: true });
  try {
    const first = crashing.decode(Buffer.from(good.blob), { expectedDigest: good.digest });
    setDecodeWorkerUrl(new URL('../../electron/engine/decodeWorker.ts', import.meta.url));
    assert.ok((await first).equals(data));
    // The crash marker and a task queued behind it on the same (only) worker.
    const crash = crashing.decode(Buffer.from([0xcc]), {});
    const behind = crashing.decode(Buffer.from(good.blob), { expectedDigest: good.digest });
    await assert.rejects(crash, (e: RestoreError) => e.code === 'INTERNAL' && /decode worker failed: injected crash/.test(e.message));
    await assert.rejects(behind, (e: RestoreError) => e.code === 'INTERNAL' && /decode worker/.test(e.message));
    assert.ok((await crashing.decode(Buffer.from(good.blob), { expectedDigest: good.digest })).equals(data), 'no new worker after a crash');
  } finally {
    await crashing.close();
  }
});

test('close fails queued and running tasks at once and refuses new ones', async () => {
  const p = new DecodePool(1);
  const data = randomBytes(2 * 1024 * 1024);
  const blobs = Array.from({ length: 5 }, () => buildChunk(data, { compress: true, crypt }));
  const tasks = blobs.map((b) => p.decode(Buffer.from(b.blob), { expectedDigest: b.digest, crypt }));
  const outcomes = Promise.allSettled(tasks);
  await p.close();
  const settled = await outcomes;
  // Two were with the worker (one running, one behind it), three waited in the queue: none hangs.
  for (const r of settled) if (r.status === 'rejected') assert.equal((r.reason as RestoreError).code, 'INTERNAL');
  assert.ok(settled.filter((r) => r.status === 'rejected').length >= 3, 'queued tasks outlived close');
  await assert.rejects(p.decode(Buffer.from(blobs[0]!.blob), {}), (e: RestoreError) => e.code === 'INTERNAL' && /closed/.test(e.message));
});

test('a queued task whose signal aborts is dropped: it rejects with the reason and never reaches a worker', async () => {
  const one = new DecodePool(1);
  try {
    const data = Buffer.from('queued '.repeat(50_000));
    const { digest, blob } = buildChunk(data, { compress: true });
    const opts = { expectedDigest: digest, expectedSize: data.length };
    // One worker takes two tasks at once; the third waits in the queue.
    const running = [one.decode(Buffer.from(blob), opts), one.decode(Buffer.from(blob), opts)];
    const abort = new AbortController();
    const queued = one.decode(Buffer.from(blob), opts, abort.signal);
    abort.abort(new RestoreError('CANCELLED', 'job cancelled'));
    await assert.rejects(queued, (e: RestoreError) => e.code === 'CANCELLED' && e.message === 'job cancelled');
    for (const r of await Promise.all(running)) assert.ok(r.equals(data));
    assert.ok((await one.decode(Buffer.from(blob), opts, new AbortController().signal)).equals(data), 'the pool goes on');
  } finally {
    await one.close();
  }
});
