// Retry of transient source errors (dropped connections, 5xx) with exponential backoff and jitter,
// for every reader of a source: the engine's chunk reads and the PBS reader's file downloads.
// Permanent errors (a corrupt or missing chunk, a wrong key) fail at once: retrying cannot help.
// An abort during the wait rejects with the signal's reason, as the work itself would.
import { setTimeout as sleep } from 'node:timers/promises';
import { isRestoreError } from '../../shared/errors.ts';

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseMs: 250, maxMs: 4000 };

export async function withRetry<T>(fn: () => Promise<T>, signal: AbortSignal | undefined, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isRestoreError(e) || !e.transient || attempt >= policy.retries || signal?.aborted) throw e;
      const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      await sleep(delay, undefined, signal ? { signal } : {}).catch(() => signal?.throwIfAborted());
    }
  }
}
