// A desktop notification when a job ends, as the settings allow ('all', 'errors', 'off').
// Clicking it brings the window forward.
import { Notification } from 'electron';
import type { FinalJobState, JobInfo, Settings } from '../../shared/contract.ts';
import { jobDisks } from '../../shared/jobNames.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import type { RestoreService } from '../service/service.ts';

const TITLES: Record<FinalJobState, string> = { succeeded: 'finished', failed: 'failed', cancelled: 'cancelled' };

export function notifyWhenJobsEnd(service: RestoreService, focus: () => void): void {
  let level: Settings['notifications'] = 'all';
  void service.invoke('settings.get', {}).then((s) => (level = s.notifications));
  service.on('settings', (s) => (level = s.notifications));
  const done = new Set<string>();
  service.on('job', (job: JobInfo) => {
    if (!isFinalState(job.state) || done.has(job.id)) return;
    const outcome = TITLES[job.state];
    done.add(job.id);
    if (level === 'off' || (level === 'errors' && job.state !== 'failed')) return;
    if (!Notification.isSupported()) return;
    const n = new Notification({
      title: `${job.mode === 'restore' ? 'Restore' : 'Verify'} ${outcome}: ${jobDisks(job.request)}`,
      body: job.message ?? '',
      urgency: job.state === 'failed' ? 'critical' : 'normal',
    });
    n.on('click', focus);
    n.show();
  });
}
