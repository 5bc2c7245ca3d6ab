// The rate cap of a running job, next to the concurrency slider: a field that takes what the
// CLI's --rate takes (50MB, 20MiB, 1.5GB, plain bytes; empty or 0 for none), applied on Enter or
// when the field is left, and what is in force (the global cap may be lower) and whether the cap
// is what sets the pace now. The chart draws the cap as a line.
import { useId } from 'react';
import { formatRate } from '../../shared/units.ts';
import { setRate } from '../actions/jobs.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import type { JobLike } from '../format/jobText.ts';
import { useRateInput } from './useRateInput.ts';
import { useStore } from '../store/index.ts';

export function RateControl({ job }: { job: JobLike }) {
  const id = useId();
  const units = useStore((s) => s.prefs.units);
  const inForce = useStore((s) => s.jobs[job.id]?.progress?.rateLimit ?? 0);
  const limiting = useStore((s) => s.jobs[job.id]?.progress?.rateLimited ?? false);
  const { text, setText, bad, apply } = useRateInput(job.rate, (r) => setRate(job.id, r));
  const done = isFinalState(job.state);
  return (
    <div className="rate-control">
      <div className="concurrency-row">
        <label htmlFor={id}>Rate cap</label>
        <input
          id={id}
          className="rate-input mono"
          value={text}
          placeholder="no cap"
          disabled={done}
          spellCheck={false}
          aria-invalid={bad || undefined}
          aria-describedby={`${id}-state`}
          onChange={(e) => setText(e.currentTarget.value)}
          onBlur={apply}
          onKeyDown={(e) => e.key === 'Enter' && apply()}
        />
        <button type="button" className="quiet" disabled={done || !job.rate} onClick={() => (setText(''), setRate(job.id, 0))}>
          No cap
        </button>
      </div>
      <p id={`${id}-state`} className="concurrency-state" data-testid="rate-state">
        {bad ? (
          <span className="danger-text">Not a rate: write e.g. 50MB, 20MiB or 1.5GB (per second).</span>
        ) : (
          <>
            In force: <strong data-testid="rate-in-force">{inForce ? formatRate(inForce, units) : 'none'}</strong>
            {inForce && inForce !== (job.rate ?? 0) ? <span className="muted"> (the cap for all jobs)</span> : null}
            {inForce && limiting ? <span className="muted"> · the cap sets the pace now</span> : null}
          </>
        )}
      </p>
    </div>
  );
}
