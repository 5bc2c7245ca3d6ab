// A source wrapper that can hold chunk reads until the test lets them go, so tests steer a job
// by events instead of timing: hold(), wait until N reads are waiting, act, release().
// Held reads honour their AbortSignal (a cancelled job stops waiting at once).
import type { BackupSource } from '../../electron/source/chunkSource.ts';
import { beforeEachChunk } from '../../electron/source/delayedSource.ts';

export class Gate {
  #held = false;
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
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves once at least n reads wait at the gate. */
  whenWaiting(n: number): Promise<void> {
    if (this.waiting >= n) return Promise.resolve();
    return new Promise((resolve) => this.#watchers.push({ n, resolve }));
  }

  async pass(signal?: AbortSignal): Promise<void> {
    this.started++;
    if (!this.#held) return;
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
