// A finished job's throughput history, kept with its record so the chart survives a restart
// (the renderer keeps full-rate samples only in memory). Bounded: at most MAX_KEPT_SAMPLES, thinned
// evenly over the run as it grows, with the samples where a pause began or ended always kept, so
// the chart still draws pauses as pauses. Stored compact (one short array per sample), expanded
// back to counters for the same rate code (shared/rates.ts). Pure.
import type { ProgressCounters } from './progress.ts';

/** Points kept per job: enough for a chart a few hundred pixels wide. */
export const MAX_KEPT_SAMPLES = 300;

/** [elapsedMs, doneBytes, sourceBytes, limit, inFlight, paused (0/1), rateLimit]. */
export type PackedSample = [number, number, number, number, number, number, number];

const pauseEdge = (list: readonly PackedSample[], i: number): boolean =>
  (i > 0 && list[i - 1]![5] !== list[i]![5]) || (i + 1 < list.length && list[i + 1]![5] !== list[i]![5]);

/** Collects samples as they come, keeping at most `max` (the first and the last always). */
export class SampleSeries {
  readonly #max: number;
  #list: PackedSample[] = [];
  /** Only samples at least this far apart (ms) are kept; doubles each time the list is thinned. */
  #spacing = 0;

  constructor(max = MAX_KEPT_SAMPLES) {
    this.#max = Math.max(4, max);
  }

  add(p: ProgressCounters): void {
    const s: PackedSample = [p.elapsedMs, p.doneBytes, p.sourceBytes, p.limit, p.inFlight, p.paused ? 1 : 0, p.rateLimit ?? 0];
    const last = this.#list.at(-1);
    if (last && s[0] < last[0]) return;
    // The newest sample always replaces a previous one that was too close (so the last is exact),
    // unless that one marks a pause edge.
    const prev = this.#list.at(-2);
    if (last && prev && s[0] - prev[0] < this.#spacing && last[5] === s[5] && prev[5] === last[5]) this.#list[this.#list.length - 1] = s;
    else this.#list.push(s);
    if (this.#list.length > this.#max) this.#thin();
  }

  /** Drops every other sample (keeping the ends and pause edges) and doubles the spacing. */
  #thin(): void {
    const l = this.#list;
    this.#spacing = Math.max(1, this.#spacing * 2, (l.at(-1)![0] - l[0]![0]) / this.#max);
    const out: PackedSample[] = [];
    l.forEach((s, i) => {
      if (i === 0 || i === l.length - 1 || i % 2 === 0 || pauseEdge(l, i)) out.push(s);
    });
    // Many pauses could keep too many edges: then every other sample goes, edges or not.
    this.#list = out.length > this.#max ? out.filter((_, i) => i % 2 === 0 || i === out.length - 1) : out;
  }

  get samples(): PackedSample[] {
    return this.#list.map((s) => [...s] as PackedSample);
  }
}

/** Kept samples as counters again, with the fields the chart does not need taken from `final`. */
export function unpackSamples(list: readonly PackedSample[], final: ProgressCounters): ProgressCounters[] {
  const end = final.at - final.elapsedMs;
  return list.map(([elapsedMs, doneBytes, sourceBytes, limit, inFlight, paused, rateLimit]) => ({
    ...final,
    at: end + elapsedMs,
    elapsedMs,
    doneBytes,
    sourceBytes,
    limit,
    inFlight,
    paused: paused === 1,
    rateLimit,
    stalledSince: undefined,
    disks: undefined,
  })).map(({ stalledSince: _s, disks: _d, ...p }) => p);
}
