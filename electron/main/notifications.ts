// A desktop notification when a job ends, as the settings allow ('all', 'errors', 'off').
// Clicking it brings the window forward.
import { Notification } from 'electron';
import type { JobInfo, Settings } from '../../shared/contract.ts';
import { jobEndNotice } from '../../shared/jobNames.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import type { RestoreService } from '../service/service.ts';

export function notifyWhenJobsEnd(service: RestoreService, focus: () => void): void {
  let level: Settings['notifications'] = 'all';
  void service.invoke('settings.get', {}).then((s) => (level = s.notifications));
  service.on('settings', (s) => (level = s.notifications));
  const done = new Set<string>();
  service.on('job', (job: JobInfo) => {
    if (!isFinalState(job.state) || done.has(job.id)) return;
    done.add(job.id);
    const notice = jobEndNotice(job, level);
    if (!notice || !Notification.isSupported()) return;
    const n = new Notification({
      ...notice,
      urgency: job.state === 'failed' ? 'critical' : 'normal',
    });
    n.on('click', focus);
    n.show();
  });
}
