// "Restore latest snapshots…": the newest snapshot of each picked group, one whole-VM job per VM
// (jobs.startBatch), each into its own sub-folder `<type>-<id>/` of a chosen folder that exists.
// The jobs queue under the machine's budget of chunks in flight; the jobs view shows the batch
// and its total progress. Lists each VM with its snapshot, disks and size, and the total.
import { useId, useRef, useState, type FormEvent } from 'react';
import type { StartJobArgs } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import { DEFAULT_CONCURRENCY } from '../../shared/limits.ts';
import { formatBytes, formatTime } from '../../shared/units.ts';
import { api } from '../api/current.ts';
import { rememberKeyFile } from '../actions/catalog.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ChooseFolderButton } from '../components/FolderPicker.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { cliEquivalent } from '../format/cli.ts';
import { encryptionOf, imageFiles } from '../format/snapshot.ts';
import { joinPath } from '../format/targetName.ts';
import type { RestoreBatchRequest } from '../store/appSlice.ts';
import { useStore } from '../store/index.ts';
import { CliEquivalent, ConcurrencyField, DialogKeyFields, keyProblem, type Problem, TargetRefusal, useKeyInput, useTargetCheck } from './restoreFields.tsx';

export function RestoreBatchDialog() {
  const req = useStore((s) => s.restoreBatch) as RestoreBatchRequest;
  const close = useStore((s) => s.closeRestoreBatch);
  return <BatchForm req={req} onClose={close} />;
}

