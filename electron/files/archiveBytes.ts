// Opening an archive of a snapshot for random access: the same checks as a restore (manifest,
// key fingerprint and signature, index checksum and size against the manifest: engine/
// archivePlan.ts), then a ChunkReader over its index. Works for disk images (*.fidx) and file
// archives (*.didx). Reading the index through the snapshot reader is also what registers its
// chunks with a PBS reader session before any of them is asked for.
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import type { Manifest } from '../pbs/manifest.ts';
import type { SnapshotReader } from '../source/chunkSource.ts';
import { openCheckedIndex } from '../engine/archivePlan.ts';
import { ChunkReader, dynamicChunkIndex, fixedChunkIndex, type ChunkReaderOptions } from './chunkReader.ts';

export type ArchiveBytesOptions = Pick<ChunkReaderOptions, 'maxCachedChunks' | 'maxCachedBytes' | 'concurrency' | 'decoder' | 'retry'> & {
  /** The snapshot's manifest when the caller has it already (several archives of one snapshot). */
  manifest?: Manifest;
};

/**
 * One archive of an open snapshot as a ByteReader (a ChunkReader: `chunksFetched` counts the
 * chunks it fetched). The caller keeps the snapshot reader open while reading and closes it after.
 */
export async function openArchiveBytes(
  reader: SnapshotReader,
  archive: string,
  crypt?: CryptConfig,
  signal?: AbortSignal,
  opts: ArchiveBytesOptions = {},
): Promise<ChunkReader> {
  const { manifest, ...tuning } = opts;
  const checked = await openCheckedIndex(reader, archive, crypt, signal, manifest);
  const base = { ...tuning, archive: checked.archive, cryptMode: checked.cryptMode, ...(checked.crypt ? { crypt: checked.crypt } : {}) };
  return checked.kind === 'fixed'
    ? new ChunkReader(fixedChunkIndex(checked.index), reader, { ...base, zeroDigest: checked.zeroDigest })
    : new ChunkReader(dynamicChunkIndex(checked.index), reader, base);
}
