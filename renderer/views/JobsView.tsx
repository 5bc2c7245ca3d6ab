// Jobs: running and queued first, then the history (kept across restarts by the service), each
// with its state, what it restored and where, how long it took, and how it ended: average and
// peak speed and zero share for a success, the reason and the next step for a failure. Jobs
// started together ("Restore latest snapshots…") sit under their batch's row, which shows how many
// are running, queued and done, and the batch's total progress over every VM's disks.
import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { forgetJob } from '../actions/jobs.ts';
import { Elapsed } from '../components/Elapsed.tsx';
import { JobActions } from '../components/JobActions.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { useJobHead } from '../components/useJobHead.ts';
import { explainError } from '../../shared/errorText.ts';
import { isActiveState } from '../../shared/jobStates.ts';
import { jobSubtitle, jobTitle } from '../format/jobText.ts';
import { formatBytes, formatPercent, formatRate, formatTime } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';

type Filter = 'all' | 'active' | 'succeeded' | 'failed' | 'cancelled';

function Result({ id }: { id: string }) {
  const job = useJobHead(id)!;
  const pct = useStore((s) => {
    const p = s.jobs[id]?.progress;
    return p && isActiveState(s.jobs[id]!.state) ? formatPercent(p.doneBytes, p.totalBytes, 0) : undefined;
  });
  const s = job.summary;
  if (job.state === 'succeeded' && s) {
    return (
      <span>
        avg {formatRate(s.mbPerSec * 1e6)}
        {s.peakMbPerSec !== undefined ? ` · peak ${formatRate(s.peakMbPerSec * 1e6)}` : ''} · {formatPercent(s.zeroChunks, s.chunks, 0)} zero
      </span>
    );
  }
  if (job.state === 'failed' && job.error) {
    const x = explainError(job.error);
    return (
      <span>
        <span className="danger-text">{x.title}</span> <span className="muted">{x.next}</span>
      </span>
    );
  }
  if (job.state === 'cancelled') return <span className="warn-text">{job.partialPath || job.partialPaths?.length ? `target partial${job.resumable ? ', resumable' : ''}` : 'nothing written'}</span>;
  return <span>{pct ?? ''}</span>;
}

/** The file name, and its folder below it (the full path as a tooltip). */
function TargetCell({ path }: { path: string | undefined }) {
  if (!path) return <span className="muted">verify only</span>;
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return (
    <span title={path}>
      <span className="mono">{path.slice(cut + 1)}</span>
      <span className="muted mono block">{path.slice(0, cut + 1)}</span>
    </span>
  );
}

