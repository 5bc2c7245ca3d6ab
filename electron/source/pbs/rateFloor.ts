// An overall deadline for one request that grows with what arrives: after a grace period, the
// body must have come at no less than a minimum rate on average since the request started, or the
// request ends with TIMEOUT. Gap timeouts alone (undici's bodyTimeout, the HTTP/2 stream timeout)
// let a server that drips one byte every few seconds hold a request, and a restore, forever.
// One timer per request, re-armed for the moment the bytes received so far stop being enough.

export interface RateFloorOptions {
  /** Time allowed before any rate is asked for (connection set-up, the server's first read). */
  graceMs: number;
  /** The slowest average rate accepted after the grace period, in bytes per second. */
  minBytesPerSec: number;
}

export const DEFAULT_RATE_FLOOR: RateFloorOptions = { graceMs: 30_000, minBytesPerSec: 64 * 1024 };

export class RateFloor {
  readonly #opts: RateFloorOptions;
  readonly #start = performance.now();
  readonly #onSlow: (elapsedMs: number, bytes: number) => void;
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: RateFloorOptions, onSlow: (elapsedMs: number, bytes: number) => void) {
    this.#opts = opts;
    this.#onSlow = onSlow;
    this.#arm();
  }

  add(n: number): void {
    this.#bytes += n;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** When the bytes received so far stop meeting the floor. */
  #due(): number {
    return this.#start + this.#opts.graceMs + (this.#bytes / this.#opts.minBytesPerSec) * 1000;
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      const now = performance.now();
      if (this.#due() > now + 1) return this.#arm();
      this.#timer = undefined;
      this.#onSlow(now - this.#start, this.#bytes);
    }, Math.max(1, this.#due() - performance.now()));
    // The request's socket keeps the process alive while it matters; this timer never should.
    this.#timer.unref();
  }
}

/** The message of a request that fell below the floor. */
export function tooSlow(what: string, opts: RateFloorOptions, elapsedMs: number, bytes: number): string {
  return `${what}: ${bytes} bytes in ${(elapsedMs / 1000).toFixed(1)} s, slower than the ${Math.round(opts.minBytesPerSec / 1024)} KiB/s every transfer must reach after ${(opts.graceMs / 1000).toFixed(0)} s`;
}
