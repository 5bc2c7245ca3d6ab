// The seams between sources and the engine (PBS read_chunk.rs: ReadChunk / AsyncReadChunk).
// A datastore directory and a PBS server both implement them; tests use in-memory ones.
import type { GroupInfo, SnapshotInfo } from '../../shared/catalog.ts';
import type { SnapshotRef } from '../pbs/names.ts';

/** Gives a buffer of `size` bytes for a chunk's stored bytes (the engine's buffer pool). */
export type ChunkAlloc = (size: number) => Buffer;

/**
 * Returns a chunk's stored bytes (a DataBlob, not yet verified) in a buffer the caller then owns:
 * the engine moves it to a decode worker, which detaches it, so never hand out a cached buffer.
 * `maxBytes` is the largest valid blob for the index's chunk size (limits.ts): a larger chunk is
 * refused as soon as its size is known, before it is read whole. With `alloc`, the bytes go into a
 * buffer from it once their size is known (a source that cannot, returns its own).
 */
export interface ChunkSource {
  readChunk(digest: Uint8Array, signal?: AbortSignal, maxBytes?: number, alloc?: ChunkAlloc): Promise<Uint8Array>;
}

/** One open snapshot: its files and the chunks its indexes reference. */
export interface SnapshotReader extends ChunkSource {
  readonly ref: SnapshotRef;
  /**
   * Raw bytes of a file in the snapshot directory (index.json.blob, *.fidx, *.blob). A file larger
   * than `maxBytes` is refused (BLOB_TOO_LARGE, or INDEX_INVALID for an index) before it is read
   * whole; callers pass the bound of limits.ts for what they read.
   */
  readFile(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** A place that holds backups: lists them and opens snapshots for reading. */
export interface BackupSource {
  /** Human-readable location, for messages. */
  readonly label: string;
  /** For a datastore directory: its folder (a restore target must never lie inside it). */
  readonly localPath?: string;
  /** Listed entries skipped for names the datastore rules refuse (a server's listings), for a warning. */
  readonly skippedNames?: readonly string[];
  listNamespaces(parent?: string): Promise<string[]>;
  listGroups(ns: string): Promise<GroupInfo[]>;
  listSnapshots(ns: string, group?: { type: string; id: string }): Promise<SnapshotInfo[]>;
  /** Opens a snapshot; `signal` stops a slow open (a PBS reader session). */
  openSnapshot(ref: SnapshotRef, signal?: AbortSignal): Promise<SnapshotReader>;
}
