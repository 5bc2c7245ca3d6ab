// The file browser (one archive of a snapshot at a time) and the files jobs. The browser keeps
// the folders listed so far (lazily, as they are opened), which are open, what is selected (by
// path, with its entry for sizes), and the filter. Files jobs come from the service's events.
import type { ContractError, FilesJobInfo, SnapshotDetail } from '../../shared/contract.ts';
import type { FileEntry, FilesProgress } from '../../shared/files.ts';
import type { Slice } from './state.ts';

export interface FolderState {
  entries?: FileEntry[];
  loading: boolean;
  error?: ContractError;
}

export interface FileBrowserState {
  sourceId: string;
  detail: SnapshotDetail;
  /** The manifest file name (root.pxar.didx, drive-scsi0.img.fidx). */
  archive: string;
  browseId?: string;
  opening: boolean;
  /** Opening failed (a missing key shows the key form). */
  error?: ContractError;
  root?: FileEntry;
  /** Notes on a disk image's layout (a damaged primary GPT, …), shown above the listing. */
  warnings?: string[];
  folders: Record<string, FolderState>;
  expanded: Record<string, boolean>;
  selected: Record<string, FileEntry>;
  filter: string;
  /** Files jobs started from this browser, newest first. */
  jobIds: string[];
}

export interface FilesSlice {
  browser?: FileBrowserState;
  filesJobs: Record<string, FilesJobInfo>;
  setBrowser(b: FileBrowserState | undefined): void;
  patchBrowser(patch: Partial<FileBrowserState>): void;
  setFolder(path: string, f: FolderState): void;
  toggleFolder(path: string, open?: boolean): void;
  toggleSelected(path: string, entry: FileEntry, on?: boolean): void;
  upsertFilesJobs(jobs: FilesJobInfo[]): void;
  applyFilesProgress(jobId: string, p: FilesProgress): void;
}

const FINAL = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

export const createFilesSlice: Slice<FilesSlice> = (set) => ({
  filesJobs: {},
  setBrowser: (browser) => set({ browser }),
  patchBrowser: (patch) => set((s) => (s.browser ? { browser: { ...s.browser, ...patch } } : s)),
  setFolder: (path, f) => set((s) => (s.browser ? { browser: { ...s.browser, folders: { ...s.browser.folders, [path]: f } } } : s)),
  toggleFolder: (path, open) =>
    set((s) => (s.browser ? { browser: { ...s.browser, expanded: { ...s.browser.expanded, [path]: open ?? !s.browser.expanded[path] } } } : s)),
  toggleSelected: (path, entry, on) =>
    set((s) => {
      if (!s.browser) return s;
      const selected = { ...s.browser.selected };
      if (on ?? !selected[path]) selected[path] = entry;
      else delete selected[path];
      return { browser: { ...s.browser, selected } };
    }),
  upsertFilesJobs: (list) =>
    set((s) => {
      const filesJobs = { ...s.filesJobs };
      for (const j of list) {
        const have = filesJobs[j.id];
        // A late event never takes a finished job back, and counters never go down.
        if (have && FINAL.has(have.state) && !FINAL.has(j.state)) continue;
        const progress = have?.progress && j.progress && have.progress.at > j.progress.at ? have.progress : (j.progress ?? have?.progress);
        filesJobs[j.id] = { ...j, ...(progress ? { progress } : {}) };
      }
      return { filesJobs };
    }),
  applyFilesProgress: (jobId, p) =>
    set((s) => {
      const job = s.filesJobs[jobId];
      if (!job || FINAL.has(job.state) || (job.progress && job.progress.at > p.at)) return s;
      return { filesJobs: { ...s.filesJobs, [jobId]: { ...job, progress: p } } };
    }),
});
