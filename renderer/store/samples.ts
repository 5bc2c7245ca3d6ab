// The progress history of each job, for the throughput chart and the rates derived from it.
// Kept outside React state on purpose: it grows at 10 Hz per job, and nothing should re-render
// because it did. The event listener appends before it updates the store, so a component woken
// by the store's subscription finds the newest sample here.
import type { ProgressCounters } from '../../shared/progress.ts';

/** About 20 minutes at 10 Hz before older samples are thinned out. */
const MAX_SAMPLES = 12_000;

const histories = new Map<string, ProgressCounters[]>();

export function recordSample(jobId: string, p: ProgressCounters): void {
  let list = histories.get(jobId);
  if (!list) histories.set(jobId, (list = []));
  const last = list.at(-1);
  if (last && p.at <= last.at) return;
  list.push(p);
  // Long jobs: keep every other sample of the older half, so the chart still covers the whole
  // run at a coarser step and memory stays bounded.
  if (list.length > MAX_SAMPLES) {
    const half = list.length >> 1;
    const thinned = list.slice(0, half).filter((_, i) => i % 2 === 0);
    histories.set(jobId, thinned.concat(list.slice(half)));
  }
}

/**
 * A job's history as the service kept it (thinned), before what this page received itself: the
 * page's own samples win from where they begin.
 */
export function keepSamples(jobId: string, list: readonly ProgressCounters[]): void {
  const own = histories.get(jobId) ?? [];
  const from = own[0]?.at ?? Infinity;
  histories.set(jobId, [...list.filter((p) => p.at < from), ...own]);
}

export function samplesOf(jobId: string): readonly ProgressCounters[] {
  return histories.get(jobId) ?? [];
}

export function forgetSamples(jobId: string): void {
  histories.delete(jobId);
}
