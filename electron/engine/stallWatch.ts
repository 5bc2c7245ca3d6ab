// Stall detection: a transfer that stopped looks like a slow one on a chart, so it is named.
// Stalled = no source bytes arrived for `afterMs` (10 s) while chunk reads were under way (reads
// waiting for the rate cap's turn are not under way: a cap is not a stall). It clears as soon as
// bytes arrive. After `timeoutMs` stalled (300 s; 0 = never) the job fails with STALLED, and
// keeps what it wrote, so it can be resumed. "Bytes arrive" means a chunk read returned: the
// sources hand over whole chunks.

export interface StallOptions {
  /** No bytes for this long while reading is a stall (default 10 000 ms). */
  afterMs?: number;
  /** Stalled for this long fails the job (default 300 000 ms; 0 never does). */
  timeoutMs?: number;
  /** Epoch ms (default Date.now); tests give a fake clock. */
  now?: () => number;
  /** How often the engine checks (default 1000 ms; 0: no timer, the caller calls check()). */
  tickMs?: number;
}

export const DEFAULT_STALL_MS = 10_000;
export const DEFAULT_STALL_TIMEOUT_MS = 300_000;

export type StallChange = { kind: 'stalled'; since: number } | { kind: 'cleared'; since: number; at: number } | { kind: 'timeout'; since: number };

export class StallWatch {
  readonly afterMs: number;
  readonly timeoutMs: number;
  readonly tickMs: number;
  readonly #now: () => number;
  /** When bytes last arrived, or reading last started from idle. */
  #lastFlow: number;
  #since: number | undefined;
  #timedOut = false;

  constructor(opts: StallOptions = {}) {
    this.afterMs = opts.afterMs ?? DEFAULT_STALL_MS;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.tickMs = opts.tickMs ?? 1000;
    this.#now = opts.now ?? Date.now;
    this.#lastFlow = this.#now();
  }

  /** Since when the job is stalled (epoch ms), or undefined. */
  get since(): number | undefined {
    return this.#since;
  }

  /** Source bytes arrived: a stall ends. */
  flow(): StallChange[] {
    this.#lastFlow = this.#now();
    return this.#clear();
  }

  /** Looks at the job now: `reading` is the number of chunk reads under way (not waiting for the cap). */
  check(reading: number): StallChange[] {
    const now = this.#now();
    if (reading <= 0) {
      // Nothing is asked of the source: no stall, and the clock starts again when reading does.
      this.#lastFlow = now;
      return this.#clear();
    }
    const out: StallChange[] = [];
    const quiet = now - this.#lastFlow;
    // A timeout shorter than the stall threshold still shows as a stall before it fails.
    const threshold = this.timeoutMs > 0 ? Math.min(this.afterMs, this.timeoutMs) : this.afterMs;
    if (this.#since === undefined && quiet >= threshold) {
      this.#since = this.#lastFlow;
      out.push({ kind: 'stalled', since: this.#since });
    }
    if (this.#since !== undefined && this.timeoutMs > 0 && !this.#timedOut && now - this.#since >= this.timeoutMs) {
      this.#timedOut = true;
      out.push({ kind: 'timeout', since: this.#since });
    }
    return out;
  }

  #clear(): StallChange[] {
    const since = this.#since;
    if (since === undefined) return [];
    this.#since = undefined;
    this.#timedOut = false;
    return [{ kind: 'cleared', since, at: this.#now() }];
  }
}
