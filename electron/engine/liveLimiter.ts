// A concurrency limiter whose limit can change while work runs, after p-limit's `concurrency`
// setter: raising the limit admits waiters at once; lowering it lets running work finish and
// admits nobody until the active count is below the new limit. Nothing running is ever aborted.
// Pausing admits nobody until resumed.

/**
 * What the engine needs from its limiter: slots to acquire and release, a limit that can change,
 * pause and resume. A LiveLimiter of its own by default; a JobSlots (slotBudget.ts) when several
 * engines share one job's limit inside the machine's budget.
 */
export interface Slots {
  limit: number;
  readonly active: number;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  acquire(signal?: AbortSignal): Promise<void>;
  release(): void;
  /**
   * An engine starts asking for slots (join) or has no more chunks to start (leave). Shared slots
   * use this to know how much the job wants: its whole limit while any of its engines still has
   * chunks to start, even in the moment between two acquisitions.
   */
  join?(): void;
  leave?(): void;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class LiveLimiter implements Slots {
  #limit: number;
  #active = 0;
  #paused = false;
  #waiters: Waiter[] = [];

  constructor(limit: number) {
    this.#limit = LiveLimiter.check(limit);
  }

  static check(limit: number): number {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${limit}`);
    return limit;
  }

  get limit(): number {
    return this.#limit;
  }

  set limit(n: number) {
    this.#limit = LiveLimiter.check(n);
    this.#drain();
  }

  get active(): number {
    return this.#active;
  }

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#drain();
  }

  /** Resolves once a slot is held; the caller must call release() exactly once afterwards. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.#paused && this.#active < this.#limit && this.#waiters.length === 0) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    if (this.#active <= 0) throw new Error('release() without acquire()');
    this.#active--;
    this.#drain();
  }

  #drain(): void {
    while (!this.#paused && this.#active < this.#limit && this.#waiters.length > 0) {
      const w = this.#waiters.shift()!;
      if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
      this.#active++;
      w.resolve();
    }
  }
}
