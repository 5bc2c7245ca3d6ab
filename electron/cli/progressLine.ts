// The live progress line on a terminal: percent, the speed now (2 s) and the average since the
// start, zero share, ETA, chunks in flight (with auto's status, in the app's words), the rate cap,
// and a stall when there is one. Rates come from cumulative counters over the windows of
// shared/rates.ts (the same as the app's), so a late sample never makes them jump; resumed bytes
// are counted before the first sample, so they never pass for speed. While paused the speed reads
// "paused", not the last value.
import { averageRate, ETA_WINDOW_MS, etaSeconds, recentRate, zeroRatio } from '../../shared/rates.ts';
import type { ProgressCounters } from '../../shared/progress.ts';
import { formatClock, formatDuration } from '../../shared/units.ts';

const mbps = (r: number): string => (r / 1e6).toFixed(1);

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
    const speed = p.paused ? 'paused'.padStart(7) + '     ' : `${mbps(rate).padStart(7)} MB/s`;
    const pct = p.totalBytes ? (100 * p.doneBytes) / p.totalBytes : 100;
    const zero = 100 * zeroRatio(p);
    const limit = `${p.inFlight}/${p.limit}${p.auto ? ` ${p.limitReason.startsWith('auto') ? `(${p.limitReason})` : 'auto'}` : ''}`;
    const cap = p.rateLimit ? `  cap ${(p.rateLimit / 1e6).toFixed(1)} MB/s` : '';
    const stall = p.stalledSince !== undefined ? `  STALLED for ${formatDuration(p.at - p.stalledSince)}` : '';
    return `${pct.toFixed(1).padStart(5)}%  ${speed} (avg ${mbps(averageRate(p))})  zero ${zero.toFixed(0).padStart(3)}%  ETA ${formatClock(stall ? undefined : etaSeconds(this.#samples))}  in flight ${limit}${cap}${stall}`;
  }

  update(p: ProgressCounters): void {
    this.#stream.write(`\r\x1b[2K${this.line(p)}`);
  }

  end(): void {
    this.#stream.write('\n');
  }
}
