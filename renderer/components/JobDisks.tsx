// The disks of a whole-VM job, a row each: its name and target, how far it is (bytes, percent,
// a bar), and how it stands (running, then succeeded, failed or stopped). Live rows come from the
// job's progress (progress.disks), final ones from its summary; the targets from the request,
// which the service resolves once the snapshot is open. Selecting a disk shows its chunk map.
import { useShallow } from 'zustand/react/shallow';
import type { ArchiveSummary, DiskProgress } from '../../shared/progress.ts';
import { archiveName } from '../../shared/jobNames.ts';
import { formatBytes, formatPercent } from '../../shared/units.ts';
import type { JobLike } from '../format/jobText.ts';
import { useStore } from '../store/index.ts';
import { ProgressBar } from './ProgressBar.tsx';

const STATE_TEXT: Record<DiskProgress['state'], string> = { running: 'running', succeeded: '✓ done', failed: '✕ failed', cancelled: '■ stopped' };

/** The disk rows as the page has them now: progress while running, the summary at the end. */
function useDiskRows(job: JobLike): Array<{ archive: string; target?: string; done: number; total: number; state: DiskProgress['state']; partial: boolean }> {
  const live = useStore(useShallow((s) => s.jobs[job.id]?.progress?.disks ?? []));
  const ended: ArchiveSummary[] = job.summary?.archives ?? [];
  const asked = Array.isArray(job.request.disks) ? job.request.disks : [];
  const names = live.length ? live.map((d) => d.archive) : ended.length ? ended.map((a) => a.archive) : asked.map((d) => d.archive);
  return names.map((archive, i) => {
    const p = live.find((d) => d.archive === archive) ?? live[i];
    const e = ended.find((a) => a.archive === archive);
    const target = e?.target ?? asked.find((d) => d.archive === archive)?.target;
    const total = p?.totalBytes ?? e?.bytes ?? 0;
    return {
      archive,
      ...(target ? { target } : {}),
      done: e?.status === 'succeeded' ? (p?.totalBytes ?? e.bytes) : (p?.doneBytes ?? e?.bytes ?? 0),
      total: Math.max(total, p?.totalBytes ?? 0),
      state: e?.status ?? p?.state ?? 'running',
      partial: !!e?.partial,
    };
  });
}

export function JobDisks({ job, selected, onSelect }: { job: JobLike; selected: number; onSelect(i: number): void }) {
  const units = useStore((s) => s.prefs.units);
  const rows = useDiskRows(job);
  if (!rows.length) return <p className="muted">{job.state === 'queued' ? 'Waiting for a free slot…' : 'Opening the snapshot…'}</p>;
  return (
    <table className="disks">
      <caption className="visually-hidden">Disks of this job</caption>
      <thead>
        <tr>
          <th scope="col">Disk</th>
          <th scope="col">Progress</th>
          <th scope="col" className="num">
            Bytes
          </th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={r.archive} className={i === selected ? 'selected' : undefined} data-testid="disk-row">
            <td>
              <button type="button" className="row-button mono" aria-pressed={i === selected} aria-label={`Show the chunk map of ${archiveName(r.archive)}`} onClick={() => onSelect(i)}>
                {archiveName(r.archive)}
              </button>
              {r.target && <div className="muted small mono">{r.partial ? `${r.target} (partial)` : r.target}</div>}
            </td>
            <td className="disk-bar">
              <ProgressBar value={r.done} max={r.total} label={`${archiveName(r.archive)} progress`} text={formatPercent(r.done, r.total)} />
            </td>
            <td className="num">
              {formatBytes(r.done, units)} <span className="muted">of {formatBytes(r.total, units)}</span>
            </td>
            <td data-testid="disk-state" className={r.state === 'failed' ? 'danger-text' : r.state === 'cancelled' ? 'warn-text' : r.state === 'succeeded' ? 'ok-text' : ''}>
              {STATE_TEXT[r.state]}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