function JobRow({ id, inBatch }: { id: string; inBatch: boolean }) {
  const job = useJobHead(id)!;
  const navigate = useStore((s) => s.navigate);
  return (
    <tr className={inBatch ? 'in-batch' : undefined}>
      <td>
        <StateBadge state={job.state} />
      </td>
      <td>
        <a
          href={`#/jobs/${id}`}
          className="nowrap"
          onClick={(e) => {
            e.preventDefault();
            navigate({ view: 'job', id });
          }}
        >
          {jobTitle(job)}
        </a>
        <div className="muted small">{jobSubtitle(job)}</div>
      </td>
      <td className="small target-cell">
        <TargetCell path={job.request.target ?? job.request.targetDir} />
      </td>
      <td className="small">{formatTime(job.createdAt)}</td>
      <td className="small">
        <Elapsed job={job} />
      </td>
      <td className="small">
        <Result id={id} />
      </td>
      <td>
        <div className="row-actions">
          <JobActions job={job} compact label={jobTitle(job)} />
          {!isActiveState(job.state) && (
            <button type="button" className="quiet" onClick={() => forgetJob(id)}>
              Remove<span className="visually-hidden"> {jobTitle(job)} from the history</span>
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

/** A batch's counts and total progress, from its jobs as the page has them now. */
function BatchRow({ batch }: { batch: string }) {
  const units = useStore((s) => s.prefs.units);
  const jobs = useStore(useShallow((s) => Object.values(s.jobs).filter((j) => j.request.batch?.id === batch)));
  const ref = jobs[0]?.request.batch;
  if (!ref) return null;
  let done = 0;
  let total = 0;
  const counts = { active: 0, queued: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const j of jobs) {
    const t = j.progress?.totalBytes ?? j.request.batch?.bytes ?? 0;
    total += t;
    done += j.state === 'succeeded' ? t : (j.progress?.doneBytes ?? 0);
    if (j.state === 'queued') counts.queued++;
    else if (isActiveState(j.state)) counts.active++;
    else counts[j.state as 'succeeded' | 'failed' | 'cancelled']++;
  }
  const parts = [
    counts.active && `${counts.active} running`,
    counts.queued && `${counts.queued} queued`,
    counts.succeeded && `${counts.succeeded} done`,
    counts.failed && `${counts.failed} failed`,
    counts.cancelled && `${counts.cancelled} cancelled`,
  ].filter(Boolean);
  const pct = formatPercent(done, total, 0);
  return (
    <tr className="batch-row" data-testid="batch-row">
      <td>
        <span className="badge">{jobs.length} VMs</span>
      </td>
      <td>
        <strong>Batch restore</strong>
        <div className="muted small">{parts.join(', ')}</div>
      </td>
      <td className="small target-cell">
        <TargetCell path={ref.folder} />
      </td>
      <td className="small">{formatTime(Math.min(...jobs.map((j) => j.createdAt)))}</td>
      <td className="small" />
      <td className="small" colSpan={2}>
        <ProgressBar value={done} max={total} label="Batch progress" text={`${pct}, ${formatBytes(done, units)} of ${formatBytes(total, units)}`} />
        <span data-testid="batch-percent">{pct}</span> <span className="muted">of {formatBytes(total, units)}</span>
      </td>
    </tr>
  );
}

/** Job rows in list order, each batch's jobs gathered under its row where its first job would be. */
function useEntries(ids: string[]): Array<{ batch: string } | { job: string; inBatch: boolean }> {
  const batchOf = useStore(useShallow((s) => ids.map((id) => s.jobs[id]?.request.batch?.id ?? '')));
  const out: Array<{ batch: string } | { job: string; inBatch: boolean }> = [];
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    const b = batchOf[i];
    if (!b) return void out.push({ job: id, inBatch: false });
    if (seen.has(b)) return;
    seen.add(b);
    out.push({ batch: b });
    ids.forEach((other, k) => batchOf[k] === b && out.push({ job: other, inBatch: true }));
  });
  return out;
}

export function JobsView() {
  const id = useId();
  const [filter, setFilter] = useState<Filter>('all');
  const ids = useStore(
    useShallow((s) =>
      Object.values(s.jobs)
        .filter((j) => filter === 'all' || (filter === 'active' ? isActiveState(j.state) : j.state === filter))
        .sort((a, b) => Number(isActiveState(b.state)) - Number(isActiveState(a.state)) || b.createdAt - a.createdAt)
        .map((j) => j.id),
    ),
  );
  const total = useStore((s) => Object.keys(s.jobs).length);
  const entries = useEntries(ids);
  return (
    <section className="screen" aria-labelledby="jobs-title">
      <header className="screen-head">
        <h1 id="jobs-title" tabIndex={-1}>
          Jobs
        </h1>
        <p className="muted">Running restores and the history, kept across restarts.</p>
      </header>
      <div className="toolbar">
        <label htmlFor={`${id}-f`}>Show</label>
        <select id={`${id}-f`} value={filter} onChange={(e) => setFilter(e.currentTarget.value as Filter)}>
          <option value="all">All jobs</option>
          <option value="active">Running and queued</option>
          <option value="succeeded">Succeeded</option>
          <option value="failed">Failed</option>
          <option value="cancelled">Cancelled</option>
        </select>
      </div>
      <div className="card">
        {ids.length ? (
          <table className="jobs">
            <caption className="visually-hidden">Jobs</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Job</th>
                <th scope="col">Target</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Result</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => ('batch' in e ? <BatchRow key={e.batch} batch={e.batch} /> : <JobRow key={e.job} id={e.job} inBatch={e.inBatch} />))}
            </tbody>
          </table>
        ) : (
          <p className="muted pad">{total ? 'No job matches.' : 'No jobs yet. Restore a disk image from Browse.'}</p>
        )}
      </div>
    </section>
  );
}
