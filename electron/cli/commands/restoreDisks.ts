// The whole-VM form of `restore` and `verify`: several disk images of one snapshot in one job
// (`--all`, or `--archive` repeated), each written to `--target-dir DIR/<disk>.raw` and the guest
// config to `DIR/qemu-server.conf` (`pct.conf`), under one concurrency limit counted over all
// disks (docs/jobs.md). The single-archive form (`--archive NAME --target PATH`) stays in
// restore.ts, unchanged.
// Exit 0 only when every disk succeeded; 1 when one failed; 130 when interrupted. With --json the
// last stdout line is the job's summary: the single form's fields as totals, plus `archives`
// (each disk's archive, target, status and counters, in the snapshot's order) and `config`.
// `--resume` continues what an earlier run left (docs/resume.md): disks it finished are skipped,
// the others continue from their own resume states.
import type { ArchiveSummary, RestoreSummary } from '../../../shared/progress.ts';
import { RestoreError, toRestoreError } from '../../../shared/errors.ts';
import { parseSnapshotRef } from '../../pbs/names.ts';
import { prepareSnapshotRestore } from '../../engine/snapshotRestore.ts';
import { optional, parse, parseConcurrency, parseRateFlag, parseSeconds, required, type Flags } from '../args.ts';
import { archiveName } from '../../../shared/jobNames.ts';
import { formatBytes } from '../../../shared/units.ts';
import { keyFor } from '../keyArgs.ts';
import { clean, cleanJson, printError } from '../output.ts';
import { runWatched } from '../watchJob.ts';
import type { OpenedSource } from '../../service/openSource.ts';
import { openSourceUnlessStopped, SOURCE_OPTIONS, SOURCE_USAGE } from '../sourceArgs.ts';
import { cancelOnStop } from '../stop.ts';
import { defaultDataDir } from '../dataDir.ts';
import { summaryJson } from './restore.ts';

const SELECTORS = `${SOURCE_USAGE} --snapshot TYPE/ID/YYYY-MM-DDTHH:MM:SSZ [--ns NS] (--all | --archive NAME [--archive NAME]...) [--concurrency N|auto] [--rate RATE] [--keyfile FILE] [--json]`;
export const RESTORE_DISKS_USAGE = `restore ${SELECTORS} --target-dir DIR [--force] [--no-sparse] [--resume] [--stall-timeout SECONDS]`;
export const VERIFY_DISKS_USAGE = `verify ${SELECTORS}`;

/** True when the arguments ask for the whole-VM form: --all, --target-dir, or --archive more than once. */
export function isDisksForm(argv: string[]): boolean {
  const named = (flag: string): boolean => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  return named('--all') || named('--target-dir') || argv.filter((a) => a === '--archive' || a.startsWith('--archive=')).length > 1;
}

/** The chosen disks: 'all', or the --archive names; a usage error for anything else. */
function chosenDisks(flags: Flags, mode: 'restore' | 'verify'): 'all' | string[] {
  const names = Array.isArray(flags.archive) ? flags.archive : [];
  if (flags.target !== undefined) {
    throw new RestoreError('USAGE', names.length > 1 || flags.all ? '--target takes a single --archive; give --target-dir DIR for several disks' : '--target and --target-dir cannot be combined');
  }
  if (flags.all && names.length) throw new RestoreError('USAGE', 'give either --all or --archive, not both');
  if (!flags.all && !names.length) throw new RestoreError('USAGE', '--all or --archive NAME is required');
  if (mode === 'restore') required(flags, 'target-dir');
  return flags.all ? 'all' : names;
}

