// Browser mode's notifications when a job ends, as the desktop app shows them (same words, same
// setting), through the page's Notification API: only while the page is in the background (in
// front, the page itself shows the end), and only once the user allowed them. Permission is asked
// from a click (Settings), never on load: browsers refuse or penalise prompts nobody asked for.
import type { RestoreConsoleApi } from '../../shared/contract.ts';
import { jobEndNotice } from '../../shared/jobNames.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import { useStore } from '../store/index.ts';

/** The API where the page has one (absent in the desktop app's check below, and in old browsers). */
function notificationApi(): typeof Notification | undefined {
  return typeof Notification === 'function' ? Notification : undefined;
}

/** 'granted', 'denied', 'default', or 'unsupported' (no Notification API here). */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return notificationApi()?.permission ?? 'unsupported';
}

/** Asks for permission; call it from a click handler only. */
export async function askNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  const N = notificationApi();
  if (!N) return 'unsupported';
  return N.requestPermission();
}

export function startBrowserNotifications(api: RestoreConsoleApi): () => void {
  // Jobs seen ending already (the job event repeats for a final job: forget, a deleted partial).
  const ended = new Set<string>();
  return api.on('job', (job) => {
    const st = useStore.getState();
    if (!isFinalState(job.state) || ended.has(job.id)) return;
    ended.add(job.id);
    // The desktop app notifies from its main process.
    if (!st.info || st.info.shell === 'electron' || !document.hidden) return;
    const N = notificationApi();
    const notice = st.settings && jobEndNotice(job, st.settings.notifications);
    if (!N || N.permission !== 'granted' || !notice) return;
    const n = new N(notice.title, { body: notice.body, tag: job.id });
    n.onclick = () => {
      window.focus();
      useStore.getState().navigate({ view: 'job', id: job.id });
      n.close();
    };
  });
}
