// The whole-VM side of a job (docs/jobs.md): its request turned into prepareSnapshotRestore's (each
// disk's own target, force and sparse, the target folder, the config's place, resume, the job's
// rate cap and slots), and its request as shown once the snapshot is open (every disk named, with
// the target it got, in the snapshot's order; where the config goes).
import type { DiskChoice, JobRequest } from '../../shared/contract.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import type { BackupSource } from '../source/chunkSource.ts';
import { prepareSnapshotRestore, type DiskChoice as EngineDisk, type PreparedSnapshotRestore, type SnapshotRestoreRequest } from '../engine/snapshotRestore.ts';
import { toRef } from './catalog.ts';

/** What the job adds to its request: the key, its concurrency and rate, and the service's shared parts. */
export type VmRunOptions = Pick<SnapshotRestoreRequest, 'concurrency' | 'rate' | 'sharedRates' | 'stall' | 'decoder' | 'slots' | 'stateDir' | 'recorder'> & { crypt?: CryptConfig; signal: AbortSignal };

export function prepareVmJob(r: JobRequest, source: BackupSource, o: VmRunOptions): Promise<PreparedSnapshotRestore> {
  const restore = r.mode === 'restore';
  const target = (d: DiskChoice): EngineDisk['target'] =>
    restore && d.target ? { path: d.target, ...(d.force !== undefined ? { force: d.force } : {}), ...(d.sparse !== undefined ? { sparse: d.sparse } : {}) } : undefined;
  return prepareSnapshotRestore({
    ...o,
    source,
    ref: toRef(r.snapshot),
    mode: r.mode,
    disks: r.disks === 'all' || r.disks === undefined ? 'all' : r.disks.map((d) => ({ archive: d.archive, ...(target(d) ? { target: target(d)! } : {}) })),
    ...(restore && r.targetDir ? { dir: r.targetDir, createDir: r.createTargetDir ?? false } : {}),
    ...(r.config ? { config: r.config } : {}),
    force: r.force ?? false,
    sparse: r.sparse ?? true,
    // Continuing an earlier run (jobs.continue): finished disks are skipped, the others resumed.
    ...(restore && r.resume ? { resume: true } : {}),
  });
}

/** The request with its disks resolved, as the job shows it from now on. */
export function resolvedRequest(r: JobRequest, vm: PreparedSnapshotRestore): JobRequest {
  const asked = Array.isArray(r.disks) ? r.disks : [];
  const { config: _c, ...rest } = r;
  return {
    ...rest,
    disks: vm.disks.map((d) => {
      const mine = asked.find((a) => a.archive === d.archive || `${a.archive}.fidx` === d.archive);
      return { ...mine, archive: d.archive, ...(d.target ? { target: d.target } : {}) };
    }),
    ...(vm.config ? { config: vm.config } : {}),
  };
}

