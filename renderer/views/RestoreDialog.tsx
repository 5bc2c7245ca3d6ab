// The restore dialog: which disk image, where to (a file, sparse by default, or a block device
// after a confirmation naming it and its size), how many chunks in flight (or auto), and the key
// for an encrypted snapshot. Before anything starts, the service says what would stop the restore
// (targets.check with the image size and what may be overwritten: the rules live there) and
// keys.check proves the key and its password, so a wrong password is said at once and can be
// retried here (gridsync#60). A target an earlier restore did not finish offers to resume it (the
// chunks its resume state records are not fetched again). Enter starts the restore; Esc closes.
import { useId, useRef, useState, type FormEvent } from 'react';
import type { PartialTarget, StartJobArgs, TargetOverwrite } from '../../shared/contract.ts';
import { DEFAULT_CONCURRENCY } from '../../shared/limits.ts';
import { api } from '../api/current.ts';
import { rememberKeyFile } from '../actions/catalog.ts';
import { toContractError } from '../../shared/errors.ts';
import { startJob } from '../actions/jobs.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ChooseFolderButton } from '../components/FolderPicker.tsx';
import { folderOf, joinPath } from '../format/targetName.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { cliEquivalent } from '../format/cli.ts';
import { rateText, readRate } from '../format/rate.ts';
import { archiveName } from '../format/jobText.ts';
import { formatBytes, formatTime } from '../../shared/units.ts';
import type { RestoreRequest } from '../store/appSlice.ts';
import { useStore } from '../store/index.ts';
import { CliEquivalent, ConcurrencyField, DialogKeyFields, keyProblem, type Problem, snapshotKey, TargetStatus, useKeyInput } from './restoreFields.tsx';
import { useRestoreTarget } from './useRestoreTarget.ts';

/** The `.partial` an unfinished restore left at this target, and the choice to resume it. */
function PartialStatus({ partial, resume, setResume }: { partial: PartialTarget; resume: boolean; setResume: (v: boolean) => void }) {
  if (!partial.resumable) {
    return (
      <p className="hint warn-text" data-testid="partial-status">
        An unfinished restore left <code className="mono">{partial.path}</code>, without a record of how far it got: allow overwriting to start over.
      </p>
    );
  }
  return (
    <div className="hint" data-testid="partial-status">
      <p className="warn-text">
        An unfinished restore left <code className="mono">{partial.path}</code>: {partial.doneChunks} of {partial.chunkCount} chunks of {partial.snapshot}{' '}
        {archiveName(partial.archive ?? '')} are written.
      </p>
      <label className="check">
        <input type="checkbox" checked={resume} onChange={(e) => setResume(e.currentTarget.checked)} />
        Resume it (the chunks already written are not fetched again)
      </label>
    </div>
  );
}

export function RestoreDialog() {
  const req = useStore((s) => s.restore) as RestoreRequest;
  const close = useStore((s) => s.closeRestore);
  return <RestoreForm req={req} onClose={close} />;
}

