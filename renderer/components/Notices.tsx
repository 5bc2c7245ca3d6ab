// Notices (toasts) in one live region: errors as alerts with what to do next, confirmations as
// status messages. Errors stay until dismissed (an error should not vanish while the user looked
// away); confirmations of what the user just did go after INFO_MS, each on its own clock (one
// timer per notice, set when it appears: a new notice no longer restarts the others' time, which
// kept them up for ten seconds and more). At most three show (store/appSlice.ts), in the top
// right corner, clear of the job log at the bottom of the page; Escape or × dismisses. Job
// completions do not depend on a toast: the jobs list and the job view keep them (backrest#1242).
import { useEffect, useRef } from 'react';
import { useStore } from '../store/index.ts';

/** Confirmations go away by themselves after this long; errors stay until dismissed. */
export const INFO_MS = 4000;

export function Notices() {
  const notices = useStore((s) => s.notices);
  const dismiss = useStore((s) => s.dismiss);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const live = timers.current;
    for (const n of notices) if (n.kind === 'info' && !live.has(n.id)) live.set(n.id, setTimeout(() => dismiss(n.id), INFO_MS));
    for (const [id, t] of live) {
      if (notices.some((n) => n.id === id)) continue;
      clearTimeout(t);
      live.delete(id);
    }
  }, [notices, dismiss]);
  useEffect(() => {
    const live = timers.current;
    return () => {
      for (const t of live.values()) clearTimeout(t);
      live.clear();
    };
  }, []);

  return (
    <div
      className="notices"
      aria-live="polite"
      aria-relevant="additions"
      onKeyDown={(e) => {
        if (e.key === 'Escape') for (const n of notices) dismiss(n.id);
      }}
    >
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          <div className="notice-text">
            <strong>{n.text}</strong>
            {n.next && <div>{n.next}</div>}
            {n.detail && <div className="muted small">{n.detail}</div>}
          </div>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
