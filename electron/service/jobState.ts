// The state machine of a job: which state may follow which.
//
//   queued → running ↔ paused → cancelling → cancelled | failed | succeeded
//   (a queued job may be cancelled at once; a running or paused one may end in any final state)
//
// Final states (shared/jobStates.ts) have no successor: nothing follows them, progress included.
import type { JobState } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';

const NEXT: Record<JobState, readonly JobState[]> = {
  queued: ['running', 'cancelled'],
  running: ['paused', 'cancelling', 'cancelled', 'failed', 'succeeded'],
  paused: ['running', 'cancelling', 'cancelled', 'failed', 'succeeded'],
  cancelling: ['cancelled', 'failed', 'succeeded'],
  cancelled: [],
  failed: [],
  succeeded: [],
};

export function canMove(from: JobState, to: JobState): boolean {
  return NEXT[from].includes(to);
}

/** Throws INTERNAL for a move the machine does not have (a bug, never user input). */
export function checkMove(jobId: string, from: JobState, to: JobState): void {
  if (!canMove(from, to)) throw new RestoreError('INTERNAL', `job ${jobId}: no transition from ${from} to ${to}`);
}
