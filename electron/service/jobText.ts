// The one line a job says about itself when it ends (JobInfo.message, the log, notifications):
// what happened, and for a cancelled or failed restore which targets are partial, and where; for
// a whole-VM job that did not succeed, also which disks were finished (they stay).
import type { ContractError, JobInfo } from '../../shared/contract.ts';
import type { RestoreSummary } from '../../shared/progress.ts';
import { formatBytes } from '../../shared/units.ts';

export function describeEnd(info: JobInfo, s: RestoreSummary, error: ContractError | undefined, partials: string[]): string {
  const tail = partialText(partials);
  const resumed = s.resumedBytes ? `; ${formatBytes(s.resumedBytes)} were already written` : '';
  const disks = s.archives && s.archives.length !== 1 ? `${s.archives.length} disks, ` : '';
  const to = s.target ?? info.request.target ?? info.request.targetDir;
  switch (s.status) {
    case 'succeeded':
      return info.mode === 'restore'
        ? `restored ${disks}${formatBytes(s.bytes)}${to ? ` to ${to}` : ''}${s.config ? ` with the guest config ${s.config}` : ''} in ${s.seconds.toFixed(1)} s (${s.mbPerSec.toFixed(1)} MB/s${resumed})`
        : `verified ${disks}${formatBytes(s.bytes)}, every chunk ok, in ${s.seconds.toFixed(1)} s (${s.mbPerSec.toFixed(1)} MB/s)`;
    case 'cancelled':
      return info.startedAt === undefined ? 'cancelled before it started; nothing was written' : `cancelled${tail || (info.mode === 'restore' ? '; nothing was written' : '')}${finished(s)}`;
    case 'failed':
      return `failed [${error?.code ?? 'INTERNAL'}]: ${error?.message ?? 'unknown error'}${tail}${finished(s)}`;
  }
}

/** A job the history says was running when the app stopped, with the targets it left partial. */
export function describeInterrupted(partials: string[]): string {
  return `interrupted: the app stopped while this job ran${partialText(partials)}`;
}

function partialText(partials: string[]): string {
  if (!partials.length) return '';
  return partials.length === 1 ? `; the target is partial: ${partials[0]}` : `; these targets are partial: ${partials.join(', ')}`;
}

/** A whole-VM job that did not succeed: which disks did (they stay). */
function finished(s: RestoreSummary): string {
  const done = (s.archives ?? []).filter((a) => a.status === 'succeeded' && s.archives!.length > 1);
  return done.length ? `; finished: ${done.map((a) => a.target ?? a.archive).join(', ')}` : '';
}
