// The concurrency limits every shell and the engine agree on: what a job starts with, and the
// range a person (slider, --concurrency, settings) or the auto-tuner may set. Pure code.

/**
 * Chunks in flight when nothing else is said: proxmox-backup-qemu's MAX_BUFFERED_FUTURES (the
 * default of PBS_RESTORE_FETCH_CONCURRENCY), which PVE restores with. Auto starts here too.
 */
export const DEFAULT_CONCURRENCY = 16;

export const MIN_CONCURRENCY = 1;

/**
 * The most chunks in flight a job may have. Past the knee of upstream's measurements (gains stop
 * at 12–20) with room for high-latency links; it also bounds memory at about
 * (64 + write slots) × 4 MiB, and a PBS reader session's HTTP/2 streams at 64.
 */
export const MAX_CONCURRENCY = 64;

/** A concurrency as the engine uses it: rounded and clamped to MIN..MAX. */
export function clampConcurrency(n: number): number {
  if (!Number.isFinite(n)) throw new RangeError(`concurrency must be a number, got ${n}`);
  return Math.min(MAX_CONCURRENCY, Math.max(MIN_CONCURRENCY, Math.round(n)));
}

/** True for the integers a person may ask for (1–64). */
export function isConcurrencyLimit(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_CONCURRENCY && n <= MAX_CONCURRENCY;
}
