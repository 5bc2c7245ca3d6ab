// The selected snapshot: its facts (time and age, size, verify state and age, protection,
// encryption and key fingerprint, owner), the notes, the archives (disk images restore; file
// archives and disk images open in the file browser) and the guest configuration as text,
// decoded with the key file when the snapshot is encrypted. "Restore VM…" restores every disk (and the
// config) in one job; Verify checks an image (an encrypted one after asking for the key). Archive
// names wrap only after their separators; config lines wrap with their continuation indented.
import { useId, useState } from 'react';
import type { SnapshotDetail } from '../../shared/contract.ts';
import { rememberKeyFile, selectSnapshot } from '../actions/catalog.ts';
import { reportError } from '../actions/notify.ts';
import { startJob } from '../actions/jobs.ts';
import { openFileBrowser } from '../actions/files.ts';
import { Breakable } from '../components/Breakable.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { archiveName } from '../format/jobText.ts';
import { encryptionOf, upidStart, VERIFY_STALE_MS } from '../format/snapshot.ts';
import { formatAge, formatBytes, formatTime } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';
import { VerifyDialog } from './VerifyDialog.tsx';

function VerifyFact({ d }: { d: SnapshotDetail }) {
  if (!d.verify) return <span className="muted">never verified</span>;
  const at = upidStart(d.verify.upid);
  const stale = at !== undefined && Date.now() - at > VERIFY_STALE_MS;
  return (
    <span>
      <span className={d.verify.state === 'ok' ? 'ok-text' : 'danger-text'}>{d.verify.state === 'ok' ? '✓ ok' : '✕ failed'}</span>
      {at !== undefined && <span className="muted"> · {formatAge(at)}</span>}
      {stale && <span className="warn-text"> · last verify over 30 days ago</span>}
    </span>
  );
}

function KeyForm({ d }: { d: SnapshotDetail }) {
  const id = useId();
  const demo = useStore((s) => s.sources.find((x) => x.id === d.sourceId)?.demo);
  const remembered = useStore((s) => s.catalog.keyFiles[d.sourceId]);
  const [keyfile, setKeyfile] = useState(remembered ?? demo?.keyFile ?? '');
  const [password, setPassword] = useState('');
  return (
    <form
      className="key-form"
      onSubmit={(e) => {
        e.preventDefault();
        rememberKeyFile(d.sourceId, keyfile);
        void selectSnapshot({ ns: d.info.ns, type: d.info.backupType, id: d.info.backupId, time: d.info.backupTime }, { keyfile, ...(password ? { password } : {}) });
      }}
    >
      <label htmlFor={`${id}-k`}>Key file</label>
      <input id={`${id}-k`} className="mono" value={keyfile} required spellCheck={false} onChange={(e) => setKeyfile(e.currentTarget.value)} />
      <label htmlFor={`${id}-p`}>Key file password</label>
      <div className="input-row">
        <input id={`${id}-p`} type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <button type="submit">Show config</button>
      </div>
    </form>
  );
}

/** File archives (the single form, or the metadata half of a split pair) and disk images. */
const browsable = (filename: string): boolean => /\.(?:pxar|mpxar)\.didx$/.test(filename) || /\.img\.fidx$/.test(filename);

