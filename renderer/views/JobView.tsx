// One job, live: state and what to do about it, the controls (concurrency, auto, rate cap, pause /
// resume, cancel after a confirmation), a stall when there is one, the numbers, the throughput
// chart, the chunk map and the log. A finished job says how it ended; a cancelled or failed
// restore says its target is partial and offers to resume it or delete it.
// A whole-VM job also shows a row per disk, and the chunk map of the disk picked there.
import { useEffect, useState } from 'react';
import { api } from '../api/current.ts';
import { cancelJob, loadChunkMap, pauseJob, resumeJob } from '../actions/jobs.ts';
import { reportError } from '../actions/notify.ts';
import { ChunkMapView } from '../components/ChunkMapView.tsx';
import { ConcurrencyControl } from '../components/ConcurrencyControl.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { Elapsed } from '../components/Elapsed.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { JobDisks } from '../components/JobDisks.tsx';
import { JobLog } from '../components/JobLog.tsx';
import { JobStats } from '../components/JobStats.tsx';
import { LiveSummary } from '../components/LiveSummary.tsx';
import { JobActions } from '../components/JobActions.tsx';
import { RateControl } from '../components/RateControl.tsx';
import { StallBanner } from '../components/StallBanner.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { ThroughputChart } from '../components/ThroughputChart.tsx';
import { useJobHead, type JobHead } from '../components/useJobHead.ts';
import { archiveName } from '../../shared/jobNames.ts';
import { explainError } from '../../shared/errorText.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import { jobSubtitle, jobTitle } from '../format/jobText.ts';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';

/** A whole-VM job that ended: which disks stay partial and which were finished (and stay). */
function DisksOutcome({ job }: { job: JobHead }) {
  const archives = job.summary?.archives ?? [];
  const partial = archives.filter((a) => a.partial && a.target);
  const done = archives.filter((a) => a.status === 'succeeded');
  if (!partial.length && !done.length) return null;
  return (
    <>
      {partial.length > 0 && (
        <p>
          Partial{job.resumable ? '' : ' (delete them, or restore again)'}:{' '}
          {partial.map((a, i) => (
            <span key={a.archive}>
              {i ? ', ' : ''}
              <code className="mono">{a.target}</code>
            </span>
          ))}
        </p>
      )}
      {done.length > 0 && (
        <p className="muted">
          Finished and kept:{' '}
          {done.map((a, i) => (
            <span key={a.archive}>
              {i ? ', ' : ''}
              <code className="mono">{a.target ?? a.archive}</code>
            </span>
          ))}
        </p>
      )}
    </>
  );
}

