// A hostile PBS server (test/pbsServer/hostile.ts) against the client's bounds: bodies that never
// end, declare more than any chunk can be, or drip a byte at a time; decompression bombs in place
// of the manifest and the guest configuration. Each is refused with its code, and what the client
// read before the refusal (its own byte counters) stays near the bound, not near what was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestAt, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { backupTimeName } from '../../electron/pbs/names.ts';
import { maxChunkBlobBytes, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, MiB } from '../../shared/limits.ts';
import type { RestoreError } from '../../shared/errors.ts';
import type { RemoteSnapshotReader } from '../../electron/source/pbs/remoteReader.ts';
import { snapshotDetail } from '../../electron/service/catalog.ts';
import { prepareRestore } from '../../electron/engine/restoreJob.ts';
import { OVERSIZED_CHUNK } from '../pbsServer/hostile.ts';
import { dataChunks, refOf, remoteSetup } from './setup.ts';

const r = await remoteSetup();
const { demo } = r;
const plain = demo.archives.find((a) => !a.encrypted && a.ns === '' && dataChunks(a) >= 4)!;
/** One HTTP/2 DATA frame at most (the client's SETTINGS_MAX_FRAME_SIZE) may arrive past a bound. */
const FRAME = 4 * MiB;
const fast = { stallTimeoutMs: 60_000, rate: { graceMs: 300, minBytesPerSec: 1024 * 1024 } };

async function firstDataDigest(): Promise<Buffer> {
  const index = parseFixedIndex(await readFile(join(demo.dir, plain.type, plain.id, backupTimeName(plain.time), plain.archive)));
  const zero = zeroChunkDigest(index.chunkSize);
  for (let i = 0; i < index.count; i++) if (!digestAt(index, i).equals(zero)) return digestAt(index, i);
  throw new Error('no data chunk');
}

async function openPlain(srv: Awaited<ReturnType<typeof r.server>>, tuning = {}): Promise<RemoteSnapshotReader> {
  const reader = (await (await r.connect(srv, {}, tuning)).openSnapshot(refOf(plain))) as RemoteSnapshotReader;
  await reader.readFile(plain.archive);
  return reader;
}

for (const mode of ['endless', 'oversized'] as const) {
  test(`a chunk body that is ${mode} is refused with CHUNK_TOO_LARGE after at most one frame past the bound`, async () => {
    const srv = await r.server({ hostile: { chunk: mode } });
    const reader = await openPlain(srv);
    const max = maxChunkBlobBytes(plain.chunkSize);
    const before = reader.bytesReceived;
    await assert.rejects(reader.readChunk(await firstDataDigest(), undefined, max), (e: RestoreError) => {
      assert.equal(e.code, 'CHUNK_TOO_LARGE');
      assert.equal(e.transient, false);
      if (mode === 'oversized') assert.match(e.message, new RegExp(`${OVERSIZED_CHUNK} bytes`));
      return true;
    });
    const read = reader.bytesReceived - before;
    assert.ok(read <= max + FRAME, `read ${read} bytes for a chunk of at most ${max}`);
    await reader.close();
  });
}

test('a chunk body that drips passes every gap timeout but not the rate floor: TIMEOUT, transient', async () => {
  const srv = await r.server({ hostile: { chunk: 'drip', dripMs: 20 } });
  const reader = await openPlain(srv, fast);
  await assert.rejects(reader.readChunk(await firstDataDigest(), undefined, maxChunkBlobBytes(plain.chunkSize)), (e: RestoreError) => {
    assert.equal(e.code, 'TIMEOUT');
    assert.equal(e.transient, true, 'chunks that time out are retried like other transient errors');
    assert.match(e.message, /slower than the 1024 KiB\/s/);
    return true;
  });
  await reader.close();
});

test('an endless JSON answer is refused as too large (SERVER_ERROR) near the bound; a dripping one times out', async () => {
  const endless = await r.server({ hostile: { json: 'endless' } });
  const src = await r.connect(endless, {}, { maxJsonBytes: MiB });
  const before = src.apiBytesReceived;
  await assert.rejects(src.listSnapshots(''), (e: RestoreError) => e.code === 'SERVER_ERROR' && /response too large/.test(e.message));
  const read = src.apiBytesReceived - before;
  assert.ok(read <= MiB + 256 * 1024, `read ${read} bytes of JSON with a bound of ${MiB}`);
  const dripping = await r.server({ hostile: { json: 'drip', dripMs: 20 } });
  const slow = await r.connect(dripping, {}, fast);
  await assert.rejects(slow.listGroups(''), (e: RestoreError) => e.code === 'TIMEOUT' && /slower than/.test(e.message));
});

test('a manifest that is a decompression bomb fails the restore with BLOB_TOO_LARGE, before any target exists', async () => {
  const srv = await r.server({ hostile: { bombs: ['index.json.blob'], bombBytes: MAX_MANIFEST_BYTES + MiB } });
  const src = await r.connect(srv);
  const target = join(r.out, 'bomb.raw');
  await assert.rejects(prepareRestore({ source: src, ref: refOf(plain), archive: plain.archive, target: { path: target } }), { code: 'BLOB_TOO_LARGE' });
  await assert.rejects(readFile(`${target}.partial`), { code: 'ENOENT' });
});

test('a guest configuration that is a decompression bomb shows as BLOB_TOO_LARGE; one under the bound is cut at 1 MiB, marked truncated', async () => {
  const vm = demo.archives.find((a) => a.type === 'vm' && !a.encrypted && a.ns === '')!;
  const sel = { ns: vm.ns, type: vm.type, id: vm.id, time: vm.time };
  const big = await r.connect(await r.server({ hostile: { bombs: ['qemu-server.conf.blob'], bombBytes: MAX_CONFIG_BYTES + MiB } }));
  const d1 = await snapshotDetail(big, 's', sel, {});
  assert.equal(d1.config?.error?.code, 'BLOB_TOO_LARGE');
  assert.equal(d1.config?.text, undefined);
  const mid = await r.connect(await r.server({ hostile: { bombs: ['qemu-server.conf.blob'], bombBytes: 3 * MiB } }));
  const d2 = await snapshotDetail(mid, 's', sel, {});
  assert.equal(d2.config?.truncated, true);
  assert.equal(d2.config?.text?.length, MiB);
});
