// Files jobs: what is selected in an open archive (filesBrowse.ts) written as one file, a zip or
// an extracted folder (engine: files/filesJob.ts), or handed to the browser as a download.
//
//   waiting (downloads only, until the browser fetches it) → running → cancelling →
//   succeeded | partial | failed | cancelled
//
// Progress goes out as 'filesProgress' while it changes, at most once per progressMs; the final
// sample comes before the final 'filesJob'. Every skipped entry is logged (the first hundred;
// the summary keeps the list). Files jobs are kept in memory only: the last 50 finished ones.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Events, FilesJobInfo, FilesJobState, FilesStartArgs, LogLevel } from '../../shared/contract.ts';
import { RestoreError, toContractError } from '../../shared/errors.ts';
import { downloadName, type FilesSummary } from '../../shared/files.ts';
import { formatBytes } from '../../shared/units.ts';
import { runFilesJob, type FilesOutput } from '../files/filesJob.ts';
import { FilesTally } from '../files/filesTally.ts';
import { normalizeTreePath } from '../files/treePaths.ts';
import type { BrowseSession, BrowseSessions } from './filesBrowse.ts';
import type { LogInput } from './logs.ts';

const KEEP_FINISHED = 50;
const LOG_SKIPS = 100;
const DOWNLOAD_WAIT_MS = 2 * 60 * 1000;

export interface FilesJobsContext {
  sessions: BrowseSessions;
  sourceLabel(sourceId: string): string;
  emit<E extends 'filesJob' | 'filesProgress'>(event: E, payload: Events[E]): void;
  log(level: LogLevel, message: string, ctx: LogInput): void;
  progressMs: number;
  /** How long a download waits for the browser to fetch it (default 2 minutes). */
  downloadWaitMs?: number;
}

/** A download the HTTP server streams: what to call it and how to produce it. */
export interface DownloadStream {
  name: string;
  contentType: string;
  /** Known for one file (Content-Length). */
  size?: number;
  /** Writes it to `out` and ends it, or destroys `out` on failure; resolves with the job's end. */
  run(out: Writable): Promise<FilesJobInfo>;
  /** The browser went away before the end. */
  cancel(): void;
}

interface Run {
  info: FilesJobInfo;
  abort: AbortController;
  tally: FilesTally;
  session: BrowseSession;
  format?: 'file' | 'zip';
  size?: number;
  waitTimer?: NodeJS.Timeout;
  /** Settles when the job has ended (once it runs). */
  done?: Promise<FilesJobInfo>;
}

const FINAL: readonly FilesJobState[] = ['succeeded', 'partial', 'failed', 'cancelled'];

export class FilesJobs {
  readonly #ctx: FilesJobsContext;
  readonly #runs = new Map<string, Run>();
  readonly #finished: FilesJobInfo[] = [];

  constructor(ctx: FilesJobsContext) {
    this.#ctx = ctx;
  }

