// The words next to a job's concurrency: why the limit in force is what it is, and what a change waits for.

/**
 * Why the limit is what it is: "set by you", or auto's status in its words ("settled at 24, more
 * was not faster"; it changes only when auto settles elsewhere, the job log has each step).
 */
export function reasonText(reason: string, tuned: boolean): string {
  if (reason === 'user') return tuned ? 'auto-tuned, last set by you' : 'set by you';
  if (reason.startsWith('auto: ')) return reason.slice(6);
  if (reason.startsWith('auto')) return reason;
  return tuned ? `auto-tuned${reason ? `, ${reason}` : ''}` : reason;
}

/** What to say while the limit in force differs from the one asked for: only lowering waits. */
export function settlingText(requested: number | 'auto', inForce: number | undefined): string | undefined {
  if (requested === 'auto' || inForce === undefined || inForce === requested) return undefined;
  return requested < inForce ? 'lowering lets the chunks in flight finish first' : undefined;
}
