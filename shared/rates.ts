// Rates derived from cumulative samples (the service sends counters, never rates), for every shell.
// Three rates, so zero chunks cannot pass for speed (duplicacy#83): image bytes per second (what
// the restore gets done, holes included), source bytes per second (what crossed the disk or the
// network) and the zero share of the image. Pure code.
//
// Each use has its window, because samples arrive in bursts whenever chunks land (up to 10 Hz):
//   SPEED_WINDOW_MS (2 s)  the speed shown now (CLI progress line, job view): short enough to show
//                          a concurrency change within about two seconds (at 3 s it read 8.9 MB/s
//                          for seconds while 13 MB/s flowed after a raise), long enough to smooth
//                          bursts; the average since the start is shown apart (averageRate);
//   ETA_WINDOW_MS (10 s)   time left: an ETA that jumps with every burst is read as noise, and ten
//                          seconds still follow a concurrency change. The CLI used its 3 s speed
//                          for its ETA and the UI 10 s; both now use 10 s;
//   POINT_WINDOW_MS (1 s)  chart points and the peak speed of a summary: the chart's resolution,
//                          and "the best second" is what a peak means to people.
// A pause is a break: no window reaches back across it (the first sample after a resume starts the
// windows again), and a paused sample's rates are 0, so a pause reads and draws as zero, never as
// a slow decline from the speed before it.
import type { ProgressCounters } from './progress.ts';

export const SPEED_WINDOW_MS = 2000;
export const ETA_WINDOW_MS = 10_000;
export const POINT_WINDOW_MS = 1000;

export interface RatePoint {
  /** Seconds since the job started. */
  t: number;
  /** Image bytes per second. */
  image: number;
  /** Source (encoded) bytes per second. */
  source: number;
  limit: number;
  inFlight: number;
  paused: boolean;
  /** The rate cap on source bytes in force (bytes per second); 0: none. */
  rateLimit: number;
}

/**
 * The first index a window ending at sample `i` may start at: a sample follows a paused one (the
 * job resumed there), or 0. Rates never average over a pause.
 */
function breakBefore(samples: readonly ProgressCounters[], i: number): number {
  for (let k = i; k > 0; k--) if (samples[k - 1]!.paused && !samples[k]!.paused) return k;
  return 0;
}

/**
 * The samples a chart goes by: the origin (elapsed 0, nothing done but what an earlier run wrote)
 * first when the first sample came a little later, so the work before it counts in the first
 * window (without it a job of a second or two plotted far below its own average). Not when the
 * samples begin long after the start (a page opened while the job ran): a line from the origin
 * would draw a ramp nobody measured.
 */
function withOrigin(samples: readonly ProgressCounters[]): readonly ProgressCounters[] {
  const first = samples[0];
  if (!first || first.elapsedMs <= 0 || first.elapsedMs > 2 * POINT_WINDOW_MS) return samples;
  const resumed = first.resumedBytes ?? 0;
  if (first.doneBytes <= resumed && first.sourceBytes <= 0) return samples;
  return [{ ...first, at: first.at - first.elapsedMs, elapsedMs: 0, doneBytes: resumed, doneChunks: first.resumedChunks ?? 0, zeroBytes: 0, zeroChunks: 0, sourceBytes: 0, paused: false }, ...samples];
}

/**
 * One point per sample, each rate over the window that ends at that sample (0 while paused). A
 * window shorter than `windowMs` (the first second, or just after a resume) is divided by the
 * whole window, or by the run so far when that is shorter: the zero chunks counted in the first
 * milliseconds drew a spike of 100 MB/s and more on a 1 MB/s job. (Before the start and during a
 * pause nothing was done, so the window's missing part adds nothing.)
 */
