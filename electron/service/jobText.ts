// The one line a job says about itself when it ends (JobInfo.message, the log, notifications):
// what happened, and for a cancelled or failed restore that its target is partial, and where.
import type { ContractError, JobInfo } from '../../shared/contract.ts';
import type { RestoreSummary } from '../../shared/progress.ts';
import { formatBytes } from '../../shared/units.ts';

export function describeEnd(info: JobInfo, s: RestoreSummary, error: ContractError | undefined, partial: string | undefined): string {
  const tail = partial ? `; the target is partial: ${partial}` : '';
  const resumed = s.resumedBytes ? `; ${formatBytes(s.resumedBytes)} were already written` : '';
  switch (s.status) {
    case 'succeeded':
      return info.mode === 'restore'
        ? `restored ${formatBytes(s.bytes)} to ${s.target ?? info.request.target} in ${s.seconds.toFixed(1)} s (${s.mbPerSec.toFixed(1)} MB/s${resumed})`
        : `verified ${formatBytes(s.bytes)}, every chunk ok, in ${s.seconds.toFixed(1)} s (${s.mbPerSec.toFixed(1)} MB/s)`;
    case 'cancelled':
      return info.startedAt === undefined ? 'cancelled before it started; nothing was written' : `cancelled${tail || (info.mode === 'restore' ? '; nothing was written' : '')}`;
    case 'failed':
      return `failed [${error?.code ?? 'INTERNAL'}]: ${error?.message ?? 'unknown error'}${tail}`;
  }
}

/** A job the history says was running when the app stopped. */
export function describeInterrupted(partial: string | undefined): string {
  return `interrupted: the app stopped while this job ran${partial ? `; the target is partial: ${partial}` : ''}`;
}
