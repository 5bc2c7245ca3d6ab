// "Restore VM…": every disk of a snapshot in one job (docs/jobs.md). A folder (suggested:
// `<vmid>-<date>` in the usual target folder, created when the restore starts), each disk with its
// size, its target (`<folder>/<disk>.raw` until edited; a file or a block device, checked as in the
// single-disk dialog, a device confirmed by name) and sparse; the guest config line; the total
// size; one concurrency for the whole job; the key for an encrypted snapshot; the command line
// that does the same. Everything is checked again before the job starts.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { DiskChoice, SnapshotFileDetail, StartJobArgs, TargetCheck, TargetOverwrite } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import { archiveName, diskFileName } from '../../shared/jobNames.ts';
import { DEFAULT_CONCURRENCY } from '../../shared/limits.ts';
import { formatBytes, formatTime, type Units } from '../../shared/units.ts';
import { api } from '../api/current.ts';
import { rememberKeyFile } from '../actions/catalog.ts';
import { startJob } from '../actions/jobs.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ChooseFolderButton } from '../components/FolderPicker.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { cliEquivalent } from '../format/cli.ts';
import { defaultFolderName, folderOf, joinPath } from '../format/targetName.ts';
import type { RestoreVmRequest } from '../store/appSlice.ts';
import { useStore } from '../store/index.ts';
import { CliEquivalent, ConcurrencyField, DialogKeyFields, keyProblem, type Problem, snapshotKey, TargetRefusal, TargetStatus, useKeyInput, useTargetCheck } from './restoreFields.tsx';
import { freeTarget } from './useRestoreTarget.ts';

interface DiskState {
  include: boolean;
  /** Undefined: `<folder>/<disk>.raw`, following the folder. */
  target?: string;
  sparse: boolean;
  deviceOk: boolean;
}

export function RestoreVmDialog() {
  const req = useStore((s) => s.restoreVm) as RestoreVmRequest;
  const close = useStore((s) => s.closeRestoreVm);
  return <RestoreVmForm req={req} onClose={close} />;
}

/** Whether the folder is one to create, one that exists, or neither. */
function FolderStatus({ check }: { check: TargetCheck | undefined }) {
  if (!check) return null;
  if (check.problem) return <TargetRefusal check={check} />;
  if (check.kind === 'directory') return <p className="hint ok-text">An existing folder.</p>;
  if (check.kind === 'missing') return check.folderExists ? <p className="hint ok-text">A new folder, created when the restore starts.</p> : <p className="hint danger-text">Its parent folder does not exist.</p>;
  return <p className="hint danger-text">This is not a folder.</p>;
}

const inFolder = (path: string, folder: string): boolean => path.startsWith(`${folder}/`) || path.startsWith(`${folder}\\`);

