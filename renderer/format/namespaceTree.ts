// The namespaces of a datastore as PBS shows them: a tree, children under their parents, sorted
// by name, with how many backup groups each holds (its own, and with everything below it), so a
// parent that holds nothing itself can say where its backups are. A namespace listed without its
// parent (a server that lists only what the token may see) still hangs under a node for that
// parent. Pure code.

export interface NsNode {
  /** The full namespace ("" is the root). */
  ns: string;
  /** Its last component ("" for the root). */
  name: string;
  depth: number;
  children: NsNode[];
  /** Groups directly in it (as the filter leaves them); undefined while not known. */
  own: number | undefined;
  /** Groups in it and every namespace below it (unknown counts add nothing). */
  total: number;
}

export function namespaceTree(namespaces: string[], counts: Record<string, number | undefined> = {}): NsNode {
  const nodes = new Map<string, NsNode>();
  const node = (ns: string): NsNode => {
    let n = nodes.get(ns);
    if (n) return n;
    const parts = ns ? ns.split('/') : [];
    n = { ns, name: parts[parts.length - 1] ?? '', depth: parts.length, children: [], own: counts[ns], total: 0 };
    nodes.set(ns, n);
    if (ns) node(parts.slice(0, -1).join('/')).children.push(n);
    return n;
  };
  const root = node('');
  for (const ns of namespaces) node(ns);
  const finish = (n: NsNode): number => {
    n.children.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    n.total = (n.own ?? 0) + n.children.reduce((sum, c) => sum + finish(c), 0);
    return n.total;
  };
  finish(root);
  return root;
}

/** The nodes shown when only the `open` ones show their children, in display order (root first). */
export function visibleNodes(root: NsNode, open: (ns: string) => boolean): NsNode[] {
  const out: NsNode[] = [];
  const walk = (n: NsNode): void => {
    out.push(n);
    if (open(n.ns)) n.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** The namespaces above `ns`, nearest last: the ones to open so that `ns` shows. */
export function ancestorsOf(ns: string): string[] {
  const parts = ns ? ns.split('/') : [];
  return parts.map((_, i) => parts.slice(0, i).join('/'));
}

export function findNode(root: NsNode, ns: string): NsNode | undefined {
  if (root.ns === ns) return root;
  for (const c of root.children) {
    const f = findNode(c, ns);
    if (f) return f;
  }
  return undefined;
}
