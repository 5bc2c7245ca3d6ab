// Rates derived from cumulative samples (the service sends counters, never rates). Each rate is
// taken over a window of about a second, because samples arrive in bursts whenever chunks land.
// Three rates, so zero chunks cannot pass for speed (duplicacy#83): image bytes per second (what
// the restore gets done, holes included), source bytes per second (what crossed the disk or the
// network) and the zero share of the image.
import type { ProgressCounters } from '../../shared/progress.ts';

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
}

/** One point per sample, each rate over the window that ends at that sample. */
export function ratePoints(samples: readonly ProgressCounters[], windowMs = 1000): RatePoint[] {
  const out: RatePoint[] = [];
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    // Move the window start to the newest sample that is still at least windowMs older.
    while (j + 1 < i && s.elapsedMs - samples[j + 1]!.elapsedMs >= windowMs) j++;
    const w = samples[j]!;
    const dt = (s.elapsedMs - w.elapsedMs) / 1000;
    out.push({
      t: s.elapsedMs / 1000,
      image: dt > 0 ? Math.max(0, s.doneBytes - w.doneBytes) / dt : 0,
      source: dt > 0 ? Math.max(0, s.sourceBytes - w.sourceBytes) / dt : 0,
      limit: s.limit,
      inFlight: s.inFlight,
      paused: s.paused,
    });
  }
  return out;
}

/** Image and source bytes per second over the last `windowMs` of samples. */
export function recentRate(samples: readonly ProgressCounters[], windowMs = 3000): { image: number; source: number } {
  const last = samples.at(-1);
  if (!last) return { image: 0, source: 0 };
  let i = samples.length - 1;
  while (i > 0 && last.elapsedMs - samples[i - 1]!.elapsedMs <= windowMs) i--;
  const first = samples[i]!;
  const dt = (last.elapsedMs - first.elapsedMs) / 1000;
  if (dt <= 0) return { image: 0, source: 0 };
  return { image: (last.doneBytes - first.doneBytes) / dt, source: (last.sourceBytes - first.sourceBytes) / dt };
}

/**
 * Seconds left, from the image rate of the last ten seconds (recent enough to follow a concurrency
 * change, long enough not to jump with every burst). Undefined while there is no rate to go by or
 * while paused: better no number than one that lies (kopia#2583 "remaining 0s").
 */
export function etaSeconds(samples: readonly ProgressCounters[]): number | undefined {
  const last = samples.at(-1);
  if (!last || last.paused) return undefined;
  const remaining = last.totalBytes - last.doneBytes;
  if (remaining <= 0) return 0;
  const { image } = recentRate(samples, 10_000);
  return image > 0 ? remaining / image : undefined;
}

/** Zero chunks as a share of the chunks done (0–1). */
export function zeroRatio(p: ProgressCounters): number {
  return p.doneChunks > 0 ? p.zeroChunks / p.doneChunks : 0;
}
