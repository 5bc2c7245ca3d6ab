// The counters of one files job (a download or an extraction), shared by the zip writer, the
// extraction and whoever shows progress: entries and bytes done, the totals once counted, and the
// entries left out with the reason for each.
import { toRestoreError, type ContractError } from '../../shared/errors.ts';
import { MAX_SKIPPED_LISTED, type FilesOutcome, type FilesProgress, type FilesSummary, type SkippedEntry } from '../../shared/files.ts';

export class FilesTally {
  readonly #started = performance.now();
  phase: FilesProgress['phase'] = 'copy';
  files = 0;
  bytes = 0;
  totalFiles: number | undefined;
  totalBytes: number | undefined;
  current: string | undefined;
  readonly skipped: SkippedEntry[] = [];
  skippedCount = 0;
  /** Told of every skipped entry as it happens (the CLI prints a warning, the service logs it). */
  onSkip: ((s: SkippedEntry) => void) | undefined;

  skip(path: string, error: unknown): void {
    const err = toRestoreError(error, path);
    const entry: SkippedEntry = { path, code: err.code, message: err.message };
    this.skippedCount++;
    if (this.skipped.length < MAX_SKIPPED_LISTED) this.skipped.push(entry);
    this.onSkip?.(entry);
  }

  /** Counts content bytes as they pass, so progress moves inside a large file too. */
  async *counted(content: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const piece of content) {
      this.bytes += piece.length;
      yield piece;
    }
  }

  progress(): FilesProgress {
    return {
      at: Date.now(),
      elapsedMs: performance.now() - this.#started,
      phase: this.phase,
      files: this.files,
      bytes: this.bytes,
      ...(this.totalFiles !== undefined ? { totalFiles: this.totalFiles } : {}),
      ...(this.totalBytes !== undefined ? { totalBytes: this.totalBytes } : {}),
      skipped: this.skippedCount,
      ...(this.current !== undefined ? { current: this.current } : {}),
    };
  }

  summary(outcome: { error?: ContractError; target?: string } = {}): FilesSummary {
    const { error, target } = outcome;
    const status: FilesOutcome = error ? (error.code === 'CANCELLED' ? 'cancelled' : 'failed') : this.skippedCount ? 'partial' : 'succeeded';
    return {
      status,
      files: this.files,
      bytes: this.bytes,
      skipped: [...this.skipped],
      skippedCount: this.skippedCount,
      seconds: (performance.now() - this.#started) / 1000,
      ...(target !== undefined ? { target } : {}),
      ...(error ? { error } : {}),
    };
  }
}
