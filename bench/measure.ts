// One timed restore: throughput; what it cost per GB of work (CPU of every thread, page faults, GC
// time of the main thread and the decode workers); main-thread event-loop utilisation; peak RSS;
// the limit at the end and the highest in force.
import { rm } from 'node:fs/promises';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { sharedDecodePool } from '../electron/engine/decodePool.ts';
import type { CryptConfig } from '../electron/pbs/cryptConfig.ts';
import type { BackupSource } from '../electron/source/chunkSource.ts';
import { prepareRestore } from '../electron/engine/restoreJob.ts';
import { BENCH_TIME, type BenchImage } from './dataset.ts';

export type Mode = number | 'auto';

export interface RunResult {
  mode: Mode;
  seconds: number;
  /** Image bytes per second, zero chunks included (what a user sees). */
  mbps: number;
  /** Non-zero image bytes per second (the work that costs something). */
  workMbps: number;
  elu: number;
  /** Main-thread CPU time / wall time (process.threadCpuUsage): what the main thread really costs. */
  mainCpu: number;
  rssPeakMiB: number;
  rssBaseMiB: number;
  finalLimit: number;
  /** The highest limit in force during the run (what the memory bound allows for). */
  maxLimit: number;
  /** Process CPU seconds (all threads) per GB (10^9) of work bytes. */
  cpuSecPerGB: number;
  /** Minor page faults per GB of work bytes. */
  faultsPerGB: number;
  /** Garbage-collection milliseconds per GB of work bytes, main thread and decode workers. */
  gcMsPerGB: number;
}

/** Main-thread GC time so far (ms). */
let mainGcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) mainGcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

const MiB = 1024 * 1024;

export async function runOne(source: BackupSource, image: BenchImage, mode: Mode, target: string, crypt?: CryptConfig): Promise<RunResult> {
  const job = await prepareRestore({
    source,
    ref: { ns: '', type: 'vm', id: image.id, time: BENCH_TIME },
    archive: image.archive,
    ...(crypt ? { crypt } : {}),
    target: { path: target },
    concurrency: mode,
  });
  // A collected heap makes the baseline comparable between runs (npm run bench passes --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const rssBase = process.memoryUsage.rss();
  let rssPeak = rssBase;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
  let maxLimit = job.engine.limit;
  job.engine.on('limit', (n: number) => (maxLimit = Math.max(maxLimit, n)));
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.threadCpuUsage();
  const all0 = process.cpuUsage();
  const ru0 = process.resourceUsage();
  const gc0 = mainGcMs + sharedDecodePool().load().gcMs;
  const t0 = performance.now();
  const s = await job.run();
  const seconds = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const cpu = process.threadCpuUsage(cpu0);
  const all = process.cpuUsage(all0);
  const faults = process.resourceUsage().minorPageFault - ru0.minorPageFault;
  // Workers report GC with each reply; the last chunk's reply carries what they had by then.
  const gc = mainGcMs + sharedDecodePool().load().gcMs - gc0;
  const gb = image.workBytes / 1e9;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  await rm(target, { force: true });
  if (s.status !== 'succeeded') throw new Error(`bench restore failed: ${s.error?.code} ${s.error?.message}`);
  return {
    mode,
    seconds,
    mbps: image.size / 1e6 / seconds,
    workMbps: image.workBytes / 1e6 / seconds,
    elu,
    mainCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    rssPeakMiB: rssPeak / MiB,
    rssBaseMiB: rssBase / MiB,
    finalLimit: job.engine.limit,
    maxLimit,
    cpuSecPerGB: (all.user + all.system) / 1e6 / gb,
    faultsPerGB: faults / gb,
    gcMsPerGB: gc / gb,
  };
}
