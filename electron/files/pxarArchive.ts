// A file archive of a snapshot, opened for browsing: `root.pxar` names either the single archive
// `root.pxar.didx` (format 1) or the split pair `root.mpxar.didx` + `root.ppxar.didx` (format 2,
// PBS 3.2 and later), whichever the manifest lists. Both indexes of a pair are opened on one
// snapshot reader (one PBS reader session, one manifest download).
import { RestoreError } from '../../shared/errors.ts';
import { MAX_MANIFEST_BYTES } from '../../shared/limits.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { decodeManifestBlob, findManifestFile, MANIFEST_BLOB_NAME, type Manifest } from '../pbs/manifest.ts';
import { checkArchiveName, formatSnapshotRef, normalizeArchiveName, type SnapshotRef } from '../pbs/names.ts';
import type { BackupSource } from '../source/chunkSource.ts';
import { openArchiveBytes, type ArchiveBytesOptions } from './archiveBytes.ts';
import type { ChunkReader } from './chunkReader.ts';
import type { FileTree } from './fileTree.ts';
import { openPxarTree } from './pxarTree.ts';

export interface PxarArchive {
  tree: FileTree;
  /** The index files read: one (format 1) or the metadata and payload pair (format 2). */
  archives: string[];
  /** Chunks fetched so far, over all of them. */
  readonly chunksFetched: number;
  close(): Promise<void>;
}

/** The index file(s) a file archive name stands for in this manifest. */
export function pxarArchiveFiles(manifest: Manifest, name: string, ref: SnapshotRef): string[] {
  const stored = checkArchiveName(normalizeArchiveName(name));
  if (!/\.(?:pxar|mpxar|ppxar)\.didx$/.test(stored)) throw new RestoreError('ARCHIVE_NOT_FOUND', `${name} is not a file archive (*.pxar)`);
  const base = stored.replace(/\.(?:pxar|mpxar|ppxar)\.didx$/, '');
  const has = (f: string): boolean => findManifestFile(manifest, f) !== undefined;
  if (has(`${base}.pxar.didx`) && stored === `${base}.pxar.didx`) return [stored];
  if (has(`${base}.mpxar.didx`) && has(`${base}.ppxar.didx`)) return [`${base}.mpxar.didx`, `${base}.ppxar.didx`];
  if (has(`${base}.mpxar.didx`)) throw new RestoreError('ARCHIVE_NOT_FOUND', `${base}.mpxar.didx is listed without its payload ${base}.ppxar.didx`);
  const archives = manifest.files.map((f) => f.filename).filter((f) => /\.(?:pxar|mpxar)\.didx$/.test(f));
  throw new RestoreError('ARCHIVE_NOT_FOUND', `snapshot ${formatSnapshotRef(ref)} has no file archive ${base}.pxar (file archives: ${archives.join(', ') || 'none'})`);
}

/** Open a file archive of a snapshot for browsing; close() ends the snapshot reader. */
export async function openPxarArchive(
  source: BackupSource,
  ref: SnapshotRef,
  name: string,
  crypt?: CryptConfig,
  signal?: AbortSignal,
  opts: Omit<ArchiveBytesOptions, 'manifest'> = {},
): Promise<PxarArchive> {
  const reader = await source.openSnapshot(ref);
  try {
    const manifest = decodeManifestBlob(await reader.readFile(MANIFEST_BLOB_NAME, signal, MAX_MANIFEST_BYTES));
    const archives = pxarArchiveFiles(manifest, name, ref);
    const bytes: ChunkReader[] = [];
    for (const a of archives) bytes.push(await openArchiveBytes(reader, a, crypt, signal, { ...opts, manifest }));
    const tree = await openPxarTree(bytes[0]!, bytes[1], signal);
    return {
      tree,
      archives,
      get chunksFetched() {
        return bytes.reduce((n, b) => n + b.chunksFetched, 0);
      },
      close: () => reader.close(),
    };
  } catch (e) {
    await reader.close();
    throw e;
  }
}
