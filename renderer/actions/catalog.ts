// Browse actions: pick a source and namespace, load its groups and snapshots, open a snapshot's
// detail (with the key when the snapshot is encrypted). A newer request wins: answers to an older
// one are dropped, so fast clicking never shows one snapshot's files under another's title.
import type { DemoStatus, KeyArgs, SnapshotSelector } from '../../shared/contract.ts';
import { api } from '../api/current.ts';
import { toContractError } from '../../shared/errors.ts';
import type { CatalogState } from '../store/catalogSlice.ts';
import { useStore } from '../store/index.ts';
import { ancestorsOf } from '../format/namespaceTree.ts';

let listing = 0;
let detailing = 0;

const cat = () => useStore.getState().catalog;
const patch = (p: Partial<CatalogState>): void => useStore.getState().patchCatalog(p);

/** Opens a source in Browse (its root namespace), or reloads the one shown. */
export async function selectSource(sourceId: string, ns = ''): Promise<void> {
  const changed = cat().sourceId !== sourceId;
  patch({
    sourceId,
    ns,
    ...(changed ? { namespaces: [''], nsGroups: {}, nsOpen: {}, groups: [], snapshots: [], selected: undefined, detail: undefined, detailError: undefined, expanded: {}, picked: {} } : {}),
  });
  await loadListing();
}

export async function selectNamespace(ns: string): Promise<void> {
  // The tree opens down to the namespace chosen (from a link under an empty parent, say).
  const nsOpen = { ...cat().nsOpen, ...Object.fromEntries(ancestorsOf(ns).map((a) => [a, true])) };
  patch({ ns, nsOpen, groups: [], snapshots: [], selected: undefined, detail: undefined, detailError: undefined, expanded: {}, picked: {} });
  await loadListing();
}

export async function loadListing(): Promise<void> {
  const { sourceId, ns } = cat();
  if (!sourceId) return;
  const mine = ++listing;
  patch({ loading: true, error: undefined });
  try {
    const [namespaces, groups, snapshots] = await Promise.all([
      api().invoke('catalog.namespaces', { sourceId }),
      api().invoke('catalog.groups', { sourceId, ns }),
      api().invoke('catalog.snapshots', { sourceId, ns }),
    ]);
    if (mine !== listing) return;
    // Few groups: open them all, so the snapshots show at once (PBS opens its tree the same way).
    const expanded = groups.length <= 8 ? Object.fromEntries(groups.map((g) => [`${g.ns}|${g.backupType}/${g.backupId}`, true])) : {};
    patch({ namespaces: namespaces.length ? namespaces : [''], groups, snapshots, loading: false, expanded: { ...expanded, ...cat().expanded }, nsGroups: { ...cat().nsGroups, [ns]: groups } });
    void countNamespaces(sourceId, namespaces, mine);
  } catch (e) {
    if (mine !== listing) return;
    patch({ loading: false, error: toContractError(e) });
  }
}

/** The tree counts groups in this many namespaces at most (one light call each); the rest show no count. */
const MAX_NS_COUNTED = 64;

/** Loads the groups of the other namespaces, for the tree's counts; a failure leaves a count unknown. */
async function countNamespaces(sourceId: string, namespaces: string[], mine: number): Promise<void> {
  const others = namespaces.filter((n) => n !== cat().ns).slice(0, MAX_NS_COUNTED);
  const found = await Promise.all(others.map((n) => api().invoke('catalog.groups', { sourceId, ns: n }).then((g) => [n, g] as const, () => undefined)));
  if (mine !== listing) return;
  patch({ nsGroups: { ...cat().nsGroups, ...Object.fromEntries(found.filter((x) => x !== undefined)) } });
}

/** Selects a snapshot and loads its detail; `key` decodes an encrypted guest config. */
export async function selectSnapshot(sel: SnapshotSelector, key?: KeyArgs): Promise<void> {
  const { sourceId } = cat();
  if (!sourceId) return;
  const mine = ++detailing;
  patch({ selected: sel, detailLoading: true, detailError: undefined, ...(key ? {} : { detail: undefined }) });
  try {
    const detail = await api().invoke('catalog.snapshot', { sourceId, snapshot: sel, ...(key ? { key } : {}) });
    if (mine !== detailing) return;
    patch({ detail, detailLoading: false });
  } catch (e) {
    if (mine !== detailing) return;
    patch({ detailLoading: false, detailError: toContractError(e) });
  }
}

export function rememberKeyFile(sourceId: string, keyfile: string): void {
  patch({ keyFiles: { ...cat().keyFiles, [sourceId]: keyfile } });
}

/**
 * The demo datastore is offered while it is still being written: when it announces another
 * finished snapshot and Browse shows it, the listing is loaded again (no button to press).
 */
export function demoChanged(before: DemoStatus | undefined, now: DemoStatus): void {
  if (!now.sourceId || now.snapshotsDone === undefined || now.snapshotsDone === before?.snapshotsDone) return;
  if (cat().sourceId === now.sourceId) void loadListing();
}
