// The folder picker of browser mode (targets.folders): the sub-folders of one folder, for a page
// that has no native dialog. The page holds a token, but whoever holds it should still not be
// able to walk the whole machine through it, so a listing is given only for folders under a few
// roots: the home folder, the suggested restore folder and the folders of earlier restore
// targets. Paths are compared after realpath, so a symlink cannot lead out of the roots; a
// symlinked folder that stays inside is listed as a folder, one that leads out is left out.
// Hidden folders (a leading dot: configuration, caches) are left out unless asked for, and a
// listing stops at MAX_FOLDER_ENTRIES names, saying that it did.
import { opendir, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import type { FolderListing } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';

/** At most this many folders in one answer; the rest are counted as left out (`truncated`). */
export const MAX_FOLDER_ENTRIES = 500;
/** Directory entries read at most per listing (a folder of a million files is not read to the end). */
const MAX_SCANNED = 20_000;

const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};

/** The roots that exist, real (symlinks resolved), without duplicates or roots inside another root. */
export async function realRoots(roots: string[]): Promise<string[]> {
  const real: string[] = [];
  for (const r of roots) {
    const p = await realpath(resolve(r)).catch(() => undefined);
    if (p && (await stat(p).catch(() => undefined))?.isDirectory()) real.push(p);
  }
  const unique = [...new Set(real)].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && inside(q, p)));
}

export interface ListFoldersOptions {
  /** The folder to list; default the first root. */
  path?: string;
  /** Include folders whose name starts with a dot. */
  hidden?: boolean;
  /** Where listing may happen (see realRoots). */
  roots: string[];
  max?: number;
}

export async function listFolders(o: ListFoldersOptions): Promise<FolderListing> {
  const roots = await realRoots(o.roots);
  if (!roots.length) throw new RestoreError('FOLDER_NOT_ALLOWED', 'no folder can be listed: the home folder does not exist');
  const asked = o.path === undefined ? roots[0]! : o.path;
  if (!isAbsolute(asked)) throw new RestoreError('TARGET_NOT_ABSOLUTE', `the folder ${JSON.stringify(asked)} is not an absolute path`);
  const real = await realpath(asked).catch((e: NodeJS.ErrnoException) => {
    throw new RestoreError(e.code === 'ENOENT' ? 'PATH_NOT_FOUND' : 'IO_ERROR', `cannot open ${asked}: ${e.message}`);
  });
  const root = roots.find((r) => inside(r, real));
  if (!root) throw new RestoreError('FOLDER_NOT_ALLOWED', `${asked} is outside the folders that can be listed here (${roots.join(', ')})`);
  if (!(await stat(real)).isDirectory()) throw new RestoreError('NOT_A_DIRECTORY', `${asked} is not a folder`);

  const max = o.max ?? MAX_FOLDER_ENTRIES;
  const names: string[] = [];
  let truncated = false;
  let scanned = 0;
  const dir = await opendir(real).catch((e: Error) => {
    throw new RestoreError('IO_ERROR', `cannot list ${asked}: ${e.message}`);
  });
  try {
    for await (const ent of dir) {
      if (++scanned > MAX_SCANNED) {
        truncated = true;
        break;
      }
      if (!o.hidden && ent.name.startsWith('.')) continue;
      if (ent.isDirectory()) {
        names.push(ent.name);
      } else if (ent.isSymbolicLink()) {
        // Followed only when it lands on a folder inside the roots.
        const to = await realpath(join(real, ent.name)).catch(() => undefined);
        if (to && roots.some((r) => inside(r, to)) && (await stat(to).catch(() => undefined))?.isDirectory()) names.push(ent.name);
      }
      if (names.length > max) {
        truncated = true;
        break;
      }
    }
  } finally {
    await dir.close().catch(() => {});
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true }));
  const shown = names.slice(0, max);
  return {
    path: real,
    ...(real !== root ? { parent: dirname(real) } : {}),
    folders: shown.map((name) => ({ name, path: join(real, name) })),
    truncated: truncated || names.length > max,
    roots,
  };
}
