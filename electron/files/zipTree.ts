// Selected paths of a FileTree as a zip: folders, files (hardlinks as copies of their target's
// content) and symlinks (their target as written in the archive; a zip has no folder to stay in,
// the program that unpacks it decides). Devices, FIFOs and sockets have no place in a zip and are
// reported as skipped (SPECIAL_FILE), as is any file that cannot be read; the rest goes on. A
// failure of the output ends the job.
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import type { FileTree } from './fileTree.ts';
import type { FilesTally } from './filesTally.ts';
import { walkSelection, type WalkItem } from './walk.ts';
import type { ZipWriter } from './zipWriter.ts';

export interface ZipTreeRequest {
  tree: FileTree;
  paths: string[];
  zip: ZipWriter;
  tally: FilesTally;
  signal?: AbortSignal;
}

export async function zipSelection(req: ZipTreeRequest): Promise<void> {
  const { tree, zip, tally, signal } = req;

  const guard = async (item: WalkItem, work: () => Promise<void>): Promise<void> => {
    tally.current = item.path;
    try {
      await work();
      tally.files++;
    } catch (e) {
      const err = toRestoreError(e, item.path);
      if (err.code === 'CANCELLED' || signal?.aborted || !zip.open) throw err;
      tally.skip(item.path, err);
    }
  };

  await walkSelection(
    tree,
    req.paths,
    {
      enterDir: async (item) => {
        if (item.rel !== '') await guard(item, () => zip.addDirectory(item.rel, { mode: item.entry.mode, mtime: item.entry.mtime }, signal));
        return true;
      },
      leaf: (item) =>
        guard(item, async () => {
          const { entry } = item;
          const meta = { mode: entry.mode, mtime: entry.mtime };
          if (entry.type === 'file' || entry.type === 'hardlink') {
            const from = entry.type === 'hardlink' ? entry.target : item.path;
            if (!from) throw new RestoreError('NOT_A_FILE', `hardlink ${item.path} has no target`);
            await zip.addFile(item.rel, tally.counted(tree.read(from, signal)), meta, signal);
          } else if (entry.type === 'symlink') {
            await zip.addSymlink(item.rel, entry.target ?? '', meta, signal);
          } else {
            throw new RestoreError('SPECIAL_FILE', `${entry.type === 'device' ? 'a device' : `a ${entry.type}`}: a zip cannot hold it`);
          }
        }),
      skip: (path, error) => tally.skip(path, error),
    },
    signal,
  );
}
