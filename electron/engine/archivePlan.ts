// Everything checked before the first chunk is fetched, in the order PBS's client does it
// (pbs-client/src/backup_reader.rs; docs/restore-path.md): manifest (CRC, then key fingerprint and signature), the index parsed and
// its recomputed checksum and size matched against the manifest, the chunk crypt mode, and the
// zero-chunk digest for this chunk size and key.
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import type { CryptMode } from '../pbs/dataBlob.ts';
import { zeroChunkDigest } from '../pbs/dataBlob.ts';
import { RestoreError } from '../../shared/errors.ts';
import { MAX_MANIFEST_BYTES, maxIndexBytes } from '../../shared/limits.ts';
import { parseDynamicIndex, type DynamicIndex } from '../pbs/dynamicIndex.ts';
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

/** One index archive of an open snapshot, checked as a restore checks it. */
export type CheckedIndex = { archive: string; manifest: Manifest; crypt?: CryptConfig; cryptMode: CryptMode } & (
  | { kind: 'fixed'; index: FixedIndex; zeroDigest: Buffer }
  | { kind: 'dynamic'; index: DynamicIndex }
);

/**
 * The checks before the first chunk, for a fixed (*.fidx) or dynamic (*.didx) index of a snapshot
 * already open: file-level restore reads didx archives through the same gate as image restores.
 * `manifest` saves a second download when one snapshot's archives are opened together.
 */
export async function openCheckedIndex(reader: SnapshotReader, archiveName: string, crypt?: CryptConfig, signal?: AbortSignal, manifest?: Manifest): Promise<CheckedIndex> {
  const archive = checkArchiveName(normalizeArchiveName(archiveName));
  const fixed = archive.endsWith('.fidx');
  manifest ??= decodeManifestBlob(await reader.readFile(MANIFEST_BLOB_NAME, signal, MAX_MANIFEST_BYTES));
  const entry = fixed || archive.endsWith('.didx') ? findManifestFile(manifest, archive) : undefined;
  if (!entry) {
    const ext = fixed ? '.fidx' : '.didx';
    const others = manifest.files.filter((f) => f.filename.endsWith(ext)).map((f) => f.filename);
    throw new RestoreError('ARCHIVE_NOT_FOUND', `snapshot ${formatSnapshotRef(reader.ref)} has no archive ${archive} (${fixed ? 'images' : 'file archives'}: ${others.join(', ') || 'none'})`);
  }
  const needKey = entry.cryptMode === 'encrypt';
  checkManifestKey(manifest, crypt, needKey);
  // Never more than the archive size the manifest records can need (a hostile server or file
  // could otherwise make us read gigabytes before the index is checked).
  const raw = await reader.readFile(archive, signal, maxIndexBytes(archive, entry.size));
  const chunkCrypt = needKey ? crypt : undefined;
  const common = { archive, manifest, ...(chunkCrypt ? { crypt: chunkCrypt } : {}), cryptMode: entry.cryptMode };
  if (fixed) {
    const index = parseFixedIndex(raw, archive);
    verifyManifestFile(manifest, archive, index.csum, index.size);
    return { ...common, kind: 'fixed', index, zeroDigest: zeroChunkDigest(index.chunkSize, chunkCrypt) };
  }
  const index = parseDynamicIndex(raw, archive);
  verifyManifestFile(manifest, archive, index.csum, index.size);
  return { ...common, kind: 'dynamic', index };
}

/** Open an image archive of a snapshot for restore or verify. The caller closes plan.reader. */
export async function openImageArchive(source: BackupSource, ref: SnapshotRef, archiveName: string, crypt?: CryptConfig, signal?: AbortSignal): Promise<ArchivePlan> {
  const archive = imageArchiveName(archiveName);
  const reader = await source.openSnapshot(ref, signal);
  try {
    return await planImageArchive(reader, archive, crypt, signal);
  } catch (e) {
    await reader.close();
    throw e;
  }
}

/** A valid archive name that names a disk image (`.fidx` added when missing). */
export function imageArchiveName(archiveName: string): string {
  const archive = checkArchiveName(normalizeArchiveName(archiveName));
  if (!archive.endsWith('.fidx')) {
    throw new RestoreError('ARCHIVE_NOT_IMAGE', `${archive} is not a disk image (only *.img.fidx archives can be restored)`);
  }
  return archive;
}

/**
 * Plans one image archive of a snapshot already open (openCheckedIndex's checks). Several
 * archives of one snapshot share the reader and pass its manifest: on a PBS server one reader
 * session downloads every index, so every chunk they reference may be read in it. Does not close
 * the reader.
 */
export async function planImageArchive(reader: SnapshotReader, archive: string, crypt?: CryptConfig, signal?: AbortSignal, manifest?: Manifest): Promise<ArchivePlan> {
  const checked = await openCheckedIndex(reader, imageArchiveName(archive), crypt, signal, manifest);
  if (checked.kind !== 'fixed') throw new RestoreError('INTERNAL', 'a .fidx name gave a dynamic index');
  const { kind: _kind, ...plan } = checked;
  return { reader, ...plan };
}
