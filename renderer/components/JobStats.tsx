// The numbers of a job: percent, bytes and chunks of the total, speeds (image, source: the speed
// now over SPEED_WINDOW_MS and the average since the start, apart; "paused" while paused), the zero
// share, source bytes against image bytes, ETA, chunks in flight, and for a resumed restore what
// an earlier run had written (never counted as speed). This component re-renders with
// each progress sample (up to 10 a second); nothing above it does.
import { averageRate, etaSeconds, recentRate, zeroRatio } from '../../shared/rates.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import type { JobLike } from '../format/jobText.ts';
import { formatBytes, formatCount, formatDuration, formatPercent, formatRate } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';
import { samplesOf } from '../store/samples.ts';
import { ProgressBar } from './ProgressBar.tsx';

export function JobStats({ job }: { job: JobLike }) {
  const p = useStore((s) => s.jobs[job.id]?.progress);
  const units = useStore((s) => s.prefs.units);
  if (!p) return <p className="muted">{job.state === 'queued' ? 'Waiting for a free slot…' : 'Opening the archive…'}</p>;
  const final = isFinalState(job.state);
  const samples = samplesOf(job.id);
  const rate = final ? undefined : recentRate(samples);
  const eta = final ? undefined : etaSeconds(samples);
  const pct = formatPercent(p.doneBytes, p.totalBytes);
  const resumed = p.resumedBytes ?? 0;
  const avg = job.summary ? job.summary.mbPerSec * 1e6 : averageRate(p);
  return (
    <div className="stats">
      <div className="stats-head">
        <span className="percent" data-testid="percent">
          {pct}
        </span>
        <ProgressBar value={p.doneBytes} max={p.totalBytes} label="Restore progress" text={`${pct}, ${formatBytes(p.doneBytes, units)} of ${formatBytes(p.totalBytes, units)}`} />
      </div>
      <dl className="stat-grid">
        <div>
          <dt>Image</dt>
          <dd data-testid="done-bytes" data-value={p.doneBytes}>
            {formatBytes(p.doneBytes, units)} <span className="muted">of {formatBytes(p.totalBytes, units)}</span>
          </dd>
        </div>
        {resumed > 0 && (
          <div>
            <dt>Resumed</dt>
            <dd data-testid="resumed-bytes" data-value={resumed}>
              {formatBytes(resumed, units)} <span className="muted">written before, not fetched again</span>
            </dd>
          </div>
        )}
        <div>
          <dt>Chunks</dt>
          <dd data-testid="done-chunks" data-value={p.doneChunks}>
            {formatCount(p.doneChunks)} <span className="muted">of {formatCount(p.totalChunks)}</span>
          </dd>
        </div>
        {!final && (
          <div>
            <dt>Speed now</dt>
            <dd data-testid="speed" data-value={rate && !p.paused ? Math.round(rate.image) : 0}>
              {p.paused ? 'paused' : formatRate(rate?.image ?? 0, units)}
            </dd>
          </div>
        )}
        <div>
          <dt>Average speed</dt>
          <dd data-testid="average-speed">{formatRate(avg, units)}</dd>
        </div>
        <div>
          <dt>Zero chunks</dt>
          <dd data-testid="zero-ratio">
            {formatPercent(zeroRatio(p), 1, 1)} <span className="muted">({formatCount(p.zeroChunks)} skipped)</span>
          </dd>
        </div>
        <div>
          <dt>Read from source</dt>
          <dd data-testid="source-bytes" data-value={p.sourceBytes}>
            {formatBytes(p.sourceBytes, units)}
            {rate ? <span className="muted"> · {p.paused ? 'paused' : formatRate(rate.source, units)}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd data-testid="eta">{final ? '–' : p.paused ? 'paused' : eta === undefined ? 'estimating…' : `≈ ${formatDuration(eta * 1000)}`}</dd>
        </div>
        <div>
          <dt>In flight</dt>
          <dd data-testid="in-flight">
            {p.inFlight}{' '}
            <span className="muted">
              of {p.limit}
              {p.inFlight > p.limit ? ' (the extra ones finish first)' : ''} · {p.writing} writing
            </span>
          </dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd>{formatDuration(p.elapsedMs)}</dd>
        </div>
      </dl>
      {job.summary?.auto && (
        <p className="muted small auto-summary" data-testid="auto-summary">
          {job.summary.auto.charAt(0).toUpperCase() + job.summary.auto.slice(1)}.
        </p>
      )}
    </div>
  );
}
