// Snapshot facts as PBS shows them: encryption (None / Signed / Encrypted / Mixed), verify state
// with its age (from the verify task's UPID, with PBS's warning past 30 days), and the filter match.
import type { SnapshotInfo } from '../../shared/catalog.ts';

export type Encryption = 'none' | 'signed' | 'encrypted' | 'mixed';

export function encryptionOf(s: Pick<SnapshotInfo, 'files'>): Encryption {
  const modes = new Set(s.files.filter((f) => f.filename !== 'index.json.blob').map((f) => f.cryptMode));
  if (modes.size === 0) return 'none';
  if (modes.size > 1) return 'mixed';
  const [m] = modes;
  return m === 'encrypt' ? 'encrypted' : m === 'sign-only' ? 'signed' : 'none';
}

/**
 * When the verify task started, from its UPID (`UPID:node:pid:pstart:task:starttime:type:id:user:`,
 * times in hex epoch seconds); undefined when the UPID does not parse.
 */
export function upidStart(upid: string | undefined): number | undefined {
  const parts = upid?.split(':');
  if (!parts || parts[0] !== 'UPID' || parts.length < 9) return undefined;
  const t = Number.parseInt(parts[5]!, 16);
  return Number.isFinite(t) && t > 0 ? t * 1000 : undefined;
}

/** PBS warns when the last verify is older than this ("Last verify task over 30 days ago"). */
export const VERIFY_STALE_MS = 30 * 86_400_000;

/** The filter box: any word may appear in the group, the time, the notes or a file name. */
export function snapshotMatches(s: SnapshotInfo, groupComment: string | undefined, timeText: string, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = [`${s.backupType}/${s.backupId}`, groupComment ?? '', s.comment ?? '', timeText, ...s.files.map((f) => f.filename), s.protected ? 'protected' : '', s.verifyState ?? '', encryptionOf(s)]
    .join(' ')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** The filter at the group level (its type/id and notes): for namespaces whose snapshots are not loaded. */
export function groupMatches(g: { backupType: string; backupId: string; comment?: string | undefined }, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = `${g.backupType}/${g.backupId} ${g.comment ?? ''}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** The disk images of a snapshot (what a whole-VM restore writes). */
export function imageFiles(s: Pick<SnapshotInfo, 'files'>): SnapshotInfo['files'] {
  return s.files.filter((f) => f.filename.endsWith('.img.fidx'));
}

/** A group's newest snapshot among those listed. */
export function newestOf(snapshots: SnapshotInfo[], g: { ns: string; backupType: string; backupId: string }): SnapshotInfo | undefined {
  let best: SnapshotInfo | undefined;
  for (const s of snapshots) {
    if (s.ns === g.ns && s.backupType === g.backupType && s.backupId === g.backupId && (!best || s.backupTime > best.backupTime)) best = s;
  }
  return best;
}
