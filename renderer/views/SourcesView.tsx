// Sources: the datastore folders and PBS servers restores read from. Lists them (with the demo
// datastore's key file and password hint), tests and removes them, and adds new ones.
import { api } from '../api/current.ts';
import { reportError } from '../actions/notify.ts';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { formatPercent } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';
import { AddSourceForm } from './AddSourceForm.tsx';
import { SourceCard } from './SourceCard.tsx';

function DemoStatusLine() {
  const demo = useStore((s) => s.demo);
  const count = useStore((s) => s.sources.length);
  const loaded = useStore((s) => s.loaded);
  if (demo?.state === 'generating') {
    return (
      <div className="card demo-status" role="status">
        <p>
          {demo.sourceId
            ? `The demo datastore's first backup can be browsed and restored now; writing the other ${(demo.snapshotsTotal ?? 0) - (demo.snapshotsDone ?? 0)} snapshots… `
            : 'Preparing the demo datastore… '}
          {formatPercent(demo.doneBytes, demo.totalBytes || 1, 0)}
        </p>
        <ProgressBar value={demo.doneBytes} max={demo.totalBytes || 1} label="Demo datastore generation" />
      </div>
    );
  }
  if (demo?.state === 'failed' && demo.error) return <ErrorBox error={demo.error} title="The demo datastore could not be generated" />;
  if (loaded && count === 0) {
    return (
      <div className="card empty">
        <p>
          <strong>No sources yet.</strong> Add a PBS datastore folder (a USB disk, an NFS mount, the PBS host itself) or a PBS server below.
        </p>
        <p>
          Or try Restore Console on a generated demo datastore with a few VMs, one of them encrypted:{' '}
          <button type="button" onClick={() => api().invoke('demo.create', {}).catch((e) => reportError(e, 'Demo datastore'))}>
            Create the demo datastore
          </button>
        </p>
      </div>
    );
  }
  return null;
}

export function SourcesView() {
  const ids = useStore((s) => s.sources.map((x) => x.id).join('\n'));
  return (
    <section className="screen" aria-labelledby="sources-title">
      <header className="screen-head">
        <h1 id="sources-title" tabIndex={-1}>
          Sources
        </h1>
        <p className="muted">Where backups are read from. Nothing is ever written to a source.</p>
      </header>
      <DemoStatusLine />
      {ids && (
        <ul className="source-list" aria-label="Sources">
          {ids.split('\n').map((id) => (
            <SourceCard key={id} id={id} />
          ))}
        </ul>
      )}
      <AddSourceForm />
    </section>
  );
}
