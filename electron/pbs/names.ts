// PBS names, validated before they become paths so nothing outside a datastore can be read.
// Upstream: pbs-api-types/src/lib.rs, datastore.rs (BACKUP_ID_RE, BACKUP_TIME_RE, SAFE_ID).
import { RestoreError } from '../../shared/errors.ts';

export const BACKUP_TYPES = ['vm', 'ct', 'host'] as const;
export type BackupType = (typeof BACKUP_TYPES)[number];

const SAFE_ID = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*)$/;
const BACKUP_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const BACKUP_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;
const ARCHIVE = /^[A-Za-z0-9_][A-Za-z0-9._-]*\.(?:fidx|didx|blob)$/;
export const MAX_NAMESPACE_DEPTH = 7;

const bad = (what: string, value: string): never => {
  throw new RestoreError('INVALID_NAME', `invalid ${what} ${JSON.stringify(value)}`);
};

export function isBackupType(s: string): s is BackupType {
  return (BACKUP_TYPES as readonly string[]).includes(s);
}

export function checkBackupType(s: string): BackupType {
  return isBackupType(s) ? s : bad('backup type (vm, ct or host)', s);
}

export function checkBackupId(s: string): string {
  return BACKUP_ID.test(s) ? s : bad('backup id', s);
}

export function isBackupTimeName(s: string): boolean {
  if (!BACKUP_TIME.test(s)) return false;
  // Date.parse rolls impossible dates over (2020-02-30 → 2020-03-01, T24:00:00 → next day), which
  // would point at a different snapshot directory; only names that format back to themselves pass.
  const ms = Date.parse(s);
  return !Number.isNaN(ms) && backupTimeName(ms / 1000) === s;
}

export function checkBackupTimeName(s: string): string {
  return isBackupTimeName(s) ? s : bad('backup time (YYYY-MM-DDTHH:MM:SSZ)', s);
}

export function isSafeId(s: string): boolean {
  return SAFE_ID.test(s);
}

/** Namespace string form `a/b` (root is ""), at most 7 levels and 256 characters. */
export function checkNamespace(ns: string): string[] {
  if (ns === '') return [];
  if (ns.length > 256) bad('namespace (longer than 256)', ns);
  const parts = ns.split('/');
  if (parts.length > MAX_NAMESPACE_DEPTH) bad(`namespace (deeper than ${MAX_NAMESPACE_DEPTH})`, ns);
  for (const p of parts) if (!SAFE_ID.test(p)) bad('namespace', ns);
  return parts;
}

/** Archive file names as stored (`drive-scsi0.img.fidx`); no path separators can pass. */
export function checkArchiveName(s: string): string {
  return ARCHIVE.test(s) ? s : bad('archive name', s);
}

/** Map a client-side archive name to the stored one as proxmox-backup-client does. */
export function normalizeArchiveName(s: string): string {
  if (/\.(?:fidx|didx|blob)$/.test(s)) return s;
  if (s.endsWith('.img')) return `${s}.fidx`;
  if (/\.(?:pxar|mpxar|ppxar|pcat1)$/.test(s)) return `${s}.didx`;
  return `${s}.blob`;
}

/** `YYYY-MM-DDTHH:MM:SSZ` for an epoch in seconds (strftime "%010FT%TZ" on gmtime). */
export function backupTimeName(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseBackupTimeName(name: string): number {
  return Date.parse(checkBackupTimeName(name)) / 1000;
}

export interface SnapshotRef {
  ns: string;
  type: BackupType;
  id: string;
  time: number;
}

/** Parse `TYPE/ID/YYYY-MM-DDTHH:MM:SSZ`. */
export function parseSnapshotRef(spec: string, ns = ''): SnapshotRef {
  const parts = spec.split('/');
  if (parts.length !== 3) bad('snapshot (expected TYPE/ID/YYYY-MM-DDTHH:MM:SSZ)', spec);
  checkNamespace(ns);
  return { ns, type: checkBackupType(parts[0]!), id: checkBackupId(parts[1]!), time: parseBackupTimeName(parts[2]!) };
}

export function formatSnapshotRef(s: Pick<SnapshotRef, 'type' | 'id' | 'time'>): string {
  return `${s.type}/${s.id}/${backupTimeName(s.time)}`;
}