function Outcome({ job }: { job: JobHead }) {
  const info = useStore((s) => s.info);
  const units = useStore((s) => s.prefs.units);
  const s = job.summary;
  const vm = s?.archives !== undefined;
  if (job.state === 'succeeded' && vm) {
    return (
      <div className="banner banner-ok" data-testid="outcome">
        <p>
          <strong>✓ {job.mode === 'restore' ? 'Restored' : 'Verified'}</strong> {s.archives!.length} disk{s.archives!.length === 1 ? '' : 's'}, {formatBytes(s.bytes, units)}
          {job.request.targetDir ? (
            <>
              {' '}
              to <code className="mono">{job.request.targetDir}</code>
            </>
          ) : null}{' '}
          in {formatDuration(s.seconds * 1000)}.
        </p>
        {s.config && (
          <p>
            Guest configuration: <code className="mono">{s.config}</code>
          </p>
        )}
        <p className="muted">
          Average {formatRate(s.mbPerSec * 1e6, units)}
          {s.peakMbPerSec !== undefined ? ` · peak ${formatRate(s.peakMbPerSec * 1e6, units)}` : ''} · {formatPercent(s.zeroChunks, s.chunks)} zero chunks
        </p>
        {job.mode === 'restore' && info?.dialogs && s.archives![0]?.target && (
          <button type="button" onClick={() => api().invoke('shell.showInFolder', { path: s.archives![0]!.target! }).catch((e) => reportError(e))}>
            Show in folder
          </button>
        )}
      </div>
    );
  }
  if (job.state === 'cancelled' && vm) {
    return (
      <div className="banner banner-warn" data-testid="outcome">
        <p>
          <strong>■ Cancelled.</strong> {job.startedAt === undefined ? job.message : 'No guest configuration was written.'}
        </p>
        <DisksOutcome job={job} />
        <JobActions job={job} />
      </div>
    );
  }
  if (job.state === 'failed' && vm) {
    return (
      <div data-testid="outcome">
        {job.error && <ErrorBox error={job.error} title="The job failed" />}
        <div className="warn-text">
          <DisksOutcome job={job} />
        </div>
        <JobActions job={job} />
      </div>
    );
  }
  if (job.state === 'succeeded') {
    return (
      <div className="banner banner-ok" data-testid="outcome">
        <p>
          {job.mode === 'restore' ? (
            <>
              <strong>✓ Restored</strong> {s ? formatBytes(s.bytes, units) : ''} to <code className="mono">{s?.target ?? job.request.target}</code>
              {s ? ` in ${formatDuration(s.seconds * 1000)}.` : '.'}
            </>
          ) : (
            <>
              <strong>✓ Verified</strong> {s ? formatBytes(s.bytes, units) : ''}: every chunk is intact{s ? ` (${formatDuration(s.seconds * 1000)}).` : '.'}
            </>
          )}
        </p>
        {s && (
          <p className="muted">
            Average {formatRate(s.mbPerSec * 1e6, units)}
            {s.peakMbPerSec !== undefined ? ` · peak ${formatRate(s.peakMbPerSec * 1e6, units)}` : ''} · {formatPercent(s.zeroChunks, s.chunks)} zero chunks
          </p>
        )}
        {job.mode === 'restore' && info?.dialogs && s?.target && (
          <button type="button" onClick={() => api().invoke('shell.showInFolder', { path: s.target! }).catch((e) => reportError(e))}>
            Show in folder
          </button>
        )}
      </div>
    );
  }
  if (job.state === 'cancelled') {
    return (
      <div className="banner banner-warn" data-testid="outcome">
        <p>
          <strong>■ Cancelled.</strong>{' '}
          {job.partialPath ? (
            <>
              The target is partial: <code className="mono">{job.partialPath}</code> holds only part of the image.
            </>
          ) : (
            job.message
          )}
        </p>
        <JobActions job={job} />
      </div>
    );
  }
  if (job.state === 'failed') {
    return (
      <div data-testid="outcome">
        {job.error && <ErrorBox error={job.error} title="The job failed" />}
        {job.partialPath && (
          <p className="warn-text">
            The target is partial: <code className="mono">{job.partialPath}</code> holds only part of the image.
          </p>
        )}
        <JobActions job={job} />
      </div>
    );
  }
  return null;
}

/**
 * The numbers, or for a job that ended before its first progress sample (it failed while opening
 * the archive: a wrong key file, a damaged index or manifest) what happened instead of "Opening
 * the archive…" for ever.
 */
function ProgressOrEnd({ job }: { job: JobHead }) {
  const started = useStore((s) => s.jobs[job.id]?.progress !== undefined);
  if (started || !isFinalState(job.state)) return <JobStats job={job} />;
  if (job.state === 'failed') {
    return (
      <p className="danger-text" data-testid="ended-early">
        {job.error ? `It failed before any data was read: ${explainError(job.error).title}` : 'It failed before any data was read.'}
      </p>
    );
  }
  return <p className="muted" data-testid="ended-early">{job.state === 'cancelled' ? 'Cancelled before any data was read.' : 'Nothing was read.'}</p>;
}

/** The name of the disk whose chunk map is shown. */
function mapDiskName(job: JobHead, disk: number): string {
  const names = job.summary?.archives?.map((a) => a.archive) ?? (Array.isArray(job.request.disks) ? job.request.disks.map((d) => d.archive) : []);
  return names[disk] ? archiveName(names[disk]) : '';
}

