// One files job from selection to summary, shared by the CLI and the service so both behave the
// same: a regular file to a path or a stream, a zip to a path or a stream, or an extraction into a
// folder. A counting pass first (optional) gives the totals for a percentage. Paths written go
// through pendingFile.ts: an existing file is replaced only with force, and a failed or cancelled
// job leaves no partial file under the real name. A stream that fails or is cancelled is
// destroyed, so whoever reads it (a browser) sees a failed download, never a short "complete" one.
import { mkdir, lstat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { FilesSummary } from '../../shared/files.ts';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { extractTo } from './extract.ts';
import type { FileEntry, FileTree } from './fileTree.ts';
import { FilesTally } from './filesTally.ts';
import { PendingFile } from './pendingFile.ts';
import { StreamOut } from './streamOut.ts';
import { normalizeTreePath } from './treePaths.ts';
import { walkSelection } from './walk.ts';
import { zipSelection } from './zipTree.ts';
import { ZipWriter } from './zipWriter.ts';

export type FilesOutput =
  /** One regular file, written as itself. */
  | { kind: 'file'; path: string; force?: boolean }
  | { kind: 'zip'; path: string; force?: boolean }
  /** Extract into this folder (created if missing). */
  | { kind: 'folder'; path: string; force?: boolean }
  /** To a stream the caller owns (an HTTP response): one file as itself, or a zip. */
  | { kind: 'stream'; format: 'file' | 'zip'; out: Writable };

export interface FilesJobRequest {
  tree: FileTree;
  paths: string[];
  output: FilesOutput;
  /** Count entries and bytes first, for a percentage (default: true). */
  scan?: boolean;
  tally?: FilesTally;
  signal?: AbortSignal;
}

const ZIP_OUT_BUFFER = 1024 * 1024;

/** Runs to the end; never throws: failures are in the summary (USAGE included, for the CLI). */
export async function runFilesJob(req: FilesJobRequest): Promise<FilesSummary> {
  const tally = req.tally ?? new FilesTally();
  const { output } = req;
  const target = output.kind === 'stream' ? undefined : output.path;
  try {
    switch (output.kind) {
      case 'file':
        await fileToPath(req, output, tally);
        break;
      case 'zip':
        await zipToPath(req, output, tally);
        break;
      case 'folder':
        await mkdir(output.path, { recursive: true }).catch((e: unknown) => {
          throw toRestoreError(e, `creating the folder ${output.path}`);
        });
        await scan(req, tally);
        tally.phase = 'copy';
        await extractTo({ tree: req.tree, paths: req.paths, dest: output.path, force: output.force === true, tally, ...(req.signal ? { signal: req.signal } : {}) });
        break;
      case 'stream':
        await toStream(req, output, tally);
        break;
    }
    tally.current = undefined;
    return tally.summary(target !== undefined ? { target } : {});
  } catch (e) {
    const err = toRestoreError(e, 'files');
    if (output.kind === 'stream') output.out.destroy(err);
    return tally.summary({ error: err.toInfo() });
  }
}

/** The entry one regular file to be copied is (a hardlink: its target's). */
async function singleFile(req: FilesJobRequest): Promise<{ from: string; entry: FileEntry }> {
  if (req.paths.length !== 1) throw new RestoreError('USAGE', 'one file at a time can be written as itself; download several as a zip');
  const path = normalizeTreePath(req.paths[0]!);
  const entry = await req.tree.stat(path, req.signal);
  if (entry.type === 'hardlink' && entry.target) return { from: entry.target, entry };
  if (entry.type !== 'file') throw new RestoreError('NOT_A_FILE', `${path} is a ${entry.type === 'dir' ? 'folder' : entry.type}: download it as a zip or extract it`);
  return { from: path, entry };
}

async function checkFree(path: string, force: boolean | undefined): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (st?.isDirectory()) throw new RestoreError('TARGET_EXISTS', `${path} is a folder`);
  if (st && !force) throw new RestoreError('TARGET_EXISTS', `${path} already exists: pass --force to replace it`);
}

async function fileToPath(req: FilesJobRequest, output: { path: string; force?: boolean }, tally: FilesTally): Promise<void> {
  const { from, entry } = await singleFile(req);
  tally.totalFiles = 1;
  tally.totalBytes = entry.size;
  await checkFree(output.path, output.force);
  tally.current = from;
  const out = await PendingFile.file(dirname(output.path));
  try {
    await out.writeAll(tally.counted(req.tree.read(from, req.signal)), req.signal);
  } catch (e) {
    await out.discard();
    throw e;
  }
  await out.place(output.path, { force: output.force === true, mode: (entry.mode & 0o777) || 0o644, mtime: entry.mtime, sync: true });
  tally.files = 1;
}

async function zipToPath(req: FilesJobRequest, output: { path: string; force?: boolean }, tally: FilesTally): Promise<void> {
  await checkFree(output.path, output.force);
  await scan(req, tally);
  tally.phase = 'copy';
  const out = await PendingFile.file(dirname(output.path));
  const stream = out.writable(ZIP_OUT_BUFFER);
  const zip = new ZipWriter(stream, { what: basename(output.path) });
  try {
    await zipSelection({ tree: req.tree, paths: req.paths, zip, tally, ...(req.signal ? { signal: req.signal } : {}) });
    await zip.finish(req.signal);
  } catch (e) {
    await zip.dispose();
    stream.destroy();
    await out.discard();
    throw e;
  }
  await out.place(output.path, { force: output.force === true, mode: 0o644, sync: true });
}

async function toStream(req: FilesJobRequest, output: { format: 'file' | 'zip'; out: Writable }, tally: FilesTally): Promise<void> {
  if (output.format === 'file') {
    const { from, entry } = await singleFile(req);
    tally.totalFiles = 1;
    tally.totalBytes = entry.size;
    tally.current = from;
    const out = new StreamOut(output.out, 'the download');
    for await (const piece of tally.counted(req.tree.read(from, req.signal))) await out.write(piece, req.signal);
    await out.end(req.signal);
    tally.files = 1;
    return;
  }
  await scan(req, tally);
  tally.phase = 'copy';
  const zip = new ZipWriter(output.out, { what: 'the download' });
  try {
    await zipSelection({ tree: req.tree, paths: req.paths, zip, tally, ...(req.signal ? { signal: req.signal } : {}) });
    await zip.finish(req.signal);
  } finally {
    await zip.dispose();
  }
}

/** The counting pass: entries that would be written and their bytes; problems wait for the copy. */
async function scan(req: FilesJobRequest, tally: FilesTally): Promise<void> {
  if (req.scan === false) return;
  tally.phase = 'scan';
  let files = 0;
  let bytes = 0;
  await walkSelection(
    req.tree,
    req.paths,
    {
      enterDir: async (item) => {
        if (item.rel !== '') files++;
        return true;
      },
      leaf: async ({ entry }) => {
        if (entry.type === 'file' || entry.type === 'hardlink' || entry.type === 'symlink') files++;
        if (entry.type === 'file' || entry.type === 'hardlink') bytes += entry.size;
      },
      skip: () => {},
    },
    req.signal,
  );
  tally.totalFiles = files;
  tally.totalBytes = bytes;
}
