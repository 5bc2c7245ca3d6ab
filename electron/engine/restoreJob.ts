// One restore or verify from request to summary: plan the archive, open the target, run the
// engine, close everything. Shared by the CLI and the service so both behave the same.
import type { RestoreSummary } from '../../shared/progress.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import type { SnapshotRef } from '../pbs/names.ts';
import type { BackupSource } from '../source/chunkSource.ts';
import { openImageArchive, type ArchivePlan } from './archivePlan.ts';
import { AutoTuner } from './autoTuner.ts';
import type { ChunkDecoder } from './decoder.ts';
import { sharedDecodePool } from './decodePool.ts';
import { DEFAULT_CONCURRENCY } from '../../shared/limits.ts';
import { RestoreEngine } from './restoreEngine.ts';
import { openTarget } from './target.ts';

export interface RestoreRequest {
  source: BackupSource;
  ref: SnapshotRef;
  archive: string;
  crypt?: CryptConfig;
  /** Omit to verify only. */
  target?: { path: string; force?: boolean; sparse?: boolean };
  concurrency?: number | 'auto';
  /** Defaults to the process's shared worker pool. */
  decoder?: ChunkDecoder;
  signal?: AbortSignal;
}

export interface PreparedRestore {
  plan: ArchivePlan;
  engine: RestoreEngine;
  /** Owns the limit while enabled ("auto"); a user's limit disables it. */
  tuner: AutoTuner;
  /** Runs to the end and releases the source; never throws. */
  run(): Promise<RestoreSummary>;
}

/** Checks everything that can be checked before the first chunk; throws RestoreError on problems. */
export async function prepareRestore(req: RestoreRequest): Promise<PreparedRestore> {
  const plan = await openImageArchive(req.source, req.ref, req.archive, req.crypt, req.signal);
  let target;
  try {
    if (req.target) target = await openTarget({ ...req.target, size: plan.index.size });
  } catch (e) {
    await plan.reader.close();
    throw e;
  }
  const auto = req.concurrency === 'auto';
  const engine = new RestoreEngine(
    { index: plan.index, source: plan.reader, cryptMode: plan.cryptMode, zeroDigest: plan.zeroDigest, ...(plan.crypt ? { crypt: plan.crypt } : {}) },
    {
      concurrency: typeof req.concurrency === 'number' ? req.concurrency : auto ? AutoTuner.INITIAL_LIMIT : DEFAULT_CONCURRENCY,
      ...(target ? { target } : {}),
      decoder: req.decoder ?? sharedDecodePool(),
      ...(req.signal ? { signal: req.signal } : {}),
    },
  );
  const tuner = new AutoTuner(engine);
  if (auto) tuner.enable();
  return {
    plan,
    engine,
    tuner,
    async run() {
      try {
        return await engine.run();
      } finally {
        tuner.disable();
        await plan.reader.close();
      }
    },
  };
}
