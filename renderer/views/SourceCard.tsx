// One source: where it is, how its secret is kept, the demo's key file and password hint; test,
// browse, edit (the add form, filled in), remove (after a confirmation), and what stops it from
// being read with the step that fixes it (SourceProblem: a secret not kept, a changed certificate).
import { useState } from 'react';
import type { ContractError, SecretKeeping, SourceInfo, SourceTestResult } from '../../shared/contract.ts';
import { api } from '../api/current.ts';
import { toContractError } from '../../shared/errors.ts';
import { selectSource } from '../actions/catalog.ts';
import { announce, reportError } from '../actions/notify.ts';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { useStore } from '../store/index.ts';
import { AddSourceForm } from './AddSourceForm.tsx';
import { SourceProblem } from './SourceProblem.tsx';

const KEEPING: Record<SecretKeeping, string> = {
  none: '',
  encrypted: 'secret kept encrypted by the system keychain',
  plain: 'secret saved unencrypted on this computer',
  session: 'secret kept in memory until the app stops',
  missing: 'secret not kept: enter it again',
};

export function where(s: SourceInfo): string {
  const c = s.config;
  return c.kind === 'datastore' ? c.path : `${c.authId} @ ${c.host}:${c.port ?? 8007} · datastore ${c.datastore}`;
}

export function SourceCard({ id }: { id: string }) {
  const source = useStore((s) => s.sources.find((x) => x.id === id));
  const navigate = useStore((s) => s.navigate);
  const [test, setTest] = useState<{ ok?: SourceTestResult; error?: ContractError; busy?: boolean }>({});
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [editing, setEditing] = useState(false);
  if (!source) return null;
  const titleId = `source-${id}`;

  const runTest = (): void => {
    setTest({ busy: true });
    api()
      .invoke('sources.test', { id })
      .then((ok) => setTest({ ok }), (e) => setTest({ error: toContractError(e) }));
  };
  const remove = (): void => {
    api()
      .invoke('sources.remove', { id })
      .then(
        () => {
          announce(`${source.label} removed (its backups were not touched)`);
          const st = useStore.getState();
          if (st.catalog.sourceId === id) st.patchCatalog({ sourceId: undefined, groups: [], snapshots: [], selected: undefined, detail: undefined, detailError: undefined });
          st.setSources(st.sources.filter((x) => x.id !== id));
        },
        (e) => reportError(e, `Remove ${source.label}`),
      );
  };

  return (
    <li className="card source-card" aria-labelledby={titleId}>
      <div className="source-head">
        <div>
          <h2 id={titleId} className="card-title">
            {source.label}
            <span className="tag">{source.config.kind === 'datastore' ? 'datastore folder' : 'PBS server'}</span>
            {source.demo && <span className="tag tag-accent">demo</span>}
          </h2>
          <p className="mono small">{where(source)}</p>
          {source.secret !== 'none' && <p className={source.secret === 'missing' ? 'warn-text small' : 'muted small'}>{KEEPING[source.secret]}</p>}
        </div>
        <div className="button-row">
          <button
            type="button"
            className="primary"
            onClick={() => {
              navigate({ view: 'browse' });
              void selectSource(id);
            }}
          >
            Browse<span className="visually-hidden"> {source.label}</span>
          </button>
          <button type="button" onClick={runTest} disabled={test.busy}>
            Test<span className="visually-hidden"> {source.label}</span>
          </button>
          <button type="button" onClick={() => setEditing((x) => !x)} aria-expanded={editing}>
            Edit<span className="visually-hidden"> {source.label}</span>
          </button>
          <button type="button" className="danger-quiet" onClick={() => setConfirmRemove(true)}>
            Remove<span className="visually-hidden"> {source.label}</span>
          </button>
        </div>
      </div>
      {source.demo && (
        <div className="demo-key">
          <p>
            The demo&apos;s VM 101 is encrypted. Key file: <code className="mono">{source.demo.keyFile}</code>
          </p>
          <p>
            Key file password: <code className="mono">{source.demo.keyPassword}</code> <span className="muted">(public: the demo protects nothing)</span>
          </p>
        </div>
      )}
      {editing && <AddSourceForm editing={source} onDone={() => (setEditing(false), setTest({}))} />}
      {!editing && source.secret === 'missing' && <SourceProblem source={source} />}
      <div aria-live="polite">
        {test.busy && <p className="muted">Testing…</p>}
        {test.ok && (
          <p className="ok-text">
            ✓ Reachable: {test.ok.label} · datastores: {test.ok.datastores.map((d) => d.name).join(', ') || 'none'}
          </p>
        )}
        {test.error && source.secret !== 'missing' && <SourceProblem source={source} error={test.error} title="Test failed" onFixed={runTest} />}
      </div>
      {confirmRemove && (
        <ConfirmDialog title={`Remove ${source.label}?`} confirm="Remove source" danger onConfirm={remove} onClose={() => setConfirmRemove(false)}>
          <p>Restore Console forgets this source{source.config.kind === 'pbs' ? ' and its secret' : ''}. The backups themselves are not touched.</p>
        </ConfirmDialog>
      )}
    </li>
  );
}
