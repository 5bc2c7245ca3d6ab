// A modal dialog on the native <dialog> element: showModal() gives the focus trap, Esc, the
// backdrop and inert page behind it for free, and screen readers announce it as a dialog with
// its title (aria-labelledby).
import { useEffect, useId, useRef, type ReactNode } from 'react';

export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; className?: string; describedBy?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    // showModal() focuses the first focusable element; React's autoFocus sets no attribute it
    // could see, so the field meant to start with the focus carries data-autofocus instead.
    d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const close = (): void => onClose.current();
    d.addEventListener('close', close);
    return () => {
      d.removeEventListener('close', close);
      if (d.open) d.close();
    };
  }, []);
  return (
    <dialog ref={ref} className={`dialog ${props.className ?? ''}`} aria-labelledby={titleId} {...(props.describedBy ? { 'aria-describedby': props.describedBy } : {})}>
      <h2 id={titleId} className="dialog-title">
        {props.title}
      </h2>
      {props.children}
    </dialog>
  );
}

/** A yes/no question about a destructive step; the safe answer has the focus. */
export function ConfirmDialog(props: { title: string; children: ReactNode; confirm: string; cancel?: string; danger?: boolean; onConfirm: () => void; onClose: () => void }) {
  const textId = useId();
  return (
    <Dialog title={props.title} onClose={props.onClose} describedBy={textId}>
      <div id={textId} className="dialog-body">
        {props.children}
      </div>
      <div className="dialog-actions">
        <button type="button" data-autofocus onClick={props.onClose}>
          {props.cancel ?? 'Keep it'}
        </button>
        <button
          type="button"
          className={props.danger ? 'danger' : 'primary'}
          onClick={() => {
            props.onConfirm();
            props.onClose();
          }}
        >
          {props.confirm}
        </button>
      </div>
    </Dialog>
  );
}
