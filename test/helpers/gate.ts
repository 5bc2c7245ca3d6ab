// A source wrapper that can hold chunk reads until the test lets them go, so tests steer a job
// by events instead of timing: hold(), wait until N reads are waiting, act, release(); or
// hold(), allow(N) reads through, wait until the next ones wait, act.
// Held reads honour their AbortSignal (a cancelled job stops waiting at once).
import type { BackupSource } from '../../electron/source/chunkSource.ts';
import { beforeEachChunk } from '../../electron/source/delayedSource.ts';

export class Gate {
  #held = false;
  #allowance = 0;
  #waiters: Array<() => void> = [];
  #watchers: Array<{ n: number; resolve: () => void }> = [];
  /** Reads that entered the gate (held or not). */
  started = 0;
  /** Reads waiting at the gate right now, and the most ever at once. */
  waiting = 0;
  maxWaiting = 0;

  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    this.#allowance = 0;
    for (const w of this.#waiters.splice(0)) w();
  }

  /** While held, lets the next `n` reads through (those waiting first). */
  allow(n: number): void {
    const go = this.#waiters.splice(0, n);
    this.#allowance += n - go.length;
    for (const w of go) w();
  }

  /** Resolves once at least n reads wait at the gate. */
  whenWaiting(n: number): Promise<void> {
    if (this.waiting >= n) return Promise.resolve();
    return new Promise((resolve) => this.#watchers.push({ n, resolve }));
  }

  async pass(signal?: AbortSignal): Promise<void> {
    this.started++;
    if (!this.#held) return;
    if (this.#allowance > 0) {
      this.#allowance--;
      return;
    }
    signal?.throwIfAborted();
    this.waiting++;
    this.maxWaiting = Math.max(this.maxWaiting, this.waiting);
    this.#watchers = this.#watchers.filter((w) => (this.waiting >= w.n ? (w.resolve(), false) : true));
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal!.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    } finally {
      this.waiting--;
    }
  }

  wrap(source: BackupSource): BackupSource {
    return beforeEachChunk(source, (signal) => this.pass(signal));
  }
}
