// Jobs keyed by id with their last progress sample, chunk maps, per-job logs, and the concurrency
// the user asked for on the slider before the service confirmed it (optimistic, reconciled when
// the job event comes back). Progress goes through progressMerge.ts, so counters only go up.
import type { ChunkMap, Concurrency, JobInfo, LogEntry } from '../../shared/contract.ts';
import type { ProgressCounters } from '../../shared/progress.ts';
import { applyProgressEvent, mergeJob } from './progressMerge.ts';
import type { Slice } from './state.ts';

const MAX_LOG = 500;

/** Where a disk's chunk map is kept: disk 0 (and a single-disk job's map) under the job's id. */
export const mapKey = (jobId: string, disk?: number): string => (disk ? `${jobId}#${disk}` : jobId);

export interface JobsSlice {
  jobs: Record<string, JobInfo>;
  /** By mapKey(): the job id for a single disk (or disk 0), `<id>#<disk>` for the others. */
  chunkMaps: Record<string, ChunkMap>;
  /** The slider's value while a change is on its way to the service. */
  requested: Record<string, Concurrency>;
  /** Log lines of jobs whose log was opened, oldest first. */
  jobLogs: Record<string, LogEntry[]>;
  /**
   * Bumped when a finished job's kept samples were loaded into store/samples.ts (the chart of a
   * job from before a restart): the chart redraws on it.
   */
  histories: Record<string, number>;
  historyLoaded(jobId: string): void;
  upsertJobs(jobs: JobInfo[]): void;
  /** The service's whole list: each job merged as upsertJobs does, jobs it no longer has removed. */
  replaceJobs(jobs: JobInfo[]): void;
  applyProgress(jobId: string, p: ProgressCounters): void;
  setChunkMap(jobId: string, map: ChunkMap, disk?: number): void;
  removeJob(id: string): void;
  setRequested(id: string, c: Concurrency | undefined): void;
  addLogLines(jobId: string, lines: LogEntry[]): void;
}

export const createJobsSlice: Slice<JobsSlice> = (set) => ({
  jobs: {},
  chunkMaps: {},
  requested: {},
  jobLogs: {},
  histories: {},
  historyLoaded: (jobId) => set((s) => ({ histories: { ...s.histories, [jobId]: (s.histories[jobId] ?? 0) + 1 } })),
  upsertJobs: (list) =>
    set((s) => {
      const jobs = { ...s.jobs };
      for (const j of list) jobs[j.id] = mergeJob(jobs[j.id], j);
      return { jobs };
    }),
  replaceJobs: (list) =>
    set((s) => {
      const jobs: Record<string, JobInfo> = {};
      for (const j of list) jobs[j.id] = mergeJob(s.jobs[j.id], j);
      const keep = <T,>(m: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(m).filter(([id]) => id in jobs));
      return { jobs, chunkMaps: keep(s.chunkMaps), jobLogs: keep(s.jobLogs), requested: keep(s.requested) };
    }),
  applyProgress: (jobId, p) =>
    set((s) => {
      const job = s.jobs[jobId];
      const next = applyProgressEvent(job, p);
      return next === job ? s : { jobs: { ...s.jobs, [jobId]: next! } };
    }),
  setChunkMap: (jobId, map, disk) => set((s) => ({ chunkMaps: { ...s.chunkMaps, [mapKey(jobId, disk)]: map } })),
  removeJob: (id) =>
    set((s) => {
      const { [id]: _j, ...jobs } = s.jobs;
      const chunkMaps = Object.fromEntries(Object.entries(s.chunkMaps).filter(([k]) => k !== id && !k.startsWith(`${id}#`)));
      const { [id]: _l, ...jobLogs } = s.jobLogs;
      return { jobs, chunkMaps, jobLogs };
    }),
  setRequested: (id, c) =>
    set((s) => {
      const requested = { ...s.requested };
      if (c === undefined) delete requested[id];
      else requested[id] = c;
      return { requested };
    }),
  addLogLines: (jobId, lines) =>
    set((s) => {
      const have = s.jobLogs[jobId] ?? [];
      const seen = new Set(have.map((e) => e.seq));
      const merged = [...have, ...lines.filter((e) => !seen.has(e.seq))].sort((a, b) => a.seq - b.seq || a.at - b.at);
      return { jobLogs: { ...s.jobLogs, [jobId]: merged.slice(-MAX_LOG) } };
    }),
});
