// Datastores holding pxar archives built by the tests: one ct snapshot per archive, written with
// the demo's writers (chunk store, snapshot writer, manifest), chunked small so that a listing's
// chunk count is meaningful.
import { join } from 'node:path';
import { ChunkStore } from '../../electron/demo/chunkStore.ts';
import { SnapshotWriter, streamChunkLengths, writeGroup } from '../../electron/demo/snapshotWriter.ts';
import type { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { encodePxar, type EncodedPxar, type PxarMeta, type PxarNode } from '../../electron/pbs/pxar/encoder.ts';
import type { SnapshotRef } from '../../electron/pbs/names.ts';
import { tempDir } from './tmp.ts';

export interface PxarSnapshot {
  ref: SnapshotRef;
  format: 1 | 2;
  encrypted: boolean;
  encoded: EncodedPxar;
  /** Chunks in the archive's index (or both indexes). */
  chunks: number;
}

export interface PxarSnapshotSpec {
  id: string;
  format: 1 | 2;
  tree: PxarMeta & { children: PxarNode[] };
  crypt?: CryptConfig;
  /** Average chunk length (default 4 KiB). */
  chunk?: number;
  /** Replace the encoded bytes before writing (to store a damaged archive). */
  mangle?: (e: EncodedPxar) => EncodedPxar;
}

export const SNAPSHOT_TIME = 1767312000; // 2026-01-02T00:00:00Z

/** A new datastore with one ct snapshot per spec; returns its directory and the snapshots. */
export async function pxarDatastore(specs: PxarSnapshotSpec[]): Promise<{ dir: string; snapshots: Map<string, PxarSnapshot> }> {
  const dir = join(await tempDir('rc-pxar-'), 'store');
  const store = new ChunkStore(dir);
  await store.init();
  const snapshots = new Map<string, PxarSnapshot>();
  for (const spec of specs) {
    await writeGroup(dir, '', 'ct', spec.id);
    const writer = new SnapshotWriter(dir, { ns: '', type: 'ct', id: spec.id }, SNAPSHOT_TIME, store, spec.crypt);
    await writer.init();
    const encoded = (spec.mangle ?? ((e) => e))(encodePxar(spec.tree, { format: spec.format }));
    const avg = spec.chunk ?? 4096;
    const parts: Array<[string, Buffer]> = spec.format === 1 ? [['root.pxar.didx', encoded.meta]] : [['root.mpxar.didx', encoded.meta], ['root.ppxar.didx', encoded.payload!]];
    let chunks = 0;
    for (const [name, data] of parts) {
      const lengths = streamChunkLengths(data.length, avg, `${spec.id}/${name}`);
      chunks += lengths.length;
      await writer.writeArchive(name, data, lengths);
    }
    await writer.finish({ type: 'ct', id: spec.id, unprotected: {} });
    snapshots.set(spec.id, { ref: { ns: '', type: 'ct', id: spec.id, time: SNAPSHOT_TIME }, format: spec.format, encrypted: !!spec.crypt, encoded, chunks });
  }
  return { dir, snapshots };
}
