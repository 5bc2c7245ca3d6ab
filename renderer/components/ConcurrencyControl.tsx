// The concurrency slider of a running job (1–64 chunks in flight, shared/limits.ts; a native range input, so arrow
// keys move it by one, Page Up/Down by a tenth, Home/End to the ends), an Auto switch, and what
// is in force: the slider shows the requested value at once (optimistic), the engine's limit
// comes back in the progress stream, and both are shown while they differ (lowering lets the
// chunks in flight finish first).
import { useId } from 'react';
import { isFinalState } from '../../shared/jobStates.ts';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MIN_CONCURRENCY } from '../../shared/limits.ts';
import { setConcurrency } from '../actions/jobs.ts';
import type { JobLike } from '../format/jobText.ts';
import { reasonText, settlingText } from '../format/concurrency.ts';
import { useStore } from '../store/index.ts';

export function ConcurrencyControl({ job }: { job: JobLike }) {
  const id = useId();
  const requested = useStore((s) => s.requested[job.id]) ?? job.concurrency;
  const limit = useStore((s) => s.jobs[job.id]?.progress?.limit);
  const reason = useStore((s) => s.jobs[job.id]?.progress?.limitReason);
  const tuned = useStore((s) => s.jobs[job.id]?.progress?.auto ?? false);
  const done = isFinalState(job.state);
  const auto = requested === 'auto';
  const value = auto ? (limit ?? DEFAULT_CONCURRENCY) : requested;
  const settling = settlingText(requested, limit);

  return (
    <div className="concurrency">
      <div className="concurrency-row">
        <label htmlFor={id}>Concurrency</label>
        <input
          id={id}
          type="range"
          min={MIN_CONCURRENCY}
          max={MAX_CONCURRENCY}
          step={1}
          value={value}
          disabled={done || auto}
          aria-valuetext={`${value} chunks in flight`}
          aria-describedby={`${id}-state`}
          onChange={(e) => setConcurrency(job.id, Number(e.currentTarget.value))}
        />
        <output htmlFor={id} className="concurrency-value">
          {value}
        </output>
        <label className="switch">
          <input type="checkbox" checked={auto} disabled={done} onChange={(e) => setConcurrency(job.id, e.currentTarget.checked ? 'auto' : (limit ?? DEFAULT_CONCURRENCY), true)} />
          Auto
        </label>
      </div>
      <p id={`${id}-state`} className="concurrency-state" data-testid="concurrency-state" data-tuned={tuned}>
        Requested: <strong data-testid="requested">{auto ? 'auto' : requested}</strong>
        {' · '}In force: <strong data-testid="effective">{limit ?? '–'}</strong>
        {reason || tuned ? <span className="muted"> ({reasonText(reason ?? '', tuned)})</span> : null}
        {settling && !done ? <span className="muted"> · {settling}</span> : null}
      </p>
    </div>
  );
}
