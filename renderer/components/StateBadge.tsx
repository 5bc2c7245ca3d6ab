// A job state as a word with an icon-like mark: never colour alone (PBS shows text next to its
// state icons for the same reason).
import type { JobState } from '../../shared/contract.ts';
import { STATE_LABEL } from '../format/jobText.ts';

const MARK: Record<JobState, string> = {
  queued: '…',
  running: '▶',
  paused: '❚❚',
  cancelling: '■',
  cancelled: '■',
  failed: '✕',
  succeeded: '✓',
};

export function StateBadge({ state }: { state: JobState }) {
  return (
    <span className={`badge state-${state}`}>
      <span aria-hidden="true">{MARK[state]}</span> {STATE_LABEL[state]}
    </span>
  );
}
