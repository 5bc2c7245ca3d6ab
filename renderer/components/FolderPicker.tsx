// Choosing a folder: the native dialog in the desktop app (shell.chooseFolder), and in browser
// mode, which has none, a small dialog listing folders from the service (targets.folders: under
// the home folder and earlier targets' folders only, so a page with the token cannot walk the
// whole machine). Open a folder to go into it, "Up" to go back, "Choose this folder" to take the
// one shown. It is rendered into <body> so it never nests inside the form that opened it.
import { useCallback, useEffect, useId, useState } from 'react';
import { createPortal } from 'react-dom';
import type { ContractError, FolderListing } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import { api } from '../api/current.ts';
import { useStore } from '../store/index.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorBox } from './ErrorBox.tsx';

/** A folder outline (no emoji: not every system has a font for it). */
function FolderIcon() {
  return (
    <svg className="folder-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M1.5 3.5h4.2l1.5 1.5h7.3v8h-13z" fill="none" stroke="currentColor" strokeWidth="1.2" strokeLinejoin="round" />
    </svg>
  );
}

export function FolderPickerDialog(props: { title: string; start?: string; onPick(path: string): void; onClose(): void }) {
  const id = useId();
  const [listing, setListing] = useState<FolderListing | undefined>();
  const [error, setError] = useState<ContractError | undefined>();
  const [hidden, setHidden] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (path: string | undefined, fallback: boolean): Promise<void> => {
      setBusy(true);
      try {
        setListing(await api().invoke('targets.folders', { ...(path ? { path } : {}), ...(hidden ? { hidden } : {}) }));
        setError(undefined);
      } catch (e) {
        // A start folder that is gone or not listable: begin at home instead, quietly.
        if (fallback && path) return load(undefined, false);
        setError(toContractError(e));
      } finally {
        setBusy(false);
      }
    },
    [hidden],
  );

  // The start folder (the field's folder) or home; again when hidden folders are switched.
  useEffect(() => {
    void load(listing?.path ?? props.start, true);
  }, [load]); // the folder shown is read here, not followed: only `hidden` reloads

  return createPortal(
    <Dialog title={props.title} onClose={props.onClose} className="folder-picker">
      <p className="mono small picker-path" aria-live="polite" data-testid="picker-path">
        {listing?.path ?? '…'}
      </p>
      {listing && listing.roots.length > 1 && (
        <p className="small picker-roots">
          {listing.roots.map((r) => (
            <button key={r} type="button" className="link" onClick={() => void load(r, false)}>
              {r}
            </button>
          ))}
        </p>
      )}
      {error && <ErrorBox error={error} />}
      <ul className="picker-list" aria-label="Folders" aria-busy={busy}>
        {listing?.parent && (
          <li>
            <button type="button" className="row-button" data-autofocus onClick={() => void load(listing.parent, false)}>
              <span aria-hidden="true">↑</span> Up to {listing.parent.split('/').pop() || '/'}
            </button>
          </li>
        )}
        {listing?.folders.map((f) => (
          <li key={f.path}>
            <button type="button" className="row-button" aria-label={`Open ${f.name}`} onClick={() => void load(f.path, false)}>
              <FolderIcon /> {f.name}
            </button>
          </li>
        ))}
        {listing && !listing.folders.length && <li className="muted">No folders in here.</li>}
      </ul>
      {listing?.truncated && <p className="hint warn-text">Only the first {listing.folders.length} folders are shown: type the path if yours is not among them.</p>}
      <label className="check">
        <input id={`${id}-hidden`} type="checkbox" checked={hidden} onChange={(e) => setHidden(e.currentTarget.checked)} />
        Show hidden folders
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!listing}
          onClick={() => {
            props.onPick(listing!.path);
            props.onClose();
          }}
        >
          Choose this folder
        </button>
      </div>
    </Dialog>,
    document.body,
  );
}

/**
 * A "Choose…" button for a folder field: the native dialog on the desktop, the listing dialog in
 * browser mode. `onPick` gets the folder chosen.
 */
export function ChooseFolderButton(props: { title: string; start?: string; onPick(path: string): void; onError?(e: ContractError): void; label?: string }) {
  const native = useStore((s) => !!s.info?.dialogs);
  const [open, setOpen] = useState(false);
  const choose = (): void => {
    if (!native) return setOpen(true);
    api()
      .invoke('shell.chooseFolder', {})
      .then((p) => p && props.onPick(p), (e) => props.onError?.(toContractError(e)));
  };
  return (
    <>
      <button type="button" onClick={choose} aria-haspopup="dialog">
        {props.label ?? 'Choose…'}
      </button>
      {open && <FolderPickerDialog title={props.title} {...(props.start ? { start: props.start } : {})} onPick={props.onPick} onClose={() => setOpen(false)} />}
    </>
  );
}
