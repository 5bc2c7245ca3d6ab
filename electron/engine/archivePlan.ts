// Everything checked before the first chunk is fetched, in the order PBS's client does it
// (pbs-client/src/backup_reader.rs; docs/restore-path.md): manifest (CRC, then key fingerprint and signature), the index parsed and
// its recomputed checksum and size matched against the manifest, the chunk crypt mode, and the
// zero-chunk digest for this chunk size and key.
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import type { CryptMode } from '../pbs/dataBlob.ts';
import { zeroChunkDigest } from '../pbs/dataBlob.ts';
import { RestoreError } from '../../shared/errors.ts';
import { parseFixedIndex, type FixedIndex } from '../pbs/fixedIndex.ts';
import { checkManifestKey, decodeManifestBlob, findManifestFile, MANIFEST_BLOB_NAME, verifyManifestFile, type Manifest } from '../pbs/manifest.ts';
import { checkArchiveName, formatSnapshotRef, normalizeArchiveName, type SnapshotRef } from '../pbs/names.ts';
import type { BackupSource, SnapshotReader } from '../source/chunkSource.ts';

export interface ArchivePlan {
  reader: SnapshotReader;
  archive: string;
  manifest: Manifest;
  index: FixedIndex;
  crypt?: CryptConfig;
  cryptMode: CryptMode;
  zeroDigest: Buffer;
}

/** Open an image archive of a snapshot for restore or verify. The caller closes plan.reader. */
export async function openImageArchive(source: BackupSource, ref: SnapshotRef, archiveName: string, crypt?: CryptConfig, signal?: AbortSignal): Promise<ArchivePlan> {
  const archive = checkArchiveName(normalizeArchiveName(archiveName));
  if (!archive.endsWith('.fidx')) {
    throw new RestoreError('ARCHIVE_NOT_IMAGE', `${archive} is not a disk image (only *.img.fidx archives can be restored)`);
  }
  const reader = await source.openSnapshot(ref);
  try {
    const manifest = decodeManifestBlob(await reader.readFile(MANIFEST_BLOB_NAME, signal));
    const entry = findManifestFile(manifest, archive);
    if (!entry) {
      const images = manifest.files.filter((f) => f.filename.endsWith('.fidx')).map((f) => f.filename);
      throw new RestoreError('ARCHIVE_NOT_FOUND', `snapshot ${formatSnapshotRef(ref)} has no archive ${archive} (images: ${images.join(', ') || 'none'})`);
    }
    const needKey = entry.cryptMode === 'encrypt';
    checkManifestKey(manifest, crypt, needKey);
    const index = parseFixedIndex(await reader.readFile(archive, signal), archive);
    verifyManifestFile(manifest, archive, index.csum, index.size);
    const chunkCrypt = needKey ? crypt : undefined;
    return {
      reader,
      archive,
      manifest,
      index,
      ...(chunkCrypt ? { crypt: chunkCrypt } : {}),
      cryptMode: entry.cryptMode,
      zeroDigest: zeroChunkDigest(index.chunkSize, chunkCrypt),
    };
  } catch (e) {
    await reader.close();
    throw e;
  }
}
