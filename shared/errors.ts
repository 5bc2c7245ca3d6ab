// Stable error codes shared by every layer and shown by every shell (CLI, app, browser mode).
// Codes are part of the contract: tools match on them, so never rename one; add new ones instead.

export type ErrorCode =
  // blobs and chunks (see electron/pbs/dataBlob.ts)
  | 'BLOB_TOO_SMALL'
  | 'BLOB_BAD_MAGIC'
  | 'BLOB_CRC_MISMATCH'
  | 'BLOB_DECOMPRESS_FAILED'
  | 'CHUNK_DIGEST_MISMATCH'
  | 'CHUNK_SIZE_MISMATCH'
  | 'CHUNK_CRYPT_MODE_MISMATCH'
  | 'CHUNK_MISSING'
  | 'CHUNK_EMPTY'
  // indexes and manifests
  | 'INDEX_BAD_MAGIC'
  | 'INDEX_TRUNCATED'
  | 'INDEX_INCONSISTENT'
  | 'INDEX_CSUM_MISMATCH'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_SIGNATURE_MISMATCH'
  // keys
  | 'MISSING_KEY'
  | 'WRONG_KEY'
  | 'WRONG_PASSWORD'
  | 'KEY_PASSWORD_REQUIRED'
  | 'KEYFILE_INVALID'
  | 'DECRYPT_FAILED'
  // names and lookups
  | 'INVALID_NAME'
  | 'DATASTORE_NOT_FOUND'
  | 'SNAPSHOT_NOT_FOUND'
  | 'ARCHIVE_NOT_FOUND'
  | 'ARCHIVE_NOT_IMAGE'
  // targets
  | 'TARGET_EXISTS'
  | 'TARGET_TOO_SMALL'
  | 'TARGET_NOT_WRITABLE'
  | 'ENOSPC'
  | 'IO_ERROR'
  // remote
  | 'AUTH_FAILED'
  | 'PERMISSION_DENIED'
  | 'TLS_FINGERPRINT_MISMATCH'
  /** The PBS reader session refused a chunk: its index was not downloaded in this session (HTTP 401 on /chunk). */
  | 'CHUNK_REFUSED'
  | 'CONNECTION_FAILED'
  | 'SERVER_ERROR'
  | 'TIMEOUT'
  // jobs
  | 'CANCELLED'
  | 'USAGE'
  | 'INTERNAL';

/** Where in an image a chunk error happened; present whenever a chunk is involved. */
export interface ChunkLocation {
  index: number;
  offset: number;
  digest: string;
}

/** The serialisable shape of an error as it crosses a process or IPC boundary. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  chunk?: ChunkLocation;
}
