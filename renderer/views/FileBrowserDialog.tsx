// Browse files: a file archive (*.pxar) or a disk image of the selected snapshot as a tree that
// lists each folder when it is opened, with sizes, dates and a filter on names. Files and folders
// are ticked and then downloaded (one file as itself, anything else as a zip) or extracted into a
// folder, each as a files job whose progress and summary (what was skipped, and why) show below.
import { useId, useState } from 'react';
import type { FilesJobInfo } from '../../shared/contract.ts';
import type { FileEntry } from '../../shared/files.ts';
import { formatBytes, formatTime } from '../../shared/units.ts';
import { rememberKeyFile } from '../actions/catalog.ts';
import { cancelFilesJob, closeFileBrowser, downloadShape, downloadSelection, extractSelection, retryWithKey, toggleFolder } from '../actions/files.ts';
import { Dialog } from '../components/Dialog.tsx';
import { ChooseFolderButton } from '../components/FolderPicker.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { archiveName } from '../format/jobText.ts';
import { useStore } from '../store/index.ts';

/** Entries shown per folder; the filter narrows the rest down. */
const SHOWN = 500;
const KEY_CODES = new Set(['MISSING_KEY', 'KEY_PASSWORD_REQUIRED', 'WRONG_PASSWORD', 'WRONG_KEY', 'KEYFILE_INVALID']);
const joinPath = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const isFolder = (e: FileEntry): boolean => e.type === 'dir' || e.type === 'partition';

function KeyPrompt({ sourceId }: { sourceId: string }) {
  const id = useId();
  const demo = useStore((s) => s.sources.find((x) => x.id === sourceId)?.demo);
  const remembered = useStore((s) => s.catalog.keyFiles[sourceId]);
  const [keyfile, setKeyfile] = useState(remembered ?? demo?.keyFile ?? '');
  const [password, setPassword] = useState('');
  return (
    <form
      className="key-form"
      onSubmit={(e) => {
        e.preventDefault();
        rememberKeyFile(sourceId, keyfile);
        retryWithKey({ keyfile, ...(password ? { password } : {}) });
      }}
    >
      <label htmlFor={`${id}-k`}>Key file</label>
      <input id={`${id}-k`} className="mono" value={keyfile} required spellCheck={false} onChange={(e) => setKeyfile(e.currentTarget.value)} />
      <label htmlFor={`${id}-p`}>Key file password</label>
      <div className="input-row">
        <input id={`${id}-p`} type="password" autoComplete="off" data-autofocus value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <button type="submit" className="primary">
          Open
        </button>
      </div>
    </form>
  );
}

function EntryRow({ dir, entry, level }: { dir: string; entry: FileEntry; level: number }) {
  const path = joinPath(dir, entry.name);
  const units = useStore((s) => s.prefs.units);
  const open = useStore((s) => !!s.browser?.expanded[path]);
  const selected = useStore((s) => !!s.browser?.selected[path]);
  const toggleSelected = useStore((s) => s.toggleSelected);
  // A partition whose filesystem cannot be read says why on its row; there is nothing to open or take.
  const closed = entry.type === 'partition' && !!entry.unsupported;
  const folder = isFolder(entry) && !closed;
  const detail =
    entry.type === 'symlink'
      ? `→ ${entry.target ?? ''}`
      : entry.type === 'hardlink'
        ? `same file as ${entry.target ?? ''}`
        : entry.type === 'partition'
          ? [entry.fs ?? 'unknown', entry.partitionType, entry.label, entry.unsupported].filter(Boolean).join(' · ')
          : entry.type === 'dir' || entry.type === 'file'
            ? ''
            : entry.type;
  return (
    <li role="treeitem" aria-level={level} aria-selected={selected} {...(folder ? { 'aria-expanded': open } : {})} className="tree-item">
      <div className="tree-row">
        <input type="checkbox" aria-label={`Select ${entry.name || 'everything'}`} checked={selected} disabled={closed} onChange={(e) => toggleSelected(path, entry, e.currentTarget.checked)} />
        {folder ? (
          <button type="button" className="tree-toggle" aria-label={`${open ? 'Close' : 'Open'} ${entry.name || '/'}`} onClick={() => toggleFolder(path)}>
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span className="tree-toggle" aria-hidden="true" />
        )}
        <span className={`tree-name ${folder ? 'folder' : ''}`}>
          {entry.name}
          {folder ? '/' : ''}
          {detail && <span className="muted small"> {detail}</span>}
        </span>
        <span className="tree-size muted small">{entry.type === 'file' || entry.type === 'hardlink' || entry.type === 'partition' ? formatBytes(entry.size, units) : ''}</span>
        <span className="tree-date muted small">{entry.mtime ? formatTime(entry.mtime * 1000) : ''}</span>
      </div>
      {folder && open && <Folder path={path} level={level + 1} />}
    </li>
  );
}

