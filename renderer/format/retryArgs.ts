// What "Retry" starts: a new job with the request of one that failed, was cancelled or was
// interrupted, and its settings (concurrency, rate cap), from the beginning. Everything the
// service showed of the request goes back as it was, except what only describes the old job: the
// source's label, its batch, and `resume` (Retry starts over; Resume continues). The password is
// never kept, so an encrypted archive needs it again. Pure code.
import type { StartJobArgs } from '../../shared/contract.ts';
import type { JobLike } from './jobText.ts';

export function retryArgs(job: JobLike, password?: string): StartJobArgs {
  const { sourceLabel: _label, batch: _batch, resume: _resume, ...request } = job.request;
  return {
    ...request,
    mode: job.mode,
    concurrency: job.concurrency,
    ...(job.rate !== undefined ? { rate: job.rate } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** Retry applies to a job that ended without success. */
export function canRetry(job: Pick<JobLike, 'state'>): boolean {
  return job.state === 'failed' || job.state === 'cancelled';
}
