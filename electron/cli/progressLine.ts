// The live progress line on a terminal: percent, MB/s over the last seconds, zero ratio, ETA,
// chunks in flight. Rates come from cumulative counters, so a late sample never makes them jump.
import type { ProgressCounters } from '../../shared/progress.ts';
import { formatDuration } from './format.ts';

const WINDOW_MS = 3000;

export class ProgressLine {
  #samples: Array<{ t: number; bytes: number }> = [];
  #stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(p: ProgressCounters): void {
    const t = p.elapsedMs;
    this.#samples.push({ t, bytes: p.doneBytes });
    while (this.#samples.length > 2 && t - this.#samples[0]!.t > WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const dt = (t - first.t) / 1000;
    const rate = dt > 0 ? (p.doneBytes - first.bytes) / dt : 0;
    const pct = p.totalBytes ? (100 * p.doneBytes) / p.totalBytes : 100;
    const zero = p.doneBytes ? (100 * p.zeroBytes) / p.doneBytes : 0;
    const eta = rate > 0 ? (p.totalBytes - p.doneBytes) / rate : Infinity;
    const limit = `${p.inFlight}/${p.limit}${p.auto ? ' auto' : ''}`;
    const line = `${pct.toFixed(1).padStart(5)}%  ${(rate / 1e6).toFixed(1).padStart(7)} MB/s  zero ${zero.toFixed(0).padStart(3)}%  ETA ${formatDuration(eta)}  in flight ${limit}${p.paused ? '  paused' : ''}`;
    this.#stream.write(`\r\x1b[2K${line}`);
  }

  end(): void {
    this.#stream.write('\n');
  }
}
