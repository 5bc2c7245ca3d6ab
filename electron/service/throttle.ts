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

  constructor(intervalMs: number, fn: () => void) {
    this.#intervalMs = intervalMs;
    this.#fn = fn;
  }

  poke(): void {
    if (this.#stopped || this.#timer) return;
    const wait = Math.max(0, this.#last + this.#intervalMs - performance.now());
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
    this.#last = performance.now();
    this.#fn();
  }
}
