// A progress sample and a job for the renderer's tests, with any field overridden.
import type { JobInfo } from '../../shared/contract.ts';
import type { ProgressCounters } from '../../shared/progress.ts';

export function sample(over: Partial<ProgressCounters> = {}): ProgressCounters {
  return {
    at: 1000,
    elapsedMs: 0,
    totalBytes: 1000,
    totalChunks: 10,
    doneBytes: 0,
    doneChunks: 0,
    zeroBytes: 0,
    zeroChunks: 0,
    sourceBytes: 0,
    reusedChunks: 0,
    inFlight: 0,
    writing: 0,
    limit: 4,
    auto: false,
    limitReason: 'user',
    paused: false,
    ...over,
  };
}

export function job(over: Partial<JobInfo> = {}): JobInfo {
  return {
    id: 'j1',
    mode: 'restore',
    state: 'running',
    request: { mode: 'restore', sourceId: 's', snapshot: { ns: '', type: 'vm', id: '100', time: 1 }, archive: 'drive-scsi0.img.fidx', target: '/t.raw', sourceLabel: 'src' },
    concurrency: 4,
    createdAt: 1,
    ...over,
  };
}
