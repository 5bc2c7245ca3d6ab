// Notices (toasts) in one live region: errors as alerts with what to do next, confirmations as
// status messages. Errors stay until dismissed (an error should not vanish while the user looked
// away); confirmations of what the user just did fade after a few seconds. Job completions do not
// depend on a toast: the jobs list and the job view keep them (backrest#1242).
import { useEffect } from 'react';
import { useStore, type AppState } from '../store/index.ts';

/** Confirmations go away by themselves after this long; errors stay until dismissed. */
const INFO_MS = 6000;

function useInfoTimeout(notices: AppState['notices'], dismiss: (id: number) => void): void {
  useEffect(() => {
    const timers = notices.filter((n) => n.kind === 'info').map((n) => setTimeout(() => dismiss(n.id), INFO_MS));
    return () => timers.forEach(clearTimeout);
  }, [notices, dismiss]);
}

export function Notices() {
  const notices = useStore((s) => s.notices);
  const dismiss = useStore((s) => s.dismiss);
  useInfoTimeout(notices, dismiss);
  return (
    <div className="notices" aria-live="polite" aria-relevant="additions">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
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
