// Adding a source: a datastore folder (native folder dialog in the desktop app, a path field in
// browser mode) or a PBS server (host, port, datastore, API token or user and password, and the
// certificate fingerprint, trusted on first use after the user compared it). "Test" connects
// without saving; "Add source" connects and saves. The same form edits a saved source (its
// kind stays; an empty secret keeps the one known): "Save changes" connects, then saves.
import { useId, useState, type FormEvent } from 'react';
import type { ContractError, SourceConfig, SourceInfo, SourceTestResult } from '../../shared/contract.ts';
import { api } from '../api/current.ts';
import { toContractError } from '../../shared/errors.ts';
import { selectSource } from '../actions/catalog.ts';
import { announce } from '../actions/notify.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { useStore } from '../store/index.ts';
import { FingerprintPrompt } from './FingerprintPrompt.tsx';

type Kind = 'datastore' | 'pbs';
type Auth = 'token' | 'password';

interface Fields {
  path: string;
  label: string;
  host: string;
  port: string;
  datastore: string;
  auth: Auth;
  tokenId: string;
  user: string;
  secret: string;
  fingerprint: string;
  remember: boolean;
}

const EMPTY: Fields = { path: '', label: '', host: '', port: '8007', datastore: '', auth: 'token', tokenId: '', user: 'root@pam', secret: '', fingerprint: '', remember: false };

/** The form's fields for a saved source (its secret is never known here: left empty). */
export function fieldsOf(s: SourceInfo): Fields {
  const c = s.config;
  if (c.kind === 'datastore') return { ...EMPTY, path: c.path, label: s.label };
  const token = c.authId.includes('!');
  return {
    ...EMPTY,
    label: s.label,
    host: c.host,
    port: String(c.port ?? 8007),
    datastore: c.datastore,
    auth: token ? 'token' : 'password',
    tokenId: token ? c.authId : '',
    user: token ? EMPTY.user : c.authId,
    fingerprint: c.fingerprint ?? '',
  };
}

/** `keepSecret`: an empty secret field means "the one known" (editing), so none is sent. */
export function configOf(kind: Kind, f: Fields, keepSecret = false): SourceConfig {
  if (kind === 'datastore') return { kind: 'datastore', path: f.path.trim() };
  const port = Number(f.port);
  return {
    kind: 'pbs',
    host: f.host.trim(),
    ...(f.port.trim() && port !== 8007 ? { port } : {}),
    datastore: f.datastore.trim(),
    authId: (f.auth === 'token' ? f.tokenId : f.user).trim(),
    ...(keepSecret && !f.secret ? {} : { secret: f.secret }),
    ...(f.fingerprint.trim() ? { fingerprint: f.fingerprint.trim().toLowerCase() } : {}),
  };
}

