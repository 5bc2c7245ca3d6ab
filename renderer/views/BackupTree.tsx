// The backup groups of a namespace, each opening to its snapshots (newest first), as one table
// so the columns line up: time and age, size, verify state, protection, encryption, notes. Every
// row is reached with Tab; a group's button says whether it is open (aria-expanded). Groups whose
// newest snapshot holds disk images can be picked (one by one, or all of the namespace) for
// "Restore latest snapshots…" (BrowseView).
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GroupInfo, SnapshotInfo } from '../../shared/catalog.ts';
import { selectSnapshot } from '../actions/catalog.ts';
import { encryptionOf, imageFiles, newestOf, snapshotMatches } from '../format/snapshot.ts';
import { formatAge, formatBytes, formatTime } from '../../shared/units.ts';
import { groupKey, sameSnapshot } from '../store/catalogSlice.ts';
import { useStore } from '../store/index.ts';
import type { NsNode } from '../format/namespaceTree.ts';
import { EmptyNamespace } from './NamespaceTree.tsx';

interface Row {
  group: GroupInfo;
  snapshots: SnapshotInfo[];
}

export function useRows(): Row[] {
  const { groups, snapshots, filter } = useStore(useShallow((s) => ({ groups: s.catalog.groups, snapshots: s.catalog.snapshots, filter: s.catalog.filter })));
  return useMemo(() => {
    const byGroup = new Map<string, SnapshotInfo[]>();
    for (const s of snapshots) {
      const k = groupKey(s);
      byGroup.set(k, [...(byGroup.get(k) ?? []), s]);
    }
    const rows: Row[] = [];
    for (const g of groups) {
      const all = (byGroup.get(groupKey(g)) ?? []).sort((a, b) => b.backupTime - a.backupTime);
      const shown = all.filter((s) => snapshotMatches(s, g.comment, formatTime(s.backupTime * 1000), filter));
      if (shown.length) rows.push({ group: g, snapshots: shown });
    }
    return rows;
  }, [groups, snapshots, filter]);
}

function VerifyCell({ state }: { state: SnapshotInfo['verifyState'] }) {
  if (state === 'ok') return <span className="ok-text">✓ ok</span>;
  if (state === 'failed') return <span className="danger-text">✕ failed</span>;
  return <span className="muted">none</span>;
}

const ENCRYPTION_TEXT = { none: 'none', signed: 'signed', encrypted: 'encrypted', mixed: 'mixed' };

function SnapshotRow({ s }: { s: SnapshotInfo }) {
  const selected = useStore((st) => sameSnapshot(st.catalog.selected, { ns: s.ns, type: s.backupType, id: s.backupId, time: s.backupTime }));
  const units = useStore((st) => st.prefs.units);
  const time = formatTime(s.backupTime * 1000);
  const enc = encryptionOf(s);
  return (
    <tr className={selected ? 'snapshot-row selected' : 'snapshot-row'}>
      <td className="indent">
        <button
          type="button"
          className="row-button mono"
          aria-current={selected ? 'true' : undefined}
          aria-label={`${s.backupType}/${s.backupId} ${time}`}
          onClick={() => void selectSnapshot({ ns: s.ns, type: s.backupType, id: s.backupId, time: s.backupTime })}
        >
          {time}
        </button>
        <span className="muted small" title={formatAge(s.backupTime * 1000)}>
          {' '}
          {formatAge(s.backupTime * 1000, Date.now(), true)}
        </span>
      </td>
      <td className="num">{formatBytes(s.size, units)}</td>
      <td>
        <VerifyCell state={s.verifyState} />
      </td>
      <td>{s.protected ? <span className="tag">protected</span> : null}</td>
      <td className={enc === 'encrypted' ? 'accent-text' : ''}>{ENCRYPTION_TEXT[enc]}</td>
      <td className="notes-cell" title={s.comment}>
        {s.comment}
      </td>
    </tr>
  );
}

function GroupRows({ row }: { row: Row }) {
  const key = groupKey(row.group);
  const picked = useStore((s) => !!s.catalog.picked[key]);
  const pick = useStore((s) => s.pickGroups);
  const restorable = useStore((s) => {
    const newest = newestOf(s.catalog.snapshots, row.group);
    return !!newest && imageFiles(newest).length > 0;
  });
  const filtering = useStore((s) => s.catalog.filter.trim() !== '');
  const open = useStore((s) => !!s.catalog.expanded[key]) || filtering;
  const toggle = useStore((s) => s.toggleGroup);
  const g = row.group;
  return (
    <>
      <tr className="group-row">
        <td colSpan={6}>
          <input
            type="checkbox"
            className="pick"
            checked={picked}
            disabled={!restorable}
            title={restorable ? undefined : 'no disk images in its newest snapshot'}
            aria-label={`Pick ${g.backupType}/${g.backupId} for restoring its newest snapshot`}
            onChange={(e) => pick([key], e.currentTarget.checked)}
          />
          <button type="button" className="row-button group-button" aria-expanded={open} onClick={() => toggle(key)}>
            <span aria-hidden="true" className="chevron">
              {open ? '▾' : '▸'}
            </span>{' '}
            <strong>
              {g.backupType}/{g.backupId}
            </strong>
            {g.comment ? <span className="muted"> · {g.comment}</span> : null}
            <span className="muted small">
              {' '}
              · {g.backupCount} snapshot{g.backupCount === 1 ? '' : 's'}, last {formatAge(g.lastBackup * 1000)}
            </span>
          </button>
        </td>
      </tr>
      {open && row.snapshots.map((s) => <SnapshotRow key={s.backupTime} s={s} />)}
    </>
  );
}

/** Picks every group of the namespace that can be restored as a VM (or none). */
function PickAll() {
  const keys = useStore(
    useShallow((s) =>
      s.catalog.groups.filter((g) => {
        const n = newestOf(s.catalog.snapshots, g);
        return !!n && imageFiles(n).length > 0;
      }).map(groupKey),
    ),
  );
  const picked = useStore((s) => keys.filter((k) => s.catalog.picked[k]).length);
  const pick = useStore((s) => s.pickGroups);
  return (
    <input
      type="checkbox"
      className="pick"
      checked={keys.length > 0 && picked === keys.length}
      ref={(el) => void (el && (el.indeterminate = picked > 0 && picked < keys.length))}
      disabled={!keys.length}
      aria-label="Pick every VM of this namespace"
      onChange={(e) => pick(e.currentTarget.checked ? keys : undefined, e.currentTarget.checked)}
    />
  );
}

export function BackupTree({ rows, tree }: { rows: Row[]; tree: NsNode }) {
  const loading = useStore((s) => s.catalog.loading);
  const groups = useStore((s) => s.catalog.groups.length);
  return (
    <div className="card browse-list">
      <table className="tree">
        <caption className="visually-hidden">Backup groups and their snapshots</caption>
        <thead>
          <tr>
            <th scope="col">
              <PickAll /> Backup
            </th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Verify</th>
            <th scope="col">Protected</th>
            <th scope="col">Encryption</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <GroupRows key={groupKey(r.group)} row={r} />
          ))}
        </tbody>
      </table>
      {!rows.length && (loading ? <p className="muted pad">Loading…</p> : <EmptyNamespace tree={tree} filtering={groups > 0} />)}
    </div>
  );
}