  async start(args: FilesStartArgs): Promise<FilesJobInfo> {
    const session = this.#ctx.sessions.retain(args.browseId);
    const paths = args.paths.map(normalizeTreePath);
    const output = args.output.kind === 'download' ? args.output : { ...args.output, path: resolve(args.output.path) };
    const id = `files-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const { sourceId, snapshot, archive } = session.args;
    const info: FilesJobInfo = {
      id,
      state: output.kind === 'download' ? 'waiting' : 'running',
      request: { sourceId, sourceLabel: this.#ctx.sourceLabel(sourceId), snapshot, archive, paths, output },
      createdAt: Date.now(),
    };
    const run: Run = { info, abort: new AbortController(), tally: new FilesTally(), session };
    try {
      if (output.kind === 'download') await this.#prepareDownload(run);
    } catch (e) {
      this.#ctx.sessions.release(session);
      throw e;
    }
    this.#runs.set(id, run);
    this.#ctx.log('info', `files job: ${describe(info)}`, { jobId: id, sourceId });
    this.#ctx.emit('filesJob', { ...info });
    if (output.kind !== 'download') void this.#run(run, output);
    return { ...info };
  }

  cancel(id: string): FilesJobInfo {
    const run = this.#runs.get(id);
    if (!run) {
      const done = this.#finished.find((j) => j.id === id);
      if (done) throw new RestoreError('INVALID_STATE', `files job ${id} has ended (${done.state})`);
      throw new RestoreError('JOB_NOT_FOUND', `no files job ${id}`);
    }
    if (run.info.state === 'waiting') {
      this.#end(run, run.tally.summary({ error: { code: 'CANCELLED', message: 'cancelled before the download started' } }));
    } else if (run.info.state === 'running') {
      run.info.state = 'cancelling';
      this.#ctx.emit('filesJob', { ...run.info });
      run.abort.abort(new RestoreError('CANCELLED', 'cancelled'));
    }
    return { ...run.info };
  }

  list(): FilesJobInfo[] {
    const live = [...this.#runs.values()].map((r) => this.#withProgress(r));
    return [...live.sort((a, b) => b.createdAt - a.createdAt), ...this.#finished.map((j) => ({ ...j }))];
  }

  /** Claims a waiting download for the HTTP server (once). */
  takeDownload(id: string): DownloadStream {
    const run = this.#runs.get(id);
    if (!run || run.info.state !== 'waiting' || !run.info.download) {
      throw new RestoreError(run ? 'INVALID_STATE' : 'JOB_NOT_FOUND', run ? 'this download was already fetched' : `no download ${id}`);
    }
    clearTimeout(run.waitTimer);
    run.info.state = 'running';
    const format = run.format!;
    return {
      name: run.info.download.name,
      contentType: format === 'zip' ? 'application/zip' : 'application/octet-stream',
      ...(run.size !== undefined ? { size: run.size } : {}),
      run: (out) => this.#run(run, { kind: 'stream', format, out }),
      cancel: () => {
        if (run.info.state === 'running') run.abort.abort(new RestoreError('CANCELLED', 'the browser stopped the download'));
      },
    };
  }

  async closeAll(): Promise<void> {
    const running = [...this.#runs.values()];
    for (const r of running) {
      if (r.info.state === 'waiting') this.cancel(r.info.id);
      else r.abort.abort(new RestoreError('CANCELLED', 'the service is stopping'));
    }
    await Promise.all(running.map((r) => r.done));
  }

  async #prepareDownload(run: Run): Promise<void> {
    const { paths, archive } = run.info.request;
    const first = paths.length === 1 ? await run.session.opened.tree.stat(paths[0]!) : undefined;
    const single = first && (first.type === 'file' || first.type === 'hardlink');
    run.format = single ? 'file' : 'zip';
    if (single) run.size = first.size;
    run.info.download = { path: `/api/files/download/${run.info.id}`, name: downloadName(archive, first) };
    run.waitTimer = setTimeout(() => {
      if (run.info.state !== 'waiting') return;
      this.#end(run, run.tally.summary({ error: { code: 'TIMEOUT', message: 'the download was not fetched in time: start it again' } }));
    }, this.#ctx.downloadWaitMs ?? DOWNLOAD_WAIT_MS);
    run.waitTimer.unref();
  }

  #run(run: Run, output: FilesOutput): Promise<FilesJobInfo> {
    const { info, tally } = run;
    info.startedAt = Date.now();
    this.#ctx.emit('filesJob', { ...info });
    let logged = 0;
    tally.onSkip = (s) => {
      if (++logged <= LOG_SKIPS) this.#ctx.log('warn', `skipped ${s.path} [${s.code}]: ${s.message}`, { jobId: info.id, sourceId: info.request.sourceId, code: s.code });
    };
    let last = '';
    const sample = (): void => {
      const p = tally.progress();
      const key = `${p.phase} ${p.files} ${p.bytes} ${p.skipped} ${p.totalFiles}`;
      if (key === last) return;
      last = key;
      info.progress = p;
      this.#ctx.emit('filesProgress', { jobId: info.id, progress: p });
    };
    const timer = setInterval(sample, this.#ctx.progressMs);
    const done = runFilesJob({ tree: run.session.opened.tree, paths: info.request.paths, output, tally, signal: run.abort.signal }).then((summary) => {
      clearInterval(timer);
      sample();
      // A job cancelled while its output failed (the browser went away) was cancelled.
      if (run.abort.signal.aborted && summary.status === 'failed') summary = { ...summary, status: 'cancelled', error: { code: 'CANCELLED', message: summary.error?.message ?? 'cancelled' } };
      return this.#end(run, summary);
    });
    run.done = done;
    return done;
  }

  #end(run: Run, summary: FilesSummary): FilesJobInfo {
    const { info } = run;
    clearTimeout(run.waitTimer);
    if (FINAL.includes(info.state)) return { ...info };
    info.state = summary.status;
    info.endedAt = Date.now();
    info.summary = summary;
    if (summary.error) info.error = toContractError(RestoreError.from(summary.error));
    this.#runs.delete(info.id);
    this.#ctx.sessions.release(run.session);
    this.#finished.unshift({ ...info });
    this.#finished.splice(KEEP_FINISHED);
    const ctx = { jobId: info.id, sourceId: info.request.sourceId, ...(summary.error ? { code: summary.error.code } : {}) };
    const what = `${summary.files} entries, ${formatBytes(summary.bytes, 'iec')}${summary.skippedCount ? `, ${summary.skippedCount} skipped` : ''}`;
    if (summary.status === 'succeeded' || summary.status === 'partial') this.#ctx.log(summary.status === 'partial' ? 'warn' : 'info', `files job ${summary.status}: ${what}`, ctx);
    else this.#ctx.log(summary.status === 'cancelled' ? 'info' : 'error', `files job ${summary.status}: ${summary.error?.message ?? ''} (${what})`, ctx);
    this.#ctx.emit('filesJob', { ...info });
    return { ...info };
  }

  #withProgress(run: Run): FilesJobInfo {
    return { ...run.info, ...(run.info.state === 'running' || run.info.state === 'cancelling' ? { progress: run.tally.progress() } : {}) };
  }
}

function describe(info: FilesJobInfo): string {
  const { paths, archive, output } = info.request;
  const what = `${paths.length === 1 ? paths[0] : `${paths.length} entries`} of ${archive}`;
  switch (output.kind) {
    case 'download':
      return `${what} as a download (${info.download?.name ?? ''})`;
    case 'folder':
      return `${what} extracted into ${output.path}`;
    case 'zip':
      return `${what} as a zip to ${output.path}`;
    case 'file':
      return `${what} to ${output.path}`;
  }
}