export async function restoreDisksCommand(argv: string[], mode: 'restore' | 'verify'): Promise<number> {
  const { flags } = parse(argv, {
    ...SOURCE_OPTIONS,
    snapshot: { type: 'string' },
    ns: { type: 'string' },
    archive: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    keyfile: { type: 'string' },
    json: { type: 'boolean' },
    // --target is accepted here only to say that it takes a single archive.
    ...(mode === 'restore' ? { 'target-dir': { type: 'string' }, target: { type: 'string' }, force: { type: 'boolean' }, 'no-sparse': { type: 'boolean' }, resume: { type: 'boolean' }, 'stall-timeout': { type: 'string' } } : {}),
  });
  const json = flags.json === true;
  const started = performance.now();
  const abort = new AbortController();
  const stop = cancelOnStop(abort);
  let summary: RestoreSummary;
  let opened: OpenedSource | undefined;
  try {
    const ref = parseSnapshotRef(required(flags, 'snapshot'), optional(flags, 'ns') ?? '');
    const disks = chosenDisks(flags, mode);
    const concurrency = parseConcurrency(optional(flags, 'concurrency'));
    const rate = parseRateFlag(optional(flags, 'rate'));
    const stallTimeout = parseSeconds(optional(flags, 'stall-timeout'), 'stall-timeout');
    opened = await openSourceUnlessStopped(flags, abort.signal);
    const crypt = await keyFor(optional(flags, 'keyfile'), abort.signal);
    const dir = optional(flags, 'target-dir');
    const job = await prepareSnapshotRestore({
      source: opened.source,
      ref,
      mode,
      disks: disks === 'all' ? 'all' : disks.map((archive) => ({ archive })),
      ...(crypt ? { crypt } : {}),
      ...(dir !== undefined ? { dir } : {}),
      force: flags.force === true,
      sparse: flags['no-sparse'] !== true,
      ...(mode === 'restore' ? { resume: flags.resume === true, stateDir: defaultDataDir() } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(rate ? { rate } : {}),
      ...(stallTimeout !== undefined ? { stall: { timeoutMs: stallTimeout * 1000 } } : {}),
      signal: abort.signal,
    });
    for (const d of job.disks) {
      const o = d.opened;
      const name = archiveName(d.archive);
      if (o?.finished) process.stderr.write(`restore-console: ${name}: finished by an earlier run, kept (${o.target.path})\n`);
      else if (o?.freshBecause) process.stderr.write(`restore-console: ${name}: nothing to resume (${o.freshBecause}); restoring from the start\n`);
      else if (o?.resumed) process.stderr.write(`restore-console: ${name}: resuming: ${o.resumed.size} of ${d.plan.index.count} chunks are already written\n`);
    }
    summary = await runWatched(job.multi, job.tuner, concurrency === 'auto', () => job.run());
  } catch (e) {
    const err = toRestoreError(e, mode);
    if (err.code === 'USAGE') throw err;
    const seconds = (performance.now() - started) / 1000;
    const status = err.code === 'CANCELLED' ? 'cancelled' : 'failed';
    summary = { status, mode, bytes: 0, zeroBytes: 0, sourceBytes: 0, chunks: 0, zeroChunks: 0, seconds, mbPerSec: 0, error: err.toInfo(), archives: [] };
  } finally {
    stop.off();
    await opened?.close().catch(() => {});
  }
  report(summary, json);
  return summary.status === 'succeeded' ? 0 : summary.status === 'cancelled' ? stop.exitCode() : 1;
}

/** The whole job's JSON summary: the single form's totals, each disk, and the guest config. */
export function disksSummaryJson(s: RestoreSummary): string {
  const { target: _t, partial: _p, ...totals } = JSON.parse(summaryJson(s)) as Record<string, unknown>;
  return cleanJson({
    ...totals,
    archives: (s.archives ?? []).map((a: ArchiveSummary) => ({
      archive: a.archive,
      ...(a.target ? { target: a.target } : {}),
      status: a.status,
      bytes: a.bytes,
      zeroBytes: a.zeroBytes,
      sourceBytes: a.sourceBytes,
      chunks: a.chunks,
      zeroChunks: a.zeroChunks,
      resumedBytes: a.resumedBytes ?? 0,
      ...(a.partial ? { partial: true } : {}),
      ...(a.error ? { error: a.error } : {}),
    })),
    ...(s.config ? { config: s.config } : {}),
  });
}

function report(s: RestoreSummary, json: boolean): void {
  const archives = s.archives ?? [];
  if (!json) {
    for (const a of archives) {
      const name = archiveName(a.archive);
      if (a.status === 'succeeded') process.stdout.write(`${clean(s.mode === 'restore' ? `restored ${name} (${formatBytes(a.bytes, 'iec')}) to ${a.target}` : `verified ${name} (${formatBytes(a.bytes, 'iec')}), every chunk ok`)}\n`);
      else process.stdout.write(`${clean(`${name}: ${a.status}${a.partial && a.target ? `, partial data left in ${a.target}` : ''}`)}\n`);
    }
    if (s.config) process.stdout.write(`${clean(`guest config written to ${s.config}`)}\n`);
  }
  if (s.status === 'succeeded') {
    if (!json) {
      const zero = s.bytes ? ((100 * s.zeroBytes) / s.bytes).toFixed(0) : '0';
      const what = `${s.mode === 'restore' ? 'restored' : 'verified'} ${archives.length} disk${archives.length === 1 ? '' : 's'}, ${formatBytes(s.bytes, 'iec')}`;
      const resumed = s.resumedBytes ? `, ${formatBytes(s.resumedBytes, 'iec')} were already there` : '';
      process.stdout.write(`${what} in ${s.seconds.toFixed(1)} s (${s.mbPerSec.toFixed(1)} MB/s, ${zero}% zero, ${formatBytes(s.sourceBytes, 'iec')} read from the source${resumed})\n`);
    }
  } else {
    const partial = s.mode === 'restore' && archives.some((a) => a.partial) ? ' (continue it with --resume)' : '';
    printError(s.status === 'cancelled' ? 'cancelled' : 'error', s.error?.code ?? 'INTERNAL', `${s.error?.message ?? s.status}${partial}`);
  }
  if (json) process.stdout.write(`${disksSummaryJson(s)}\n`);
}
