// How a job reads in lists and headings: what it restores, its state in words, how long it ran
// ("Running for 3 min", "Finished in 12 s", as KopiaUI's task list says it).
import type { JobInfo, JobState, SnapshotSelector } from '../../shared/contract.ts';

/** A job as headings need it (its progress is not needed, and not selected). */
export type JobLike = Omit<JobInfo, 'progress'>;
import { jobDisks } from '../../shared/jobNames.ts';
import { formatDuration, formatTime } from '../../shared/units.ts';

export const STATE_LABEL: Record<JobState, string> = {
  queued: 'queued',
  running: 'running',
  paused: 'paused',
  cancelling: 'cancelling',
  cancelled: 'cancelled',
  failed: 'failed',
  succeeded: 'succeeded',
};

/** "vm/100" plus the namespace when there is one. */
export function snapshotName(s: SnapshotSelector): string {
  return `${s.ns ? `${s.ns}/` : ''}${s.type}/${s.id}`;
}

export { archiveName } from '../../shared/jobNames.ts';

export function jobTitle(job: JobLike): string {
  const r = job.request;
  return `${job.mode === 'verify' ? 'Verify' : 'Restore'} ${snapshotName(r.snapshot)} ${jobDisks(r)}`;
}

export function jobSubtitle(job: JobLike): string {
  const r = job.request;
  return `snapshot ${formatTime(r.snapshot.time * 1000)} from ${r.sourceLabel}`;
}

/** The last part of a path ("disk.raw"; a folder keeps its slash: "vm-100/"). */
function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return trimmed.slice(cut + 1) + (trimmed.length < path.length ? '/' : '');
}

/**
 * Where a job writes, short, for lists where titles alike must read apart (two restores of one
 * disk): "→ disk.raw", "→ vm-100/", or the snapshot's time for a verify.
 */
export function jobWhere(job: JobLike): string {
  const r = job.request;
  const to = r.target ?? r.targetDir;
  if (to) return `→ ${baseName(to)}`;
  return `snapshot ${formatTime(r.snapshot.time * 1000)}`;
}

/** "Running for 2 min 03 s", "Finished in 12.0 s", "Failed after 3.1 s", "Queued". */
export function jobDuration(job: JobLike, now: number = Date.now()): string {
  const start = job.startedAt;
  if (start === undefined) return job.state === 'queued' ? 'Queued' : 'Not started';
  const end = job.endedAt ?? now;
  const d = formatDuration(end - start);
  switch (job.state) {
    case 'succeeded':
      return `Finished in ${d}`;
    case 'failed':
      return `Failed after ${d}`;
    case 'cancelled':
      return `Cancelled after ${d}`;
    case 'paused':
      return `Paused, ${d} so far`;
    default:
      return `Running for ${d}`;
  }
}
