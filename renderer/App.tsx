// The wiring page: proves the contract reaches the UI in both shells. It lists sources, the demo
// datastore's generation, and jobs with live progress, and can verify the newest image of the
// first source. The real interface is a later issue.
import type { RestoreConsoleApi } from '../shared/contract.ts';
import { reportError, useStore } from './store.ts';

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

async function verifyNewest(api: RestoreConsoleApi, sourceId: string): Promise<void> {
  const namespaces = await api.invoke('catalog.namespaces', { sourceId });
  for (const ns of namespaces) {
    const snaps = await api.invoke('catalog.snapshots', { sourceId, ns });
    const snap = snaps.filter((s) => s.files.some((f) => f.filename.endsWith('.img.fidx') && f.cryptMode !== 'encrypt')).at(-1);
    const image = snap?.files.find((f) => f.filename.endsWith('.img.fidx'));
    if (snap && image) {
      await api.invoke('jobs.start', {
        mode: 'verify',
        sourceId,
        snapshot: { ns, type: snap.backupType, id: snap.backupId, time: snap.backupTime },
        archive: image.filename,
        concurrency: 'auto',
      });
      return;
    }
  }
  throw new Error('no unencrypted image in this source');
}

function Sources({ api }: { api: RestoreConsoleApi }) {
  const sources = useStore((s) => s.sources);
  const demo = useStore((s) => s.demo);
  return (
    <section>
      <h2>Sources</h2>
      {demo?.state === 'generating' && (
        <p>
          Preparing the demo datastore… <progress max={demo.totalBytes || 1} value={demo.doneBytes} />
        </p>
      )}
      {demo?.state === 'failed' && <p className="error">The demo datastore could not be generated: {demo.error?.message}</p>}
      {sources.length === 0 ? (
        <p className="muted">No sources yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Where</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.id}>
                <td>{s.label}</td>
                <td className="muted">{s.config.kind === 'datastore' ? s.config.path : `${s.config.authId}@${s.config.host}:${s.config.datastore}`}</td>
                <td>
                  <button type="button" onClick={() => verifyNewest(api, s.id).catch(reportError)}>
                    Verify newest image
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Jobs({ api }: { api: RestoreConsoleApi }) {
  const jobs = useStore((s) => s.jobs);
  const list = Object.values(jobs).sort((a, b) => b.createdAt - a.createdAt);
  return (
    <section>
      <h2>Jobs</h2>
      {list.length === 0 ? (
        <p className="muted">No jobs yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Job</th>
              <th>State</th>
              <th>Progress</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((j) => (
              <tr key={j.id}>
                <td>
                  {j.mode} {j.request.archive}
                  <div className="muted">{j.message}</div>
                </td>
                <td>{j.state}</td>
                <td>
                  {j.progress && (
                    <>
                      <progress max={j.progress.totalBytes || 1} value={j.progress.doneBytes} /> {mb(j.progress.doneBytes)} of {mb(j.progress.totalBytes)}, limit{' '}
                      {j.progress.limit}
                      {j.progress.auto ? ' (auto)' : ''}
                    </>
                  )}
                </td>
                <td>
                  {(j.state === 'running' || j.state === 'paused' || j.state === 'queued') && (
                    <button type="button" onClick={() => api.invoke('jobs.cancel', { id: j.id }).catch(reportError)}>
                      Cancel
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function App({ api }: { api: RestoreConsoleApi }) {
  const info = useStore((s) => s.info);
  const connected = useStore((s) => s.connected);
  const error = useStore((s) => s.error);
  return (
    <main>
      <h1>Restore Console</h1>
      <p className="muted">
        {info ? `${info.shell === 'electron' ? 'Desktop app' : 'Browser mode'} · version ${info.version} · data in ${info.dataDir}` : 'Connecting…'}
        {!connected && info?.shell !== 'electron' ? ' · event stream disconnected' : ''}
      </p>
      {error && <p className="error">{error}</p>}
      <Sources api={api} />
      <Jobs api={api} />
    </main>
  );
}