function DiskRow(props: {
  id: string;
  file: SnapshotFileDetail;
  state: DiskState;
  target: string;
  overwrite: boolean;
  /** The folder the restore creates: a target in it needs no folder yet. */
  newFolder: string | undefined;
  units: Units;
  onChange(patch: Partial<DiskState>): void;
  onCheck(check: TargetCheck | undefined): void;
}) {
  const { id, file, state, target, units } = props;
  // A confirmed device (the confirmation is cleared when the path changes), or files if allowed.
  const check = useTargetCheck(target, file.size, state.deviceOk ? 'device' : props.overwrite ? 'file' : undefined);
  const onCheck = useRef(props.onCheck);
  onCheck.current = props.onCheck;
  useEffect(() => onCheck.current(check), [check]);
  const isDevice = check?.kind === 'device';
  const name = archiveName(file.filename);
  return (
    <li className="vm-disk" aria-label={name}>
      <label className="check vm-disk-head">
        <input type="checkbox" checked={state.include} onChange={(e) => props.onChange({ include: e.currentTarget.checked })} />
        <span className="mono">{name}</span>
        <span className="muted small">
          {formatBytes(file.size, units)}
          {file.cryptMode === 'encrypt' ? ' · encrypted' : ''}
        </span>
      </label>
      {state.include && (
        <div className="vm-disk-body">
          <label htmlFor={`${id}-t`} className="visually-hidden">
            Restore {name} to
          </label>
          <input
            id={`${id}-t`}
            className="mono grow"
            value={target}
            required
            spellCheck={false}
            aria-describedby={`${id}-h`}
            onChange={(e) => props.onChange({ target: e.currentTarget.value, deviceOk: false })}
          />
          <div id={`${id}-h`}>
            {check?.kind === 'missing' && check.problem?.code !== 'TARGET_IN_DATASTORE' && props.newFolder && inFolder(check.path, props.newFolder) ? <p className="hint ok-text">A new file in the new folder.</p> : <TargetStatus check={check} units={units} />}
          </div>
          {isDevice ? (
            check.problem?.code === 'TARGET_TOO_SMALL' ? (
              <p className="danger-text">It is smaller than the image: choose a device of at least {formatBytes(file.size, units)}.</p>
            ) : (
              <label className="check danger-text">
                <input type="checkbox" checked={state.deviceOk} onChange={(e) => props.onChange({ deviceOk: e.currentTarget.checked })} />
                Overwrite {check.path}
                {check.size !== undefined ? ` (${formatBytes(check.size, units)})` : ''}: everything on it is replaced, zeros included
              </label>
            )
          ) : (
            <label className="check">
              <input type="checkbox" checked={state.sparse} onChange={(e) => props.onChange({ sparse: e.currentTarget.checked })} />
              Sparse file
            </label>
          )}
        </div>
      )}
    </li>
  );
}

