// Walks what a person selected in a FileTree, depth first in the archive's order, for every way of
// getting files out (zip, folder, the counting pass before them). A selected folder keeps its name
// ('/etc/nginx' → 'nginx/…'); the root ('/') puts its children at the top. Below the selection a
// folder that cannot be listed, or a name that is not a safe path segment, is skipped and reported
// while the rest goes on; a selection that cannot be read at all fails the walk.
import type { FileEntry, FileTree } from './fileTree.ts';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { joinTreePath, normalizeTreePath, unsafeNameReason } from './treePaths.ts';

export interface WalkItem {
  /** Where it is in the tree. */
  path: string;
  /** Where it goes: '/'-separated and relative ('' for a selected root, whose children go at the top). */
  rel: string;
  entry: FileEntry;
}

export interface WalkVisitor {
  /** A folder or partition; its children follow unless this returns false. */
  enterDir(item: WalkItem): Promise<boolean>;
  /** After a folder's children (where folder times and modes are set). */
  leaveDir?(item: WalkItem): Promise<void>;
  /** Anything that is not a folder. */
  leaf(item: WalkItem): Promise<void>;
  /** An entry left out, and why. */
  skip(path: string, error: RestoreError): void;
}

const isDir = (e: FileEntry): boolean => e.type === 'dir' || e.type === 'partition';

/**
 * The selections as walk roots: normalised, without those inside another selection, and with
 * distinct top-level names (two folders named 'etc' from different places would collide).
 */
export async function resolveSelections(tree: FileTree, paths: string[], signal?: AbortSignal): Promise<WalkItem[]> {
  if (paths.length === 0) throw new RestoreError('USAGE', 'nothing selected');
  const normal = [...new Set(paths.map(normalizeTreePath))].sort();
  const kept = normal.filter((p) => !normal.some((q) => q !== p && (q === '/' || p.startsWith(`${q}/`))));
  const items: WalkItem[] = [];
  const names = new Set<string>();
  for (const path of kept) {
    const entry = await tree.stat(path, signal);
    const rel = path === '/' ? '' : entry.name;
    if (names.has(rel)) throw new RestoreError('USAGE', `two selected entries are named ${JSON.stringify(rel || '/')}: select them one at a time`);
    names.add(rel);
    items.push({ path, rel, entry });
  }
  return items;
}

export async function walkSelection(tree: FileTree, paths: string[], visitor: WalkVisitor, signal?: AbortSignal): Promise<void> {
  await walkItems(tree, await resolveSelections(tree, paths, signal), visitor, signal);
}

/** Walks selections already resolved (resolveSelections). */
export async function walkItems(tree: FileTree, items: WalkItem[], visitor: WalkVisitor, signal?: AbortSignal): Promise<void> {
  for (const item of items) {
    if (isDir(item.entry)) await walkDir(tree, item, visitor, true, signal);
    else await visitor.leaf(item);
  }
}

async function walkDir(tree: FileTree, dir: WalkItem, visitor: WalkVisitor, top: boolean, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (!(await visitor.enterDir(dir))) return;
  let children: FileEntry[] | undefined;
  try {
    children = await tree.list(dir.path, signal);
  } catch (e) {
    const err = toRestoreError(e, `listing ${dir.path}`);
    if (top || err.code === 'CANCELLED') throw err;
    visitor.skip(dir.path, err);
  }
  for (const entry of children ?? []) {
    signal?.throwIfAborted();
    const path = joinTreePath(dir.path, entry.name);
    const unsafe = unsafeNameReason(entry.name) ?? (process.platform === 'win32' ? windowsUnsafe(entry.name) : undefined);
    if (unsafe) {
      visitor.skip(path, new RestoreError('UNSAFE_PATH', `${unsafe}: left out`));
      continue;
    }
    const item: WalkItem = { path, rel: dir.rel ? `${dir.rel}/${entry.name}` : entry.name, entry };
    if (isDir(entry)) await walkDir(tree, item, visitor, false, signal);
    else await visitor.leaf(item);
  }
  await visitor.leaveDir?.(dir);
}

/** Windows also splits paths at '\' and gives ':' a meaning (drives, streams). */
function windowsUnsafe(name: string): string | undefined {
  return /[\\:]/.test(name) ? `the name ${JSON.stringify(name)} cannot be a Windows file name` : undefined;
}
