import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat, writeFile, readFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreEngine, type ChunkEvent } from '../../electron/engine/restoreEngine.ts';
import { openTarget, type Target } from '../../electron/engine/target.ts';
import { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { RestoreError } from '../../shared/errors.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { digestAt } from '../../electron/pbs/fixedIndex.ts';
import { buildImage, deferred, testImage } from '../helpers/memSource.ts';
import { sha256File, tempDir } from '../helpers/tmp.ts';

const CS = 64 * 1024;
const img = testImage(CS, 48, 1000); // 49 chunks, every third zero, repeated chunks, short tail

async function restoreTo(path: string, concurrency: number, opts: { sparse?: boolean; crypt?: CryptConfig } = {}) {
  const b = buildImage(img, CS, opts.crypt);
  const target = await openTarget({ path, size: b.index.size, ...(opts.sparse === false ? { sparse: false } : {}) });
  const engine = new RestoreEngine(b.input, { target, concurrency });
  return { b, engine, summary: await engine.run() };
}

const exists = (p: string) => access(p).then(() => true, () => false);

for (const concurrency of [1, 16]) {
  test(`restores bit-exact with concurrency ${concurrency}, zero chunks unfetched and sparse`, async () => {
    const dir = await tempDir();
    const path = join(dir, 'disk.raw');
    const { b, engine, summary } = await restoreTo(path, concurrency);
    assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
    assert.equal(await sha256File(path), b.sha256);
    assert.equal(summary.bytes, img.length);
    assert.equal(summary.chunks, b.index.count);
    const zeroHex = toHex(b.input.zeroDigest);
    const zeroCount = Array.from({ length: b.index.count }, (_, i) => toHex(digestAt(b.index, i))).filter((h) => h === zeroHex).length;
    assert.equal(zeroCount, 16);
    assert.equal(summary.zeroChunks, zeroCount);
    assert.equal(summary.zeroBytes, zeroCount * CS);
    assert.ok(!b.source.reads.includes(zeroHex), 'a zero chunk was fetched');
    // Repeated chunks are fetched once: one read per distinct non-zero digest.
    const all = Array.from({ length: b.index.count }, (_, i) => toHex(digestAt(b.index, i))).filter((h) => h !== zeroHex);
    const distinct = new Set(all).size;
    assert.ok(distinct < all.length, 'the test image has no repeated chunk');
    assert.equal(b.source.reads.length, distinct);
    assert.equal(engine.progress().reusedChunks, all.length - distinct);
    assert.ok(b.source.maxActive <= concurrency);
    if (concurrency === 16) assert.ok(b.source.maxActive > 1, 'reads did not overlap');
    const st = await stat(path);
    assert.ok(st.blocks * 512 < st.size - 8 * CS, `not sparse: ${st.blocks * 512} allocated of ${st.size}`);
    assert.equal(await exists(`${path}.partial`), false);
  });
}

test('writes zeros explicitly when sparse is off', async () => {
  const dir = await tempDir();
  const path = join(dir, 'disk.raw');
  const { b, summary } = await restoreTo(path, 8, { sparse: false });
  assert.equal(summary.status, 'succeeded');
  assert.equal(await sha256File(path), b.sha256);
  const st = await stat(path);
  assert.ok(st.blocks * 512 >= st.size - 4096, 'zero chunks were left as holes');
});

test('restores an encrypted image, skipping the keyed zero chunk', async () => {
  const dir = await tempDir();
  const path = join(dir, 'enc.raw');
  const crypt = new CryptConfig(Buffer.alloc(32, 7));
  const { b, summary } = await restoreTo(path, 4, { crypt });
  assert.equal(summary.status, 'succeeded', JSON.stringify(summary.error));
  assert.equal(await sha256File(path), b.sha256);
  assert.equal(summary.zeroChunks, 16);
});

test('completes out of order: a slow first chunk does not hold back the others', async () => {
  const b = buildImage(img, CS);
  const firstHex = toHex(digestAt(b.index, 0));
  const release = deferred();
  const done: number[] = [];
  b.source.hook = async (hex) => {
    if (hex === firstHex) await release.promise;
  };
  const engine = new RestoreEngine(b.input, { concurrency: 4 });
  engine.on('chunk', (e: ChunkEvent) => {
    if (e.state === 2) done.push(e.index);
    if (done.length === 5) release.resolve();
  });
  const summary = await engine.run();
  assert.equal(summary.status, 'succeeded');
  assert.notEqual(done[0], 0);
  assert.ok(done.indexOf(0) >= 5);
});

test('the limit changes while the job runs: raising starts more reads, lowering lets them drain', async () => {
  const b = buildImage(img, CS);
  const gates: Array<() => void> = [];
  let onRead: (() => void) | undefined;
  b.source.hook = () =>
    new Promise<void>((resolve) => {
      gates.push(resolve);
      onRead?.();
    });
  const engine = new RestoreEngine(b.input, { concurrency: 2 });
  const waitReads = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => gates.length >= n && resolve();
      onRead = check;
      check();
    });
  const run = engine.run();
  await waitReads(2);
  assert.equal(b.source.active, 2);
  engine.setConcurrency(6);
  await waitReads(6);
  assert.equal(b.source.active, 6);
  assert.equal(engine.progress().limit, 6);
  engine.setConcurrency(1);
  // Nothing running is aborted: five of the six finish, and no new read starts while the sixth
  // still holds the only slot.
  let done = 0;
  const fiveDone = deferred();
  engine.on('chunk', (e: ChunkEvent) => e.state === 2 && ++done === 5 && fiveDone.resolve());
  gates.splice(0, 5).forEach((g) => g());
  await fiveDone.promise;
  await new Promise<void>((r) => setImmediate(r));
  assert.equal(gates.length, 1, 'a read started while at the new limit');
  assert.equal(b.source.active, 1);
  // From here one at a time: release each read as it comes.
  onRead = () => gates.shift()?.();
  gates.shift()?.();
  const summary = await run;
  assert.equal(summary.status, 'succeeded');
  assert.equal(b.source.maxActive, 6);
});

