// File browser actions: open an archive of the selected snapshot, list folders as they are
// opened, and start files jobs from the selection: a download (the desktop app asks where with a
// native dialog; a browser downloads through the page) or an extraction into a folder. Answers
// for a browser that was closed or replaced meanwhile are dropped.
import type { FilesOutputArgs, KeyArgs, SnapshotDetail } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import { downloadName } from '../../shared/files.ts';
import { pageToken } from '../api/connect.ts';
import { api } from '../api/current.ts';
import { useStore } from '../store/index.ts';
import { reportError } from './notify.ts';

const st = () => useStore.getState();
let opening = 0;

export async function openFileBrowser(sourceId: string, detail: SnapshotDetail, archive: string, key?: KeyArgs): Promise<void> {
  await closeFileBrowser();
  const mine = ++opening;
  st().setBrowser({ sourceId, detail, archive, opening: true, folders: {}, expanded: { '/': true }, selected: {}, filter: '', jobIds: [] });
  const snapshot = { ns: detail.info.ns, type: detail.info.backupType, id: detail.info.backupId, time: detail.info.backupTime };
  try {
    const b = await api().invoke('files.open', { sourceId, snapshot, archive, ...(key ? { key } : {}) });
    if (mine !== opening || !st().browser) {
      void api().invoke('files.close', { browseId: b.id }).catch(() => {});
      return;
    }
    st().patchBrowser({ browseId: b.id, root: b.root, warnings: b.warnings, opening: false, error: undefined });
    await loadFolder('/');
  } catch (e) {
    if (mine === opening) st().patchBrowser({ opening: false, error: toContractError(e) });
  }
}

/** Opens again with a key (after MISSING_KEY or a wrong password). */
export function retryWithKey(key: KeyArgs): void {
  const b = st().browser;
  if (b) void openFileBrowser(b.sourceId, b.detail, b.archive, key);
}

export async function closeFileBrowser(): Promise<void> {
  const b = st().browser;
  opening++;
  st().setBrowser(undefined);
  if (b?.browseId) await api().invoke('files.close', { browseId: b.browseId }).catch(() => {});
}

export async function loadFolder(path: string): Promise<void> {
  const b = st().browser;
  if (!b?.browseId) return;
  const browseId = b.browseId;
  st().setFolder(path, { loading: true, ...(b.folders[path]?.entries ? { entries: b.folders[path].entries } : {}) });
  try {
    const entries = await api().invoke('files.list', { browseId, path });
    if (st().browser?.browseId === browseId) st().setFolder(path, { loading: false, entries });
  } catch (e) {
    if (st().browser?.browseId === browseId) st().setFolder(path, { loading: false, error: toContractError(e) });
  }
}

/** Opens or closes a folder, listing it the first time. */
export function toggleFolder(path: string): void {
  const b = st().browser;
  if (!b) return;
  const open = !b.expanded[path];
  st().toggleFolder(path, open);
  if (open && !b.folders[path]?.entries && !b.folders[path]?.loading) void loadFolder(path);
}

/** What a download of the selection is called, and whether it is one file as itself. */
export function downloadShape(): { single: boolean; name: string } {
  const b = st().browser!;
  const sel = Object.entries(b.selected);
  const [path, entry] = sel[0] ?? [];
  const sole = sel.length === 1 && path !== '/' ? entry : undefined;
  return { single: !!sole && (sole.type === 'file' || sole.type === 'hardlink'), name: downloadName(b.archive, sole) };
}

async function start(output: FilesOutputArgs): Promise<string | undefined> {
  const b = st().browser;
  if (!b?.browseId) return undefined;
  const paths = Object.keys(b.selected);
  const job = await api().invoke('files.start', { browseId: b.browseId, paths, output });
  st().upsertFilesJobs([job]);
  st().patchBrowser({ jobIds: [job.id, ...(st().browser?.jobIds ?? [])] });
  return job.id;
}

/** Download: the desktop app asks where to save it; a browser gets it as a page download. */
export async function downloadSelection(): Promise<void> {
  try {
    const { single, name } = downloadShape();
    if (st().info?.dialogs) {
      const path = await api().invoke('shell.chooseSaveFile', { defaultName: name });
      // The save dialog already asked before replacing an existing file.
      if (path) await start({ kind: single ? 'file' : 'zip', path, force: true });
      return;
    }
    const id = await start({ kind: 'download' });
    const job = id ? st().filesJobs[id] : undefined;
    if (!job?.download) return;
    const a = document.createElement('a');
    a.href = `${job.download.path}?token=${encodeURIComponent(pageToken() ?? '')}`;
    a.download = job.download.name;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
  } catch (e) {
    reportError(e, 'Download');
  }
}

/** Extract into a folder: chosen with a native dialog in the desktop app, typed in a browser. */
export async function extractSelection(typedFolder?: string): Promise<void> {
  try {
    const folder = st().info?.dialogs ? await api().invoke('shell.chooseFolder', {}) : typedFolder;
    if (folder) await start({ kind: 'folder', path: folder });
  } catch (e) {
    reportError(e, 'Extract');
  }
}

export function cancelFilesJob(id: string): void {
  api().invoke('files.cancel', { id }).then((j) => st().upsertFilesJobs([j]), (e) => reportError(e, 'Cancel'));
}
