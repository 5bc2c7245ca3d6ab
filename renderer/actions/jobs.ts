// Job actions: start a restore (and go to it), pause, resume, cancel, steer the concurrency, and
// load what a job view shows (its log, its chunk map).
import type { Concurrency, StartJobArgs } from '../../shared/contract.ts';
import { api } from '../api/current.ts';
import { useStore } from '../store/index.ts';
import { mapKey } from '../store/jobsSlice.ts';
import { reportError } from './notify.ts';
import type { JobLike } from '../format/jobText.ts';
import { retryArgs } from '../format/retryArgs.ts';

export async function startJob(args: StartJobArgs): Promise<string> {
  const job = await api().invoke('jobs.start', args);
  const st = useStore.getState();
  st.upsertJobs([job]);
  st.navigate({ view: 'job', id: job.id });
  return job.id;
}

export function pauseJob(id: string): void {
  api().invoke('jobs.pause', { id }).then((j) => useStore.getState().upsertJobs([j]), (e) => reportError(e, 'Pause'));
}

export function resumeJob(id: string): void {
  api().invoke('jobs.resume', { id }).then((j) => useStore.getState().upsertJobs([j]), (e) => reportError(e, 'Resume'));
}

export function cancelJob(id: string): void {
  api().invoke('jobs.cancel', { id }).then((j) => useStore.getState().upsertJobs([j]), (e) => reportError(e, 'Cancel'));
}

export function forgetJob(id: string): void {
  api()
    .invoke('jobs.forget', { id })
    .then(() => useStore.getState().removeJob(id), (e) => reportError(e, 'Remove from history'));
}

// Slider moves come fast (a held arrow key repeats ~30 times a second); only the last value of a
// burst is sent, while the slider shows every value at once (the optimistic "requested" value).
const pending = new Map<string, ReturnType<typeof setTimeout>>();

/** Asks for a concurrency; `now` skips the wait for more slider moves (the auto switch). */
export function setConcurrency(id: string, c: Concurrency, now = false): void {
  useStore.getState().setRequested(id, c);
  clearTimeout(pending.get(id));
  pending.set(
    id,
    setTimeout(() => {
      pending.delete(id);
      api()
        .invoke('jobs.setConcurrency', { id, concurrency: c })
        .then(
          (j) => {
            const st = useStore.getState();
            st.upsertJobs([j]);
            if (st.requested[id] === j.concurrency) st.setRequested(id, undefined);
          },
          (e) => {
            useStore.getState().setRequested(id, undefined);
            reportError(e, 'Concurrency');
          },
        );
    }, now ? 0 : 120),
  );
}

export async function loadJobLog(id: string): Promise<void> {
  // Open the log first, so lines arriving as events while logs.get runs are kept too.
  if (!useStore.getState().jobLogs[id]) useStore.getState().addLogLines(id, []);
  try {
    const lines = await api().invoke('logs.get', { jobId: id });
    useStore.getState().addLogLines(id, lines);
  } catch (e) {
    reportError(e, 'Job log');
  }
}

export async function loadChunkMap(id: string, disk = 0): Promise<void> {
  try {
    const map = await api().invoke('jobs.chunkMap', { id, ...(disk ? { disk } : {}) });
    if (map && !useStore.getState().chunkMaps[mapKey(id, disk)]) useStore.getState().setChunkMap(id, map, disk);
  } catch {
    // A job from an earlier run has no map; the view says so.
  }
}

/** Sets a running job's cap on source bytes per second (0: none). */
export function setRate(id: string, rate: number): void {
  api().invoke('jobs.setRate', { id, rate }).then((j) => useStore.getState().upsertJobs([j]), (e) => reportError(e, 'Rate cap'));
}

/** Starts the job that continues a failed, cancelled or interrupted restore, and goes to it. */
export async function continueJob(id: string, password?: string): Promise<void> {
  const job = await api().invoke('jobs.continue', { id, ...(password ? { password } : {}) });
  const st = useStore.getState();
  st.upsertJobs([job]);
  api().invoke('jobs.get', { id }).then((old) => useStore.getState().upsertJobs([old]), () => {});
  st.navigate({ view: 'job', id: job.id });
}

/** Deletes the partial file and resume state a restore left. */
export function deletePartial(id: string): void {
  api().invoke('jobs.deletePartial', { id }).then((j) => useStore.getState().upsertJobs([j]), (e) => reportError(e, 'Delete partial file'));
}

/**
 * Retry: the same request as a new job, from the beginning. What the old run left at a file target
 * (its `.partial` and resume state) is deleted first, after the user agreed: a restore does not
 * start over a partial file by itself.
 */
/** Whether a restore left partial files (one, or one per unfinished disk) that no later job continues. */
export function leavesPartial(job: JobLike): boolean {
  return job.mode === 'restore' && (!!job.partialPath || !!job.partialPaths?.length) && !job.continuedBy;
}

export async function retryJob(job: JobLike, password?: string): Promise<string> {
  if (leavesPartial(job)) await api().invoke('jobs.deletePartial', { id: job.id });
  return startJob(retryArgs(job, password));
}
