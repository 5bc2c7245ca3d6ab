// Settings the service keeps (settings.json in the data folder): what a new restore starts with
// (concurrency, rate cap, sparse files), one rate cap and one budget of chunks in flight for all
// running jobs together, how many jobs run at once, and desktop notifications. Each change is
// saved at once.
import { useId, useState } from 'react';
import type { Settings } from '../../shared/contract.ts';
import { DEFAULT_CHUNK_BUDGET, DEFAULT_CONCURRENCY, MAX_CHUNK_BUDGET } from '../../shared/limits.ts';
import { api } from '../api/current.ts';
import { reportError } from '../actions/notify.ts';
import { askNotificationPermission, notificationPermission } from '../actions/browserNotify.ts';
import { useRateInput } from '../components/useRateInput.ts';
import { ConcurrencyField } from './restoreFields.tsx';
import { useStore } from '../store/index.ts';

function save(patch: Partial<Settings>): void {
  api()
    .invoke('settings.set', patch)
    .then((s) => useStore.getState().setSettings(s), (e) => reportError(e, 'Settings'));
}

/** A rate field saved on Enter or when left; empty is no cap. */
function RateField({ label, hint, value, onSave }: { label: string; hint: string; value: number; onSave: (rate: number) => void }) {
  const id = useId();
  const { text, setText, bad, apply } = useRateInput(value, onSave);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="mono rate-input"
        value={text}
        placeholder="no cap"
        spellCheck={false}
        aria-invalid={bad || undefined}
        aria-describedby={`${id}-hint`}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && apply()}
      />
      <p id={`${id}-hint`} className={bad ? 'hint danger-text' : 'hint'}>
        {bad ? 'Not a rate: write e.g. 50MB, 20MiB or 1.5GB (per second), or leave it empty.' : hint}
      </p>
    </div>
  );
}

export function SettingsView() {
  const id = useId();
  const s = useStore((st) => st.settings);
  if (!s) {
    return (
      <section className="screen">
        <h1 tabIndex={-1}>Settings</h1>
        <p className="muted">Loading…</p>
      </section>
    );
  }
  const auto = s.defaultConcurrency === 'auto';
  const n = typeof s.defaultConcurrency === 'number' ? s.defaultConcurrency : DEFAULT_CONCURRENCY;
  return (
    <section className="screen" aria-labelledby={`${id}-title`}>
      <header className="screen-head">
        <h1 id={`${id}-title`} tabIndex={-1}>
          Settings
        </h1>
        <p className="muted">Kept by the service in its data folder; each change is saved at once.</p>
      </header>
      <div className="card form settings">
        <h2 className="card-title">New restores start with</h2>
        <ConcurrencyField
          id={id}
          auto={auto}
          value={n}
          onAuto={(a) => save({ defaultConcurrency: a ? 'auto' : DEFAULT_CONCURRENCY })}
          onValue={(v) => save({ defaultConcurrency: v })}
        />
        <RateField
          label="Rate cap of a new restore"
          hint="Bytes read from the source per second, e.g. 50MB or 20MiB; empty for none. Each restore can change its own while it runs."
          value={s.defaultRate}
          onSave={(defaultRate) => save({ defaultRate })}
        />
        <label className="check">
          <input type="checkbox" checked={s.sparseByDefault} onChange={(e) => save({ sparseByDefault: e.currentTarget.checked })} />
          Sparse files (zero chunks become holes)
        </label>

        <h2 className="card-title">All jobs together</h2>
        <RateField
          label="Rate cap for all running jobs"
          hint="One cap shared by every running restore and verify, on top of their own caps (the lower one holds); empty for none."
          value={s.globalRate}
          onSave={(globalRate) => save({ globalRate })}
        />
        <div className="field">
          <label htmlFor={`${id}-budget`}>Chunks in flight, all jobs</label>
          <input
            id={`${id}-budget`}
            type="number"
            min={1}
            max={MAX_CHUNK_BUDGET}
            value={s.chunkBudget}
            aria-describedby={`${id}-budget-hint`}
            onChange={(e) => {
              const v = Number(e.currentTarget.value);
              if (Number.isInteger(v) && v >= 1 && v <= MAX_CHUNK_BUDGET) save({ chunkBudget: v });
            }}
          />
          <p id={`${id}-budget-hint`} className="hint">
            One budget shared by every running job (default {DEFAULT_CHUNK_BUDGET}): each job's own concurrency applies within its fair share of it.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-jobs`}>Jobs running at once</label>
          <input
            id={`${id}-jobs`}
            type="number"
            min={1}
            max={16}
            value={s.maxRunningJobs}
            onChange={(e) => {
              const v = Number(e.currentTarget.value);
              if (Number.isInteger(v) && v >= 1 && v <= 16) save({ maxRunningJobs: v });
            }}
          />
          <p className="hint">More wait in the queue.</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-notes`}>Desktop notifications when a job ends</label>
          <select id={`${id}-notes`} value={s.notifications} onChange={(e) => save({ notifications: e.currentTarget.value as Settings['notifications'] })}>
            <option value="all">Always</option>
            <option value="errors">Only when it fails</option>
            <option value="off">Never</option>
          </select>
          <BrowserNotifications />
        </div>
      </div>
    </section>
  );
}

/** Browser mode: notifications need the browser's permission, asked only when this is clicked. */
function BrowserNotifications() {
  const browser = useStore((s) => s.info !== undefined && s.info.shell !== 'electron');
  const [permission, setPermission] = useState(notificationPermission);
  if (!browser) return null;
  if (permission === 'unsupported') return <p className="hint">This browser cannot show notifications.</p>;
  if (permission === 'granted') return <p className="hint">Shown by this browser while the page is in the background.</p>;
  if (permission === 'denied') return <p className="hint warn-text">This browser blocks notifications from this page: allow them in its site settings.</p>;
  return (
    <p className="hint">
      In browser mode the browser shows them, while the page is in the background.{' '}
      <button type="button" onClick={() => void askNotificationPermission().then(setPermission)}>
        Allow notifications in this browser
      </button>
    </p>
  );
}