/** `editing`: change this saved source instead of adding one; `onDone` after it was saved or on Cancel. */
export function AddSourceForm({ editing, onDone }: { editing?: SourceInfo; onDone?: () => void } = {}) {
  const info = useStore((s) => s.info);
  const navigate = useStore((s) => s.navigate);
  const [kind, setKind] = useState<Kind>(editing?.config.kind ?? 'datastore');
  const [f, setF] = useState<Fields>(editing ? fieldsOf(editing) : EMPTY);
  // Editing: a secret is needed only when none is known.
  const secretKnown = editing !== undefined && editing.secret !== 'missing';
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ tested?: SourceTestResult; error?: ContractError }>({});
  const [untrusted, setUntrusted] = useState<{ fingerprint: string; then: 'test' | 'add' } | undefined>();
  const id = useId();
  const set = (patch: Partial<Fields>): void => setF((x) => ({ ...x, ...patch }));

  const run = async (what: 'test' | 'add', fields: Fields = f): Promise<void> => {
    setBusy(true);
    setResult({});
    try {
      const config = configOf(kind, fields, secretKnown);
      if (what === 'test') {
        setResult({ tested: await api().invoke('sources.test', { config }) });
      } else if (editing) {
        const label = fields.label.trim();
        const saved = await api().invoke('sources.update', {
          id: editing.id,
          config,
          // The label shown was filled in from the source: sent only when the user changed it.
          ...(label && label !== editing.label ? { label } : {}),
          ...(kind === 'pbs' && fields.remember ? { rememberSecret: true } : {}),
        });
        useStore.getState().upsertSource(saved);
        announce(`Source "${saved.label}" saved`);
        onDone?.();
      } else {
        const added = await api().invoke('sources.add', {
          config,
          ...(fields.label.trim() ? { label: fields.label.trim() } : {}),
          ...(kind === 'pbs' && fields.remember ? { rememberSecret: true } : {}),
        });
        setF(EMPTY);
        useStore.getState().upsertSource(added);
        announce(`Source "${added.label}" added`);
        navigate({ view: 'browse' });
        void selectSource(added.id);
      }
    } catch (e) {
      const error = toContractError(e);
      if (error.code === 'TLS_FINGERPRINT_MISMATCH' && error.fingerprint) setUntrusted({ fingerprint: error.fingerprint, then: what });
      else setResult({ error });
    } finally {
      setBusy(false);
    }
  };

  const choose = (): void => {
    api()
      .invoke('shell.chooseDatastoreFolder', {})
      .then((p) => p && set({ path: p }), (e) => setResult({ error: toContractError(e) }));
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void run('add');
  };

  return (
    <section className={editing ? 'edit-source' : 'card add-source'} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="card-title">
        {editing ? `Edit ${editing.label}` : 'Add a source'}
      </h2>
      <form onSubmit={submit} className="form">
        {/* The kind of a saved source stays: another kind is another source. */}
        {!editing && (
          <fieldset className="segmented">
            <legend>Kind</legend>
            <label>
              <input type="radio" name={`${id}-kind`} checked={kind === 'datastore'} onChange={() => (setKind('datastore'), setResult({}))} />
              Datastore folder
            </label>
            {info?.pbs !== false && (
              <label>
                <input type="radio" name={`${id}-kind`} checked={kind === 'pbs'} onChange={() => (setKind('pbs'), setResult({}))} />
                PBS server
              </label>
            )}
          </fieldset>
        )}

        {kind === 'datastore' ? (
          <div className="field">
            <label htmlFor={`${id}-path`}>Datastore folder</label>
            <div className="input-row">
              <input
                id={`${id}-path`}
                className="mono"
                value={f.path}
                required
                placeholder="/mnt/usb/pbs-store"
                aria-describedby={`${id}-path-hint`}
                onChange={(e) => set({ path: e.currentTarget.value })}
              />
              {info?.dialogs && (
                <button type="button" onClick={choose}>
                  Choose folder…
                </button>
              )}
            </div>
            <p id={`${id}-path-hint`} className="hint">
              The folder that holds <code>.chunks</code> (a PBS datastore on a USB disk, an NFS mount, or the PBS host itself).
            </p>
          </div>
        ) : (
          <PbsFields id={id} f={f} set={set} showRemember={info?.shell !== 'electron'} secretKnown={secretKnown} />
        )}

        <div className="field">
          <label htmlFor={`${id}-label`}>Name (optional)</label>
          <input id={`${id}-label`} value={f.label} placeholder={kind === 'datastore' ? 'the folder name' : 'datastore on host'} onChange={(e) => set({ label: e.currentTarget.value })} />
        </div>

        <div className="button-row">
          {/* Testing sends the whole configuration, secret included: not possible with the secret kept by the service. */}
          {!(editing && kind === 'pbs' && secretKnown && !f.secret) && (
            <button type="button" disabled={busy} onClick={() => void run('test')}>
              Test
            </button>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {editing ? 'Save changes' : 'Add source'}
          </button>
          {editing && (
            <button type="button" onClick={onDone}>
              Cancel
            </button>
          )}
        </div>
        <div aria-live="polite">
          {busy && <p className="muted">Connecting…</p>}
          {result.tested && (
            <p className="ok-text">
              ✓ Reachable: {result.tested.label} · datastores: {result.tested.datastores.map((d) => d.name).join(', ') || 'none'}
            </p>
          )}
        </div>
        {result.error && <ErrorBox error={result.error} />}
      </form>
      {untrusted && (
        <FingerprintPrompt
          host={f.host}
          fingerprint={untrusted.fingerprint}
          {...(editing?.config.kind === 'pbs' && editing.config.fingerprint ? { pinned: editing.config.fingerprint } : {})}
          onTrust={() => {
            const next = { ...f, fingerprint: untrusted.fingerprint };
            setF(next);
            void run(untrusted.then, next);
          }}
          onClose={() => setUntrusted(undefined)}
        />
      )}
    </section>
  );
}

function PbsFields({ id, f, set, showRemember, secretKnown }: { id: string; f: Fields; set: (p: Partial<Fields>) => void; showRemember: boolean; secretKnown: boolean }) {
  return (
    <>
      <div className="field-row">
        <div className="field grow">
          <label htmlFor={`${id}-host`}>Host</label>
          <input id={`${id}-host`} value={f.host} required placeholder="pbs.example.com" autoComplete="off" onChange={(e) => set({ host: e.currentTarget.value })} />
        </div>
        <div className="field narrow">
          <label htmlFor={`${id}-port`}>Port</label>
          <input id={`${id}-port`} value={f.port} inputMode="numeric" pattern="[0-9]{1,5}" onChange={(e) => set({ port: e.currentTarget.value })} />
        </div>
        <div className="field grow">
          <label htmlFor={`${id}-ds`}>Datastore</label>
          <input id={`${id}-ds`} value={f.datastore} required placeholder="store1" onChange={(e) => set({ datastore: e.currentTarget.value })} />
        </div>
      </div>
      <fieldset className="segmented">
        <legend>Log in with</legend>
        <label>
          <input type="radio" name={`${id}-auth`} checked={f.auth === 'token'} onChange={() => set({ auth: 'token' })} />
          API token
        </label>
        <label>
          <input type="radio" name={`${id}-auth`} checked={f.auth === 'password'} onChange={() => set({ auth: 'password' })} />
          User and password
        </label>
      </fieldset>
      <div className="field-row">
        {f.auth === 'token' ? (
          <div className="field grow">
            <label htmlFor={`${id}-tok`}>Token ID</label>
            <input id={`${id}-tok`} className="mono" value={f.tokenId} required placeholder="restore@pbs!console" autoComplete="off" onChange={(e) => set({ tokenId: e.currentTarget.value })} />
          </div>
        ) : (
          <div className="field grow">
            <label htmlFor={`${id}-user`}>User</label>
            <input id={`${id}-user`} className="mono" value={f.user} required placeholder="root@pam" autoComplete="username" onChange={(e) => set({ user: e.currentTarget.value })} />
          </div>
        )}
        <div className="field grow">
          <label htmlFor={`${id}-secret`}>{f.auth === 'token' ? 'Token secret' : 'Password'}</label>
          <input
            id={`${id}-secret`}
            type="password"
            value={f.secret}
            required={!secretKnown}
            placeholder={secretKnown ? 'unchanged' : undefined}
            autoComplete="off"
            onChange={(e) => set({ secret: e.currentTarget.value })}
          />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-fp`}>Certificate fingerprint (optional)</label>
        <input
          id={`${id}-fp`}
          className="mono"
          value={f.fingerprint}
          placeholder="ab:cd:…:ef (SHA-256)"
          aria-describedby={`${id}-fp-hint`}
          onChange={(e) => set({ fingerprint: e.currentTarget.value })}
        />
        <p id={`${id}-fp-hint`} className="hint">
          Needed unless the server&apos;s certificate is trusted by this computer. Leave it empty to see the fingerprint the server presents and decide then.
        </p>
      </div>
      {showRemember && (
        <label className="check">
          <input type="checkbox" checked={f.remember} onChange={(e) => set({ remember: e.currentTarget.checked })} />
          Remember the secret on this computer (saved unencrypted in the data folder; otherwise it is kept until the service stops)
        </label>
      )}
    </>
  );
}
