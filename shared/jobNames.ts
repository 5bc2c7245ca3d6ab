// What a job restores, in a few words, for titles and notifications in every shell: the disk of a
// single-disk job ("drive-scsi0.img"), or the disks of a whole-VM job ("all disks", "2 disks").
// Pure code.
import type { FinalJobState, JobInfo, JobRequest, Settings } from './contract.ts';

/**
 * An archive as the user names it, without the index suffix of the stored file (as
 * proxmox-backup-client takes it): drive-scsi0.img.fidx → drive-scsi0.img, root.pxar.didx → root.pxar.
 */
export function archiveName(archive: string): string {
  return archive.replace(/\.(?:fidx|didx)$/, '');
}

/** An archive without its suffixes, to name files after it: drive-scsi0.img.fidx → drive-scsi0, root.mpxar.didx → root. */
export function archiveBase(archive: string): string {
  return archiveName(archive).replace(/\.(?:img|pxar|mpxar|ppxar)$/, '');
}

export function jobDisks(r: Pick<JobRequest, 'archive' | 'disks'>): string {
  if (r.archive !== undefined) return archiveName(r.archive);
  if (r.disks === 'all' || r.disks === undefined) return 'all disks';
  if (r.disks.length === 1) return archiveName(r.disks[0]!.archive);
  return `${r.disks.length} disks`;
}

/** The file a disk of a whole-VM restore gets in its folder: drive-scsi0.img.fidx → drive-scsi0.raw. */
export function diskFileName(archive: string): string {
  return `${archiveBase(archive)}.raw`;
}

const ENDED: Record<FinalJobState, string> = { succeeded: 'finished', failed: 'failed', cancelled: 'cancelled' };

/**
 * The notification for a job that ended, or undefined when the setting says none: desktop
 * (electron/main/notifications.ts) and browser mode (the Notification API) say the same.
 */
export function jobEndNotice(job: Pick<JobInfo, 'mode' | 'state' | 'request' | 'message'>, level: Settings['notifications']): { title: string; body: string } | undefined {
  const state = job.state as FinalJobState;
  if (!(state in ENDED) || level === 'off' || (level === 'errors' && state !== 'failed')) return undefined;
  return { title: `${job.mode === 'restore' ? 'Restore' : 'Verify'} ${ENDED[state]}: ${jobDisks(job.request)}`, body: job.message ?? '' };
}
