// One restore or verify from request to summary: plan the archive, open the target (with its
// resume state), run the engine, close everything. Shared by the CLI and the service so both
// behave the same. Every chunk read passes the job's rate gate (its own cap, changeable while it
// runs, and any shared caps), whether a cap is set or not.
import type { RestoreSummary } from '../../shared/progress.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import type { SnapshotRef } from '../pbs/names.ts';
import type { BackupSource } from '../source/chunkSource.ts';
import { RateGate, rateLimitedSource } from '../source/rateLimitedSource.ts';
import type { TokenBucket } from '../source/tokenBucket.ts';
import { openImageArchive, type ArchivePlan } from './archivePlan.ts';
import { AutoTuner } from './autoTuner.ts';
import type { ChunkDecoder } from './decoder.ts';
import { sharedDecodePool } from './decodePool.ts';
import { clampConcurrency, DEFAULT_CONCURRENCY } from '../../shared/limits.ts';
import { RestoreEngine } from './restoreEngine.ts';
import { openResumableTarget, restoreIdentity, type OpenedResumable, type ResumableTargetRequest } from './resumableTarget.ts';
import type { RetryPolicy } from '../source/retry.ts';
import type { StallOptions } from './stallWatch.ts';
import type { JobSlotsLike } from './slotBudget.ts';

export interface RestoreRequest {
  source: BackupSource;
  ref: SnapshotRef;
  archive: string;
  crypt?: CryptConfig;
  /** Omit to verify only. `resume`: continue the partial target of an earlier run (docs/resume.md). */
  target?: { path: string; force?: boolean; sparse?: boolean; resume?: boolean };
  /** The data folder: block devices keep their resume state there. */
  stateDir?: string;
  concurrency?: number | 'auto';
  /** This job's cap on source bytes per second (0 or absent: none); changeable later through `gate`. */
  rate?: number;
  /** Caps shared with other jobs (the service's cap across all jobs). */
  sharedRates?: readonly TokenBucket[];
  stall?: StallOptions;
  /** Retries of transient source errors (default: the engine's). */
  retry?: RetryPolicy;
  /** How often the resume state is saved, and hooks for tests. */
  recorder?: ResumableTargetRequest['recorder'];
  /** Defaults to the process's shared worker pool. */
  decoder?: ChunkDecoder;
  signal?: AbortSignal;
  /**
   * The job's slots inside the machine's budget of chunks in flight (slotBudget.ts; the service
   * passes a lender): closed when the job ends or fails to start. Default: a limiter of its own.
   */
  slots?: JobSlotsLike;
}

export interface PreparedRestore {
  plan: ArchivePlan;
  engine: RestoreEngine;
  /** Owns the limit while enabled ("auto"); a user's limit disables it. */
  tuner: AutoTuner;
  /** The job's rate cap: `gate.rate = bytesPerSecond` changes it while the job runs. */
  gate: RateGate;
  /** The resumable target, when restoring: where its state is, and what an earlier run left. */
  target?: OpenedResumable;
  /** Runs to the end and releases the source; never throws. */
  run(): Promise<RestoreSummary>;
}

/** Checks everything that can be checked before the first chunk; throws RestoreError on problems. */
export async function prepareRestore(req: RestoreRequest): Promise<PreparedRestore> {
  let plan: ArchivePlan;
  try {
    plan = await openImageArchive(req.source, req.ref, req.archive, req.crypt, req.signal);
  } catch (e) {
    req.slots?.close?.();
    throw e;
  }
  let opened: OpenedResumable | undefined;
  try {
    if (req.target) {
      opened = await openResumableTarget({
        ...req.target,
        // Never inside the datastore this restore reads.
        ...(req.source.localPath !== undefined ? { forbidden: [req.source.localPath] } : {}),
        identity: restoreIdentity(req.source.label, req.ref, plan),
        ...(req.stateDir ? { stateDir: req.stateDir } : {}),
        ...(req.recorder ? { recorder: req.recorder } : {}),
      });
    }
  } catch (e) {
    req.slots?.close?.();
    await plan.reader.close();
    throw e;
  }
  const gate = new RateGate(req.rate ?? 0, { shared: req.sharedRates ?? [], estimate: plan.index.chunkSize });
  const auto = req.concurrency === 'auto';
  const initial = typeof req.concurrency === 'number' ? req.concurrency : auto ? AutoTuner.INITIAL_LIMIT : DEFAULT_CONCURRENCY;
  if (req.slots) req.slots.limit = clampConcurrency(initial);
  const engine = new RestoreEngine(
    {
      index: plan.index,
      source: rateLimitedSource(plan.reader, gate),
      cryptMode: plan.cryptMode,
      zeroDigest: plan.zeroDigest,
      ...(plan.crypt ? { crypt: plan.crypt } : {}),
    },
    {
      concurrency: initial,
      ...(req.slots ? { slots: req.slots } : {}),
      ...(opened ? { target: opened.target } : {}),
      ...(opened?.resumed ? { resumed: opened.resumed } : {}),
      decoder: req.decoder ?? sharedDecodePool(),
      ...(req.signal ? { signal: req.signal } : {}),
      rate: gate,
      ...(req.stall ? { stall: req.stall } : {}),
      ...(req.retry ? { retry: req.retry } : {}),
    },
  );
  const slots = req.slots;
  // Auto under the budget never aims past the share this job could get (docs/jobs.md).
  const tuner = new AutoTuner(engine, slots?.ceiling ? { maxLimit: () => slots.ceiling!() } : {});
  if (auto) tuner.enable();
  return {
    plan,
    engine,
    tuner,
    gate,
    ...(opened ? { target: opened } : {}),
    async run() {
      try {
        return await engine.run();
      } finally {
        tuner.disable();
        slots?.close?.();
        await plan.reader.close();
      }
    },
  };
}