function Folder({ path, level }: { path: string; level: number }) {
  const state = useStore((s) => s.browser?.folders[path]);
  const filter = useStore((s) => s.browser?.filter ?? '').trim().toLowerCase();
  const expanded = useStore((s) => s.browser?.expanded);
  if (!state || (state.loading && !state.entries)) return <p className="muted small tree-note">Listing…</p>;
  if (state.error) return <ErrorBox error={state.error} />;
  const entries = state.entries ?? [];
  // The filter keeps matching names and the open folders (to reach what is inside them).
  const shown = filter ? entries.filter((e) => e.name.toLowerCase().includes(filter) || (isFolder(e) && expanded?.[joinPath(path, e.name)])) : entries;
  return (
    <ul role="group" className="tree-group">
      {shown.length === 0 && <li className="muted small tree-note">{entries.length ? 'Nothing here matches the filter.' : 'Empty folder.'}</li>}
      {shown.slice(0, SHOWN).map((e) => (
        <EntryRow key={e.name} dir={path} entry={e} level={level} />
      ))}
      {shown.length > SHOWN && <li className="muted small tree-note">{shown.length - SHOWN} more entries: narrow them down with the filter.</li>}
    </ul>
  );
}

function JobLine({ job }: { job: FilesJobInfo }) {
  const units = useStore((s) => s.prefs.units);
  const p = job.progress;
  const out = job.request.output;
  const where = out.kind === 'download' ? `download ${job.download?.name ?? ''}` : out.kind === 'folder' ? `into ${out.path}` : `to ${out.path}`;
  const active = job.state === 'waiting' || job.state === 'running' || job.state === 'cancelling';
  const s = job.summary;
  return (
    <li className="files-job" aria-label={`Files job ${where}`}>
      <div className="files-job-head">
        <span className={`badge state-${job.state}`}>{job.state}</span>
        <span className="files-job-where">{where}</span>
        {active && (
          <button type="button" onClick={() => cancelFilesJob(job.id)}>
            Cancel
          </button>
        )}
      </div>
      {job.state === 'waiting' && <p className="muted small">Waiting for the browser to fetch the download…</p>}
      {active && p && p.phase === 'scan' && <p className="muted small">Counting what to copy…</p>}
      {active && p && p.phase === 'copy' && (
        <>
          <ProgressBar value={p.bytes} max={p.totalBytes ?? 0} label="Files job progress" text={`${p.files} entries, ${formatBytes(p.bytes, units)}`} />
          <p className="muted small">
            {p.files}
            {p.totalFiles !== undefined ? ` of ${p.totalFiles}` : ''} entries · {formatBytes(p.bytes, units)}
            {p.totalBytes !== undefined ? ` of ${formatBytes(p.totalBytes, units)}` : ''}
            {p.skipped ? ` · ${p.skipped} skipped` : ''}
          </p>
        </>
      )}
      {s && (
        <p className="small">
          {s.files} entries, {formatBytes(s.bytes, units)} in {s.seconds.toFixed(1)} s{s.skippedCount ? ` · ${s.skippedCount} skipped` : ''}
        </p>
      )}
      {job.error && job.state !== 'cancelled' && <ErrorBox error={job.error} />}
      {s && s.skipped.length > 0 && (
        <details className="files-skipped">
          <summary>What was skipped</summary>
          <ul>
            {s.skipped.map((x) => (
              <li key={x.path}>
                <span className="mono">{x.path}</span> <code>{x.code}</code> <span className="muted">{x.message}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

function Actions() {
  const id = useId();
  const info = useStore((s) => s.info);
  const units = useStore((s) => s.prefs.units);
  const selected = useStore((s) => s.browser?.selected ?? {});
  const entries = Object.values(selected);
  const [folder, setFolder] = useState(info?.targetDir ?? '');
  const count = entries.length;
  const bytes = entries.reduce((n, e) => n + (e.type === 'file' || e.type === 'hardlink' ? e.size : 0), 0);
  const shape = count ? downloadShape() : undefined;
  return (
    <div className="files-actions">
      <p className="muted small" aria-live="polite">
        {count === 0 ? 'Tick files or folders to download or extract them.' : `${count} selected${bytes ? ` · ${formatBytes(bytes, units)} in files` : ''}`}
      </p>
      <div className="button-row">
        <button type="button" className="primary" disabled={!count} onClick={() => void downloadSelection()}>
          {shape?.single ? 'Download file' : 'Download .zip'}
        </button>
        {info?.dialogs ? (
          <button type="button" disabled={!count} onClick={() => void extractSelection()}>
            Extract to folder…
          </button>
        ) : (
          <form
            className="input-row"
            onSubmit={(e) => {
              e.preventDefault();
              void extractSelection(folder);
            }}
          >
            <label htmlFor={`${id}-dir`} className="visually-hidden">
              Folder to extract into
            </label>
            <input id={`${id}-dir`} className="mono" value={folder} placeholder="/path/to/folder" spellCheck={false} onChange={(e) => setFolder(e.currentTarget.value)} />
            <ChooseFolderButton title="Extract into the folder" start={folder} onPick={setFolder} label="Folder…" />
            <button type="submit" disabled={!count || !folder}>
              Extract here
            </button>
          </form>
        )}
      </div>
    </div>
  );
}

export function FileBrowserDialog() {
  const b = useStore((s) => s.browser)!;
  const patch = useStore((s) => s.patchBrowser);
  const jobs = useStore((s) => s.filesJobs);
  const filterId = useId();
  const info = b.detail.info;
  const title = `Files in ${archiveName(b.archive)}`;
  return (
    <Dialog title={title} onClose={() => void closeFileBrowser()} className="files-dialog">
      <p className="muted small">
        {info.ns ? `${info.ns}/` : ''}
        {info.backupType}/{info.backupId} · {formatTime(info.backupTime * 1000)}
      </p>
      {b.opening && <p className="muted">Opening the archive…</p>}
      {b.error && (
        <>
          <ErrorBox error={b.error} title="Cannot open this archive" />
          {KEY_CODES.has(b.error.code) && <KeyPrompt sourceId={b.sourceId} />}
        </>
      )}
      {b.root && (
        <>
          {!!b.warnings?.length && (
            <div className="banner banner-warn" role="note" aria-label="Notes on this disk">
              {b.warnings.map((w) => (
                <p key={w}>{w[0]!.toUpperCase() + w.slice(1)}.</p>
              ))}
            </div>
          )}
          <div className="files-toolbar">
            <label htmlFor={filterId}>Filter</label>
            <input id={filterId} type="search" value={b.filter} placeholder="part of a name" data-autofocus onChange={(e) => patch({ filter: e.currentTarget.value })} />
          </div>
          <div className="files-tree">
            <ul role="tree" aria-label={title} aria-multiselectable="true">
              <EntryRow dir="" entry={{ ...b.root, name: '' }} level={1} />
            </ul>
          </div>
          <Actions />
        </>
      )}
      {b.jobIds.length > 0 && (
        <section aria-label="Files jobs">
          <h3 className="section-title">Downloads and extractions</h3>
          <ul className="files-jobs">{b.jobIds.map((id) => jobs[id] && <JobLine key={id} job={jobs[id]} />)}</ul>
        </section>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={() => void closeFileBrowser()}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
