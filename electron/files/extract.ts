// Extracts selected paths of a FileTree into a folder: files, folders and symlinks with their
// permission bits (setuid, setgid and sticky dropped, as tar does for a non-root user) and mtimes.
// Owners are not set (that needs root).
//
// Nothing is ever written outside the folder:
// - names that are not one path segment are left out (walk.ts);
// - a symlink is recreated only if it stays inside the folder, in normalised form (treePaths.ts).
//   An absolute target means a path from the root of the link's filesystem: when that is among
//   what is extracted, the link is written relative to it (extracting /etc/nginx, the link
//   sites-enabled/default → /etc/nginx/sites-available/default becomes ../sites-available/default),
//   so it works in the copy; otherwise (/etc/localtime → /usr/share/zoneinfo/…) it is left out
//   with a warning naming its target;
// - nothing already in the folder is followed: a folder we descend into is checked with lstat to be
//   a real folder, files and symlinks are created under a new name and moved into place
//   (pendingFile.ts). Folders are created 0700 and get their mode and time after their contents.
// An existing file is kept (the entry is skipped with TARGET_EXISTS) unless force; an existing
// folder is merged into (its own mode and time are left alone); a file or symlink where a folder
// must go is replaced only with force. Hardlinks become copies of their target's content.
// Devices, FIFOs and sockets are not recreated (SPECIAL_FILE). Every problem with one entry is
// reported to the tally and the rest goes on; cancelling stops at once, leaving what was placed.
import { lstat, mkdir, realpath, unlink, chmod, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import type { FileTree } from './fileTree.ts';
import type { FilesTally } from './filesTally.ts';
import { PendingFile } from './pendingFile.ts';
import { relocateAbsoluteTarget, safeSymlinkTarget } from './treePaths.ts';
import { resolveSelections, walkItems, type WalkItem } from './walk.ts';

export interface ExtractRequest {
  tree: FileTree;
  paths: string[];
  /** An existing folder. */
  dest: string;
  force?: boolean;
  tally: FilesTally;
  signal?: AbortSignal;
}

const fileMode = (mode: number): number => (mode & 0o777) || 0o644;
const dirMode = (mode: number): number => (mode & 0o777) || 0o755;

/** The folder files go to, resolved once (the folder the person chose may itself be a symlink). */
export async function extractRoot(dest: string): Promise<string> {
  let root: string;
  try {
    root = await realpath(dest);
  } catch (e) {
    throw toRestoreError(e, `opening the folder ${dest}`);
  }
  const st = await lstat(root);
  if (!st.isDirectory()) throw new RestoreError('TARGET_NOT_WRITABLE', `${dest} is not a folder`);
  return root;
}

export async function extractTo(req: ExtractRequest): Promise<void> {
  const { tree, tally, signal } = req;
  const force = req.force === true;
  const root = await extractRoot(req.dest);
  const local = (rel: string): string => (rel ? join(root, ...rel.split('/')) : root);
  const parentRel = (rel: string): string => rel.slice(0, Math.max(0, rel.lastIndexOf('/')));
  /** Folders this run created, whose mode and time are set when they are left. */
  const created = new Set<string>();
  const selections = await resolveSelections(tree, req.paths, signal);
  /** Where the filesystem of a path starts: '/partN' in a partitioned disk image, else the root. */
  const fsRoots = new Map<string, Promise<string>>();
  const fsRootOf = (path: string): Promise<string> => {
    const top = `/${path.split('/')[1] ?? ''}`;
    let root = fsRoots.get(top);
    if (!root) fsRoots.set(top, (root = tree.stat(top, signal).then((e) => (e.type === 'partition' ? top : ''), () => '')));
    return root;
  };

  const guard = async (item: WalkItem, work: () => Promise<void>): Promise<boolean> => {
    tally.current = item.path;
    try {
      await work();
      return true;
    } catch (e) {
      const err = toRestoreError(e, item.path);
      if (err.code === 'CANCELLED' || signal?.aborted) throw err;
      // A full disk fails every entry after it: stop rather than list thousands of skips.
      if (err.code === 'ENOSPC') throw err;
      tally.skip(item.path, err);
      return false;
    }
  };

  await walkItems(
    tree,
    selections,
    {
      enterDir: (item) =>
        item.rel === ''
          ? Promise.resolve(true)
          : guard(item, async () => {
              const path = local(item.rel);
              try {
                await mkdir(path, 0o700);
                created.add(item.rel);
              } catch (e) {
                if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
                const st = await lstat(path);
                if (st.isDirectory()) return; // merge into it
                if (!force) throw new RestoreError('TARGET_EXISTS', `${path} exists and is not a folder`);
                await unlink(path); // a file or a symlink: removed, never followed
                await mkdir(path, 0o700);
                created.add(item.rel);
              }
              tally.files++;
            }),
      leaveDir: async (item) => {
        if (!created.delete(item.rel)) return;
        await guard(item, async () => {
          const path = local(item.rel);
          await chmod(path, dirMode(item.entry.mode));
          if (item.entry.mtime) await utimes(path, item.entry.mtime, item.entry.mtime);
        });
      },
      leaf: async (item) => {
        await guard(item, async () => {
          const { entry } = item;
          const dir = local(parentRel(item.rel));
          const finalPath = local(item.rel);
          if (entry.type === 'file' || entry.type === 'hardlink') {
            const from = entry.type === 'hardlink' ? entry.target : item.path;
            if (!from) throw new RestoreError('NOT_A_FILE', `hardlink ${item.path} has no target`);
            if (!force && (await exists(finalPath))) throw new RestoreError('TARGET_EXISTS', `${finalPath} already exists`);
            const out = await PendingFile.file(dir);
            try {
              await out.writeAll(tally.counted(tree.read(from, signal)), signal);
            } catch (e) {
              await out.discard();
              throw e;
            }
            await out.place(finalPath, { force, mode: fileMode(entry.mode), mtime: entry.mtime });
          } else if (entry.type === 'symlink') {
            const given = entry.target ?? '';
            const linkDir = parentRel(item.rel);
            const moved = isAbsolute(given) ? relocateAbsoluteTarget(given, await fsRootOf(item.path), linkDir, selections) : given;
            const target = moved === undefined ? undefined : safeSymlinkTarget(linkDir, moved);
            if (target === undefined) {
              throw new RestoreError('UNSAFE_PATH', `symlink to ${JSON.stringify(given)} points outside what is extracted: left out`);
            }
            const out = await PendingFile.symlink(dir, target);
            await out.place(finalPath, { force, mtime: entry.mtime });
          } else {
            throw new RestoreError('SPECIAL_FILE', `${entry.type === 'device' ? 'a device' : `a ${entry.type}`}: not recreated`);
          }
          tally.files++;
        });
      },
      skip: (path, error) => tally.skip(path, error),
    },
    signal,
  );
}

const isAbsolute = (target: string): boolean => posix.isAbsolute(target);
const exists = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);
