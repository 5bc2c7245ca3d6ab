// File-level restore as every layer sees it: the entries of a browsed archive (a pxar archive, a
// filesystem in a disk image, an image's partitions) and the progress and outcome of getting files
// out of one (one file, a zip, a folder). Paths are POSIX and absolute in the archive ('/',
// '/etc/hosts', '/part2/etc'); names never contain '/'.
import type { ContractError, ContractErrorCode } from './errors.ts';
import { archiveBase } from './jobNames.ts';

export type FileEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'socket' | 'partition';

export interface FileEntry {
  name: string;
  type: FileEntryType;
  /** Bytes of a regular file's content; 0 for most other types (a partition: its size). */
  size: number;
  /** st_mode permission and type bits as stored (0 when the format has none). */
  mode: number;
  /** Seconds since the epoch (may be fractional); 0 when unknown. */
  mtime: number;
  uid?: number;
  gid?: number;
  /** Symlink target, or the path a hardlink points to (absolute in the tree). */
  target?: string;
  /** Partitions only: the filesystem found ('ext4', 'vfat', …) or 'unknown'. */
  fs?: string;
  /** Partitions only: the partition type in words, from the table ('Linux filesystem', 'EFI System'). */
  partitionType?: string;
  /** Partitions only: the GPT partition name or else the filesystem's label, when there is one. */
  label?: string;
  /** Partitions only: why its files cannot be listed ('XFS: not supported (…)'); absent when they can. */
  unsupported?: string;
}

/** An entry left out of a download or extraction, and why. */
export interface SkippedEntry {
  path: string;
  code: ContractErrorCode;
  message: string;
}

/** How many skipped entries a summary lists (the count goes on past it). */
export const MAX_SKIPPED_LISTED = 1000;

/**
 * Cumulative counters of a files job. Totals come from a listing pass before the copy ('scan'),
 * so they are absent while it runs.
 */
export interface FilesProgress {
  at: number;
  elapsedMs: number;
  phase: 'scan' | 'copy';
  /** Entries written: files, folders, symlinks. */
  files: number;
  /** Content bytes read from the archive and written. */
  bytes: number;
  totalFiles?: number;
  totalBytes?: number;
  skipped: number;
  /** The path being copied (in the archive). */
  current?: string;
}

/** succeeded: everything came out; partial: done, but some entries were skipped (listed). */
export type FilesOutcome = 'succeeded' | 'partial' | 'failed' | 'cancelled';

export interface FilesSummary {
  status: FilesOutcome;
  files: number;
  bytes: number;
  /** The first MAX_SKIPPED_LISTED skipped entries. */
  skipped: SkippedEntry[];
  skippedCount: number;
  seconds: number;
  /** The file, zip or folder written. */
  target?: string;
  error?: ContractError;
}

/**
 * What a download out of an archive is called, in the page and in the service alike: one file as
 * itself, one folder as `<folder>.zip`, the archive's root or several entries as
 * `<archive>-files.zip` (root.pxar.didx → root-files.zip).
 */
export function downloadName(archive: string, sole: Pick<FileEntry, 'name' | 'type'> | undefined): string {
  if (sole && (sole.type === 'file' || sole.type === 'hardlink')) return sole.name;
  if (sole?.name) return `${sole.name}.zip`;
  return `${archiveBase(archive)}-files.zip`;
}
