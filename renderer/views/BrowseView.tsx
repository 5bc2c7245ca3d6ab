// Browse: source → namespace (a tree beside the list, when there are namespaces) → group →
// snapshot → archive. The list (a tree of groups and their
// snapshots, newest first, with size, verify state, age, protection, encryption and notes) sits
// next to the selected snapshot's detail; the filter narrows both groups and snapshots. Groups
// picked in the list restore together: the newest snapshot of each, one job per VM.
import { useEffect, useId, type CSSProperties } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SnapshotInfo } from '../../shared/catalog.ts';
import { loadListing, selectSource } from '../actions/catalog.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { PaneResizer } from '../components/PaneResizer.tsx';
import { imageFiles, newestOf } from '../format/snapshot.ts';
import { groupKey } from '../store/catalogSlice.ts';
import { useStore } from '../store/index.ts';
import { BackupTree, useRows } from './BackupTree.tsx';
import { NamespaceTree, useNamespaceTree } from './NamespaceTree.tsx';
import { SnapshotDetailPane } from './SnapshotDetail.tsx';
import { needsAttention, SourceProblem } from './SourceProblem.tsx';

/**
 * Opens the first source when none is chosen. A chosen source that is missing from the list is
 * left alone: the list may be an older one still on its way (events and command answers travel
 * apart); removing a source clears the choice itself (SourceCard).
 */
function useDefaultSource(): void {
  const sourceId = useStore((s) => s.catalog.sourceId);
  const first = useStore((s) => s.sources[0]?.id);
  useEffect(() => {
    if (!sourceId && first) void selectSource(first);
  }, [sourceId, first]);
}

function Toolbar() {
  const id = useId();
  const sources = useStore((s) => s.sources);
  const sourceId = useStore((s) => s.catalog.sourceId);
  const filter = useStore((s) => s.catalog.filter);
  const loading = useStore((s) => s.catalog.loading);
  const patch = useStore((s) => s.patchCatalog);
  return (
    <div className="toolbar" role="search">
      <label htmlFor={`${id}-src`}>Source</label>
      <select id={`${id}-src`} value={sourceId ?? ''} onChange={(e) => void selectSource(e.currentTarget.value)}>
        {sourceId && !sources.some((s) => s.id === sourceId) && (
          <option value={sourceId} disabled>
            (not in the source list)
          </option>
        )}
        {sources.map((s) => (
          <option key={s.id} value={s.id}>
            {s.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-filter`} className="visually-hidden">
        Filter backups
      </label>
      <input id={`${id}-filter`} type="search" className="grow" placeholder="Filter: vm/100, notes, date, archive…" value={filter} onChange={(e) => patch({ filter: e.currentTarget.value })} />
      <button type="button" onClick={() => void loadListing()} disabled={loading}>
        {loading ? 'Loading…' : 'Refresh'}
      </button>
      <BatchButton />
    </div>
  );
}

/** Restores the newest snapshot of every picked group, one job per VM (RestoreBatchDialog). */
function BatchButton() {
  const picked = useStore(useShallow((s) => Object.keys(s.catalog.picked)));
  const sourceId = useStore((s) => s.catalog.sourceId);
  const open = useStore((s) => s.openRestoreBatch);
  const start = (): void => {
    const { groups, snapshots } = useStore.getState().catalog;
    const chosen = groups
      .filter((g) => picked.includes(groupKey(g)))
      .map((g) => newestOf(snapshots, g))
      .filter((x): x is SnapshotInfo => !!x && imageFiles(x).length > 0);
    if (sourceId && chosen.length) open({ sourceId, snapshots: chosen });
  };
  return (
    <button type="button" className="primary" disabled={!picked.length} onClick={start}>
      Restore latest snapshots…{picked.length ? ` (${picked.length})` : ''}
    </button>
  );
}

export function BrowseView() {
  useDefaultSource();
  const count = useStore((s) => s.sources.length);
  const loaded = useStore((s) => s.loaded);
  const error = useStore((s) => s.catalog.error);
  const source = useStore((s) => s.sources.find((x) => x.id === s.catalog.sourceId));
  const navigate = useStore((s) => s.navigate);
  const detailWidth = useStore((s) => s.prefs.detailWidth);
  const rows = useRows();
  const tree = useNamespaceTree(rows.length);
  return (
    <section className="screen" aria-labelledby="browse-title">
      <header className="screen-head">
        <h1 id="browse-title" tabIndex={-1}>
          Browse
        </h1>
        <p className="muted">Pick a snapshot, then the disk image to restore.</p>
      </header>
      {loaded && count === 0 ? (
        <div className="card empty">
          <p>No sources yet.</p>
          <button type="button" className="primary" onClick={() => navigate({ view: 'sources' })}>
            Add a source
          </button>
        </div>
      ) : (
        <>
          <Toolbar />
          {/* A secret to enter again or a changed certificate: that step, not an empty list under an error. */}
          {source && needsAttention(source, error) ? (
            <SourceProblem source={source} error={error} onFixed={() => void loadListing()} />
          ) : (
            <>
              {error && <ErrorBox error={error} title="Cannot list this source" />}
              <div className="browse" style={{ '--detail-width': `${detailWidth}px` } as CSSProperties}>
                <div className="browse-left">
                  <div className="browse-left-inner">
                    {tree.children.length > 0 && <NamespaceTree tree={tree} />}
                    <BackupTree rows={rows} tree={tree} />
                  </div>
                </div>
                <PaneResizer controls="snapshot-pane" />
                <SnapshotDetailPane />
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
