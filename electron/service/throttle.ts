// Runs a function at most once per interval however often it is poked: the first poke after a
// quiet interval runs it on the next turn of the event loop, later pokes coalesce into one run at
// the end of the interval. The function samples state when it runs, never when poked, so a run
// sees everything that happened up to then.
export class Throttle {
  readonly #intervalMs: number;
  readonly #fn: () => void;
  #last = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #now: () => number;

  /** `now`: a monotonic clock in ms (tests pass a mocked one). */
  constructor(intervalMs: number, fn: () => void, now: () => number = () => performance.now()) {
    this.#intervalMs = intervalMs;
    this.#fn = fn;
    this.#now = now;
  }

  poke(): void {
    if (this.#stopped || this.#timer) return;
    const wait = Math.max(0, this.#last + this.#intervalMs - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#run();
    }, wait);
  }

  /** Runs now (if not stopped) and cancels a pending run. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#stopped) this.#run();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    this.#last = this.#now();
    this.#fn();
  }
}
