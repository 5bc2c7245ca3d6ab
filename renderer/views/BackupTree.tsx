// The backup groups of a namespace, each opening to its snapshots (newest first), as one table
// so the columns line up: time and age, size, verify state, protection, encryption, notes. The
// table is one tab stop; the arrow keys move between its rows (useRovingRows), Enter opens a
// group or a snapshot, Space picks a group; a group's button says whether it is open (aria-expanded). Groups whose
// newest snapshot holds disk images can be picked (one by one, or all of the namespace) for
// "Restore latest snapshots…" (BrowseView).
import { useEffect, useLayoutEffect, useMemo, useRef, type FocusEvent, type KeyboardEvent, type RefObject } from 'react';
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
          data-row={`${s.backupType}/${s.backupId}/${s.backupTime}`}
          tabIndex={-1}
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
            tabIndex={-1}
            checked={picked}
            disabled={!restorable}
            title={restorable ? undefined : 'no disk images in its newest snapshot'}
            aria-label={`Pick ${g.backupType}/${g.backupId} for restoring its newest snapshot`}
            onChange={(e) => pick([key], e.currentTarget.checked)}
          />
          <button
            type="button"
            className="row-button group-button"
            data-row={key}
            data-group=""
            tabIndex={-1}
            aria-expanded={open}
            aria-keyshortcuts="Space"
            aria-describedby="tree-keys"
            onClick={() => toggle(key)}
            onKeyDown={(e) => {
              // Enter opens and closes (the click); Space picks the group; → opens, ← closes.
              if (e.key === ' ' && restorable) {
                e.preventDefault();
                pick([key], !picked);
              } else if (e.key === 'ArrowRight' && !open) {
                e.preventDefault();
                toggle(key, true);
              } else if (e.key === 'ArrowLeft' && open && !filtering) {
                e.preventDefault();
                toggle(key, false);
              }
            }}
          >
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

/** The row buttons of the table, in order. */
const rowButtons = (table: HTMLElement): HTMLButtonElement[] => [...table.querySelectorAll<HTMLButtonElement>('button[data-row]')];

/**
 * One tab stop for the whole table (a roving tabindex): the row last focused, else the selected
 * snapshot, else the first row, has tabIndex 0; every other row button -1. ↑/↓ move between rows,
 * Home/End to the first and last, ← from a snapshot goes to its group.
 */
function useRovingRows(table: RefObject<HTMLTableElement | null>) {
  const active = useRef<string | undefined>(undefined);
  const settle = (): void => {
    const el = table.current;
    if (!el) return;
    const buttons = rowButtons(el);
    const chosen = buttons.find((b) => b.dataset.row === active.current) ?? buttons.find((b) => b.getAttribute('aria-current') === 'true') ?? buttons[0];
    for (const b of buttons) b.tabIndex = b === chosen ? 0 : -1;
  };
  // After every render of the table, and whenever rows come and go below it (a group opening).
  useLayoutEffect(settle);
  useEffect(() => {
    const el = table.current;
    if (!el) return;
    const watch = new MutationObserver(settle);
    watch.observe(el, { childList: true, subtree: true });
    return () => watch.disconnect();
  }, []); // settle reads the ref and the active row: nothing to re-subscribe for
  const onFocus = (e: FocusEvent): void => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-row]');
    if (!b) return;
    active.current = b.dataset.row;
    settle();
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    const el = table.current;
    const from = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-row]');
    if (!el || !from) return;
    const buttons = rowButtons(el);
    const i = buttons.indexOf(from);
    let to: HTMLButtonElement | undefined;
    if (e.key === 'ArrowDown') to = buttons[i + 1];
    else if (e.key === 'ArrowUp') to = buttons[i - 1];
    else if (e.key === 'Home') to = buttons[0];
    else if (e.key === 'End') to = buttons[buttons.length - 1];
    else if (e.key === 'ArrowLeft' && from.dataset.group === undefined) to = buttons.slice(0, i).reverse().find((b) => b.dataset.group !== undefined);
    else return;
    e.preventDefault();
    to?.focus();
  };
  return { onFocus, onKeyDown };
}

/** Says which snapshot is selected, for screen readers (the detail pane loads apart). */
function SelectionStatus() {
  const sel = useStore((s) => s.catalog.selected);
  return (
    <p role="status" className="visually-hidden" data-testid="selection-status">
      {sel ? `Selected ${sel.ns ? `${sel.ns}/` : ''}${sel.type}/${sel.id} ${formatTime(sel.time * 1000)}` : ''}
    </p>
  );
}

export function BackupTree({ rows, tree }: { rows: Row[]; tree: NsNode }) {
  const loading = useStore((s) => s.catalog.loading);
  const groups = useStore((s) => s.catalog.groups.length);
  const table = useRef<HTMLTableElement>(null);
  const roving = useRovingRows(table);
  return (
    <div className="card browse-list">
      <p id="tree-keys" className="visually-hidden">
        Up and down arrows move between rows, Enter opens, Space picks a group for restoring, right and left arrows open and close a group.
      </p>
      <SelectionStatus />
      <table className="tree" ref={table} onFocus={roving.onFocus} onKeyDown={roving.onKeyDown}>
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
