// Paths inside a FileTree and the names that may leave it. An archive is untrusted input: a name
// is used as one path segment on disk or in a zip only if it is one (not '', '.', '..', no '/',
// no NUL), and a symlink is recreated only if it cannot lead outside the folder it lands in.
import { posix } from 'node:path';
import { RestoreError } from '../../shared/errors.ts';

/** '/', '/etc', '/etc/hosts' from what a person typed ('etc/', '/etc//hosts'); no '.' or '..'. */
export function normalizeTreePath(input: string): string {
  if (input.includes('\0')) throw new RestoreError('USAGE', 'a path cannot contain a NUL character');
  const segments = input.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) {
    throw new RestoreError('USAGE', `${JSON.stringify(input)}: give the path from the archive's root, without . or ..`);
  }
  return `/${segments.join('/')}`;
}

export function joinTreePath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function parentTreePath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Why an archive name cannot be one path segment, or undefined when it can. */
export function unsafeNameReason(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return `the name ${JSON.stringify(name)} is not a file name`;
  if (name.includes('/')) return `the name ${JSON.stringify(name)} contains '/'`;
  if (name.includes('\0')) return `the name ${JSON.stringify(name)} contains a NUL character`;
  return undefined;
}

/**
 * Where an absolute symlink points once extracted, as a target relative to the link's folder
 * (`linkDir`, relative to the extraction folder), or undefined when it points at nothing that is
 * extracted. `fsRoot` is the tree path of the filesystem the link lives in ('' for a file archive,
 * '/part2' in a partitioned disk image): an absolute target means a path from there.
 * `selections` are the extracted tree paths with where each went ('' for the folder itself).
 * /etc/nginx/sites-enabled/default → /etc/nginx/sites-available/default, extracting /etc/nginx,
 * becomes ../sites-available/default.
 */
export function relocateAbsoluteTarget(target: string, fsRoot: string, linkDir: string, selections: ReadonlyArray<{ path: string; rel: string }>): string | undefined {
  if (!posix.isAbsolute(target) || target.includes('\0')) return undefined;
  // '..' at a filesystem's root stays there: normalise the target on its own before placing it.
  const inTree = `${fsRoot}${posix.normalize(target)}`.replace(/\/+$/, '') || '/';
  for (const s of selections) {
    const under = s.path === '/' ? inTree : inTree === s.path ? '' : inTree.startsWith(`${s.path}/`) ? inTree.slice(s.path.length) : undefined;
    if (under === undefined) continue;
    const dest = posix.join(s.rel || '.', under.replace(/^\/+/, ''));
    return posix.relative(posix.join('/x', linkDir), posix.join('/x', dest)) || '.';
  }
  return undefined;
}

/**
 * The target to write for a symlink at `linkDir` (a '/'-separated path relative to the extraction
 * folder, '' for the folder itself), or undefined when it would point outside that folder.
 *
 * Absolute targets point outside. A relative target is written normalised: only leading '..'
 * segments, then plain names ('sub/../x' becomes 'x'). Its '..' segments then climb through real
 * folders only (the link's own parents, which the extraction created), never past the folder; the
 * names after them only descend. Written as given, 'r/..' with r → '.' elsewhere would climb out.
 */
export function safeSymlinkTarget(linkDir: string, target: string): string | undefined {
  if (target === '' || target.includes('\0') || posix.isAbsolute(target)) return undefined;
  const resolved = posix.normalize(posix.join(linkDir || '.', target));
  if (resolved === '..' || resolved.startsWith('../')) return undefined;
  // Both under one made-up absolute root, so relative() never consults the process's cwd.
  const relative = posix.relative(posix.join('/x', linkDir), posix.join('/x', resolved));
  return relative === '' ? '.' : relative;
}
