// The states of a job, as the service's state machine (electron/service/jobState.ts) moves them
// and every shell reads them: which are final (nothing follows them) and which are still going.
// Pure code.
import type { FinalJobState, JobState } from './contract.ts';

export const FINAL_JOB_STATES: readonly FinalJobState[] = ['cancelled', 'failed', 'succeeded'];

/** Cancelled, failed or succeeded: no progress, no state change follows. */
export function isFinalState(s: JobState): s is FinalJobState {
  return (FINAL_JOB_STATES as readonly JobState[]).includes(s);
}

/** Queued, running, paused or cancelling. */
export function isActiveState(s: JobState): boolean {
  return !isFinalState(s);
}
