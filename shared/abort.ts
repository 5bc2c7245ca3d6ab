// Waiting on work that cannot itself be stopped (a key derivation on libuv's pool, a session
// another caller shares) without making the waiter wait: the promise rejects as soon as the signal
// aborts, with the signal's RestoreError (or CANCELLED); the work may finish later, unobserved.
// Pure code.
import { RestoreError } from './errors.ts';

export function abortReason(signal: AbortSignal): RestoreError {
  return signal.reason instanceof RestoreError ? signal.reason : new RestoreError('CANCELLED', 'cancelled', { cause: signal.reason });
}

export function raceAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
