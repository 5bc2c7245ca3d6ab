// What can be done about a job that ended without success (failed, cancelled, interrupted by a
// restart), on the job page and in the jobs list alike:
//   - Retry: the same request and settings as a new job, from the beginning (retryArgs.ts); what
//     the old run left at a file target is deleted first, after a confirmation;
//   - Resume and Delete partial file (PartialActions), on the job page;
//   - where the target is: Show in folder in the desktop app, the path and a Copy button in a
//     browser (it cannot open the service's folders).
// An encrypted archive needs its key file password again for Retry and Resume: it is never stored.
import { useState } from 'react';
import { toContractError, type ContractError } from '../../shared/errors.ts';
import { api } from '../api/current.ts';
import { continueJob, leavesPartial, retryJob } from '../actions/jobs.ts';
import { announce, reportError } from '../actions/notify.ts';
import type { JobLike } from '../format/jobText.ts';
import { canRetry } from '../format/retryArgs.ts';
import { useStore } from '../store/index.ts';
import { ConfirmDialog } from './Dialog.tsx';
import { ErrorBox } from './ErrorBox.tsx';
import { PartialActions, PasswordDialog } from './PartialActions.tsx';

/** Where the job writes (its partial file while one is left), or undefined for a verify. */
function targetPath(job: JobLike): string | undefined {
  return job.mode === 'restore' ? (job.partialPath ?? job.request.target ?? job.request.targetDir) : undefined;
}

function copyText(text: string): void {
  // The Clipboard API needs a secure context: 127.0.0.1 and localhost are one.
  if (!navigator.clipboard) return reportError({ code: 'NOT_SUPPORTED', message: 'this browser gives the page no clipboard: select the path and copy it' });
  navigator.clipboard.writeText(text).then(
    () => announce('Path copied'),
    (e) => reportError(e, 'Copy path'),
  );
}

/** Show in folder (desktop) or the path with a Copy button (browser; the button alone when `compact` or the page shows the path already). */
export function TargetPlace({ path, compact, shown, label }: { path: string; compact?: boolean; shown?: boolean; label: string }) {
  const dialogs = useStore((s) => s.info?.dialogs === true);
  if (dialogs) {
    return (
      <button type="button" className={compact ? 'quiet' : undefined} onClick={() => api().invoke('shell.showInFolder', { path }).catch((e) => reportError(e, 'Show in folder'))}>
        Show in folder<span className="visually-hidden"> {label}</span>
      </button>
    );
  }
  if (compact || shown) {
    return (
      <button type="button" className={compact ? 'quiet' : undefined} title={path} onClick={() => copyText(path)}>
        Copy path<span className="visually-hidden"> of {label}</span>
      </button>
    );
  }
  return (
    <span className="target-place">
      <code className="mono" data-testid="target-path">
        {path}
      </code>{' '}
      <button type="button" onClick={() => copyText(path)}>
        Copy path
      </button>
    </span>
  );
}

export function JobActions({ job, compact = false, label = '' }: { job: JobLike; compact?: boolean; label?: string }) {
  const navigate = useStore((s) => s.navigate);
  const [asking, setAsking] = useState<'confirm' | 'password' | undefined>();
  const [error, setError] = useState<ContractError | undefined>();
  if (!canRetry(job)) return null;
  const encrypted = job.request.keyfile !== undefined;
  // A partial file the old run left is deleted before starting over (unless a later job continues it).
  const discards = leavesPartial(job);
  const run = async (password?: string): Promise<void> => {
    setError(undefined);
    try {
      await retryJob(job, password);
    } catch (e) {
      if (compact) reportError(e, 'Retry');
      else setError(toContractError(e));
      throw e;
    }
  };
  const retry = (): void => {
    if (discards) return setAsking('confirm');
    if (encrypted) return setAsking('password');
    void run().catch(() => {});
  };
  const path = targetPath(job);
  return (
    <div className={compact ? 'job-actions compact' : 'job-actions'} data-testid="job-actions">
      {!compact && <PartialActions job={job} />}
      <div className="button-row">
        <button type="button" className={compact ? 'quiet' : undefined} onClick={retry}>
          Retry<span className="visually-hidden"> {label}</span>
        </button>
        {compact && job.resumable && (
          <button
            type="button"
            className="quiet"
            // An encrypted archive needs its password again: the job page asks for it.
            onClick={() => (encrypted ? navigate({ view: 'job', id: job.id }) : continueJob(job.id).catch((e) => reportError(e, 'Resume')))}
          >
            Resume<span className="visually-hidden"> {label}</span>
          </button>
        )}
        {/* The job page names a partial file in its outcome already. */}
        {path && <TargetPlace path={path} compact={compact} shown={path === job.partialPath} label={label} />}
      </div>
      {!compact && <p className="hint">Retry starts the same {job.mode} again with the same settings, from the beginning.</p>}
      {error && <ErrorBox error={error} title="It cannot be retried" />}
      {asking === 'confirm' && (
        <ConfirmDialog
          title="Retry from the beginning?"
          confirm={job.partialPaths && job.partialPaths.length > 1 ? 'Delete partial files and retry' : 'Delete partial file and retry'}
          danger
          onConfirm={() => (encrypted ? setTimeout(() => setAsking('password')) : void run().catch(() => {}))}
          onClose={() => setAsking(undefined)}
        >
          <p>
            <code className="mono">{job.partialPath ?? job.partialPaths?.join(', ')}</code> {job.partialPaths && job.partialPaths.length > 1 ? 'are' : 'is'} deleted first, and the restore starts over.
            {job.resumable ? ' Resume continues where it stopped instead.' : ''}
          </p>
        </ConfirmDialog>
      )}
      {asking === 'password' && <PasswordDialog job={job} title="Retry the encrypted restore" confirm="Retry" run={(pw) => run(pw)} onClose={() => setAsking(undefined)} />}
    </div>
  );
}
