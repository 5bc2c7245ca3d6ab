// PBS API listings turned into the catalog types LocalDatastore produces, so the UI and the CLI see
// the same SnapshotInfo / GroupInfo whichever source they use. Upstream shapes: pbs-api-types
// SnapshotListItem and GroupListItem (src/api2/admin/datastore.rs list_snapshots / list_groups;
// docs/pbs-formats.md, Listings). Differences the API has and LocalDatastore does not:
// - unfinished snapshots are listed (their files lack index.json.blob): dropped, they cannot be restored;
// - `files` includes index.json.blob (size = its file size) and files on disk that the manifest does
//   not list (no size, no crypt-mode, e.g. client.log.blob): only manifest files are kept, and
//   `size` is recomputed as their sum, which is what LocalDatastore reports;
// - the order is the server's directory order: sorted here as LocalDatastore sorts (type, id, time);
// - names pass the same rules as on disk (names.ts): a group, snapshot, archive or namespace whose
//   name would be refused there is skipped, and told to `onSkip` (the CLI prints one warning).
import type { BackupType, CryptMode, GroupInfo, SnapshotInfo } from '../../../shared/catalog.ts';
import { RestoreError } from '../../../shared/errors.ts';
import { checkArchiveName, checkBackupId, checkNamespace, isBackupType } from '../../pbs/names.ts';
import { MANIFEST_BLOB_NAME } from '../../pbs/manifest.ts';

export interface ApiSnapshotItem {
  'backup-type': string;
  'backup-id': string;
  'backup-time': number;
  files?: Array<{ filename: string; 'crypt-mode'?: string; size?: number }>;
  size?: number;
  owner?: string;
  protected?: boolean;
  fingerprint?: string | null;
  verification?: { state?: string; upid?: string } | null;
  comment?: string;
}

export interface ApiGroupItem {
  'backup-type': string;
  'backup-id': string;
  'last-backup': number;
  'backup-count': number;
  owner?: string;
  comment?: string;
}

const CRYPT_MODES: readonly string[] = ['none', 'encrypt', 'sign-only'];

/** Told of each entry skipped for an invalid name: what it was and the name. */
export type OnSkip = (what: string, name: string) => void;

/** True when `check` accepts `name`; otherwise the skip is reported. */
function valid(check: (s: string) => unknown, what: string, name: unknown, onSkip?: OnSkip): name is string {
  try {
    if (typeof name !== 'string') throw new Error('not a string');
    check(name);
    return true;
  } catch {
    onSkip?.(what, typeof name === 'string' ? name : String(name));
    return false;
  }
}

function expectArray(data: unknown, what: string): unknown[] {
  if (!Array.isArray(data)) throw new RestoreError('SERVER_ERROR', `unexpected answer to ${what}: not a list`);
  return data;
}

const firstLine = (s: unknown): string | undefined => {
  if (typeof s !== 'string') return undefined;
  const line = s.split('\n', 1)[0]!.trim();
  return line || undefined;
};

/** Compare as LocalDatastore orders: type, then id (sorted directory names), then time. */
function byGroupThenTime(a: { backupType: string; backupId: string; backupTime?: number }, b: typeof a): number {
  if (a.backupType !== b.backupType) return a.backupType < b.backupType ? -1 : 1;
  if (a.backupId !== b.backupId) return a.backupId < b.backupId ? -1 : 1;
  return (a.backupTime ?? 0) - (b.backupTime ?? 0);
}

export function toSnapshotInfos(data: unknown, ns: string, onSkip?: OnSkip): SnapshotInfo[] {
  const out: SnapshotInfo[] = [];
  for (const raw of expectArray(data, 'the snapshot list') as ApiSnapshotItem[]) {
    const type = raw?.['backup-type'];
    if (typeof type !== 'string' || !isBackupType(type) || !Number.isSafeInteger(raw['backup-time'])) continue;
    if (!valid(checkBackupId, 'snapshot', raw['backup-id'], onSkip)) continue;
    const listed = Array.isArray(raw.files) ? raw.files : [];
    if (!listed.some((f) => f?.filename === MANIFEST_BLOB_NAME)) continue; // unfinished
    const files = listed
      .filter((f) => f.filename !== MANIFEST_BLOB_NAME && typeof f.size === 'number')
      .filter((f) => valid(checkArchiveName, 'archive', f.filename, onSkip))
      .map((f) => ({
        filename: f.filename,
        size: f.size!,
        cryptMode: (CRYPT_MODES.includes(f['crypt-mode'] ?? '') ? f['crypt-mode'] : 'none') as CryptMode,
      }));
    const state = raw.verification?.state;
    const comment = firstLine(raw.comment);
    out.push({
      ns,
      backupType: type,
      backupId: raw['backup-id'],
      backupTime: raw['backup-time'],
      files,
      size: files.reduce((s, f) => s + f.size, 0),
      protected: raw.protected === true,
      ...(state === 'ok' || state === 'failed' ? { verifyState: state } : {}),
      ...(typeof raw.fingerprint === 'string' ? { keyFingerprint: raw.fingerprint } : {}),
      ...(comment ? { comment } : {}),
      ...(typeof raw.owner === 'string' && raw.owner ? { owner: raw.owner } : {}),
    });
  }
  return out.sort(byGroupThenTime);
}

export function toGroupInfos(data: unknown, ns: string, onSkip?: OnSkip): GroupInfo[] {
  const out: GroupInfo[] = [];
  for (const raw of expectArray(data, 'the group list') as ApiGroupItem[]) {
    const type = raw?.['backup-type'];
    if (typeof type !== 'string' || !isBackupType(type)) continue;
    if (!valid(checkBackupId, 'group', raw['backup-id'], onSkip)) continue;
    const comment = firstLine(raw.comment);
    out.push({
      ns,
      backupType: type as BackupType,
      backupId: raw['backup-id'],
      lastBackup: Number(raw['last-backup']),
      backupCount: Number(raw['backup-count']),
      ...(typeof raw.owner === 'string' && raw.owner ? { owner: raw.owner } : {}),
      ...(comment ? { comment } : {}),
    });
  }
  return out.sort(byGroupThenTime);
}

/** Namespaces in the order LocalDatastore yields them: the anchor, then depth first by sorted name. */
export function toNamespaces(data: unknown, parent: string, onSkip?: OnSkip): string[] {
  const names = new Set<string>([parent]);
  for (const raw of expectArray(data, 'the namespace list') as Array<{ ns?: unknown }>) {
    if (raw?.ns !== undefined && valid(checkNamespace, 'namespace', raw.ns, onSkip)) names.add(raw.ns);
  }
  const cmp = (a: string, b: string): number => {
    const pa = a ? a.split('/') : [];
    const pb = b ? b.split('/') : [];
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
    return pa.length - pb.length;
  };
  return [...names].sort(cmp);
}

export function toDatastores(data: unknown): Array<{ store: string; comment?: string }> {
  const out: Array<{ store: string; comment?: string }> = [];
  for (const raw of expectArray(data, 'the datastore list') as Array<{ store?: unknown; comment?: unknown }>) {
    if (typeof raw?.store !== 'string') continue;
    out.push({ store: raw.store, ...(typeof raw.comment === 'string' && raw.comment ? { comment: raw.comment } : {}) });
  }
  return out;
}