function RestoreForm({ req, onClose }: { req: RestoreRequest; onClose: () => void }) {
  const id = useId();
  const d = req.detail;
  const info = useStore((s) => s.info);
  const settings = useStore((s) => s.settings);
  const units = useStore((s) => s.prefs.units);
  const source = useStore((s) => s.sources.find((x) => x.id === req.sourceId));
  const rememberedKey = useStore((s) => s.catalog.keyFiles[req.sourceId]);
  const images = d.files.filter((f) => f.restorable);
  const [archive, setArchive] = useState(req.archive);
  const file = d.files.find((f) => f.filename === archive);
  const encrypted = file?.cryptMode === 'encrypt';
  const imageSize = file?.size ?? 0;
  const { target, check, setTarget } = useRestoreTarget(req, archive, imageSize);
  const [overwrite, setOverwrite] = useState(false);
  const [resumeWanted, setResumeWanted] = useState(true);
  // Resume only what can be: a partial file with a readable state, and the box left ticked.
  const resume = !!check?.partial?.resumable && resumeWanted;
  const [deviceOk, setDeviceOk] = useState(false);
  const [sparse, setSparse] = useState(settings?.sparseByDefault ?? true);
  const [auto, setAuto] = useState(settings?.defaultConcurrency === 'auto');
  const [concurrency, setConcurrency] = useState(typeof settings?.defaultConcurrency === 'number' ? settings.defaultConcurrency : DEFAULT_CONCURRENCY);
  const [rate, setRate] = useState(rateText(settings?.defaultRate));
  const rateBytes = readRate(rate);
  const keyInput = useKeyInput(rememberedKey ?? source?.demo?.keyFile ?? '');
  const { keyfile, password, keyRef, passwordRef } = keyInput;
  const [problem, setProblem] = useState<Problem | undefined>();
  const [busy, setBusy] = useState(false);
  const targetRef = useRef<HTMLInputElement>(null);
  const isDevice = check?.kind === 'device';
  // A device smaller than the image cannot be confirmed at all: the engine would refuse it anyway.
  const tooSmall = isDevice && check.problem?.code === 'TARGET_TOO_SMALL';
  // What the person allowed: replacing a file (the checkbox), or this device (its confirmation).
  const overwriteAllowed: TargetOverwrite | undefined = isDevice ? (deviceOk ? 'device' : undefined) : overwrite ? 'file' : undefined;

  const args: StartJobArgs = {
    mode: 'restore',
    sourceId: req.sourceId,
    snapshot: { ns: d.info.ns, type: d.info.backupType, id: d.info.backupId, time: d.info.backupTime },
    archive,
    target: target.trim(),
    force: isDevice ? deviceOk : overwrite,
    sparse: isDevice ? false : sparse,
    concurrency: auto ? 'auto' : concurrency,
    ...(rateBytes ? { rate: rateBytes } : {}),
    ...(resume ? { resume } : {}),
    ...(encrypted ? { keyfile: keyfile.trim(), ...(password ? { password } : {}) } : {}),
  };

  const fail = (p: Problem): void => {
    setProblem(p);
    const ref = p.field === 'password' ? passwordRef : p.field === 'keyfile' ? keyRef : p.field === 'target' ? targetRef : undefined;
    ref?.current?.focus();
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setProblem(undefined);
    setBusy(true);
    try {
      // Ask about the target now, not at the last check: it may have changed since.
      const t = await api().invoke('targets.check', { path: args.target!, imageSize, ...(overwriteAllowed ? { overwrite: overwriteAllowed } : {}), ...(resume ? { resume } : {}) });
      if (t.problem) return fail({ error: t.problem, field: 'target' });
      if (encrypted) {
        const kp = await keyProblem(args.keyfile ?? '', password, snapshotKey(d));
        if (kp) return fail(kp);
        rememberKeyFile(req.sourceId, args.keyfile!);
      }
      await startJob(args);
      onClose();
    } catch (ex) {
      fail({ error: toContractError(ex) });
    } finally {
      setBusy(false);
    }
  };

  const chooseTarget = (): void => {
    api()
      .invoke('shell.chooseTargetFile', { defaultName: target.split(/[\\/]/).pop() || 'disk.raw' })
      .then((p) => p && setTarget(p), (e) => fail({ error: toContractError(e) }));
  };

  const title = `Restore ${d.info.ns ? `${d.info.ns}/` : ''}${d.info.backupType}/${d.info.backupId}`;
  return (
    <Dialog title={title} onClose={onClose} className="restore-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p className="muted">
          Snapshot {formatTime(d.info.backupTime * 1000)} from {source?.label ?? 'this source'}
          {d.encrypted ? ' · encrypted' : ''}
        </p>

        <div className="field">
          <label htmlFor={`${id}-archive`}>Disk image</label>
          <select id={`${id}-archive`} value={archive} onChange={(e) => setArchive(e.currentTarget.value)}>
            {images.map((f) => (
              <option key={f.filename} value={f.filename}>
                {archiveName(f.filename)} ({formatBytes(f.size, units)})
              </option>
            ))}
          </select>
        </div>

        <div className="field">
          <label htmlFor={`${id}-target`}>Restore to</label>
          <div className="input-row">
            <input
              id={`${id}-target`}
              ref={targetRef}
              className="mono grow"
              value={target}
              required
              data-autofocus
              spellCheck={false}
              aria-describedby={`${id}-target-hint`}
              onChange={(e) => {
                setTarget(e.currentTarget.value);
                setDeviceOk(false);
              }}
            />
            {info?.dialogs ? (
              <button type="button" onClick={chooseTarget}>
                Choose…
              </button>
            ) : (
              <ChooseFolderButton title="Restore into the folder" start={folderOf(target)} onPick={(dir) => setTarget(joinPath(dir, target.split(/[\\/]/).pop() || 'disk.raw'))} label="Folder…" />
            )}
          </div>
          <div id={`${id}-target-hint`}>
            <TargetStatus check={check} units={units} />
            {check?.partial && <PartialStatus partial={check.partial} resume={resumeWanted} setResume={setResumeWanted} />}
            <p className="hint">A file path or a block device (/dev/…). A file is written as <code>.partial</code> and renamed when every chunk is verified.</p>
          </div>
        </div>

        {isDevice ? (
          <div className="danger-box" role="group" aria-labelledby={`${id}-dev`}>
            <p id={`${id}-dev`}>
              <strong>
                {check!.path} is a block device{check!.size !== undefined ? ` of ${formatBytes(check!.size, units)}` : ''}.
              </strong>{' '}
              Everything on it is overwritten by the {formatBytes(imageSize, units)} image, zeros included.
            </p>
            {tooSmall ? (
              <p className="danger-text">It is smaller than the image: choose a device of at least {formatBytes(imageSize, units)}.</p>
            ) : (
              <label className="check">
                <input type="checkbox" checked={deviceOk} onChange={(e) => setDeviceOk(e.currentTarget.checked)} />
                Overwrite {check!.path}
                {check!.size !== undefined ? ` (${formatBytes(check!.size, units)})` : ''}
              </label>
            )}
          </div>
        ) : (
          <>
            <label className="check">
              <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
              Allow overwriting an existing file
            </label>
            <label className="check">
              <input type="checkbox" checked={sparse} onChange={(e) => setSparse(e.currentTarget.checked)} aria-describedby={`${id}-sparse-hint`} />
              Sparse file
            </label>
            <p id={`${id}-sparse-hint`} className="hint indent-hint">
              Zero chunks become holes: they take no disk space and are never fetched. Turn off for a file that must be fully allocated.
            </p>
          </>
        )}

        <ConcurrencyField id={id} auto={auto} value={concurrency} onAuto={setAuto} onValue={setConcurrency} />

        <div className="field">
          <label htmlFor={`${id}-rate`}>Rate cap</label>
          <input
            id={`${id}-rate`}
            className="mono rate-input"
            value={rate}
            placeholder="no cap"
            spellCheck={false}
            aria-invalid={rateBytes === undefined || undefined}
            aria-describedby={`${id}-rate-hint`}
            onChange={(e) => setRate(e.currentTarget.value)}
          />
          <p id={`${id}-rate-hint`} className={rateBytes === undefined ? 'hint danger-text' : 'hint'}>
            {rateBytes === undefined ? 'Not a rate: write e.g. 50MB, 20MiB or 1.5GB (per second), or leave it empty.' : 'Bytes read from the source per second, e.g. 50MB or 20MiB; empty for none. It can be changed while the restore runs.'}
          </p>
        </div>

        {encrypted && (
          <DialogKeyFields id={id} input={keyInput} problem={problem} source={source} />
        )}

        {problem && <ErrorBox error={problem.error} />}

        <CliEquivalent text={source ? cliEquivalent(source.config, args) : ''} />

        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={isDevice ? 'danger' : 'primary'} disabled={busy || !target.trim() || rateBytes === undefined || (isDevice && (!deviceOk || tooSmall))}>
            {busy ? 'Checking…' : isDevice ? `Overwrite ${check!.path}` : resume ? 'Resume restore' : 'Start restore'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