function Controls({ job }: { job: JobHead }) {
  const [confirm, setConfirm] = useState(false);
  const active = !isFinalState(job.state);
  if (!active) return null;
  const target = job.request.target;
  const vm = job.request.disks !== undefined;
  return (
    <div className="controls">
      <ConcurrencyControl job={job} />
      <RateControl job={job} />
      <div className="button-row">
        {job.state === 'paused' ? (
          <button type="button" className="primary" onClick={() => resumeJob(job.id)}>
            Resume
          </button>
        ) : (
          <button type="button" onClick={() => pauseJob(job.id)} disabled={job.state !== 'running'}>
            Pause
          </button>
        )}
        <button type="button" className="danger" onClick={() => setConfirm(true)} disabled={job.state === 'cancelling'}>
          {job.state === 'cancelling' ? 'Cancelling…' : job.mode === 'restore' ? 'Cancel restore' : 'Cancel verify'}
        </button>
      </div>
      {confirm && (
        <ConfirmDialog
          title={job.mode === 'restore' ? 'Cancel this restore?' : 'Cancel this verify?'}
          confirm={job.mode === 'restore' ? 'Cancel restore' : 'Cancel verify'}
          cancel="Keep running"
          danger
          onConfirm={() => cancelJob(job.id)}
          onClose={() => setConfirm(false)}
        >
          <p>The chunks in flight finish, then the job stops.</p>
          {job.mode === 'restore' && vm && (
            <p>Disks already finished stay; every other disk stays partial (its target named <code className="mono">.partial</code>), and no guest configuration is written.</p>
          )}
          {job.mode === 'restore' && target && (
            <p>
              The target stays partial: <code className="mono">{target}.partial</code> will hold only part of the image, and <code className="mono">{target}</code> is not
              created.
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}

export function JobView({ id }: { id: string }) {
  const job = useJobHead(id);
  const loaded = useStore((s) => s.loaded);
  const navigate = useStore((s) => s.navigate);
  const [disk, setDisk] = useState(0);
  // A job that ended before its first sample has no chart or chunk map to show, only its end.
  const sampled = useStore((s) => s.jobs[id]?.progress !== undefined);
  useEffect(() => void loadChunkMap(id, disk), [id, disk]);
  if (!job) {
    return (
      <section className="screen">
        <h1 tabIndex={-1}>Job</h1>
        <p className="muted">{loaded ? 'This job is not in the history (any more).' : 'Loading…'}</p>
        <button type="button" onClick={() => navigate({ view: 'jobs' })}>
          All jobs
        </button>
      </section>
    );
  }
  const r = job.request;
  return (
    <section className="screen job-view" aria-labelledby="job-title">
      <header className="screen-head">
        <p className="crumbs">
          <a
            href="#/jobs"
            onClick={(e) => {
              e.preventDefault();
              navigate({ view: 'jobs' });
            }}
          >
            Jobs
          </a>{' '}
          /
        </p>
        <div className="title-row">
          <h1 id="job-title" tabIndex={-1}>
            {jobTitle(job)}
          </h1>
          <span data-testid="job-state">
            <StateBadge state={job.state} />
          </span>
        </div>
        <p className="muted">
          {jobSubtitle(job)}
          {r.target || r.targetDir ? (
            <>
              {' '}
              → <span className="mono">{r.target ?? r.targetDir}</span>
            </>
          ) : null}
          {' · '}
          <Elapsed job={job} />
        </p>
      </header>
      <LiveSummary jobId={id} />
      <StallBanner jobId={id} />
      <Outcome job={job} />
      <Controls job={job} />
      <section className="card" aria-label="Progress">
        <ProgressOrEnd job={job} />
      </section>
      {r.disks !== undefined && (
        <section className="card" aria-labelledby={`${id}-disks`}>
          <h2 id={`${id}-disks`} className="card-title">
            Disks
          </h2>
          <JobDisks job={job} selected={disk} onSelect={setDisk} />
        </section>
      )}
      {(sampled || !isFinalState(job.state)) && (
        <div className="job-panels">
          <section className="card" aria-labelledby={`${id}-chart`}>
            <h2 id={`${id}-chart`} className="card-title">
              Throughput and concurrency
            </h2>
            <ThroughputChart jobId={id} />
          </section>
          <section className="card" aria-labelledby={`${id}-map`}>
            <h2 id={`${id}-map`} className="card-title">
              Chunk map{r.disks !== undefined ? <> <span className="muted mono small no-caps">{mapDiskName(job, disk)}</span></> : null}
            </h2>
            <ChunkMapView jobId={id} verify={job.mode === 'verify'} disk={disk} />
          </section>
        </div>
      )}
      <section className="card" aria-labelledby={`${id}-log`}>
        <h2 id={`${id}-log`} className="card-title">
          Log
        </h2>
        <JobLog jobId={id} />
      </section>
    </section>
  );
}
