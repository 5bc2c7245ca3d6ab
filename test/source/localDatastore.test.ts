// A datastore directory that holds something other than what it should: a FIFO in place of a
// chunk, manifest, index or owner file (which used to hang restore, verify and list for good), a
// huge sparse chunk or index file (read whole before any check), a manifest that is a
// decompression bomb. Each is refused with its code before it can block or allocate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoArchive, DemoResult } from '../../electron/demo/demoDatastore.ts';
import { prepareRestore } from '../../electron/engine/restoreJob.ts';
import { digestAt, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { maxChunkBlobBytes, MiB } from '../../shared/limits.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';
import { bombBlob } from '../pbsServer/hostile.ts';

const demo = await smallDemo();
const work = await tempDir();
const plain = demo.archives.find((a) => !a.encrypted && a.ns === '' && a.chunks - a.zeroChunks >= 2)!;
const ref = (a: DemoArchive) => ({ ns: a.ns, type: a.type, id: a.id, time: a.time });
let n = 0;

async function copyDemo(): Promise<DemoResult> {
  const dir = join(work, `store-${++n}`);
  await cp(demo.dir, dir, { recursive: true });
  return { ...demo, dir };
}

const snapDir = (d: DemoResult, a: DemoArchive) => join(d.dir, a.type, a.id, backupTimeName(a.time));

async function firstChunkPath(d: DemoResult): Promise<{ path: string; digest: Buffer }> {
  const index = parseFixedIndex(await readFile(join(snapDir(d, plain), plain.archive)));
  const zero = zeroChunkDigest(index.chunkSize);
  for (let i = 0; i < index.count; i++) {
    const dg = digestAt(index, i);
    if (!dg.equals(zero)) return { digest: dg, path: join(d.dir, '.chunks', toHex(dg).slice(0, 4), toHex(dg)) };
  }
  throw new Error('no data chunk');
}

async function fifoAt(path: string): Promise<void> {
  await rm(path, { force: true });
  execFileSync('mkfifo', [path]);
}

test('a FIFO in place of a chunk, the manifest or the index is refused with NOT_A_FILE, naming it; one as owner is skipped', async () => {
  const d = await copyDemo();
  const store = await LocalDatastore.open(d.dir);
  const chunk = await firstChunkPath(d);
  await fifoAt(chunk.path);
  await assert.rejects(store.readChunk(chunk.digest), (e: Error & { code: string }) => e.code === 'NOT_A_FILE' && e.message.includes(chunk.path) && /FIFO/.test(e.message));
  const index = join(snapDir(d, plain), plain.archive);
  await fifoAt(index);
  await assert.rejects(prepareRestore({ source: store, ref: ref(plain), archive: plain.archive }), { code: 'NOT_A_FILE' });
  await fifoAt(join(d.dir, plain.type, plain.id, 'owner'));
  const listed = await store.listSnapshots('', { type: plain.type, id: plain.id });
  assert.ok(listed.length > 0 && listed.every((s) => s.owner === undefined));
  await fifoAt(join(snapDir(d, plain), 'index.json.blob'));
  await assert.rejects(store.listSnapshots(''), { code: 'NOT_A_FILE' });
  await assert.rejects(store.openSnapshot(ref(plain)), { code: 'NOT_A_FILE' });
});

test('a chunk file larger than any valid blob is refused unread (BLOB_TOO_LARGE), as is an index larger than its manifest allows (INDEX_INVALID)', async () => {
  const d = await copyDemo();
  const store = await LocalDatastore.open(d.dir);
  const chunk = await firstChunkPath(d);
  // 1 GiB, sparse: reading it whole would allocate and read a gigabyte.
  await truncate(chunk.path, 1024 * MiB);
  await assert.rejects(store.readChunk(chunk.digest, undefined, maxChunkBlobBytes(plain.chunkSize)), (e: Error & { code: string }) => {
    assert.equal(e.code, 'BLOB_TOO_LARGE');
    assert.match(e.message, new RegExp(`${1024 * MiB} bytes`));
    return true;
  });
  await truncate(join(snapDir(d, plain), plain.archive), 512 * MiB);
  await assert.rejects(prepareRestore({ source: store, ref: ref(plain), archive: plain.archive }), { code: 'INDEX_INVALID' });
});

test('a manifest that is a decompression bomb is BLOB_TOO_LARGE, in listings and restores', async () => {
  const d = await copyDemo();
  const store = await LocalDatastore.open(d.dir);
  await writeFile(join(snapDir(d, plain), 'index.json.blob'), bombBlob(64 * MiB));
  await assert.rejects(store.listSnapshots(''), { code: 'BLOB_TOO_LARGE' });
  await assert.rejects(prepareRestore({ source: store, ref: ref(plain), archive: plain.archive }), { code: 'BLOB_TOO_LARGE' });
});
