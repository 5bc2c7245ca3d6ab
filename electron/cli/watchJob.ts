// What the CLI says while a restore or verify runs, one home for the single-archive and the
// whole-VM forms: on a terminal the live progress line (progressLine.ts: speed, auto's status, a
// stall); without one, stalls and auto's changes as lines of their own, in the job log's words
// (autoWords.ts); either way auto's summary at the end.
import type { AutoTuner } from '../engine/autoTuner.ts';
import { decisionLog } from '../engine/autoWords.ts';
import type { StallChange } from '../engine/stallWatch.ts';
import type { ProgressCounters } from '../../shared/progress.ts';
import { formatDuration } from '../../shared/units.ts';
import { ProgressLine } from './progressLine.ts';

/** What is watched: an engine (one disk) or a whole-VM job's coordinator. */
export interface Watched {
  progress(): ProgressCounters;
  on(event: 'stall', listener: (c: StallChange) => void): unknown;
}

const say = (line: string): void => void process.stderr.write(`restore-console: ${line}\n`);

/** A stall change in words. */
function stallText(c: StallChange): string {
  const since = new Date(c.since).toLocaleTimeString();
  if (c.kind === 'stalled') return `stalled: no data from the source since ${since}`;
  if (c.kind === 'cleared') return `data flows again after a stall of ${formatDuration(c.at - c.since)}`;
  return `stalled since ${since}: giving up (stall timeout)`;
}

/** Runs `run` while saying how it goes on stderr; `auto`: the tuner has the limit. */
export async function runWatched<T>(watched: Watched, tuner: AutoTuner, auto: boolean, run: () => Promise<T>): Promise<T> {
  const line = process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
  if (!line) {
    watched.on('stall', (c) => say(stallText(c)));
    if (auto) tuner.onDecision(decisionLog(say));
  }
  const timer = line ? setInterval(() => line.update(watched.progress()), 250) : undefined;
  let result: T;
  try {
    result = await run();
  } finally {
    if (timer) clearInterval(timer);
    if (line) {
      line.update(watched.progress());
      line.end();
    }
  }
  const summary = auto ? tuner.summary() : undefined;
  if (summary) say(summary);
  return result;
}