test('pause stops new reads; resume finishes bit-exact', async () => {
  const dir = await tempDir();
  const path = join(dir, 'p.raw');
  const b = buildImage(img, CS);
  const target = await openTarget({ path, size: b.index.size });
  const engine = new RestoreEngine(b.input, { target, concurrency: 3 });
  let readsAtPause = -1;
  const paused = deferred();
  engine.on('chunk', (e: ChunkEvent) => {
    if (e.state === 2 && readsAtPause < 0 && engine.progress().doneChunks >= 10) {
      engine.pause();
      readsAtPause = b.source.reads.length;
    }
    // The chunk reporting is still counted in flight; when it is the last one, the job is idle.
    if (readsAtPause >= 0 && engine.progress().inFlight <= 1) paused.resolve();
  });
  const run = engine.run();
  await paused.promise;
  await new Promise<void>((r) => setImmediate(r));
  assert.equal(engine.progress().paused, true);
  assert.equal(b.source.reads.length, readsAtPause, 'a read started while paused');
  engine.resume();
  const summary = await run;
  assert.equal(summary.status, 'succeeded');
  assert.equal(await sha256File(path), b.sha256);
});

test('cancel ends as cancelled and leaves only a .partial file', async () => {
  const dir = await tempDir();
  const path = join(dir, 'c.raw');
  const b = buildImage(img, CS);
  const target = await openTarget({ path, size: b.index.size });
  const ac = new AbortController();
  const engine = new RestoreEngine(b.input, { target, concurrency: 4, signal: ac.signal });
  engine.on('chunk', () => engine.progress().doneChunks === 12 && ac.abort());
  const summary = await engine.run();
  assert.equal(summary.status, 'cancelled');
  assert.equal(summary.error?.code, 'CANCELLED');
  assert.equal(summary.partial, true);
  assert.equal(summary.target, `${path}.partial`);
  assert.equal(await exists(path), false);
  assert.equal(await exists(`${path}.partial`), true);
  assert.ok(summary.chunks < b.index.count);
});