export function SnapshotDetailPane() {
  const [verifying, setVerifying] = useState<string | undefined>();
  const d = useStore((s) => s.catalog.detail);
  const loading = useStore((s) => s.catalog.detailLoading);
  const error = useStore((s) => s.catalog.detailError);
  const selected = useStore((s) => s.catalog.selected);
  const units = useStore((s) => s.prefs.units);
  const openRestore = useStore((s) => s.openRestore);
  const openRestoreVm = useStore((s) => s.openRestoreVm);
  if (!selected) {
    return (
      <aside id="snapshot-pane" className="card browse-detail empty-detail" aria-label="Snapshot">
        <p className="muted">Select a snapshot to see its disks, notes and configuration.</p>
      </aside>
    );
  }
  if (error) {
    return (
      <aside id="snapshot-pane" className="card browse-detail" aria-label="Snapshot">
        <ErrorBox error={error} title="Cannot open this snapshot" />
      </aside>
    );
  }
  if (!d) {
    return (
      <aside id="snapshot-pane" className="card browse-detail" aria-label="Snapshot" aria-busy="true">
        <p className="muted">{loading ? 'Opening the snapshot…' : ''}</p>
      </aside>
    );
  }
  const info = d.info;
  const title = `${info.ns ? `${info.ns}/` : ''}${info.backupType}/${info.backupId}`;
  const enc = encryptionOf(info);
  const sel = { ns: info.ns, type: info.backupType, id: info.backupId, time: info.backupTime };
  const verify = (archive: string): void => {
    startJob({ mode: 'verify', sourceId: d.sourceId, snapshot: sel, archive }).catch((e) => reportError(e, 'Verify'));
  };
  return (
    <aside id="snapshot-pane" className="card browse-detail" aria-labelledby="snapshot-title" aria-busy={loading}>
      <h2 id="snapshot-title" className="card-title">
        {title} <span className="muted">· {formatTime(info.backupTime * 1000)}</span>
      </h2>
      <dl className="facts">
        <dt>Taken</dt>
        <dd>
          {formatTime(info.backupTime * 1000)} <span className="muted">({formatAge(info.backupTime * 1000)})</span>
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(info.size, units)}</dd>
        <dt>Verify</dt>
        <dd>
          <VerifyFact d={d} />
        </dd>
        <dt>Protected</dt>
        <dd>{info.protected ? 'yes: PBS will not prune it' : 'no'}</dd>
        <dt>Encryption</dt>
        <dd>
          {d.encrypted ? 'encrypted' : d.signed ? 'signed' : enc}
        </dd>
        {info.keyFingerprint && (
          <>
            <dt>Key</dt>
            <dd className="mono small">{info.keyFingerprint}</dd>
          </>
        )}
        {info.owner && (
          <>
            <dt>Owner</dt>
            <dd className="mono">{info.owner}</dd>
          </>
        )}
      </dl>
      {d.notes && (
        <section aria-label="Notes">
          <h3 className="section-title">Notes</h3>
          <p className="notes">{d.notes}</p>
        </section>
      )}
      <div className="section-head">
        <h3 className="section-title">Archives</h3>
        {d.files.some((f) => f.restorable) && (
          <button type="button" className="primary" onClick={() => openRestoreVm({ sourceId: d.sourceId, detail: d })}>
            Restore VM…
          </button>
        )}
      </div>
      <ul className="files" aria-label="Archives">
        {d.files.map((f) => (
          <li key={f.filename} className="file">
            <div className="file-name">
              <span className="mono">
                <Breakable text={f.filename} />
              </span>
              <span className="muted small">
                {formatBytes(f.size, units)} · {f.cryptMode === 'encrypt' ? 'encrypted' : f.cryptMode === 'sign-only' ? 'signed' : 'not encrypted'}
                {f.kind === 'archive' ? (/\.ppxar\.didx$/.test(f.filename) ? ' · file contents (browsed with its .mpxar)' : ' · file archive') : f.kind === 'blob' ? ' · file' : ' · disk image'}
              </span>
            </div>
            {(f.restorable || browsable(f.filename)) && (
              <div className="button-row">
                {browsable(f.filename) && (
                  <button type="button" aria-label={`Browse files of ${archiveName(f.filename)}`} onClick={() => void openFileBrowser(d.sourceId, d, f.filename)}>
                    Browse files…
                  </button>
                )}
                {f.restorable && (
                  <button
                    type="button"
                    aria-label={`Verify ${archiveName(f.filename)}`}
                    // An encrypted image is verified with its key: the dialog asks for it.
                    onClick={() => (f.cryptMode === 'encrypt' ? setVerifying(f.filename) : verify(f.filename))}
                  >
                    Verify{f.cryptMode === 'encrypt' ? '…' : ''}
                  </button>
                )}
                {f.restorable && (
                  <button type="button" className="primary" aria-label={`Restore ${archiveName(f.filename)}`} onClick={() => openRestore({ sourceId: d.sourceId, detail: d, archive: f.filename })}>
                    Restore…
                  </button>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
      {d.config && (
        <section aria-labelledby="config-title">
          <h3 id="config-title" className="section-title">
            Guest configuration <span className="muted mono small no-caps">{d.config.filename}</span>
          </h3>
          {d.config.text !== undefined ? (
            <>
              <pre className="config" tabIndex={0} aria-labelledby="config-title">
                {d.config.text.replace(/\n$/, '').split('\n').map((line, i) => (
                  <span key={i} className="config-line">
                    {line || ' '}
                  </span>
                ))}
              </pre>
              {d.config.truncated && <p className="muted">Only the first MiB is shown: this configuration is far larger than a real one.</p>}
            </>
          ) : (
            <>
              {d.config.error && d.config.error.code !== 'MISSING_KEY' && <ErrorBox error={d.config.error} />}
              {d.config.encrypted && (
                <>
                  <p className="muted">The configuration is encrypted: give the key file to show it.</p>
                  <KeyForm d={d} />
                </>
              )}
            </>
          )}
        </section>
      )}
      {verifying && <VerifyDialog d={d} archive={verifying} onClose={() => setVerifying(undefined)} />}
    </aside>
  );
}
