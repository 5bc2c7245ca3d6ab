// Progress of a restore or verify job: cumulative counters plus a timestamp, so any sampler can
// derive rates and nothing is lost when samples are dropped. Counters never go backwards.
import type { ContractError } from './errors.ts';

export interface ProgressCounters {
  /** Wall-clock time of this sample, ms since the epoch. */
  at: number;
  /** Milliseconds the job has been running, pauses included. */
  elapsedMs: number;
  totalBytes: number;
  totalChunks: number;
  /** Image bytes done (written or verified), zero chunks included. */
  doneBytes: number;
  doneChunks: number;
  zeroBytes: number;
  zeroChunks: number;
  /** Encoded bytes read from the source (what crossed the disk or the network). */
  sourceBytes: number;
  /**
   * Image bytes and chunks found already written and synced by an earlier run of this restore
   * (resume; docs/resume.md). Counted in doneBytes/doneChunks from the start, so rates taken from
   * differences of doneBytes, and the ETA, cover only this run's work. Absent or 0 otherwise.
   */
  resumedBytes?: number;
  resumedChunks?: number;
  /** Chunks whose data was reused from an earlier position with the same digest (not fetched again). */
  reusedChunks: number;
  /** Chunks being fetched or decoded right now (what the limit bounds). */
  inFlight: number;
  /** Decoded chunks waiting for or in a positional write. */
  writing: number;
  /** The concurrency limit in force. */
  limit: number;
  /** True when the auto-tuner sets the limit. */
  auto: boolean;
  /** Why the limit last changed ("user", "auto: probe up", …). */
  limitReason: string;
  paused: boolean;
  /** The cap on source bytes per second in force for this job (its own or the global one, the lower); absent or 0: none. */
  rateLimit?: number;
  /** True when the cap held chunk reads back during the last second (throughput is the cap's, not the engine's). */
  rateLimited?: boolean;
  /** Set while stalled: epoch ms since when no source bytes arrived although chunks were in flight. */
  stalledSince?: number;
  /** A job over several disks (a whole VM): one row per disk, in the snapshot's order. */
  disks?: DiskProgress[];
}

/** One disk of a whole-VM job: its own counters and how it stands. */
export interface DiskProgress {
  archive: string;
  totalBytes: number;
  totalChunks: number;
  doneBytes: number;
  doneChunks: number;
  zeroBytes: number;
  state: 'running' | JobOutcome;
}

export type JobOutcome = 'succeeded' | 'failed' | 'cancelled';

export interface RestoreSummary {
  status: JobOutcome;
  mode: 'restore' | 'verify';
  bytes: number;
  zeroBytes: number;
  sourceBytes: number;
  /** Image bytes an earlier run had already written (resume); not part of mbPerSec. 0 or absent for a fresh restore. */
  resumedBytes?: number;
  chunks: number;
  zeroChunks: number;
  seconds: number;
  /** Image bytes per second in MB (10^6 bytes), of this run's work (resumed bytes excluded). */
  mbPerSec: number;
  /** The highest image throughput over about one second while it ran, in MB/s (set by the service). */
  peakMbPerSec?: number;
  /** The restored file or device (on success), or where partial data was left. */
  target?: string;
  partial?: boolean;
  error?: ContractError;
  /** A job over several disks: each disk's result, in the snapshot's order. */
  archives?: ArchiveSummary[];
  /** A restore over several disks: where the guest configuration was written (absent: none). */
  config?: string;
}

/** One disk's result in a whole-VM job. */
export interface ArchiveSummary {
  archive: string;
  /** The restored file or device, or where its partial data was left. */
  target?: string;
  status: JobOutcome;
  bytes: number;
  zeroBytes: number;
  sourceBytes: number;
  chunks: number;
  zeroChunks: number;
  /** Image bytes an earlier run of the job had already written (resume; all of them for a disk it finished). */
  resumedBytes?: number;
  partial?: boolean;
  error?: ContractError;
}

/** The summary of a job that ended before its engine ran (cancelled while queued, failed opening). */
export function emptySummary(status: JobOutcome, mode: RestoreSummary['mode'], seconds = 0, error?: ContractError): RestoreSummary {
  return { status, mode, bytes: 0, zeroBytes: 0, sourceBytes: 0, chunks: 0, zeroChunks: 0, seconds, mbPerSec: 0, ...(error ? { error } : {}) };
}
