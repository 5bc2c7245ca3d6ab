// `restore-console files ls …` and `restore-console files get …`: browse a file archive (root.pxar)
// or a disk image (drive-scsi0.img) of a snapshot and get files out of it, reading only the chunks
// that hold them. Sources, snapshots, keys, exit codes and error lines as `restore`: exit 0 on
// success, 1 on failure or when entries were skipped (each named on stderr), 2 on usage errors,
// 130 when interrupted. With --json, ls prints an array and get ends with a summary line.
import type { FileEntry, FilesSummary } from '../../../shared/files.ts';
import { RestoreError, toRestoreError } from '../../../shared/errors.ts';
import { formatBytes } from '../../../shared/units.ts';
import { FilesTally } from '../../files/filesTally.ts';
import { runFilesJob, type FilesOutput } from '../../files/filesJob.ts';
import { openFileTree, type OpenedFiles } from '../../files/openFiles.ts';
import { normalizeTreePath } from '../../files/treePaths.ts';
import { parseSnapshotRef } from '../../pbs/names.ts';
import type { OpenedSource } from '../../service/openSource.ts';
import { optional, parse, required, type Flags } from '../args.ts';
import { FilesProgressLine } from '../filesProgressLine.ts';
import { printWarning } from '../output.ts';
import { keyFor } from '../keyArgs.ts';
import { openSource, SOURCE_OPTIONS, SOURCE_USAGE } from '../sourceArgs.ts';

const SELECT = `${SOURCE_USAGE} --snapshot TYPE/ID/YYYY-MM-DDTHH:MM:SSZ [--ns NS] --archive NAME`;
export const FILES_LS_USAGE = `files ls ${SELECT} [--path P] [--keyfile FILE] [--json]`;
export const FILES_GET_USAGE = `files get ${SELECT} --path P (--out FILE | --out ARCHIVE.zip | --out-dir DIR) [--keyfile FILE] [--force] [--json]`;

