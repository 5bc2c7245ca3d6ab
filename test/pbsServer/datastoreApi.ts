// The listing endpoints of the PBS test server, computed from a datastore directory the way PBS
// computes them (src/api2/admin/datastore.rs list_groups / list_snapshots / get_all_snapshot_files,
// src/api2/admin/namespace.rs; docs/pbs-formats.md), deliberately not through LocalDatastore, so a
// test comparing PbsSource with LocalDatastore compares two independent readings:
// - snapshots: unfinished ones are listed too (files from disk, no size); finished ones list
//   index.json.blob first (sign-only when the manifest is signed), then the manifest's files, then
//   files on disk the manifest does not name (no size / crypt-mode); `size` sums every known size;
// - groups: backup-count counts every snapshot, finished or not; groups without snapshots are skipped;
// - directory order, not sorted (PBS does not sort either).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeManifestBlob, MANIFEST_BLOB_NAME } from '../../electron/pbs/manifest.ts';
import { isBackupTimeName, isBackupType, isSafeId, parseBackupTimeName, backupTimeName } from '../../electron/pbs/names.ts';

export type Json = Record<string, unknown>;

export function nsPath(root: string, ns: string): string {
  return join(root, ...(ns ? ns.split('/').flatMap((c) => ['ns', c]) : []));
}

async function dirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

async function firstLine(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).split('\n', 1)[0];
  } catch {
    return undefined;
  }
}

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

export async function listNamespaces(root: string, parent: string, maxDepth = 7): Promise<Json[]> {
  const out: Json[] = [{ ns: parent }];
  if (maxDepth <= 0) return out;
  for (const name of await dirs(join(nsPath(root, parent), 'ns'))) {
    if (!isSafeId(name)) continue;
    out.push(...(await listNamespaces(root, parent ? `${parent}/${name}` : name, maxDepth - 1)));
  }
  return out;
}

interface GroupDir {
  type: string;
  id: string;
  dir: string;
}

async function groupDirs(root: string, ns: string): Promise<GroupDir[]> {
  const base = nsPath(root, ns);
  const out: GroupDir[] = [];
  for (const type of (await dirs(base)).filter(isBackupType)) {
    for (const id of await dirs(join(base, type))) if (/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(id)) out.push({ type, id, dir: join(base, type, id) });
  }
  return out;
}

async function diskFiles(snapDir: string): Promise<string[]> {
  const entries = await readdir(snapDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && /^.*\.([fd]idx|blob)$/.test(e.name)).map((e) => e.name);
}

async function snapshotItem(g: GroupDir, name: string, owner: string | undefined): Promise<Json> {
  const dir = join(g.dir, name);
  const files = await diskFiles(dir);
  const item: Json = { 'backup-type': g.type, 'backup-id': g.id, 'backup-time': parseBackupTimeName(name) };
  if (owner) item.owner = owner;
  item.protected = await exists(join(dir, '.protected'));
  let manifest;
  try {
    manifest = decodeManifestBlob(await readFile(join(dir, MANIFEST_BLOB_NAME)));
  } catch {
    // Unfinished (or unreadable manifest): PBS lists the files on disk without sizes.
    item.files = files.map((filename) => ({ filename }));
    return item;
  }
  const list: Json[] = [
    { filename: MANIFEST_BLOB_NAME, 'crypt-mode': manifest.signature ? 'sign-only' : 'none', size: (await stat(join(dir, MANIFEST_BLOB_NAME))).size },
    ...manifest.files.map((f) => ({ filename: f.filename, 'crypt-mode': f.cryptMode, size: f.size })),
  ];
  for (const f of files) if (!list.some((l) => l.filename === f)) list.push({ filename: f });
  item.files = list;
  item.size = list.reduce((s, f) => s + ((f.size as number | undefined) ?? 0), 0);
  const fp = manifest.unprotected['key-fingerprint'];
  if (typeof fp === 'string') item.fingerprint = fp;
  const verify = manifest.unprotected.verify_state as Json | undefined;
  if (verify && typeof verify.state === 'string' && typeof verify.upid === 'string') item.verification = { upid: verify.upid, state: verify.state };
  const notes = manifest.unprotected.notes;
  if (typeof notes === 'string') {
    const line = notes.split('\n', 1)[0];
    if (line !== undefined) item.comment = line;
  }
  return item;
}

export async function listSnapshots(root: string, ns: string, type?: string, id?: string): Promise<Json[]> {
  const out: Json[] = [];
  for (const g of await groupDirs(root, ns)) {
    if ((type && g.type !== type) || (id && g.id !== id)) continue;
    const owner = await firstLine(join(g.dir, 'owner'));
    for (const name of await dirs(g.dir)) if (isBackupTimeName(name)) out.push(await snapshotItem(g, name, owner));
  }
  return out;
}

export async function listGroups(root: string, ns: string): Promise<Json[]> {
  const out: Json[] = [];
  for (const g of await groupDirs(root, ns)) {
    const snaps = (await dirs(g.dir)).filter(isBackupTimeName);
    if (snaps.length === 0) continue;
    const finished: string[] = [];
    for (const s of snaps) if (await exists(join(g.dir, s, MANIFEST_BLOB_NAME))) finished.push(s);
    const times = (finished.length ? finished : snaps).map(parseBackupTimeName);
    const last = Math.max(...times);
    const item: Json = {
      'backup-type': g.type,
      'backup-id': g.id,
      'last-backup': last,
      'backup-count': snaps.length,
      files: await diskFiles(join(g.dir, backupTimeName(last))),
    };
    const owner = await firstLine(join(g.dir, 'owner'));
    if (owner) item.owner = owner;
    const comment = await firstLine(join(g.dir, 'notes'));
    if (comment !== undefined) item.comment = comment;
    out.push(item);
  }
  return out;
}

/** The snapshot directory if it exists (the reader upgrade checks this, not the manifest). */
export async function snapshotDir(root: string, ns: string, type: string, id: string, time: number): Promise<string | undefined> {
  const dir = join(nsPath(root, ns), type, id, backupTimeName(time));
  return (await exists(dir)) ? dir : undefined;
}
