// Verify an encrypted disk image: every chunk is fetched, decrypted and its digest checked, which
// needs the key. The same key fields as the restore dialogs; the key and its password are proved
// first (keys.check), so a wrong password is said here and can be retried, not after the job
// started. An unencrypted image verifies at once from the snapshot pane, without this dialog.
import { useId, useState, type FormEvent } from 'react';
import type { SnapshotDetail } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import { formatBytes, formatTime } from '../../shared/units.ts';
import { rememberKeyFile } from '../actions/catalog.ts';
import { startJob } from '../actions/jobs.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { archiveName } from '../format/jobText.ts';
import { useStore } from '../store/index.ts';
import { DialogKeyFields, keyProblem, type Problem, snapshotKey, useKeyInput } from './restoreFields.tsx';

export function VerifyDialog({ d, archive, onClose }: { d: SnapshotDetail; archive: string; onClose(): void }) {
  const id = useId();
  const source = useStore((s) => s.sources.find((x) => x.id === d.sourceId));
  const remembered = useStore((s) => s.catalog.keyFiles[d.sourceId]);
  const units = useStore((s) => s.prefs.units);
  const keyInput = useKeyInput(remembered ?? source?.demo?.keyFile ?? '');
  const { keyfile, password, keyRef, passwordRef } = keyInput;
  const [problem, setProblem] = useState<Problem | undefined>();
  const [busy, setBusy] = useState(false);
  const file = d.files.find((f) => f.filename === archive);
  const info = d.info;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setProblem(undefined);
    setBusy(true);
    try {
      const kp = await keyProblem(keyfile.trim(), password, snapshotKey(d));
      if (kp) {
        setProblem(kp);
        (kp.field === 'password' ? passwordRef : keyRef).current?.focus();
        return;
      }
      rememberKeyFile(d.sourceId, keyfile.trim());
      await startJob({
        mode: 'verify',
        sourceId: d.sourceId,
        snapshot: { ns: info.ns, type: info.backupType, id: info.backupId, time: info.backupTime },
        archive,
        keyfile: keyfile.trim(),
        ...(password ? { password } : {}),
      });
      onClose();
    } catch (ex) {
      setProblem({ error: toContractError(ex) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Verify ${archiveName(archive)}`} onClose={onClose} className="restore-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p className="muted">
          {info.ns ? `${info.ns}/` : ''}
          {info.backupType}/{info.backupId} · {formatTime(info.backupTime * 1000)}
          {file ? ` · ${formatBytes(file.size, units)}` : ''} · encrypted
        </p>
        <p>Every chunk is read, decrypted with the key and checked against its digest. Nothing is written.</p>
        <DialogKeyFields id={id} input={keyInput} problem={problem} source={source} use="verify" />
        {problem && <ErrorBox error={problem.error} />}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !keyfile.trim()}>
            {busy ? 'Checking…' : 'Start verify'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