const SELECT_OPTIONS = {
  ...SOURCE_OPTIONS,
  snapshot: { type: 'string' },
  ns: { type: 'string' },
  archive: { type: 'string' },
  path: { type: 'string' },
  keyfile: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface Opened {
  source: OpenedSource;
  files: OpenedFiles;
}

async function openArchive(flags: Flags, signal?: AbortSignal): Promise<Opened> {
  const ref = parseSnapshotRef(required(flags, 'snapshot'), optional(flags, 'ns') ?? '');
  const archive = required(flags, 'archive');
  const source = await openSource(flags);
  try {
    const crypt = await keyFor(optional(flags, 'keyfile'));
    const files = await openFileTree(source.source, ref, archive, crypt, signal);
    return { source, files };
  } catch (e) {
    await source.close().catch(() => {});
    throw e;
  }
}

async function closeArchive(o: Opened | undefined): Promise<void> {
  await o?.files.close().catch(() => {});
  await o?.source.close().catch(() => {});
}

export async function filesLsCommand(argv: string[]): Promise<number> {
  const { flags } = parse(argv, SELECT_OPTIONS);
  const path = normalizeTreePath(optional(flags, 'path') ?? '/');
  let opened: Opened | undefined;
  try {
    opened = await openArchive(flags);
    const { tree } = opened.files;
    // Notes on the disk's layout go to stderr, so stdout stays the listing.
    for (const w of opened.files.warnings ?? []) printWarning(`${optional(flags, 'archive')}: ${w}`);
    const self = await tree.stat(path);
    const entries = self.type === 'dir' || self.type === 'partition' ? await tree.list(path) : [self];
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(entries.map(entryJson), null, 2)}\n`);
    } else {
      for (const e of entries) process.stdout.write(`${entryLine(e)}\n`);
    }
    return 0;
  } catch (e) {
    const err = toRestoreError(e, `files ls ${path}`);
    if (err.code === 'USAGE') throw err;
    process.stderr.write(`restore-console: error [${err.code}]: ${err.message}\n`);
    return 1;
  } finally {
    await closeArchive(opened);
  }
}

/** The --json shape of an entry: {name, type, size, mode, mtime, target?}, partitions add fs. */
export function entryJson(e: FileEntry): Record<string, unknown> {
  return {
    name: e.name,
    type: e.type,
    size: e.size,
    mode: e.mode,
    mtime: e.mtime,
    ...(e.target !== undefined ? { target: e.target } : {}),
    ...(e.type === 'partition' ? { fs: e.fs ?? 'unknown' } : {}),
  };
}

/** One line per entry; a name with control characters is shown JSON-quoted so it stays one line. */
export function entryLine(e: FileEntry): string {
  const time = e.mtime ? new Date(Math.floor(e.mtime) * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '') : '-'.padEnd(19);
  const name = /[\x00-\x1f\x7f]/.test(e.name) ? JSON.stringify(e.name) : e.name;
  const suffix =
    e.type === 'dir' ? '/' : e.type === 'symlink' ? ` -> ${e.target ?? ''}` : e.type === 'hardlink' ? ` => ${e.target ?? ''}` : e.type === 'partition' ? ` [${e.fs ?? 'unknown'}]` : '';
  return `${e.type.padEnd(9)} ${String(e.size).padStart(14)}  ${time}  ${name}${suffix}`;
}

export async function filesGetCommand(argv: string[]): Promise<number> {
  const { flags } = parse(argv, { ...SELECT_OPTIONS, out: { type: 'string' }, 'out-dir': { type: 'string' }, force: { type: 'boolean' } });
  const json = flags.json === true;
  const path = normalizeTreePath(required(flags, 'path'));
  const out = optional(flags, 'out');
  const outDir = optional(flags, 'out-dir');
  if ((out === undefined) === (outDir === undefined) || out === '' || outDir === '') {
    throw new RestoreError('USAGE', 'give one of --out FILE, --out ARCHIVE.zip or --out-dir DIR');
  }
  const force = flags.force === true;
  const output: FilesOutput =
    outDir !== undefined ? { kind: 'folder', path: outDir, force } : /\.zip$/i.test(out!) ? { kind: 'zip', path: out!, force } : { kind: 'file', path: out!, force };

  const abort = new AbortController();
  let interrupted = 0;
  const onSigint = (): void => {
    // First Ctrl-C cancels cleanly (nothing half-written keeps a real name); a second exits at once.
    if (++interrupted > 1) process.exit(130);
    abort.abort(new RestoreError('CANCELLED', 'interrupted'));
  };
  process.on('SIGINT', onSigint);
  const tally = new FilesTally();
  tally.onSkip = (s) => process.stderr.write(`${line ? '\r\x1b[2K' : ''}restore-console: skipped ${s.path} [${s.code}]: ${s.message}\n`);
  const line = process.stderr.isTTY ? new FilesProgressLine(process.stderr) : undefined;
  let summary: FilesSummary;
  let opened: Opened | undefined;
  try {
    opened = await openArchive(flags, abort.signal);
    const timer = line ? setInterval(() => line.update(tally.progress()), 250) : undefined;
    try {
      // The counting pass only feeds the progress line: without a terminal it is not worth a listing.
      summary = await runFilesJob({ tree: opened.files.tree, paths: [path], output, scan: line !== undefined, tally, signal: abort.signal });
    } finally {
      if (timer) clearInterval(timer);
      if (line) {
        line.update(tally.progress());
        line.end();
      }
    }
  } catch (e) {
    summary = tally.summary({ error: toRestoreError(e, 'files get').toInfo() });
  } finally {
    process.off('SIGINT', onSigint);
    await closeArchive(opened);
  }
  if (summary.error?.code === 'USAGE') throw RestoreError.from(summary.error);
  report(summary, path, output, json);
  return summary.status === 'succeeded' ? 0 : summary.status === 'cancelled' ? 130 : 1;
}

/** The --json summary: {status, files, bytes, skipped, seconds}, and skippedCount, target, error. */
export function filesSummaryJson(s: FilesSummary): string {
  return JSON.stringify({
    status: s.status,
    files: s.files,
    bytes: s.bytes,
    skipped: s.skipped,
    skippedCount: s.skippedCount,
    seconds: Number(s.seconds.toFixed(3)),
    ...(s.target !== undefined ? { target: s.target } : {}),
    ...(s.error ? { error: s.error } : {}),
  });
}

function report(s: FilesSummary, path: string, output: FilesOutput, json: boolean): void {
  if (s.status === 'succeeded' || s.status === 'partial') {
    if (!json) {
      const where = output.kind === 'stream' ? '' : output.path;
      const what =
        output.kind === 'file'
          ? `wrote ${path} (${formatBytes(s.bytes, 'iec')}) to ${where}`
          : `${output.kind === 'folder' ? 'extracted' : 'zipped'} ${s.files} entries (${formatBytes(s.bytes, 'iec')}) ${output.kind === 'folder' ? 'into' : 'to'} ${where}`;
      process.stdout.write(`${what} in ${s.seconds.toFixed(1)} s\n`);
    }
    if (s.status === 'partial') {
      process.stderr.write(`restore-console: partial: ${s.skippedCount} ${s.skippedCount === 1 ? 'entry was' : 'entries were'} skipped (named above)\n`);
    }
  } else {
    const label = s.status === 'cancelled' ? 'cancelled' : 'error';
    process.stderr.write(`restore-console: ${label} [${s.error?.code ?? 'INTERNAL'}]: ${s.error?.message ?? s.status}\n`);
  }
  if (json) process.stdout.write(`${filesSummaryJson(s)}\n`);
}
