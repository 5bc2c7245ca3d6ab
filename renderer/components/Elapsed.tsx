// "Running for 2 min 03 s", ticking while the job runs.
import { useEffect, useState } from 'react';
import { isFinalState } from '../../shared/jobStates.ts';
import { jobDuration } from '../format/jobText.ts';
import type { JobHead } from './useJobHead.ts';

export function Elapsed({ job }: { job: JobHead }) {
  const [now, setNow] = useState(Date.now());
  const live = !isFinalState(job.state) && job.startedAt !== undefined;
  useEffect(() => {
    if (!live) return;
    // A quarter second: the tenths shown under a minute stay close to the elapsed time in the numbers.
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [live]);
  return <span>{jobDuration(job, now)}</span>;
}