export function ratePoints(input: readonly ProgressCounters[], windowMs = POINT_WINDOW_MS): RatePoint[] {
  const samples = withOrigin(input);
  const floor = Math.min(windowMs, samples.at(-1)?.elapsedMs ?? 0) / 1000;
  const out: RatePoint[] = [];
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    j = Math.max(j, breakBefore(samples, i));
    // Move the window start to the newest sample that is still at least windowMs older.
    while (j + 1 < i && s.elapsedMs - samples[j + 1]!.elapsedMs >= windowMs) j++;
    const w = samples[j]!;
    const dt = Math.max((s.elapsedMs - w.elapsedMs) / 1000, floor);
    const moving = s.elapsedMs > w.elapsedMs && !s.paused;
    out.push({
      t: s.elapsedMs / 1000,
      image: moving ? Math.max(0, s.doneBytes - w.doneBytes) / dt : 0,
      source: moving ? Math.max(0, s.sourceBytes - w.sourceBytes) / dt : 0,
      limit: s.limit,
      inFlight: s.inFlight,
      paused: s.paused,
      rateLimit: s.rateLimit ?? 0,
    });
  }
  return out;
}

/** Image and source bytes per second over the last `windowMs` of samples; 0 while paused. */
export function recentRate(samples: readonly ProgressCounters[], windowMs = SPEED_WINDOW_MS): { image: number; source: number } {
  const last = samples.at(-1);
  if (!last || last.paused) return { image: 0, source: 0 };
  let i = samples.length - 1;
  const floor = breakBefore(samples, i);
  while (i > floor && last.elapsedMs - samples[i - 1]!.elapsedMs <= windowMs) i--;
  const first = samples[i]!;
  const dt = (last.elapsedMs - first.elapsedMs) / 1000;
  if (dt <= 0) return { image: 0, source: 0 };
  return { image: (last.doneBytes - first.doneBytes) / dt, source: (last.sourceBytes - first.sourceBytes) / dt };
}

/** Image bytes per second since the start, of this run's work (resumed bytes are not speed). */
export function averageRate(p: Pick<ProgressCounters, 'doneBytes' | 'elapsedMs' | 'resumedBytes'>): number {
  return p.elapsedMs > 0 ? (Math.max(0, p.doneBytes - (p.resumedBytes ?? 0)) / p.elapsedMs) * 1000 : 0;
}

/**
 * Seconds left, from the image rate over ETA_WINDOW_MS. Undefined while there is no rate to go by
 * or while paused: better no number than one that lies (kopia#2583 "remaining 0s").
 */
export function etaSeconds(samples: readonly ProgressCounters[]): number | undefined {
  const last = samples.at(-1);
  if (!last || last.paused) return undefined;
  const remaining = last.totalBytes - last.doneBytes;
  if (remaining <= 0) return 0;
  const { image } = recentRate(samples, ETA_WINDOW_MS);
  return image > 0 ? remaining / image : undefined;
}

/**
 * Zero chunks as a share of the chunks done (0–1). By chunks, not bytes: a zero chunk is skipped
 * whole, and the chunk map and the "N skipped" count beside it are in chunks too.
 */
export function zeroRatio(p: Pick<ProgressCounters, 'zeroChunks' | 'doneChunks'>): number {
  return p.doneChunks > 0 ? p.zeroChunks / p.doneChunks : 0;
}

/**
 * The peak throughput of a job for its summary ("average and peak speed"): the highest image byte
 * rate over a sliding window of POINT_WINDOW_MS, fed one cumulative sample at a time. A window, not
 * sample-to-sample differences, because a 100 ms difference would report a burst as the peak.
 */
export class PeakRate {
  readonly #windowMs: number;
  /** Samples of the current window, oldest first: [at ms, cumulative bytes]. */
  #window: Array<[number, number]> = [];
  #peak = 0;

  constructor(windowMs = POINT_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  add(at: number, bytes: number): void {
    this.#window.push([at, bytes]);
    // Keep the newest sample that is at least a window old as the start of the window.
    while (this.#window.length > 2 && at - this.#window[1]![0] >= this.#windowMs) this.#window.shift();
    const [t0, b0] = this.#window[0]!;
    if (at - t0 >= this.#windowMs) this.#peak = Math.max(this.#peak, ((bytes - b0) / (at - t0)) * 1000);
  }

  /** Bytes per second; `fallback` (the average) when the job never ran a whole window. */
  peak(fallback: number): number {
    return this.#peak > 0 ? Math.max(this.#peak, fallback) : fallback;
  }
}
