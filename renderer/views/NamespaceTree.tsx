// The namespaces of the source as a tree, as PBS shows them: children under their parents, a
// parent opened or closed with its arrow, the namespace shown marked as current. Each says how
// many backup groups it holds as the filter leaves them (the one shown counts its listed rows;
// the others match the filter against their groups' names and notes). One tab stop (the namespace
// shown); ↑/↓ move between namespaces, → and ← open and close one. Shown only when the source has
// namespaces besides the root.
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectNamespace } from '../actions/catalog.ts';
import { findNode, namespaceTree, visibleNodes, type NsNode } from '../format/namespaceTree.ts';
import { groupMatches } from '../format/snapshot.ts';
import { useStore } from '../store/index.ts';

/** Groups per namespace as the filter leaves them; `shownRows` is the current namespace's. */
export function useNamespaceTree(shownRows: number): NsNode {
  const { namespaces, nsGroups, ns, filter } = useStore(useShallow((s) => ({ namespaces: s.catalog.namespaces, nsGroups: s.catalog.nsGroups, ns: s.catalog.ns, filter: s.catalog.filter })));
  return useMemo(() => {
    const counts: Record<string, number | undefined> = {};
    for (const n of namespaces) counts[n] = n === ns ? shownRows : nsGroups[n]?.filter((g) => groupMatches(g, filter)).length;
    return namespaceTree(namespaces, counts);
  }, [namespaces, nsGroups, ns, filter, shownRows]);
}

const label = (n: NsNode): string => (n.ns === '' ? 'Root namespace' : n.name);

export function NamespaceTree({ tree }: { tree: NsNode }) {
  const ns = useStore((s) => s.catalog.ns);
  const nsOpen = useStore((s) => s.catalog.nsOpen);
  const patch = useStore((s) => s.patchCatalog);
  // Open unless closed: a datastore's namespaces are few, and PBS shows them open.
  const open = (n: string): boolean => nsOpen[n] !== false;
  const setOpen = (n: string, to: boolean): void => patch({ nsOpen: { ...nsOpen, [n]: to } });
  const nodes = visibleNodes(tree, open);
  // The tab stop: the namespace shown, or the root while a closed parent hides it.
  const stop = nodes.some((n) => n.ns === ns) ? ns : '';
  return (
    <nav className="card ns-tree" aria-label="Namespaces">
      <h2 className="section-title">Namespaces</h2>
      <ul>
        {nodes.map((n) => (
          <li key={n.ns} style={{ paddingLeft: `${n.depth * 14}px` }} className={n.ns === ns ? 'current' : undefined}>
            {n.children.length ? (
              <button type="button" className="ns-toggle" tabIndex={-1} aria-expanded={open(n.ns)} aria-label={`${open(n.ns) ? 'Close' : 'Open'} ${label(n)}`} onClick={() => setOpen(n.ns, !open(n.ns))}>
                <span aria-hidden="true">{open(n.ns) ? '▾' : '▸'}</span>
              </button>
            ) : (
              <span className="ns-toggle" aria-hidden="true" />
            )}
            <button
              type="button"
              className={`row-button ns-button${n.own === 0 && n.total === 0 ? ' muted' : ''}`}
              aria-current={n.ns === ns ? 'true' : undefined}
              aria-expanded={n.children.length ? open(n.ns) : undefined}
              title={n.ns || 'Root namespace'}
              // One tab stop: the namespace shown; ↑/↓ move, → and ← open and close.
              tabIndex={n.ns === stop ? 0 : -1}
              onClick={() => void selectNamespace(n.ns)}
              onKeyDown={(e) => {
                const buttons = [...e.currentTarget.closest('ul')!.querySelectorAll<HTMLButtonElement>('.ns-button')];
                const i = buttons.indexOf(e.currentTarget);
                const to = { ArrowDown: buttons[i + 1], ArrowUp: buttons[i - 1], Home: buttons[0], End: buttons[buttons.length - 1] }[e.key];
                if (to) to.focus();
                else if (e.key === 'ArrowRight' && n.children.length) setOpen(n.ns, true);
                else if (e.key === 'ArrowLeft' && n.children.length) setOpen(n.ns, false);
                else return;
                e.preventDefault();
              }}
            >
              <span className="ns-name">{n.ns === '' ? '(root)' : n.name}</span>
              {n.own !== undefined && (
                <span className="ns-count muted small">
                  {n.own}
                  <span className="visually-hidden"> group{n.own === 1 ? '' : 's'}</span>
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * What a namespace without groups of its own says: where its backups are (links to the child
 * namespaces that hold some), or that there are none below it either.
 */
export function EmptyNamespace({ tree, filtering }: { tree: NsNode; filtering: boolean }) {
  const ns = useStore((s) => s.catalog.ns);
  const node = findNode(tree, ns);
  const holding = node?.children.filter((c) => c.total > 0) ?? [];
  if (!node || !node.children.length) return <p className="muted pad">{filtering ? 'Nothing matches the filter.' : 'No backups in this namespace.'}</p>;
  return (
    <div className="pad" data-testid="empty-namespace">
      <p className="muted">
        {filtering ? 'Nothing here matches the filter' : `No backups directly in ${ns ? ns : 'the root namespace'}`}
        {holding.length ? ': its backups are in its child namespaces.' : node.total === 0 && !filtering ? ', nor in its child namespaces.' : '.'}
      </p>
      {holding.length > 0 && (
        <ul className="plain-list ns-links">
          {holding.map((c) => (
            <li key={c.ns}>
              <button type="button" className="link" onClick={() => void selectNamespace(c.ns)}>
                {c.ns}
              </button>{' '}
              <span className="muted small">
                · {c.total} group{c.total === 1 ? '' : 's'}
                {c.total !== (c.own ?? 0) ? ' with those below it' : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
