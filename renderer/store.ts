// One zustand store for the wiring page. The contract listener lives outside React (start()):
// it writes events into the store, and components select only what they show.
import { create } from 'zustand';
import type { AppInfo, DemoStatus, JobInfo, RestoreConsoleApi, SourceInfo } from '../shared/contract.ts';

export interface State {
  connected: boolean;
  info?: AppInfo;
  sources: SourceInfo[];
  jobs: Record<string, JobInfo>;
  demo?: DemoStatus;
  error?: string;
}

export const useStore = create<State>(() => ({ connected: false, sources: [], jobs: {} }));

const set = useStore.setState;

export function reportError(e: unknown): void {
  const err = e as { code?: string; message?: string };
  set({ error: `${err.code ? `[${err.code}] ` : ''}${err.message ?? String(e)}` });
}

/** Subscribes first, then loads, so nothing that happens in between is missed. */
export async function start(api: RestoreConsoleApi): Promise<void> {
  api.on('sources', (sources) => set({ sources }));
  api.on('demo', (demo) => set({ demo }));
  api.on('job', (job) => set((s) => ({ jobs: { ...s.jobs, [job.id]: job } })));
  api.on('job.removed', ({ id }) => set((s) => ({ jobs: Object.fromEntries(Object.entries(s.jobs).filter(([k]) => k !== id)) })));
  api.on('progress', ({ jobId, progress }) =>
    set((s) => {
      const job = s.jobs[jobId];
      return job ? { jobs: { ...s.jobs, [jobId]: { ...job, progress } } } : {};
    }),
  );
  const [info, sources, jobs, demo] = await Promise.all([api.invoke('app.info', {}), api.invoke('sources.list', {}), api.invoke('jobs.list', {}), api.invoke('demo.status', {})]);
  set((s) => ({ info, sources, demo, jobs: { ...Object.fromEntries(jobs.map((j) => [j.id, j])), ...s.jobs } }));
}
