// What the Browse screen shows: one source's namespaces, groups and snapshots, the filter, which
// groups are open, and the selected snapshot with its detail. Key file paths typed for a source
// are remembered for this session (never the password).
import type { ContractError, SnapshotDetail, SnapshotSelector } from '../../shared/contract.ts';
import type { GroupInfo, SnapshotInfo } from '../../shared/catalog.ts';
import type { Slice } from './state.ts';

export interface CatalogState {
  sourceId?: string;
  namespaces: string[];
  /** The groups of every namespace (up to MAX_NS_COUNTED), for the tree's counts. */
  nsGroups: Record<string, GroupInfo[]>;
  /** Namespaces whose children show in the tree. */
  nsOpen: Record<string, boolean>;
  ns: string;
  groups: GroupInfo[];
  snapshots: SnapshotInfo[];
  loading: boolean;
  error?: ContractError;
  filter: string;
  /** Open groups, by groupKey(). */
  expanded: Record<string, boolean>;
  selected?: SnapshotSelector;
  detail?: SnapshotDetail;
  detailLoading: boolean;
  detailError?: ContractError;
  /** Key file path per source id, as typed in this session. */
  keyFiles: Record<string, string>;
  /** Groups picked for "Restore latest snapshots…", by groupKey(). */
  picked: Record<string, boolean>;
}

export interface CatalogSlice {
  catalog: CatalogState;
  patchCatalog(patch: Partial<CatalogState>): void;
  toggleGroup(key: string, open?: boolean): void;
  /** Picks (or unpicks) groups for a batch restore; `keys` undefined with false unpicks all. */
  pickGroups(keys: string[] | undefined, picked: boolean): void;
}

export const groupKey = (g: { ns: string; backupType: string; backupId: string }): string => `${g.ns}|${g.backupType}/${g.backupId}`;

export const sameSnapshot = (a: SnapshotSelector | undefined, b: SnapshotSelector | undefined): boolean =>
  !!a && !!b && a.ns === b.ns && a.type === b.type && a.id === b.id && a.time === b.time;

export const createCatalogSlice: Slice<CatalogSlice> = (set) => ({
  catalog: { namespaces: [''], nsGroups: {}, nsOpen: {}, ns: '', groups: [], snapshots: [], loading: false, filter: '', expanded: {}, detailLoading: false, keyFiles: {}, picked: {} },
  patchCatalog: (patch) => set((s) => ({ catalog: { ...s.catalog, ...patch } })),
  pickGroups: (keys, picked) =>
    set((s) => {
      if (!keys) return { catalog: { ...s.catalog, picked: {} } };
      const next = { ...s.catalog.picked };
      for (const k of keys) {
        if (picked) next[k] = true;
        else delete next[k];
      }
      return { catalog: { ...s.catalog, picked: next } };
    }),
  toggleGroup: (key, open) =>
    set((s) => ({ catalog: { ...s.catalog, expanded: { ...s.catalog.expanded, [key]: open ?? !s.catalog.expanded[key] } } })),
});
