// The whole-VM scenario: a VM of two disks behind a source with 20 ms per chunk, restored as one
// job (both disks at once, one limit counted over both) against the two disks restored one after
// another at the same limit, as PVE's qmrestore does. Same bytes, same limit; what differs is
// whether the link idles while one disk finishes (its last chunks, its final sync) before the
// next one starts.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BackupSource } from '../electron/source/chunkSource.ts';
import { prepareRestore } from '../electron/engine/restoreJob.ts';
import { prepareSnapshotRestore } from '../electron/engine/snapshotRestore.ts';
import { BENCH_TIME, type BenchImage } from './dataset.ts';

export const TWO_DISK_LIMIT = 16;
export const TWO_DISK_DELAY_MS = 20;

export interface TwoDiskResult {
  limit: number;
  delayMs: number;
  /** MB/s of image bytes over both disks. */
  oneJobMBps: number;
  oneByOneMBps: number;
  /** oneJob / oneByOne. */
  ratio: number;
  bytes: number;
}

const ref = (id: string) => ({ ns: '', type: 'vm' as const, id, time: BENCH_TIME });

async function clear(dir: string): Promise<void> {
  for (const f of await readdir(dir)) await rm(join(dir, f), { force: true });
}

/** Both disks in one job (prepareSnapshotRestore); seconds. */
async function oneJob(source: BackupSource, disks: BenchImage[], dir: string): Promise<number> {
  // Timed from the start, as for the disks one after another: opening the snapshot and the targets counts.
  const t0 = performance.now();
  const job = await prepareSnapshotRestore({ source, ref: ref(disks[0]!.id), mode: 'restore', disks: 'all', dir, config: false, concurrency: TWO_DISK_LIMIT });
  const s = await job.run();
  const seconds = (performance.now() - t0) / 1000;
  if (s.status !== 'succeeded') throw new Error(`bench restore failed: ${s.error?.code} ${s.error?.message}`);
  return seconds;
}

/** One disk after the other, each its own job at the same limit; seconds. */
async function oneByOne(source: BackupSource, disks: BenchImage[], dir: string): Promise<number> {
  const t0 = performance.now();
  for (const d of disks) {
    const job = await prepareRestore({ source, ref: ref(d.id), archive: d.archive, target: { path: join(dir, `${d.archive}.raw`) }, concurrency: TWO_DISK_LIMIT });
    const s = await job.run();
    if (s.status !== 'succeeded') throw new Error(`bench restore failed: ${s.error?.code} ${s.error?.message}`);
  }
  return (performance.now() - t0) / 1000;
}

/** Best of `reps` for each way, alternating so both see the same machine. */
export async function runTwoDisks(source: BackupSource, disks: BenchImage[], dir: string, reps: number, progress: (what: string) => void): Promise<TwoDiskResult> {
  const bytes = disks.reduce((n, d) => n + d.size, 0);
  let best1 = Infinity;
  let best2 = Infinity;
  for (let r = 0; r < reps; r++) {
    // Alternating which goes first, so neither always runs on a machine the other just warmed.
    for (const way of r % 2 ? ['apart', 'one job'] : ['one job', 'apart']) {
      progress(`two disks: ${way === 'apart' ? 'one after another' : 'one job'}, run ${r + 1}/${reps}`);
      if (way === 'apart') best2 = Math.min(best2, await oneByOne(source, disks, dir));
      else best1 = Math.min(best1, await oneJob(source, disks, dir));
      await clear(dir);
    }
  }
  const oneJobMBps = bytes / 1e6 / best1;
  const oneByOneMBps = bytes / 1e6 / best2;
  return { limit: TWO_DISK_LIMIT, delayMs: TWO_DISK_DELAY_MS, oneJobMBps, oneByOneMBps, ratio: oneJobMBps / oneByOneMBps, bytes };
}
