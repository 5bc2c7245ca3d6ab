// Navigation between the screens, the active jobs (each a link to its live view), the shell and
// connection state, and the display preferences (theme, units).
import { StateBadge } from '../components/StateBadge.tsx';
import { useJobHead } from '../components/useJobHead.ts';
import { isActiveState } from '../../shared/jobStates.ts';
import { jobTitle, jobWhere } from '../format/jobText.ts';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { formatPercent } from '../../shared/units.ts';
import type { Route } from '../store/appSlice.ts';
import { useStore } from '../store/index.ts';
import { useShallow } from 'zustand/react/shallow';

function NavLink({ to, label, count }: { to: Route; label: string; count?: number }) {
  const current = useStore((s) => s.route.view === to.view || (to.view === 'jobs' && s.route.view === 'job'));
  const navigate = useStore((s) => s.navigate);
  return (
    <li>
      <a
        href={`#/${to.view}`}
        aria-current={current ? 'page' : undefined}
        className={current ? 'nav-link current' : 'nav-link'}
        onClick={(e) => {
          e.preventDefault();
          navigate(to);
        }}
      >
        {label}
        {count ? <span className="nav-count">{count}</span> : null}
      </a>
    </li>
  );
}

function ActiveJob({ id }: { id: string }) {
  // The head (no progress) and the whole percent: this re-renders once a percent, not 10 times a second.
  const job = useJobHead(id);
  const pct = useStore((s) => {
    const p = s.jobs[id]?.progress;
    return p ? formatPercent(p.doneBytes, p.totalBytes, 0) : '';
  });
  const whole = pct ? Number.parseFloat(pct) : 0;
  const navigate = useStore((s) => s.navigate);
  if (!job) return null;
  return (
    <li>
      <a
        href={`#/jobs/${id}`}
        className="active-job"
        onClick={(e) => {
          e.preventDefault();
          navigate({ view: 'job', id });
        }}
      >
        <span className="active-job-title">{jobTitle(job)}</span>
        {/* Two jobs of one disk read apart by where they write (or, for a verify, the snapshot). */}
        <span className="active-job-where mono" data-testid="active-job-where" title={job.request.target ?? job.request.targetDir}>
          {jobWhere(job)}
        </span>
        <span className="active-job-state">
          <StateBadge state={job.state} /> <span data-testid="active-job-percent">{pct}</span>
        </span>
        <ProgressBar value={whole} max={100} label={`${jobTitle(job)} ${jobWhere(job)}`} text={pct || 'not started'} />
      </a>
    </li>
  );
}

function Preferences() {
  const prefs = useStore((s) => s.prefs);
  const setPrefs = useStore((s) => s.setPrefs);
  return (
    <fieldset className="prefs">
      <legend className="visually-hidden">Display</legend>
      <label>
        Theme
        <select value={prefs.theme} onChange={(e) => setPrefs({ theme: e.currentTarget.value as typeof prefs.theme })}>
          <option value="system">System</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
      <label>
        Units
        <select value={prefs.units} onChange={(e) => setPrefs({ units: e.currentTarget.value as typeof prefs.units })}>
          <option value="si">MB (10⁶)</option>
          <option value="iec">MiB (2²⁰)</option>
        </select>
      </label>
    </fieldset>
  );
}

export function Sidebar() {
  const active = useStore(useShallow((s) => Object.values(s.jobs).filter((j) => isActiveState(j.state)).sort((a, b) => a.createdAt - b.createdAt).map((j) => j.id)));
  const sourceCount = useStore((s) => s.sources.length);
  const info = useStore((s) => s.info);
  const connected = useStore((s) => s.connected);
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="sidebar-inner">
        <div className="brand">
          <img src="./favicon.svg" alt="" width={24} height={24} />
          <span>Restore Console</span>
        </div>
        <ul className="nav">
          <NavLink to={{ view: 'sources' }} label="Sources" count={sourceCount} />
          <NavLink to={{ view: 'browse' }} label="Browse" />
          <NavLink to={{ view: 'jobs' }} label="Jobs" count={active.length} />
          <NavLink to={{ view: 'settings' }} label="Settings" />
        </ul>
        {active.length > 0 && (
          <section className="active-jobs" aria-label="Active jobs">
            <h2 className="sidebar-heading">Active</h2>
            <ul>
              {active.map((id) => (
                <ActiveJob key={id} id={id} />
              ))}
            </ul>
          </section>
        )}
        <div className="sidebar-foot">
          <Preferences />
          <p className="shell-line muted small">
            {info ? `${info.shell === 'electron' ? 'Desktop app' : 'Browser mode'} · v${info.version}` : 'Connecting…'}
            {info && info.shell !== 'electron' && !connected ? <span className="warn-text"> · events disconnected</span> : null}
          </p>
        </div>
      </div>
    </nav>
  );
}
