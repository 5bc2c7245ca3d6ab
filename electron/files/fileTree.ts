// The seams of file-level restore: every kind of archive that holds files (a pxar archive, a
// filesystem inside a disk image, the partition list of an image) is shown as a FileTree, and every
// way of getting files out (one file, a zip, a folder) reads through it. Paths are POSIX and
// absolute ('/', '/etc', '/part2/etc/hosts'); names never contain '/'. The entry shape lives in
// shared/files.ts, because the service's contract and the UI carry it too.
import type { FileEntry } from '../../shared/files.ts';

export type { FileEntry, FileEntryType } from '../../shared/files.ts';

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
