// The rules that keep what the page shows honest, whatever order or how often samples arrive
// (an event stream that reconnects and replays, a job list loaded while events flow):
// - cumulative counters never go backwards and never pass the total (kopia#3077 "Processed 10 of 9");
// - a sample older than the one shown is dropped;
// - nothing changes a job's progress once it is in a final state, except the final sample itself
//   arriving with the state change (wire-android#5245: late progress after cancel).
import type { JobInfo } from '../../shared/contract.ts';
import type { ProgressCounters } from '../../shared/progress.ts';
import { isFinalState } from '../../shared/jobStates.ts';

const CUMULATIVE = ['doneBytes', 'doneChunks', 'zeroBytes', 'zeroChunks', 'sourceBytes', 'reusedChunks'] as const;

/** The sample to show after `prev` when `next` arrives; `prev` itself when next adds nothing. */
export function mergeProgress(prev: ProgressCounters | undefined, next: ProgressCounters): ProgressCounters {
  if (!prev) return clampToTotal(next);
  if (next.at < prev.at) return prev;
  const out = { ...next };
  for (const k of CUMULATIVE) out[k] = Math.max(prev[k], next[k]);
  out.elapsedMs = Math.max(prev.elapsedMs, next.elapsedMs);
  return clampToTotal(out);
}

function clampToTotal(p: ProgressCounters): ProgressCounters {
  if (p.totalBytes > 0 && p.doneBytes > p.totalBytes) p = { ...p, doneBytes: p.totalBytes };
  if (p.totalChunks > 0 && p.doneChunks > p.totalChunks) p = { ...p, doneChunks: p.totalChunks };
  return p;
}

/** How far along a job is: states only move up this scale (running and paused alternate). */
const RANK: Record<JobInfo['state'], number> = { queued: 0, running: 1, paused: 1, cancelling: 2, cancelled: 3, failed: 3, succeeded: 3 };

/**
 * A job's new info (from a 'job' event, a command's answer or a listing) merged with what the
 * page already has. Answers and events travel apart (HTTP and the event stream), so an older
 * view can arrive after a newer one: `jobs.start` answering "queued" after the event that said
 * "running", or a pause answered after the resume event. An older view never replaces a newer
 * one: the state never moves back down the scale, and within running/paused the view with the
 * later progress sample wins.
 */
export function mergeJob(prev: JobInfo | undefined, next: JobInfo): JobInfo {
  if (!prev) return next;
  const stale =
    RANK[next.state] < RANK[prev.state] ||
    (RANK[next.state] === RANK[prev.state] && next.state !== prev.state && !!prev.progress && !!next.progress && next.progress.at < prev.progress.at);
  if (stale) return isFinalState(prev.state) || !next.progress ? prev : { ...prev, progress: mergeProgress(prev.progress, next.progress) };
  const progress = next.progress ? mergeProgress(prev.progress, next.progress) : prev.progress;
  return progress ? { ...next, progress } : next;
}

/** The job after a progress event; unchanged when the job is unknown or already final. */
export function applyProgressEvent(job: JobInfo | undefined, p: ProgressCounters): JobInfo | undefined {
  if (!job || isFinalState(job.state)) return job;
  const progress = mergeProgress(job.progress, p);
  return progress === job.progress ? job : { ...job, progress };
}
