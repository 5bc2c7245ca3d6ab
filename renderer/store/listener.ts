// The single event listener of the page, outside React: every contract event is written into the
// store here (progress also into the sample history), and components only read the store. It
// subscribes before the first load, so nothing that happens in between is missed; the load then
// merges with what events already brought (mergeJob keeps the newest state and counters).
import type { RestoreConsoleApi } from '../../shared/contract.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import { demoChanged } from '../actions/catalog.ts';
import { forgetSamples, recordSample } from './samples.ts';
import { useStore } from './index.ts';

export function startListener(api: RestoreConsoleApi): () => void {
  const s = useStore.getState;
  const offs = [
    api.on('sources', (list) => s().setSources(list)),
    api.on('demo', (demo) => {
      const before = s().demo;
      s().setDemo(demo);
      demoChanged(before, demo);
    }),
    api.on('settings', (settings) => s().setSettings(settings)),
    api.on('job', (job) => {
      if (job.progress) recordSample(job.id, job.progress);
      s().upsertJobs([job]);
      // The service confirmed a concurrency: the slider no longer needs its own value.
      const asked = s().requested[job.id];
      if (asked !== undefined && asked === job.concurrency) s().setRequested(job.id, undefined);
    }),
    api.on('job.removed', ({ id }) => {
      forgetSamples(id);
      s().removeJob(id);
    }),
    api.on('progress', ({ jobId, progress }) => {
      const job = s().jobs[jobId];
      if (!job || isFinalState(job.state)) return;
      recordSample(jobId, progress);
      s().applyProgress(jobId, progress);
    }),
    api.on('chunkMap', ({ jobId, map, disk }) => s().setChunkMap(jobId, map, disk)),
    api.on('filesJob', (job) => s().upsertFilesJobs([job])),
    api.on('filesProgress', ({ jobId, progress }) => s().applyFilesProgress(jobId, progress)),
    api.on('log', (entry) => {
      // Only logs someone opened are kept; the rest stay in the service (logs.get).
      if (entry.jobId && s().jobLogs[entry.jobId]) s().addLogLines(entry.jobId, [entry]);
    }),
  ];
  return () => offs.forEach((off) => off());
}

/** The first load: everything the page shows before any event. */
export async function loadInitial(api: RestoreConsoleApi): Promise<void> {
  const info = api.invoke('app.info', {});
  await loadState(api, 'merge');
  useStore.setState({ info: await info, loaded: true });
}

/**
 * After the event stream came back from a drop: jobs, sources, settings and the demo status loaded
 * again, since the events of the gap may be gone (a restarted server keeps none, so a job could
 * otherwise show "running" for ever). Jobs the service no longer lists are removed.
 */
export function reloadAfterReconnect(api: RestoreConsoleApi): Promise<void> {
  return loadState(api, 'replace');
}

async function loadState(api: RestoreConsoleApi, jobsMode: 'merge' | 'replace'): Promise<void> {
  const [sources, jobs, demo, settings, filesJobs] = await Promise.all([
    api.invoke('sources.list', {}),
    api.invoke('jobs.list', {}),
    api.invoke('demo.status', {}),
    api.invoke('settings.get', {}),
    api.invoke('files.jobs', {}),
  ]);
  for (const j of jobs) if (j.progress) recordSample(j.id, j.progress);
  const st = useStore.getState();
  if (jobsMode === 'replace') st.replaceJobs(jobs);
  else st.upsertJobs(jobs);
  st.upsertFilesJobs(filesJobs);
  st.setSources(sources);
  st.setDemo(demo);
  st.setSettings(settings);
}
