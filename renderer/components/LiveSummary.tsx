// What a screen reader hears about a running job: a short summary in a polite live region,
// refreshed every 15 seconds and on every state change, never at the 10 Hz of the numbers.
import { useEffect, useState } from 'react';
import { formatPercent } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';

export function LiveSummary({ jobId }: { jobId: string }) {
  const state = useStore((s) => s.jobs[jobId]?.state);
  const [text, setText] = useState('');
  useEffect(() => {
    const say = (): void => {
      const job = useStore.getState().jobs[jobId];
      if (!job) return;
      const p = job.progress;
      const pct = p ? `, ${formatPercent(p.doneBytes, p.totalBytes, 0)} done` : '';
      setText(`Job ${job.state}${pct}${job.message && job.state !== 'running' ? `. ${job.message}` : ''}`);
    };
    say();
    const t = setInterval(say, 15_000);
    return () => clearInterval(t);
  }, [jobId, state]);
  return (
    <p className="visually-hidden" role="status" aria-live="polite">
      {text}
    </p>
  );
}
