// Errors, for every layer and every shell (CLI, app, browser mode): the stable codes, the one
// error class that carries them, and its serialisable shape. In the manner of undici's
// lib/core/errors.js, callers branch on `code`, never on message text; messages say what and where.
// Codes are part of the contract: tools match on them, so never rename one; add new ones instead
// (and give each its words in shared/errorText.ts). Pure code: no Node, DOM or Electron.

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
  /** A chunk body (or chunk file) is larger than any valid blob for the index's chunk size. */
  | 'CHUNK_TOO_LARGE'
  /** A blob is larger than allowed: stored (a chunk file, a manifest) or once decompressed (a bomb). */
  | 'BLOB_TOO_LARGE'
  // indexes and manifests
  | 'INDEX_BAD_MAGIC'
  | 'INDEX_TRUNCATED'
  | 'INDEX_INCONSISTENT'
  | 'INDEX_CSUM_MISMATCH'
  /** An index header field is outside what PBS writes (chunk size not a power of two in 64 KiB … 16 MiB). */
  | 'INDEX_INVALID'
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
  // files inside archives and disk images (electron/files/, electron/pbs/pxar/)
  /** A pxar archive is malformed: a bad item header, goodbye table or payload reference. */
  | 'PXAR_INVALID'
  /** No entry at that path (a name missing, or a partition number the table does not have). */
  | 'PATH_NOT_FOUND'
  /** A path that must be a directory (to list it, or to go through it) is something else. */
  | 'NOT_A_DIRECTORY'
  /**
   * Contents were asked of something that is not a regular file (a directory, a symlink, a
   * partition, …), or a datastore entry that must be a regular file is something else (a FIFO, a device).
   */
  | 'NOT_A_FILE'
  /** A filesystem Restore Console cannot read (XFS, NTFS, btrfs, LVM, swap, an unknown one, …). */
  | 'FS_UNSUPPORTED'
  /** A partition table or a filesystem structure is damaged: it points outside, loops, or contradicts itself. */
  | 'FS_INVALID'
  /** A name or a symlink in an archive would reach outside the folder files are extracted to. */
  | 'UNSAFE_PATH'
  /** A device, FIFO or socket: it has no contents to download and is not recreated. */
  | 'SPECIAL_FILE'
  // targets
  | 'TARGET_EXISTS'
  | 'TARGET_TOO_SMALL'
  | 'TARGET_NOT_WRITABLE'
  /** Another restore writes this target now (its lock is held), or the device is mounted or claimed. */
  | 'TARGET_BUSY'
  /** `TARGET.partial` exists from an earlier restore: pass --force to start over. */
  | 'TARGET_PARTIAL_EXISTS'
  /** The target lies inside a datastore being read (writing there would destroy backups). */
  | 'TARGET_IN_DATASTORE'
  /** The service and the UI take absolute target paths only. */
  | 'TARGET_NOT_ABSOLUTE'
  | 'ENOSPC'
  | 'IO_ERROR'
  // resuming a restore (docs/resume.md)
  /** The resume state records another restore (snapshot, archive, index, key, …) than the one asked for. */
  | 'RESUME_MISMATCH'
  /** A partial target exists but no resume state says which of its chunks are good. */
  | 'RESUME_STATE_MISSING'
  /** The resume state file is damaged (not JSON, a wrong checksum, an unknown format). */
  | 'RESUME_STATE_INVALID'
  // remote
  | 'AUTH_FAILED'
  | 'PERMISSION_DENIED'
  | 'TLS_FINGERPRINT_MISMATCH'
  /** The PBS reader session refused a chunk: its index was not downloaded in this session (HTTP 401 on /chunk). */
  | 'CHUNK_REFUSED'
  | 'CONNECTION_FAILED'
  | 'SERVER_ERROR'
  | 'TIMEOUT'
  /** No source bytes arrived for the stall timeout while chunks were in flight (resumable). */
  | 'STALLED'
  // jobs
  | 'CANCELLED'
  | 'USAGE'
  | 'INTERNAL';

/** The engine's codes plus those of the service and the transports. */
export type ContractErrorCode =
  | ErrorCode
  /** No source with that id. */
  | 'SOURCE_NOT_FOUND'
  /** No job with that id. */
  | 'JOB_NOT_FOUND'
  /** The command does not apply to the job's current state (pause a finished job, …). */
  | 'INVALID_STATE'
  /** The arguments do not have the shape the contract gives the command. */
  | 'BAD_ARGUMENTS'
  | 'UNKNOWN_COMMAND'
  /** This shell cannot do it (native dialogs in browser mode). */
  | 'NOT_SUPPORTED'
  /** The source's secret was not kept (no safeStorage, no rememberSecret): enter it again. */
  | 'SECRET_REQUIRED'
  /** The app stopped while the job ran. */
  | 'INTERRUPTED'
  /** A folder listing (targets.folders) outside the folders it may show. */
  | 'FOLDER_NOT_ALLOWED'
  /** Transport: the call carried no valid token. */
  | 'UNAUTHORIZED'
  /** Transport: wrong Host, Origin or sender frame. */
  | 'FORBIDDEN'
  /** Transport: the connection failed or answered something that is not the contract. */
  | 'TRANSPORT';

