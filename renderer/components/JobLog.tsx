// A job's log: what the service wrote about it (logs.get for the past, 'log' events after).
import { useEffect } from 'react';
import { loadJobLog } from '../actions/jobs.ts';
import { formatTime } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';

export function JobLog({ jobId }: { jobId: string }) {
  const lines = useStore((s) => s.jobLogs[jobId]);
  useEffect(() => void loadJobLog(jobId), [jobId]);
  if (!lines) return <p className="muted">Loading the log…</p>;
  if (!lines.length) return <p className="muted">Nothing logged yet.</p>;
  return (
    <ol className="log" aria-label="Job log">
      {lines.map((l) => (
        <li key={l.seq} className={`log-${l.level}`}>
          <time className="muted">{formatTime(l.at)}</time> <span className="log-level">{l.level}</span> {l.message}
        </li>
      ))}
    </ol>
  );
}
