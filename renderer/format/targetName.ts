// The suggested target of a restore: `<vmid>-<disk>-<snapshot date>.raw` in AppInfo.targetDir
// (the user's Downloads folder, else the home folder). Named after the snapshot, not today, so
// the file says which backup it came from; `.raw` because that is what it is (qemu-img and PVE
// import it as is). Never a path inside the datastore, never an existing file (see freeTarget).
import type { SnapshotSelector } from '../../shared/contract.ts';
import { archiveBase } from '../../shared/jobNames.ts';
import { formatDate } from '../../shared/units.ts';

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');
const nsPrefix = (snapshot: SnapshotSelector): string => safe(snapshot.ns ? `${snapshot.ns.replaceAll('/', '-')}-` : '');

export function defaultTargetName(snapshot: SnapshotSelector, archive: string): string {
  const disk = archiveBase(archive);
  return `${nsPrefix(snapshot)}${safe(snapshot.id)}-${safe(disk)}-${formatDate(snapshot.time * 1000)}.raw`;
}

/** The folder suggested for a whole VM: `<vmid>-<snapshot date>`, holding `<disk>.raw` files and the config. */
export function defaultFolderName(snapshot: SnapshotSelector): string {
  return `${nsPrefix(snapshot)}${safe(snapshot.id)}-${formatDate(snapshot.time * 1000)}`;
}

/** Joins a folder and a name with the folder's own separator (Windows paths use backslashes). */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

/** The folder part of a path ('' when it has none). */
export function folderOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash > 0 ? path.slice(0, slash) : slash === 0 ? path.slice(0, 1) : '';
}

/** name.raw, name-2.raw, name-3.raw … */
export function numbered(path: string, n: number): string {
  if (n <= 1) return path;
  const dot = path.lastIndexOf('.');
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return dot > slash ? `${path.slice(0, dot)}-${n}${path.slice(dot)}` : `${path}-${n}`;
}
