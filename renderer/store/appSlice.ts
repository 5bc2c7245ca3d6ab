// The page itself: which shell serves it, whether the event stream is up, where the user is
// (mirrored in location.hash so a reload stays put), the restore dialogs and the notices.
import type { SnapshotInfo } from '../../shared/catalog.ts';
import type { AppInfo, SnapshotDetail } from '../../shared/contract.ts';
import type { Slice } from './state.ts';

export type Route = { view: 'sources' } | { view: 'browse' } | { view: 'jobs' } | { view: 'job'; id: string } | { view: 'settings' };

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /** What to do about it (errors). */
  next?: string;
  detail?: string;
}

/** What the restore dialog was opened for. */
export interface RestoreRequest {
  sourceId: string;
  detail: SnapshotDetail;
  archive: string;
}

/** What the whole-VM restore dialog was opened for: every disk of this snapshot. */
export interface RestoreVmRequest {
  sourceId: string;
  detail: SnapshotDetail;
}

/** What the batch dialog was opened for: the newest snapshot of each selected group. */
export interface RestoreBatchRequest {
  sourceId: string;
  snapshots: SnapshotInfo[];
}

export interface AppSlice {
  info?: AppInfo;
  /** The event stream is connected (always true in the desktop app). */
  connected: boolean;
  /** Browser mode: the service refused this page's token (it was rotated with serve --new-token). */
  tokenRefused?: boolean;
  /** The first load finished (sources and jobs are known). */
  loaded: boolean;
  route: Route;
  restore?: RestoreRequest;
  restoreVm?: RestoreVmRequest;
  restoreBatch?: RestoreBatchRequest;
  notices: Notice[];
  navigate(route: Route): void;
  openRestore(r: RestoreRequest): void;
  closeRestore(): void;
  openRestoreVm(r: RestoreVmRequest): void;
  closeRestoreVm(): void;
  openRestoreBatch(r: RestoreBatchRequest): void;
  closeRestoreBatch(): void;
  notify(n: Omit<Notice, 'id'>): void;
  dismiss(id: number): void;
}

let nextNotice = 0;

export const createAppSlice: Slice<AppSlice> = (set) => ({
  connected: false,
  loaded: false,
  route: { view: 'sources' },
  notices: [],
  navigate: (route) => set({ route }),
  openRestore: (restore) => set({ restore }),
  closeRestore: () => set({ restore: undefined }),
  openRestoreVm: (restoreVm) => set({ restoreVm }),
  closeRestoreVm: () => set({ restoreVm: undefined }),
  openRestoreBatch: (restoreBatch) => set({ restoreBatch }),
  closeRestoreBatch: () => set({ restoreBatch: undefined }),
  // The newest five are enough: older ones were seen or are in the log.
  notify: (n) => set((s) => ({ notices: [...s.notices, { ...n, id: ++nextNotice }].slice(-5) })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((x) => x.id !== id) })),
});

export function routeToHash(r: Route): string {
  return r.view === 'job' ? `#/jobs/${encodeURIComponent(r.id)}` : `#/${r.view}`;
}

export function routeFromHash(hash: string): Route | undefined {
  const m = /^#\/(sources|browse|jobs|settings)(?:\/([^/]+))?$/.exec(hash);
  if (!m) return undefined;
  if (m[1] === 'jobs' && m[2]) return { view: 'job', id: decodeURIComponent(m[2]) };
  if (m[2]) return undefined;
  return { view: m[1] as 'sources' | 'browse' | 'jobs' | 'settings' };
}
