// What the two restore dialogs (one disk, a whole VM) share: what a target path is now and what
// would stop a restore there (targets.check, asked again shortly after each edit), the words for
// it, the concurrency field, the key fields, the key check before anything starts, and the command
// line equivalent (the verify and batch dialogs use the key parts too).
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { ContractError, SnapshotDetail, SourceInfo, TargetCheck, TargetOverwrite } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import { explainCode, explainError } from '../../shared/errorText.ts';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MIN_CONCURRENCY } from '../../shared/limits.ts';
import { formatBytes, type Units } from '../../shared/units.ts';
import { api } from '../api/current.ts';

export type Problem = { error: ContractError; field?: 'target' | 'password' | 'keyfile' | 'folder' | 'config'; disk?: string };

/**
 * The service's view of `path` for an image of `imageSize` bytes, refreshed 250 ms after it
 * changes. A path the service will not even look at (a relative one: TARGET_NOT_ABSOLUTE) comes
 * back as kind 'other' with that refusal as its problem, so the dialog says why before starting.
 */
export function useTargetCheck(path: string, imageSize?: number, overwrite?: TargetOverwrite): TargetCheck | undefined {
  const [check, setCheck] = useState<TargetCheck | undefined>();
  useEffect(() => {
    setCheck(undefined);
    if (!path.trim()) return;
    let live = true;
    const t = setTimeout(() => {
      api()
        .invoke('targets.check', { path: path.trim(), ...(imageSize !== undefined ? { imageSize } : {}), ...(overwrite ? { overwrite } : {}) })
        .then(
          (c) => live && setCheck(c),
          (e) => live && setCheck({ path: path.trim(), kind: 'other', problem: toContractError(e) }),
        );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [path, imageSize, overwrite]);
  return check;
}

/** Problems that no checkbox or confirmation lifts: the path itself is refused. */
const REFUSED = new Set<ContractError['code']>(['TARGET_NOT_ABSOLUTE', 'TARGET_IN_DATASTORE']);

/** Why the service refuses this path outright (relative, inside a datastore), or null. */
export function TargetRefusal({ check }: { check: TargetCheck | undefined }) {
  const p = check?.problem;
  if (!p || !REFUSED.has(p.code)) return null;
  const words = explainCode(p.code);
  return (
    <p className="hint danger-text" data-testid="target-refused">
      {words.title} {words.next} <span className="muted small">({p.message})</span>
    </p>
  );
}

export function TargetStatus({ check, units }: { check: TargetCheck | undefined; units: Units }) {
  if (!check) return null;
  if (check.problem && REFUSED.has(check.problem.code)) return <TargetRefusal check={check} />;
  switch (check.kind) {
    case 'missing':
      return check.folderExists ? <p className="hint ok-text">A new file.</p> : <p className="hint danger-text">The folder does not exist.</p>;
    case 'file':
      return <p className="hint warn-text">This file exists ({formatBytes(check.size ?? 0, units)}). It is replaced only if you allow overwriting, and only once the restore has succeeded.</p>;
    case 'device':
      return (
        <p className="hint warn-text">
          A block device{check.size !== undefined ? ` of ${formatBytes(check.size, units)}` : ''}.
          {check.problem?.code === 'TARGET_TOO_SMALL' ? ' It is smaller than the image.' : ''}
        </p>
      );
    case 'directory':
      return <p className="hint danger-text">This is a folder: add a file name.</p>;
    default:
      return <p className="hint danger-text">This is neither a file nor a block device.</p>;
  }
}

export function ConcurrencyField({ id, auto, value, onAuto, onValue, hint }: { id: string; auto: boolean; value: number; onAuto(a: boolean): void; onValue(n: number): void; hint?: string }) {
  return (
    <div className="field">
      <label htmlFor={`${id}-conc`}>Concurrency: chunks in flight</label>
      <div className="input-row">
        <input
          id={`${id}-conc`}
          type="range"
          min={MIN_CONCURRENCY}
          max={MAX_CONCURRENCY}
          value={value}
          disabled={auto}
          aria-valuetext={`${value} chunks in flight`}
          onChange={(e) => onValue(Number(e.currentTarget.value))}
          className="grow"
        />
        <output htmlFor={`${id}-conc`} className="concurrency-value">
          {auto ? 'auto' : value}
        </output>
        <label className="switch">
          <input type="checkbox" checked={auto} onChange={(e) => onAuto(e.currentTarget.checked)} />
          Auto
        </label>
      </div>
      <p className="hint">
        {DEFAULT_CONCURRENCY} is what PVE uses. Auto starts there and finds the smallest value that reaches full speed. It can be changed while the restore runs.
        {hint ? ` ${hint}` : ''}
      </p>
    </div>
  );
}

export interface KeyFieldProps {
  id: string;
  keyfile: string;
  password: string;
  onKeyfile(v: string): void;
  onPassword(v: string): void;
  keyRef: RefObject<HTMLInputElement | null>;
  passwordRef: RefObject<HTMLInputElement | null>;
  passwordInvalid: boolean;
  /** What is wrong with the key file (a key of another backup, unreadable), said under the field. */
  keyError?: ContractError | undefined;
  source: SourceInfo | undefined;
  /** What the key is for, in the hint ("restore" unless said). */
  use?: string;
}

export function KeyFields(p: KeyFieldProps) {
  const { id } = p;
  return (
    <fieldset className="key-fields">
      <legend>Encryption key</legend>
      <div className="field">
        <label htmlFor={`${id}-key`}>Key file</label>
        <input
          id={`${id}-key`}
          ref={p.keyRef}
          className="mono"
          value={p.keyfile}
          required
          spellCheck={false}
          aria-invalid={p.keyError ? true : undefined}
          aria-describedby={p.keyError ? `${id}-key-error` : undefined}
          onChange={(e) => p.onKeyfile(e.currentTarget.value)}
        />
        {p.keyError && (
          <p id={`${id}-key-error`} className="hint danger-text" data-testid="key-error">
            {explainError(p.keyError).title} {p.keyError.message}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-pw`}>Key file password</label>
        <input
          id={`${id}-pw`}
          ref={p.passwordRef}
          type="password"
          autoComplete="off"
          value={p.password}
          aria-invalid={p.passwordInvalid ? true : undefined}
          aria-describedby={`${id}-pw-hint`}
          onChange={(e) => p.onPassword(e.currentTarget.value)}
        />
        <p id={`${id}-pw-hint`} className="hint">
          Used for this {p.use ?? 'restore'} only, never stored.
          {p.source?.demo ? (
            <>
              {' '}
              Demo datastore: the password is <code>{p.source.demo.keyPassword}</code>.
            </>
          ) : null}
        </p>
      </div>
    </fieldset>
  );
}

/**
 * Proves the key file and its password before a restore starts; the problem, or undefined when it
 * unlocks. `expected`: the fingerprints of the keys the snapshots were made with (from their
 * manifests), so a key file of another backup is refused here, before the job starts (WRONG_KEY
 * there). The fingerprint is compared before the password is tried: the key file says it.
 */
export async function keyProblem(keyfile: string, password: string, expected: Array<{ name: string; fingerprint: string | undefined }> = []): Promise<Problem | undefined> {
  if (!keyfile) return { error: { code: 'MISSING_KEY', message: 'this image is encrypted' }, field: 'keyfile' };
  try {
    const wrong = (fp: string | undefined) => {
      const other = fp && expected.find((x) => x.fingerprint && x.fingerprint.toLowerCase() !== fp.toLowerCase());
      return other ? { error: { code: 'WRONG_KEY' as const, message: `${keyfile} is the key ${fp}; ${other.name} was made with the key ${other.fingerprint}` }, field: 'keyfile' as const } : undefined;
    };
    const locked = await api().invoke('keys.check', { keyfile });
    const early = wrong(locked.fingerprint);
    if (early) return early;
    const k = await api().invoke('keys.check', { keyfile, ...(password ? { password } : {}) });
    // A key file without the fingerprint field: the unlocked key's own.
    const late = wrong(k.fingerprint);
    if (late) return late;
    if (!k.unlocked) return { error: { code: 'KEY_PASSWORD_REQUIRED', message: `${keyfile} is protected by a password` }, field: 'password' };
    return undefined;
  } catch (ke) {
    const error = toContractError(ke);
    return { error, field: error.code === 'WRONG_PASSWORD' || error.code === 'KEY_PASSWORD_REQUIRED' ? 'password' : 'keyfile' };
  }
}

/** A dialog's key file and password, with the refs its key check moves the focus to. */
export interface KeyInput {
  keyfile: string;
  setKeyfile(v: string): void;
  password: string;
  setPassword(v: string): void;
  keyRef: RefObject<HTMLInputElement | null>;
  passwordRef: RefObject<HTMLInputElement | null>;
}

export function useKeyInput(initialKeyfile: string): KeyInput {
  const [keyfile, setKeyfile] = useState(initialKeyfile);
  const [password, setPassword] = useState('');
  const keyRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  return { keyfile, setKeyfile, password, setPassword, keyRef, passwordRef };
}

/** The key fields of a dialog, with its problem said under the field the problem names. */
export function DialogKeyFields({ id, input, problem, source, use }: { id: string; input: KeyInput; problem: Problem | undefined; source: SourceInfo | undefined; use?: string }) {
  return (
    <KeyFields
      id={id}
      keyfile={input.keyfile}
      password={input.password}
      onKeyfile={input.setKeyfile}
      onPassword={input.setPassword}
      keyRef={input.keyRef}
      passwordRef={input.passwordRef}
      passwordInvalid={problem?.field === 'password'}
      keyError={problem?.field === 'keyfile' ? problem.error : undefined}
      source={source}
      {...(use ? { use } : {})}
    />
  );
}

/** What keyProblem checks a key file against for one snapshot: the key it was made with. */
export function snapshotKey(d: SnapshotDetail): Array<{ name: string; fingerprint: string | undefined }> {
  return [{ name: 'this snapshot', fingerprint: d.info.keyFingerprint }];
}

export function CliEquivalent({ text }: { text: string }) {
  return (
    <details className="cli">
      <summary>Command line equivalent</summary>
      <pre className="mono small">{text}</pre>
    </details>
  );
}
