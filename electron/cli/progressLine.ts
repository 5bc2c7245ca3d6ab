// The live progress line on a terminal: percent, MB/s, zero share, ETA, chunks in flight, the
// rate cap, and a stall when there is one. Rates come from cumulative counters over the windows of
// shared/rates.ts (the same as the app's), so a late sample never makes them jump; resumed bytes
// are counted before the first sample, so they never pass for speed.
import { ETA_WINDOW_MS, etaSeconds, recentRate, zeroRatio } from '../../shared/rates.ts';
import type { ProgressCounters } from '../../shared/progress.ts';
import { formatClock, formatDuration } from '../../shared/units.ts';

export class ProgressLine {
  /** The samples of the longest window used (the ETA's). */
  #samples: ProgressCounters[] = [];
  #stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  /** The line for this sample, without writing it. */
  line(p: ProgressCounters): string {
    this.#samples.push(p);
    while (this.#samples.length > 2 && p.elapsedMs - this.#samples[1]!.elapsedMs >= ETA_WINDOW_MS) this.#samples.shift();
    const rate = recentRate(this.#samples).image;
    const pct = p.totalBytes ? (100 * p.doneBytes) / p.totalBytes : 100;
    const zero = 100 * zeroRatio(p);
    const limit = `${p.inFlight}/${p.limit}${p.auto ? ' auto' : ''}`;
    const cap = p.rateLimit ? `  cap ${(p.rateLimit / 1e6).toFixed(1)} MB/s` : '';
    const stall = p.stalledSince !== undefined ? `  STALLED for ${formatDuration(p.at - p.stalledSince)}` : '';
    return `${pct.toFixed(1).padStart(5)}%  ${(rate / 1e6).toFixed(1).padStart(7)} MB/s  zero ${zero.toFixed(0).padStart(3)}%  ETA ${formatClock(stall ? undefined : etaSeconds(this.#samples))}  in flight ${limit}${cap}${p.paused ? '  paused' : ''}${stall}`;
  }

  update(p: ProgressCounters): void {
    this.#stream.write(`\r\x1b[2K${this.line(p)}`);
  }

  end(): void {
    this.#stream.write('\n');
  }
}
