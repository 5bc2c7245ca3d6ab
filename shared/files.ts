// File-level restore as every layer sees it: the entries of a browsed archive (a pxar archive, a
// filesystem in a disk image, an image's partitions) and the progress and outcome of getting files
// out of one (one file, a zip, a folder). Paths are POSIX and absolute in the archive ('/',
// '/etc/hosts', '/part2/etc'); names never contain '/'.
import type { KeyArgs, SnapshotSelector } from './contract.ts';
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

// The files commands (contract.ts's table): browse a file archive (*.pxar) or a disk image
// (*.img), then download or extract what is selected as a files job.

export interface FilesOpenArgs {
  sourceId: string;
  snapshot: SnapshotSelector;
  /** `root.pxar` (the single archive or the mpxar/ppxar pair) or a disk image, `drive-scsi0.img`. */
  archive: string;
  key?: KeyArgs;
}

/** An archive opened for browsing; closed with files.close, or by the service after 10 idle minutes. */
export interface FilesBrowse {
  id: string;
  archive: string;
  /** The index files it reads (one, or the metadata and payload pair). */
  archives: string[];
  /** The entry of '/'. */
  root: FileEntry;
  /** What was noticed reading a disk image's layout (a damaged primary GPT, …): shown above the listing. */
  warnings?: string[];
}

/**
 * Where a files job writes: one regular file as itself, a zip, or a folder to extract into
 * (created if missing), at an absolute path; or 'download': the browser fetches the result from
 * FilesJobInfo.download (one file as itself, anything else as a zip).
 */
export type FilesOutputArgs = { kind: 'file' | 'zip' | 'folder'; path: string; force?: boolean } | { kind: 'download' };

export interface FilesStartArgs {
  browseId: string;
  /** Absolute paths in the archive, in one folder or not (their names must differ). */
  paths: string[];
  output: FilesOutputArgs;
}

/** waiting: a download nobody fetched yet. Final: succeeded, partial (some entries skipped), failed, cancelled. */
export type FilesJobState = 'waiting' | 'running' | 'cancelling' | 'succeeded' | 'partial' | 'failed' | 'cancelled';

export interface FilesJobInfo {
  id: string;
  state: FilesJobState;
  request: { sourceId: string; sourceLabel: string; snapshot: SnapshotSelector; archive: string; paths: string[]; output: FilesOutputArgs };
  /** Epoch ms. */
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  progress?: FilesProgress;
  summary?: FilesSummary;
  error?: ContractError;
  /** 'download' only: the address to fetch (GET, with the token) and the file name it gets. */
  download?: { path: string; name: string };
}

export interface FilesProgressEvent {
  jobId: string;
  progress: FilesProgress;
}
