// What the auto-tuner says about its decisions, in plain words: a line for the job log with each
// change (the limit, the rate it measured, why), a calm status for the job page and the CLI's
// progress line that changes only when the tuner settles somewhere else (not with every probe, which
// flapped every half second), and the summary at the end of the job. The decisions themselves are
// autoTuner.ts's; only their wording lives here. Pure.
import { formatBytes } from '../../shared/units.ts';

/** Why the tuner moved (or kept) the limit. */
export type DecisionKind =
  | 'double' // faster with more: twice as many
  | 'double-again' // a probe up paid well: the bottleneck moved, doubling again
  | 'step-up' // a probe up paid: one step further
  | 'probe-up' // checking whether more is faster
  | 'probe-down' // checking whether fewer is as fast
  | 'step-down' // fewer was as fast: one step further down
  | 'restart' // the speed fell at the same limit and fetching slowed: looking again
  | 'settle'; // settled at this limit (see SettleWhy)

export type SettleWhy = 'best' | 'unused' | 'cpu' | 'ending' | 'cap' | 'lowest' | 'fewer-as-fast' | 'more-not-faster' | 'fewer-slower';

export interface Decision {
  kind: DecisionKind;
  why?: SettleWhy;
  /** Limit before and after. */
  from: number;
  to: number;
  /** Bytes per second of real work (zero chunks left out) the last period measured. */
  rate: number;
  /** Milliseconds since auto was switched on. */
  atMs: number;
  /** Nothing changed that a reader of the log needs (a probe; a probe cycle back where it began). */
  quiet: boolean;
}

const SETTLE_WHY: Record<SettleWhy, string> = {
  best: 'more chunks in flight did not make it faster',
  unused: 'the job does not use more chunks in flight (the source or the disk sets the pace)',
  cpu: 'the CPU is busy decoding: more chunks in flight cannot go faster',
  ending: 'the job is about to end: no time left to try another limit',
  cap: 'more chunks in flight than the measured speed and delay can use',
  lowest: 'this is the lowest limit',
  'fewer-as-fast': 'fewer chunks in flight were as fast',
  'more-not-faster': 'more chunks in flight were not faster',
  'fewer-slower': 'fewer chunks in flight were slower',
};

/** The short form of a reason to settle, for the status. */
const SETTLE_SHORT: Record<SettleWhy, string> = {
  best: 'more was not faster',
  unused: 'the job does not use more',
  cpu: 'the CPU is the limit',
  ending: 'the job is ending',
  cap: 'more would only queue',
  lowest: 'the lowest limit',
  'fewer-as-fast': 'fewer was as fast',
  'more-not-faster': 'more was not faster',
  'fewer-slower': 'fewer was slower',
};

const rate = (bytesPerSec: number): string => `${formatBytes(bytesPerSec)}/s`;

/** The job log's line for one decision. */
export function decisionText(d: Decision): string {
  const at = `measured ${rate(d.rate)} at ${d.from}`;
  switch (d.kind) {
    case 'double':
      return `auto: ${d.from} → ${d.to} chunks in flight (${at}): faster with more, doubling`;
    case 'double-again':
      return `auto: ${d.from} → ${d.to} chunks in flight (${at}): more was much faster, doubling again`;
    case 'step-up':
      return `auto: ${d.from} → ${d.to} chunks in flight (${at}): more was faster, trying one step more`;
    case 'probe-up':
      return `auto: trying ${d.to} chunks in flight for a moment (${at}): is more faster?`;
    case 'probe-down':
      return `auto: trying ${d.to} chunks in flight for a moment (${at}): is fewer as fast?`;
    case 'step-down':
      return `auto: ${d.from} → ${d.to} chunks in flight (${at}): fewer was as fast, trying one step fewer`;
    case 'restart':
      return `auto: the speed fell to ${rate(d.rate)} at ${d.from} chunks in flight and the source answers slower: looking for the best limit again`;
    case 'settle':
      return `auto: settled at ${d.to} chunks in flight (${at}): ${SETTLE_WHY[d.why ?? 'best']}`;
  }
}

/**
 * What of the decisions goes to the job log: every change worth knowing, and the probe that led
 * to it (a probe whose cycle ends where it began stays out, so a long job's log does not fill with
 * them), so each line starts where the previous one ended.
 */
export function decisionLog(write: (line: string) => void): (d: Decision) => void {
  let probe: Decision | undefined;
  return (d) => {
    if (d.kind === 'probe-up' || d.kind === 'probe-down') {
      probe = d;
      return;
    }
    if (d.quiet) {
      probe = undefined;
      return;
    }
    if (probe) write(decisionText(probe));
    probe = undefined;
    write(decisionText(d));
  };
}

/** The status shown next to the limit: changes only when the tuner settles elsewhere or starts looking. */
export function statusText(settledAt: number | undefined, why: SettleWhy | undefined): string {
  return settledAt === undefined ? 'auto: finding the best limit' : `auto: settled at ${settledAt}, ${SETTLE_SHORT[why ?? 'best']}`;
}

/** What auto did, for the end of the job (log and summary). */
export function summaryText(s: { settledAt?: number; afterMs?: number; bestLimit?: number; bestRate?: number; limit: number; checks: number; capped?: boolean }): string {
  const best = s.bestLimit !== undefined && s.bestRate ? `; the best measured rate, ${rate(s.bestRate)}, was at ${s.bestLimit}` : '';
  const times = s.checks === 1 ? 'once' : s.checks === 2 ? 'twice' : `${s.checks} times`;
  const checks = s.checks > 0 ? `; it checked ${times} whether another limit was faster` : '';
  // Under a binding cap the throughput is the cap's: auto measures nothing there and keeps its limit.
  const capped = s.capped ? '; the rate cap set the pace part of the time, and auto keeps its limit then' : '';
  if (s.settledAt === undefined) return `auto did not settle before the job ended (last at ${s.limit})${best}${checks}${capped}`;
  return `auto settled at ${s.settledAt} after ${seconds(s.afterMs ?? 0)}${best}${checks}${capped}`;
}

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
