// A byte-rate cap whose rate can change at any time: a token bucket that may go into debt.
// Chunk reads do not know their size before they finish, so a read takes an estimate when it may
// start and the difference to its real size is settled afterwards (settle()); a read waits its
// turn (first come, first served) until the bucket is out of debt. Over any window the bytes let
// through are at most rate × window + the burst + one estimate, which is what makes a cap "hold"
// (proxmox-backup-client's --rate does the same per TCP connection, with a small burst).
// Rate 0 means no cap: everything passes at once.

export interface BucketClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

const realClock: BucketClock = {
  now: () => performance.now(),
  // Not unref'd: while reads wait for their turn, this timer is what the process waits on.
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The burst: a tenth of a second at the cap. */
export const BURST_SECONDS = 0.1;

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class TokenBucket {
  #rate = 0;
  #tokens = 0;
  #last: number;
  #queue: Waiter[] = [];
  #timer: unknown;
  readonly #clock: BucketClock;
  readonly #burstSeconds: number;

  constructor(rate = 0, opts: { clock?: BucketClock; burstSeconds?: number } = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#burstSeconds = opts.burstSeconds ?? BURST_SECONDS;
    this.#last = this.#clock.now();
    this.rate = rate;
  }

  /** Bytes per second; 0 = no cap. */
  get rate(): number {
    return this.#rate;
  }

  set rate(r: number) {
    if (!Number.isFinite(r) || r < 0) throw new RangeError(`a rate must be a number of bytes per second >= 0, got ${r}`);
    this.#refill();
    const wasUnlimited = this.#rate === 0;
    this.#rate = r;
    // From no cap to a cap: start with a full burst; otherwise keep the debt or credit there is.
    if (wasUnlimited) this.#tokens = this.#burst();
    this.#tokens = Math.min(this.#tokens, this.#burst());
    this.#drain();
  }

  /** Reads waiting for their turn right now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Waits until the bucket is out of debt and every earlier taker went, then takes `bytes`.
   * Resolves true when it had to wait (the cap held the read back).
   */
  take(bytes: number, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    if (this.#rate === 0) return Promise.resolve(false);
    this.#refill();
    if (this.#queue.length === 0 && this.#tokens >= 0) {
      this.#tokens -= bytes;
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve, reject) => {
      const w: Waiter = { bytes, resolve: () => resolve(true), reject };
      if (signal) {
        w.signal = signal;
        w.onAbort = () => {
          this.#queue = this.#queue.filter((x) => x !== w);
          reject(signal.reason);
          this.#drain();
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.#queue.push(w);
      this.#schedule();
    });
  }

  /** Books `delta` more bytes (negative: gives back) once a read's real size is known. */
  settle(delta: number): void {
    if (this.#rate === 0 || delta === 0) return;
    this.#refill();
    this.#tokens = Math.min(this.#tokens - delta, this.#burst());
    this.#drain();
  }

  #burst(): number {
    return this.#rate * this.#burstSeconds;
  }

  #refill(): void {
    const now = this.#clock.now();
    const dt = Math.max(0, now - this.#last) / 1000;
    this.#last = now;
    if (this.#rate > 0) this.#tokens = Math.min(this.#burst(), this.#tokens + dt * this.#rate);
  }

  #drain(): void {
    this.#refill();
    while (this.#queue.length && (this.#rate === 0 || this.#tokens >= 0)) {
      const w = this.#queue.shift()!;
      if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
      if (this.#rate > 0) this.#tokens -= w.bytes;
      w.resolve();
    }
    this.#schedule();
  }

  /** One timer, for when the debt will be paid off and the first waiter may go. */
  #schedule(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    if (!this.#queue.length || this.#rate === 0) return;
    const ms = Math.max(1, Math.ceil((-this.#tokens / this.#rate) * 1000));
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#drain();
    }, ms);
  }
}