for (const [what, mutate, code] of [
  ['a corrupt chunk (CRC)', (raw: Buffer) => { raw[raw.length - 1]! ^= 1; }, 'BLOB_CRC_MISMATCH'],
  ['a chunk with the wrong content', 'swap', 'CHUNK_DIGEST_MISMATCH'],
  ['a missing chunk', 'delete', 'CHUNK_MISSING'],
] as const) {
  test(`fails on ${what} with ${code}, naming the chunk, and never completes the target`, async () => {
    const dir = await tempDir();
    const path = join(dir, 'f.raw');
    await writeFile(path, 'old contents');
    const b = buildImage(img, CS);
    const victim = 9;
    const hex = toHex(digestAt(b.index, victim));
    if (mutate === 'swap') b.source.chunks.set(hex, b.source.chunks.get(toHex(digestAt(b.index, 0)))!);
    else if (mutate === 'delete') {
      b.source.chunks.delete(hex);
      b.source.hook = (h) => {
        if (h === hex) throw new RestoreError('CHUNK_MISSING', `chunk file .chunks/${hex.slice(0, 4)}/${hex} is missing`);
      };
    } else {
      const copy = Buffer.from(b.source.chunks.get(hex)!);
      mutate(copy);
      b.source.chunks.set(hex, copy);
    }
    const target = await openTarget({ path, size: b.index.size, force: true });
    const summary = await new RestoreEngine(b.input, { target, concurrency: 4 }).run();
    assert.equal(summary.status, 'failed');
    assert.equal(summary.error?.code, code);
    assert.deepEqual(summary.error?.chunk, { index: victim, offset: victim * CS, digest: hex });
    assert.match(summary.error!.message, new RegExp(`chunk ${victim} at offset ${victim * CS} \\(digest ${hex}\\)`));
    assert.equal(await readFile(path, 'utf8'), 'old contents', 'the existing target was touched');
  });
}

test('verify mode decodes every chunk, writes nothing, and finds corruption', async () => {
  const b = buildImage(img, CS);
  const ok = await new RestoreEngine(b.input, { concurrency: 8 }).run();
  assert.equal(ok.status, 'succeeded');
  assert.equal(ok.mode, 'verify');
  assert.equal(ok.target, undefined);
  const hex = toHex(digestAt(b.index, 3));
  b.source.chunks.set(hex, b.source.chunks.get(toHex(digestAt(b.index, 0)))!);
  const bad = await new RestoreEngine(b.input, { concurrency: 8 }).run();
  assert.equal(bad.error?.code, 'CHUNK_DIGEST_MISMATCH');
});

test('a full disk fails the job with ENOSPC', async () => {
  const b = buildImage(img, CS);
  let abandoned = false;
  const target: Target = {
    path: '/x',
    writePath: '/x.partial',
    kind: 'file',
    writesZeros: false,
    write: async () => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    },
    sync: async () => {},
    commit: async () => assert.fail('committed after a failed write'),
    abandon: async () => {
      abandoned = true;
    },
  };
  const summary = await new RestoreEngine(b.input, { target, concurrency: 4 }).run();
  assert.equal(summary.status, 'failed');
  assert.equal(summary.error?.code, 'ENOSPC');
  assert.ok(abandoned);
});

test('transient source errors are retried; permanent ones are not', async () => {
  const b = buildImage(img, CS);
  const tries = new Map<string, number>();
  b.source.hook = (hex) => {
    const n = (tries.get(hex) ?? 0) + 1;
    tries.set(hex, n);
    if (n === 1) throw new RestoreError('CONNECTION_FAILED', 'connection reset', { transient: true });
  };
  const retry = { retries: 2, baseMs: 1, maxMs: 2 };
  const summary = await new RestoreEngine(b.input, { concurrency: 4, retry }).run();
  assert.equal(summary.status, 'succeeded');
  // Every distinct chunk failed once and was read again (repeated chunks are read more often).
  assert.ok([...tries.values()].every((n) => n >= 2));
  assert.equal([...tries.values()].reduce((a, n) => a + n, 0), b.source.reads.length);
  b.source.hook = (hex) => {
    if (hex === [...tries.keys()][0]) throw new RestoreError('CHUNK_MISSING', 'gone');
  };
  const before = b.source.reads.length;
  const failed = await new RestoreEngine(b.input, { concurrency: 1, retry }).run();
  assert.equal(failed.error?.code, 'CHUNK_MISSING');
  assert.equal(b.source.reads.length - before, 1, 'a permanent error was retried');
});

test('an existing target needs force; a missing folder is refused', async () => {
  const dir = await tempDir();
  const path = join(dir, 'e.raw');
  await writeFile(path, 'x');
  await assert.rejects(openTarget({ path, size: 10 }), { code: 'TARGET_EXISTS' });
  await assert.rejects(openTarget({ path: join(dir, 'no', 'such.raw'), size: 10 }), { code: 'TARGET_NOT_WRITABLE' });
  await assert.rejects(openTarget({ path: '/dev/null', size: 10, force: true }), { code: 'TARGET_NOT_WRITABLE' });
});
