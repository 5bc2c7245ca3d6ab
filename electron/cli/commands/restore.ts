// `restore-console restore …` and `restore-console verify …` (the same selectors, no target).
// Exit 0 on success; 1 with a one-line error naming the cause on failure; 130, 143 or 129 when
// stopped by SIGINT, SIGTERM or SIGHUP (stop.ts).
// With --json the last stdout line is the summary, failures included. `--resume` continues the
// partial target of an earlier run (docs/resume.md); `--rate` caps source bytes per second;
// `--stall-timeout` fails a restore whose source sent nothing for that long (resumable).
import { emptySummary, type RestoreSummary } from '../../../shared/progress.ts';
import { RestoreError, toRestoreError } from '../../../shared/errors.ts';
import { parseSnapshotRef } from '../../pbs/names.ts';
import { prepareRestore } from '../../engine/restoreJob.ts';
import { keyFor } from '../keyArgs.ts';
import { optional, parse, parseConcurrency, parseRateFlag, parseSeconds, required, type ParseArgsOptions } from '../args.ts';
import { defaultDataDir } from '../dataDir.ts';
import { zeroRatio } from '../../../shared/rates.ts';
import { formatBytes } from '../../../shared/units.ts';
import { runWatched } from '../watchJob.ts';
import type { OpenedSource } from '../../service/openSource.ts';
import { openSourceUnlessStopped, SOURCE_OPTIONS, SOURCE_USAGE } from '../sourceArgs.ts';
import { clean, cleanJson, keepSecret, printError } from '../output.ts';
import { cancelOnStop } from '../stop.ts';

const SELECTORS = `${SOURCE_USAGE} --snapshot TYPE/ID/YYYY-MM-DDTHH:MM:SSZ [--ns NS] --archive NAME [--concurrency N|auto] [--rate RATE] [--keyfile FILE] [--json]`;
export const RESTORE_USAGE = `restore ${SELECTORS} --target PATH [--force] [--no-sparse] [--resume] [--stall-timeout SECONDS]`;
export const VERIFY_USAGE = `verify ${SELECTORS}`;

/** The JSON summary contract: status, bytes, zeroBytes, sourceBytes, resumedBytes, chunks, zeroChunks, seconds, MB/s. */
export function summaryJson(s: RestoreSummary): string {
  return cleanJson({
    status: s.status,
    mode: s.mode,
    bytes: s.bytes,
    zeroBytes: s.zeroBytes,
    sourceBytes: s.sourceBytes,
    resumedBytes: s.resumedBytes ?? 0,
    chunks: s.chunks,
    zeroChunks: s.zeroChunks,
    seconds: Number(s.seconds.toFixed(3)),
    'MB/s': Number(s.mbPerSec.toFixed(1)),
    ...(s.target ? { target: s.target, partial: s.partial } : {}),
    ...(s.error ? { error: s.error } : {}),
  });
}

/** The options `restore` and `verify` accept (parseArgs form). */
export function restoreOptions(mode: 'restore' | 'verify'): ParseArgsOptions {
  return {
    ...SOURCE_OPTIONS,
    snapshot: { type: 'string' },
    ns: { type: 'string' },
    archive: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    keyfile: { type: 'string' },
    json: { type: 'boolean' },
    ...(mode === 'restore'
      ? { target: { type: 'string' }, force: { type: 'boolean' }, 'no-sparse': { type: 'boolean' }, resume: { type: 'boolean' }, 'stall-timeout': { type: 'string' } }
      : {}),
  };
}

export async function restoreCommand(argv: string[], mode: 'restore' | 'verify'): Promise<number> {
  const { flags } = parse(argv, restoreOptions(mode));
  const json = flags.json === true;
  const started = performance.now();
  const abort = new AbortController();
  const stop = cancelOnStop(abort);
  let summary: RestoreSummary;
  let opened: OpenedSource | undefined;
  try {
    const ref = parseSnapshotRef(required(flags, 'snapshot'), optional(flags, 'ns') ?? '');
    const archive = required(flags, 'archive');
    const concurrency = parseConcurrency(optional(flags, 'concurrency'));
    const rate = parseRateFlag(optional(flags, 'rate'));
    const stallTimeout = parseSeconds(optional(flags, 'stall-timeout'), 'stall-timeout');
    const targetPath = mode === 'restore' ? required(flags, 'target') : undefined;
    opened = await openSourceUnlessStopped(flags, abort.signal);
    const store = opened.source;
    const crypt = await keyFor(optional(flags, 'keyfile'), abort.signal);
    const job = await prepareRestore({
      source: store,
      ref,
      archive,
      ...(crypt ? { crypt } : {}),
      ...(targetPath ? { target: { path: targetPath, force: flags.force === true, sparse: flags['no-sparse'] !== true, resume: flags.resume === true }, stateDir: defaultDataDir() } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(rate ? { rate } : {}),
      ...(stallTimeout !== undefined ? { stall: { timeoutMs: stallTimeout * 1000 } } : {}),
      signal: abort.signal,
    });
    const said = job.target?.freshBecause;
    if (said) process.stderr.write(`restore-console: nothing to resume (${said}); restoring from the start\n`);
    const resumed = job.target?.resumed;
    if (resumed?.size) process.stderr.write(`restore-console: resuming: ${resumed.size} of ${job.plan.index.count} chunks are already written\n`);
    summary = await runWatched(job.engine, job.tuner, concurrency === 'auto', () => job.run());
  } catch (e) {
    const err = toRestoreError(e, mode);
    if (err.code === 'USAGE') throw err;
    const seconds = (performance.now() - started) / 1000;
    const status = err.code === 'CANCELLED' ? 'cancelled' : 'failed';
    summary = emptySummary(status, mode, seconds, err.toInfo());
  } finally {
    stop.off();
    await opened?.close().catch(() => {});
  }
  report(summary, json);
  return summary.status === 'succeeded' ? 0 : summary.status === 'cancelled' ? stop.exitCode() : 1;
}

function report(s: RestoreSummary, json: boolean): void {
  if (s.status === 'succeeded') {
    if (!json) {
      const what = s.mode === 'restore' ? `restored ${formatBytes(s.bytes, 'iec')} to ${s.target}` : `verified ${formatBytes(s.bytes, 'iec')}, every chunk ok`;
      const zero = (100 * zeroRatio({ zeroChunks: s.zeroChunks, doneChunks: s.chunks })).toFixed(0);
      const resumed = s.resumedBytes ? `, ${formatBytes(s.resumedBytes, 'iec')} were already there` : '';
      process.stdout.write(`${clean(what)} in ${s.seconds.toFixed(1)} s (${s.mbPerSec.toFixed(1)} MB/s, ${zero}% zero, ${formatBytes(s.sourceBytes, 'iec')} read from the source${resumed})\n`);
    }
  } else {
    const where = s.partial && s.target ? ` (partial data left in ${s.target}${s.mode === 'restore' ? '; continue it with --resume' : ''})` : '';
    const label = s.status === 'cancelled' ? 'cancelled' : 'error';
    printError(label, s.error?.code ?? 'INTERNAL', `${s.error?.message ?? s.status}${where}`);
  }
  if (json) process.stdout.write(`${summaryJson(s)}\n`);
}