function BatchForm({ req, onClose }: { req: RestoreBatchRequest; onClose: () => void }) {
  const id = useId();
  const settings = useStore((s) => s.settings);
  const units = useStore((s) => s.prefs.units);
  const source = useStore((s) => s.sources.find((x) => x.id === req.sourceId));
  const rememberedKey = useStore((s) => s.catalog.keyFiles[req.sourceId]);
  const [folder, setFolder] = useState(useStore.getState().info?.targetDir ?? '');
  const [overwrite, setOverwrite] = useState(false);
  const [sparse, setSparse] = useState(settings?.sparseByDefault ?? true);
  const [auto, setAuto] = useState(settings?.defaultConcurrency === 'auto');
  const [concurrency, setConcurrency] = useState(typeof settings?.defaultConcurrency === 'number' ? settings.defaultConcurrency : DEFAULT_CONCURRENCY);
  const keyInput = useKeyInput(rememberedKey ?? source?.demo?.keyFile ?? '');
  const { keyfile, password, keyRef, passwordRef } = keyInput;
  const [problem, setProblem] = useState<Problem | undefined>();
  const [busy, setBusy] = useState(false);
  const folderRef = useRef<HTMLInputElement>(null);
  const folderCheck = useTargetCheck(folder);
  const vms = req.snapshots;
  const total = vms.reduce((n, s) => n + imageFiles(s).reduce((m, f) => m + f.size, 0), 0);
  const encrypted = vms.some((s) => encryptionOf(s) !== 'none' && encryptionOf(s) !== 'signed');
  const snapshots = vms.map((s) => ({ ns: s.ns, type: s.backupType, id: s.backupId, time: s.backupTime }));

  const fail = (p: Problem): void => {
    setProblem(p);
    (p.field === 'password' ? passwordRef : p.field === 'keyfile' ? keyRef : folderRef).current?.focus();
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setProblem(undefined);
    setBusy(true);
    try {
      if (encrypted) {
        const kp = await keyProblem(
          keyfile.trim(),
          password,
          vms.map((s) => ({ name: `${s.backupType}/${s.backupId}`, fingerprint: s.keyFingerprint })),
        );
        if (kp) return fail(kp);
        rememberKeyFile(req.sourceId, keyfile.trim());
      }
      await api().invoke('jobs.startBatch', {
        sourceId: req.sourceId,
        snapshots,
        targetDir: folder.trim(),
        force: overwrite,
        sparse,
        concurrency: auto ? 'auto' : concurrency,
        ...(encrypted ? { keyfile: keyfile.trim(), ...(password ? { password } : {}) } : {}),
      });
      // The jobs arrive as events; the list shows the batch.
      useStore.getState().pickGroups(undefined, false);
      useStore.getState().navigate({ view: 'jobs' });
      onClose();
    } catch (ex) {
      fail({ error: toContractError(ex), field: 'folder' });
    } finally {
      setBusy(false);
    }
  };

  // One command per VM: the CLI restores one snapshot per run.
  const cli = snapshots
    .map((snapshot): StartJobArgs => ({
      mode: 'restore',
      sourceId: req.sourceId,
      snapshot,
      disks: 'all',
      targetDir: joinPath(folder.trim() || '.', `${snapshot.type}-${snapshot.id}`),
      createTargetDir: true,
      force: overwrite,
      sparse,
      concurrency: auto ? 'auto' : concurrency,
      ...(encrypted ? { keyfile: keyfile.trim() } : {}),
    }))
    .map((a) => (source ? cliEquivalent(source.config, a) : ''))
    .join('\n');

  return (
    <Dialog title={`Restore the latest snapshots of ${vms.length} VM${vms.length === 1 ? '' : 's'}`} onClose={onClose} className="restore-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p className="muted">From {source?.label ?? 'this source'}: one job per VM, every disk and the guest configuration, queued and run together under the budget of chunks in flight.</p>
        <ul className="plain-list batch-list" aria-label="VMs to restore">
          {vms.map((s) => (
            <li key={`${s.ns}|${s.backupType}/${s.backupId}`}>
              <span className="mono">
                {s.backupType}/{s.backupId}
              </span>{' '}
              <span className="muted small">
                {formatTime(s.backupTime * 1000)} · {imageFiles(s).length} disk{imageFiles(s).length === 1 ? '' : 's'}, {formatBytes(imageFiles(s).reduce((m, f) => m + f.size, 0), units)} → {`${s.backupType}-${s.backupId}/`}
              </span>
            </li>
          ))}
        </ul>
        <p>
          Total: <strong>{formatBytes(total, units)}</strong>
        </p>

        <div className="field">
          <label htmlFor={`${id}-folder`}>Into the folder</label>
          <div className="input-row">
            <input id={`${id}-folder`} ref={folderRef} className="mono grow" value={folder} required data-autofocus spellCheck={false} aria-describedby={`${id}-folder-hint`} onChange={(e) => setFolder(e.currentTarget.value)} />
            <ChooseFolderButton title="Restore the VMs into the folder" start={folder} onPick={setFolder} onError={(error) => fail({ error })} />
          </div>
          <div id={`${id}-folder-hint`}>
            {folderCheck?.problem ? (
              <TargetRefusal check={folderCheck} />
            ) : folderCheck && folderCheck.kind !== 'directory' ? (
              <p className="hint danger-text">This folder does not exist: choose one that does.</p>
            ) : null}
            <p className="hint">
              Each VM gets a sub-folder of its own, <code>{'<type>-<id>/'}</code>, created when its job starts.
            </p>
          </div>
        </div>

        <label className="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
          Allow overwriting existing files
        </label>
        <label className="check">
          <input type="checkbox" checked={sparse} onChange={(e) => setSparse(e.currentTarget.checked)} />
          Sparse files
        </label>

        <ConcurrencyField id={id} auto={auto} value={concurrency} onAuto={setAuto} onValue={setConcurrency} hint="Per VM, within its share of the budget." />

        {encrypted && (
          <DialogKeyFields id={id} input={keyInput} problem={problem} source={source} />
        )}

        {problem && <ErrorBox error={problem.error} />}

        <CliEquivalent text={cli} />

        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !folder.trim() || !vms.length}>
            {busy ? 'Starting…' : `Restore ${vms.length} VM${vms.length === 1 ? '' : 's'}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
