// The seams of file-level restore: every kind of archive that holds files (a pxar archive, a
// filesystem inside a disk image, the partition list of an image) is shown as a FileTree, and every
// way of getting files out (one file, a zip, a folder) reads through it. Paths are POSIX and
// absolute ('/', '/etc', '/part2/etc/hosts'); names never contain '/'.

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

export interface FileTree {
  /** Entries of a directory, in the archive's order. Throws RestoreError PATH_NOT_FOUND / NOT_A_DIRECTORY. */
  list(path: string, signal?: AbortSignal): Promise<FileEntry[]>;
  /** One entry (the root has the name ''). */
  stat(path: string, signal?: AbortSignal): Promise<FileEntry>;
  /** A regular file's bytes, in order, in pieces of bounded size (memory stays bounded). */
  read(path: string, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

/** Random access to the bytes of an archive or a partition (a dynamic or fixed index, a slice of one). */
export interface ByteReader {
  readonly size: number;
  /** Exactly `length` bytes at `offset` (fewer only at the end); the caller may keep the result. */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
}