/** Where in an image a chunk error happened; present whenever a chunk is involved. */
export interface ChunkLocation {
  index: number;
  offset: number;
  digest: string;
}

/** The serialisable shape of an error as it crosses a process or IPC boundary. */
export interface ContractError {
  code: ContractErrorCode;
  message: string;
  /** The chunk involved, for chunk errors. */
  chunk?: ChunkLocation;
  /**
   * TLS_FINGERPRINT_MISMATCH: the SHA-256 fingerprint (colon hex) the server presented, so the UI
   * can show it and ask the user to trust it (add the source again with this fingerprint).
   */
  fingerprint?: string;
  /** CONNECTION_FAILED: the port that was tried, so the words name it. */
  port?: number;
}

export interface RestoreErrorOptions {
  cause?: unknown;
  chunk?: ChunkLocation;
  /** TLS_FINGERPRINT_MISMATCH: the fingerprint the server presented. */
  fingerprint?: string;
  /** CONNECTION_FAILED: the port that was tried. */
  port?: number;
  /** True when retrying the same operation may succeed (network hiccups, 5xx). */
  transient?: boolean;
}

/**
 * The one error class: thrown by the formats, sources and engine, by the service (its own codes
 * too), and rebuilt by the renderer's clients from a ContractError, so `catch (e) { e.code }`
 * reads the same everywhere.
 */
export class RestoreError extends Error {
  readonly code: ContractErrorCode;
  chunk?: ChunkLocation;
  readonly fingerprint?: string;
  readonly port?: number;
  readonly transient: boolean;

  constructor(code: ContractErrorCode, message: string, opts: RestoreErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RestoreError';
    this.code = code;
    if (opts.chunk) this.chunk = opts.chunk;
    if (opts.fingerprint) this.fingerprint = opts.fingerprint;
    if (opts.port !== undefined) this.port = opts.port;
    this.transient = opts.transient ?? false;
  }

  /** The error as it arrived over a boundary. */
  static from(info: ContractError): RestoreError {
    return new RestoreError(info.code, info.message, {
      ...(info.chunk ? { chunk: info.chunk } : {}),
      ...(info.fingerprint ? { fingerprint: info.fingerprint } : {}),
      ...(typeof info.port === 'number' ? { port: info.port } : {}),
    });
  }

  toInfo(): ContractError {
    return {
      code: this.code,
      message: this.message,
      ...(this.chunk ? { chunk: this.chunk } : {}),
      ...(this.fingerprint ? { fingerprint: this.fingerprint } : {}),
      ...(this.port !== undefined ? { port: this.port } : {}),
    };
  }
}

export function isRestoreError(e: unknown, code?: ContractErrorCode): e is RestoreError {
  return e instanceof RestoreError && (code === undefined || e.code === code);
}

/** What a thrown Node error or DOMException may carry (typed here: shared/ sees no Node types). */
interface ThrownLike {
  name?: string;
  code?: unknown;
  message?: string;
}

/** Any thrown value as a RestoreError, keeping the codes of known Node errors meaningful. */
export function toRestoreError(e: unknown, context: string): RestoreError {
  if (e instanceof RestoreError) return e;
  const err = e as ThrownLike | undefined;
  if (err?.name === 'AbortError') return new RestoreError('CANCELLED', `${context}: cancelled`, { cause: e });
  switch (err?.code) {
    case 'ENOSPC':
      return new RestoreError('ENOSPC', `${context}: no space left on device`, { cause: e });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new RestoreError('TARGET_NOT_WRITABLE', `${context}: ${err.message}`, { cause: e });
    default:
      return new RestoreError(err?.code ? 'IO_ERROR' : 'INTERNAL', `${context}: ${err?.message ?? String(e)}`, { cause: e });
  }
}

/**
 * Any thrown value as the contract's error, for what leaves the service or reaches the UI: a
 * RestoreError as it is, an abort as CANCELLED, anything else as INTERNAL with its message.
 */
export function toContractError(e: unknown): ContractError {
  if (e instanceof RestoreError) return e.toInfo();
  const err = e as ThrownLike | undefined;
  if (err?.name === 'AbortError') return { code: 'CANCELLED', message: 'cancelled' };
  return { code: 'INTERNAL', message: err?.message ?? String(e) };
}
