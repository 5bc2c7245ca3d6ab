// What a restore that did not finish left, and what can be done with it: "Resume" continues the
// partial target where it stopped (a new job; the chunks already written and synced are not
// fetched again), "Delete partial file" removes it and its resume state. Shown for failed,
// cancelled and interrupted restores, also after a restart. An encrypted archive needs its key
// file password again: it is never stored.
import { useId, useState, type FormEvent } from 'react';
import { toContractError, type ContractError } from '../../shared/errors.ts';
import { continueJob, deletePartial } from '../actions/jobs.ts';
import type { JobLike } from '../format/jobText.ts';
import { useStore } from '../store/index.ts';
import { ConfirmDialog, Dialog } from './Dialog.tsx';
import { ErrorBox } from './ErrorBox.tsx';

/** Asks the key file password again (it is never stored), then runs `run` with it; Resume and Retry use it. */
export function PasswordDialog({ job, title = 'Resume the encrypted restore', confirm = 'Resume', run = (pw) => continueJob(job.id, pw), onClose }: { job: JobLike; title?: string; confirm?: string; run?: (password: string) => Promise<unknown>; onClose: () => void }) {
  const id = useId();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ContractError | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      await run(password);
      onClose();
    } catch (ex) {
      setError(toContractError(ex));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={`${id}-pw`}>Password of {job.request.keyfile}</label>
          <input id={`${id}-pw`} type="password" autoComplete="off" data-autofocus value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <p className="hint">Used for this restore only, never stored.</p>
        </div>
        {error && <ErrorBox error={error} />}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {confirm}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function PartialActions({ job }: { job: JobLike }) {
  const navigate = useStore((s) => s.navigate);
  const [asking, setAsking] = useState<'password' | 'delete' | undefined>();
  const [error, setError] = useState<ContractError | undefined>();
  if (job.mode !== 'restore' || job.state === 'succeeded') return null;
  if (job.continuedBy) {
    return (
      <p className="muted" data-testid="continued-by">
        Continued by{' '}
        <a
          href={`#/jobs/${job.continuedBy}`}
          onClick={(e) => {
            e.preventDefault();
            navigate({ view: 'job', id: job.continuedBy! });
          }}
        >
          a later job
        </a>
        .
      </p>
    );
  }
  // A whole-VM job lists a partial file per unfinished disk.
  const partial = job.partialPath ?? job.partialPaths?.join(', ');
  if (!job.resumable && !partial) return null;
  const resume = (): void => {
    if (job.request.keyfile) return setAsking('password');
    setError(undefined);
    continueJob(job.id).catch((e) => setError(toContractError(e)));
  };
  const device = job.partialPath !== undefined && !job.partialPath.endsWith('.partial');
  return (
    <div className="partial-actions">
      <div className="button-row">
        {job.resumable && (
          <button type="button" className="primary" onClick={resume}>
            Resume
          </button>
        )}
        {partial && (
          <button type="button" className="danger" onClick={() => setAsking('delete')}>
            {device ? 'Forget resume state' : (job.partialPaths?.length ?? 0) > 1 ? 'Delete partial files' : 'Delete partial file'}
          </button>
        )}
      </div>
      {job.resumable && <p className="hint">Resume continues where it stopped: the chunks already written and synced are not fetched again.</p>}
      {error && <ErrorBox error={error} title="It cannot be resumed" />}
      {asking === 'password' && <PasswordDialog job={job} onClose={() => setAsking(undefined)} />}
      {asking === 'delete' && (
        <ConfirmDialog
          title={device ? 'Forget how far this restore got?' : 'Delete the partial file?'}
          confirm={device ? 'Forget it' : 'Delete partial file'}
          danger
          onConfirm={() => deletePartial(job.id)}
          onClose={() => setAsking(undefined)}
        >
          {device ? (
            <p>The device keeps what was written; the restore can then only start again from the beginning.</p>
          ) : (
            <p>
              <code className="mono">{partial}</code> and its resume state are deleted; the restore can then only start again from the beginning.
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
