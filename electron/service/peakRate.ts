// The peak throughput of a job for its summary ("average and peak speed"): the highest image
// byte rate over a sliding window of about a second, from the cumulative samples the job already
// takes. A window, not sample-to-sample differences, because samples come in bursts (up to 10 Hz,
// whenever a chunk lands) and a 100 ms difference would report noise as the peak.
export class PeakRate {
  readonly #windowMs: number;
  /** Samples of the current window, oldest first: [at ms, cumulative bytes]. */
  #window: Array<[number, number]> = [];
  #peak = 0;

  constructor(windowMs = 1000) {
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