function RestoreVmForm({ req, onClose }: { req: RestoreVmRequest; onClose: () => void }) {
  const id = useId();
  const d = req.detail;
  const settings = useStore((s) => s.settings);
  const units = useStore((s) => s.prefs.units);
  const dir = useStore((s) => s.info?.targetDir ?? '');
  const source = useStore((s) => s.sources.find((x) => x.id === req.sourceId));
  const rememberedKey = useStore((s) => s.catalog.keyFiles[req.sourceId]);
  const images = useMemo(() => d.files.filter((f) => f.restorable), [d.files]);
  const sel = { ns: d.info.ns, type: d.info.backupType, id: d.info.backupId, time: d.info.backupTime };
  const [folder, setFolder] = useState('');
  const folderEdited = useRef(false);
  const [disks, setDisks] = useState<Record<string, DiskState>>(() =>
    Object.fromEntries(images.map((f) => [f.filename, { include: true, sparse: settings?.sparseByDefault ?? true, deviceOk: false }])),
  );
  const [checks, setChecks] = useState<Record<string, TargetCheck | undefined>>({});
  const configName = d.config?.filename.replace(/\.blob$/, '');
  const [config, setConfig] = useState<string | undefined>();
  const [overwrite, setOverwrite] = useState(false);
  const [auto, setAuto] = useState(settings?.defaultConcurrency === 'auto');
  const [concurrency, setConcurrency] = useState(typeof settings?.defaultConcurrency === 'number' ? settings.defaultConcurrency : DEFAULT_CONCURRENCY);
  const keyInput = useKeyInput(rememberedKey ?? source?.demo?.keyFile ?? '');
  const { keyfile, password, keyRef, passwordRef } = keyInput;
  const [problem, setProblem] = useState<Problem | undefined>();
  const [busy, setBusy] = useState(false);
  const folderRef = useRef<HTMLInputElement>(null);

  // Suggest a folder that does not exist yet (the restore creates it).
  useEffect(() => {
    if (folderEdited.current || !dir) return;
    let live = true;
    const name = defaultFolderName(sel);
    freeTarget(dir, name).then(
      (t) => live && !folderEdited.current && setFolder(t),
      () => live && !folderEdited.current && setFolder(joinPath(dir, name)),
    );
    return () => void (live = false);
  }, [dir, sel.ns, sel.type, sel.id, sel.time]);

  const folderCheck = useTargetCheck(folder);
  const configPath = configName ? (config ?? (folder.trim() ? joinPath(folder.trim(), configName) : '')) : undefined;
  const configCheck = useTargetCheck(configPath ?? '', undefined, overwrite ? 'file' : undefined);
  const targetOf = (f: SnapshotFileDetail): string => disks[f.filename]!.target ?? (folder.trim() ? joinPath(folder.trim(), diskFileName(f.filename)) : '');
  const included = images.filter((f) => disks[f.filename]!.include);
  const total = included.reduce((n, f) => n + f.size, 0);
  const encrypted = d.encrypted;
  const isDevice = (f: SnapshotFileDetail): boolean => checks[f.filename]?.kind === 'device';
  const createFolder = folderCheck?.kind === 'missing';

  const diskArgs = (f: SnapshotFileDetail): DiskChoice => {
    const t = targetOf(f);
    const s = disks[f.filename]!;
    const dev = isDevice(f);
    return { archive: f.filename, target: t, force: dev ? s.deviceOk : overwrite, sparse: dev ? false : s.sparse };
  };
  const args: StartJobArgs = {
    mode: 'restore',
    sourceId: req.sourceId,
    snapshot: sel,
    disks: included.map(diskArgs),
    targetDir: folder.trim(),
    ...(createFolder ? { createTargetDir: true } : {}),
    ...(configPath ? { config: configPath } : {}),
    force: overwrite,
    sparse: true,
    concurrency: auto ? 'auto' : concurrency,
    ...(encrypted ? { keyfile: keyfile.trim(), ...(password ? { password } : {}) } : {}),
  };
  // The CLI's whole-VM form: `--all` when every disk goes to the folder.
  const cliArgs: StartJobArgs = included.length === images.length && included.every((f) => !disks[f.filename]!.target && !isDevice(f) && disks[f.filename]!.sparse) ? { ...args, disks: 'all' } : args;

  const fail = (p: Problem): void => {
    setProblem(p);
    const ref = p.field === 'password' ? passwordRef : p.field === 'keyfile' ? keyRef : p.field === 'folder' ? folderRef : undefined;
    ref?.current?.focus();
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setProblem(undefined);
    if (!included.length) return fail({ error: { code: 'BAD_ARGUMENTS', message: 'choose at least one disk' } });
    setBusy(true);
    try {
      // Everything is asked again now: it may have changed since the last look.
      const f = await api().invoke('targets.check', { path: folder.trim() });
      const makeFolder = f.kind === 'missing' && !!f.folderExists;
      if (f.kind !== 'directory' && !makeFolder) return fail({ error: { code: 'TARGET_NOT_WRITABLE', message: `${f.path} is not a folder that exists or can be created` }, field: 'folder' });
      const inNewFolder = (p: string): boolean => makeFolder && inFolder(p, f.path);
      const seen = new Set<string>();
      for (const file of included) {
        const dc = diskArgs(file);
        const overwriteAllowed: TargetOverwrite | undefined = dc.force ? (isDevice(file) ? 'device' : 'file') : undefined;
        const t = await api().invoke('targets.check', { path: dc.target!, imageSize: file.size, ...(overwriteAllowed ? { overwrite: overwriteAllowed } : {}) });
        if (seen.has(t.path)) return fail({ error: { code: 'BAD_ARGUMENTS', message: `two disks would be written to ${t.path}` }, disk: file.filename });
        seen.add(t.path);
        if (t.problem && !(t.kind === 'missing' && inNewFolder(t.path))) return fail({ error: { ...t.problem, message: `${archiveName(file.filename)}: ${t.problem.message}` }, disk: file.filename });
      }
      if (configPath) {
        const c = await api().invoke('targets.check', { path: configPath, ...(overwrite ? { overwrite: 'file' as const } : {}), imageSize: 0 });
        if (c.problem && !(c.kind === 'missing' && inNewFolder(c.path))) return fail({ error: { ...c.problem, message: `guest config: ${c.problem.message}` }, field: 'config' });
      }
      if (encrypted) {
        const kp = await keyProblem(keyfile.trim(), password, snapshotKey(d));
        if (kp) return fail(kp);
        rememberKeyFile(req.sourceId, keyfile.trim());
      }
      const { createTargetDir: _c, ...rest } = args;
      await startJob(makeFolder ? { ...rest, createTargetDir: true } : rest);
      onClose();
    } catch (ex) {
      fail({ error: toContractError(ex) });
    } finally {
      setBusy(false);
    }
  };

  const confirmable = included.every((f) => !isDevice(f) || (disks[f.filename]!.deviceOk && checks[f.filename]?.problem?.code !== 'TARGET_TOO_SMALL'));
  const title = `Restore VM ${d.info.ns ? `${d.info.ns}/` : ''}${d.info.backupType}/${d.info.backupId}`;
  return (
    <Dialog title={title} onClose={onClose} className="restore-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p className="muted">
          Snapshot {formatTime(d.info.backupTime * 1000)} from {source?.label ?? 'this source'}
          {d.encrypted ? ' · encrypted' : ''}
        </p>

        <div className="field">
          <label htmlFor={`${id}-folder`}>Folder</label>
          <div className="input-row">
            <input
              id={`${id}-folder`}
              ref={folderRef}
              className="mono grow"
              value={folder}
              required
              data-autofocus
              spellCheck={false}
              aria-describedby={`${id}-folder-hint`}
              onChange={(e) => {
                folderEdited.current = true;
                setFolder(e.currentTarget.value);
              }}
            />
            <ChooseFolderButton
              title="Restore the VM into the folder"
              start={folderCheck?.kind === 'directory' ? folder : folderOf(folder)}
              onPick={(p) => {
                folderEdited.current = true;
                setFolder(p);
              }}
              onError={(error) => fail({ error })}
            />
          </div>
          <div id={`${id}-folder-hint`}>
            <FolderStatus check={folderCheck} />
            <p className="hint">
              Each disk goes to <code>{'<folder>/<disk>.raw'}</code> unless you give it a file or block device of its own.
            </p>
          </div>
        </div>

        <fieldset className="vm-disks">
          <legend>
            Disks <span className="muted">· {included.length} of {images.length}, {formatBytes(total, units)} in total</span>
          </legend>
          <ul className="plain-list">
            {images.map((f, i) => (
              <DiskRow
                key={f.filename}
                id={`${id}-d${i}`}
                file={f}
                state={disks[f.filename]!}
                target={targetOf(f)}
                overwrite={overwrite}
                newFolder={createFolder ? folderCheck.path : undefined}
                units={units}
                onChange={(patch) => setDisks((s) => ({ ...s, [f.filename]: { ...s[f.filename]!, ...patch } }))}
                onCheck={(c) => setChecks((s) => (s[f.filename] === c ? s : { ...s, [f.filename]: c }))}
              />
            ))}
          </ul>
        </fieldset>

        {configPath !== undefined ? (
          <div className="field">
            <label htmlFor={`${id}-config`}>Guest configuration ({configName}{d.config?.encrypted ? ', encrypted: decoded with the key' : ''})</label>
            <input id={`${id}-config`} className="mono" value={configPath} spellCheck={false} aria-describedby={`${id}-config-hint`} onChange={(e) => setConfig(e.currentTarget.value)} />
            <div id={`${id}-config-hint`}>
              {configCheck?.kind === 'file' ? <p className="hint warn-text">This file exists. It is replaced only if you allow overwriting.</p> : null}
              <p className="hint">Written as text once every disk has been restored.</p>
            </div>
          </div>
        ) : (
          <p className="muted">This snapshot holds no guest configuration.</p>
        )}

        <label className="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
          Allow overwriting existing files
        </label>

        <ConcurrencyField id={id} auto={auto} value={concurrency} onAuto={setAuto} onValue={setConcurrency} hint="One limit for the whole VM: chunks in flight are counted over all its disks." />

        {encrypted && (
          <DialogKeyFields id={id} input={keyInput} problem={problem} source={source} />
        )}

        {problem && <ErrorBox error={problem.error} />}

        <CliEquivalent text={source ? cliEquivalent(source.config, cliArgs) : ''} />

        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={included.some(isDevice) ? 'danger' : 'primary'} disabled={busy || !folder.trim() || !included.length || !confirmable}>
            {busy ? 'Checking…' : `Restore ${included.length} disk${included.length === 1 ? '' : 's'}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
