// Opening an archive of a snapshot as a FileTree, by the name a person uses: `root.pxar` (a file
// archive: `root.pxar.didx`, or the `root.mpxar.didx` + `root.ppxar.didx` pair of PBS 3.2 and
// later) or a disk image (`drive-scsi0.img`: its partitions, or the filesystem when it has no
// partition table). The CLI and the service open archives only through here.
import { RestoreError } from '../../shared/errors.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { normalizeArchiveName, type SnapshotRef } from '../pbs/names.ts';
import type { BackupSource } from '../source/chunkSource.ts';
import { openArchiveBytes } from './archiveBytes.ts';
import type { FileTree } from './fileTree.ts';
import { openImageTree } from './imageTree.ts';
import { openPxarArchive } from './pxarArchive.ts';

export interface OpenedFiles {
  tree: FileTree;
  /** The index files read: one, or the metadata and payload pair of a split file archive. */
  archives: string[];
  /** What was noticed reading a disk image's layout (a damaged primary GPT, …), to show the user. */
  warnings?: string[];
  /** Chunks fetched so far (what browsing cost). */
  readonly chunksFetched: number;
  /** Ends the snapshot reader (a PBS reader session). */
  close(): Promise<void>;
}

export type FileTreeOpener = (source: BackupSource, ref: SnapshotRef, archive: string, crypt?: CryptConfig, signal?: AbortSignal) => Promise<OpenedFiles>;

export type FileArchiveKind = 'pxar' | 'image';

/** Which kind of archive a name stands for ('root.pxar', 'root.mpxar.didx', 'drive-scsi0.img.fidx', …). */
export function fileArchiveKind(archive: string): FileArchiveKind {
  if (/\.(?:pxar|mpxar|ppxar)(?:\.didx)?$/.test(archive)) return 'pxar';
  if (/\.img(?:\.fidx)?$/.test(archive)) return 'image';
  throw new RestoreError('ARCHIVE_NOT_FOUND', `${archive} is neither a file archive (*.pxar) nor a disk image (*.img)`);
}

export const openFileTree: FileTreeOpener = async (source, ref, archive, crypt, signal) => {
  if (fileArchiveKind(archive) === 'pxar') return openPxarArchive(source, ref, archive, crypt, signal);
  // A disk image: its fixed index as random-access bytes (the same checks as a restore), then the
  // partition table and the filesystems in it. One snapshot reader for as long as it is browsed.
  const reader = await source.openSnapshot(ref);
  try {
    const name = normalizeArchiveName(archive);
    const bytes = await openArchiveBytes(reader, name, crypt, signal);
    const tree = await openImageTree(bytes, signal);
    return {
      tree,
      archives: [name],
      warnings: tree.layout.warnings,
      get chunksFetched() {
        return bytes.chunksFetched;
      },
      close: () => reader.close(),
    };
  } catch (e) {
    await reader.close().catch(() => {});
    throw e;
  }
};
