// Every error code in words, with what to do next, for any shell that shows errors to people (the
// app and browser mode today). The service's message stays available (it names files, chunks and
// offsets); this adds the sentence a person acts on. Typed as a complete record, so a new code in
// shared/errors.ts fails the type check until it is explained here. Pure code.
import type { ContractError, ContractErrorCode } from './errors.ts';

export interface Explained {
  /** What went wrong, in one short sentence. */
  title: string;
  /** What to do about it. */
  next: string;
}

const CORRUPT: Explained = {
  title: 'A chunk of this backup is damaged.',
  next: 'Run a verify job for this snapshot on the PBS server, and restore an older snapshot meanwhile.',
};
const INDEX: Explained = {
  title: 'The archive index of this backup is damaged.',
  next: 'Restore another snapshot, and run a verify job on the PBS server.',
};

const TEXTS: Record<ContractErrorCode, Explained> = {
  BLOB_TOO_SMALL: CORRUPT,
  BLOB_BAD_MAGIC: CORRUPT,
  BLOB_CRC_MISMATCH: CORRUPT,
  BLOB_DECOMPRESS_FAILED: CORRUPT,
  CHUNK_DIGEST_MISMATCH: CORRUPT,
  CHUNK_SIZE_MISMATCH: CORRUPT,
  CHUNK_CRYPT_MODE_MISMATCH: CORRUPT,
  CHUNK_EMPTY: CORRUPT,
  CHUNK_TOO_LARGE: {
    title: 'A chunk is larger than any valid chunk of this backup.',
    next: 'The datastore or the server sends damaged data: run a verify job on the PBS server, and restore another snapshot.',
  },
  BLOB_TOO_LARGE: {
    title: 'A file of this backup is far larger than it can be.',
    next: 'The file is damaged or hostile: restore another snapshot, and run a verify job on the PBS server.',
  },
  CHUNK_MISSING: {
    title: 'A chunk this backup needs is missing from the datastore.',
    next: 'Run a verify job on the PBS server (garbage collection may have removed it), and restore another snapshot.',
  },
  INDEX_BAD_MAGIC: INDEX,
  INDEX_TRUNCATED: INDEX,
  INDEX_INCONSISTENT: INDEX,
  INDEX_CSUM_MISMATCH: INDEX,
  INDEX_INVALID: INDEX,
  MANIFEST_INVALID: { title: 'The snapshot manifest cannot be read.', next: 'Restore another snapshot; verify this one on the PBS server.' },
  MANIFEST_SIGNATURE_MISMATCH: {
    title: 'The snapshot signature does not match this key.',
    next: 'Choose the key file the backup was made with (compare the key fingerprints).',
  },
  MISSING_KEY: { title: 'This backup is encrypted.', next: 'Choose its key file and enter the key file password.' },
  WRONG_KEY: {
    title: 'This key file does not belong to this backup.',
    next: 'Choose the key file the backup was made with (compare the key fingerprints).',
  },
  WRONG_PASSWORD: { title: 'The key file password is wrong.', next: 'Check the key file password and try again.' },
  KEY_PASSWORD_REQUIRED: { title: 'This key file is protected by a password.', next: 'Enter the key file password.' },
  KEYFILE_INVALID: {
    title: 'The key file cannot be read.',
    next: 'Choose a PBS key file (the JSON file proxmox-backup-client key create writes).',
  },
  DECRYPT_FAILED: { title: 'A chunk could not be decrypted.', next: 'Check that the key file is the one this backup was made with.' },
  INVALID_NAME: { title: 'That name is not a valid PBS name.', next: 'Check the snapshot, namespace or archive name.' },
  DATASTORE_NOT_FOUND: { title: 'The datastore was not found.', next: 'Check the folder or the datastore name, then test the source again.' },
  SNAPSHOT_NOT_FOUND: { title: 'The snapshot was not found.', next: 'Refresh the list: it may have been pruned.' },
  ARCHIVE_NOT_FOUND: { title: 'The archive was not found in this snapshot.', next: 'Refresh the snapshot and pick one of its disk images.' },
  ARCHIVE_NOT_IMAGE: { title: 'This archive is not a disk image.', next: 'Pick a .img archive to restore; the files of a file archive (.pxar) open with "Browse files…".' },
  PXAR_INVALID: {
    title: 'The file archive of this backup is damaged.',
    next: 'Browse another snapshot, and run a verify job for this one on the PBS server.',
  },
  PATH_NOT_FOUND: { title: 'That file or folder is not in this archive.', next: 'Check the path: names are case-sensitive.' },
  NOT_A_DIRECTORY: { title: 'That is a file, not a folder.', next: 'Open the folder that contains it.' },
  NOT_A_FILE: {
    title: 'That is not a regular file.',
    next: 'Pick a regular file, or download a folder as a zip. In a datastore, a FIFO or device stands where a backup file belongs: check the folder, or use the PBS server.',
  },
  FS_UNSUPPORTED: {
    title: 'Restore Console cannot read this filesystem.',
    next: 'Files can be browsed on ext2/3/4 and FAT partitions; restore the whole disk image to get at the others.',
  },
  FS_INVALID: {
    title: 'The partition table or filesystem in this image is damaged.',
    next: 'Try an older snapshot, or restore the whole disk image and repair it with fsck.',
  },
  UNSAFE_PATH: {
    title: 'An entry would have been written outside the chosen folder, so it was skipped.',
    next: 'Nothing to do; the summary names the entry and where it pointed.',
  },
  SPECIAL_FILE: { title: 'A device, pipe or socket has no contents to copy.', next: 'Nothing to do; it was left out.' },
  TARGET_EXISTS: { title: 'The target already exists.', next: 'Choose another file or allow overwriting.' },
  TARGET_TOO_SMALL: { title: 'The target device is smaller than the image.', next: 'Choose a device at least as large as the disk image.' },
  TARGET_NOT_WRITABLE: {
    title: 'The target cannot be written.',
    next: 'Check that its folder exists and that you may write there, or choose another target.',
  },
  ENOSPC: { title: 'The target disk is full.', next: 'Free space on that disk, then resume: the chunks already written are kept.' },
  RESUME_MISMATCH: {
    title: 'The partial target belongs to another restore.',
    next: 'Resume with the same snapshot, archive and key as before, or delete the partial file and restore again.',
  },
  RESUME_STATE_MISSING: {
    title: 'There is a partial target but no record of which parts are good.',
    next: 'Delete the partial file (or overwrite it) and restore again from the start.',
  },
  RESUME_STATE_INVALID: {
    title: 'The resume record of this restore is damaged.',
    next: 'Delete the partial file and its .state file, and restore again from the start.',
  },
  TARGET_BUSY: {
    title: 'Another restore is writing this target, or the device is in use.',
    next: 'Wait for the other restore to end, or unmount the device; then start again.',
  },
  TARGET_PARTIAL_EXISTS: {
    title: 'An earlier restore to this target did not finish.',
    next: 'Resume it, or allow overwriting to start over (its .partial file is replaced).',
  },
  TARGET_IN_DATASTORE: {
    title: 'The target lies inside a datastore.',
    next: 'Choose a target outside every datastore folder: writing there would destroy backups.',
  },
  TARGET_NOT_ABSOLUTE: { title: 'The target path is not absolute.', next: 'Enter the full path, starting at the root of the disk.' },
  IO_ERROR: { title: 'Reading or writing failed.', next: 'Check the disk and the job log, then start the restore again.' },
  AUTH_FAILED: { title: 'The server refused the login.', next: 'Check the user or API token and its secret.' },
  PERMISSION_DENIED: {
    title: 'The server denied access.',
    next: 'Give this user or token the DatastoreReader role on the datastore (or the namespace).',
  },
  TLS_FINGERPRINT_MISMATCH: {
    title: "The server's certificate is not trusted.",
    next: 'Compare the fingerprint with the one on the PBS dashboard ("Show Fingerprint"), then trust it.',
  },
  CHUNK_REFUSED: { title: 'The server refused a chunk.', next: 'Start the restore again; if it repeats, check the server log.' },
  CONNECTION_FAILED: { title: 'The server cannot be reached.', next: 'Check the host name, the port and the network.' },
  SERVER_ERROR: { title: 'The server reported an error.', next: 'Try again; if it repeats, check the PBS task log.' },
  TIMEOUT: { title: 'The server did not answer in time.', next: 'Check the network, then try again (a lower concurrency may help).' },
  STALLED: {
    title: 'No data arrived from the source for too long.',
    next: 'Check the network and the server, then resume: the chunks already written are kept.',
  },
  CANCELLED: { title: 'Cancelled.', next: 'Resume it when you want (a cancelled restore keeps its .partial file), or delete the partial file.' },
  USAGE: { title: 'The request was not understood.', next: 'Check the values entered.' },
  INTERNAL: { title: 'Something unexpected went wrong inside Restore Console.', next: 'See the log for details, and report it if it repeats.' },
  SOURCE_NOT_FOUND: { title: 'That source no longer exists.', next: 'Pick another source, or add it again.' },
  JOB_NOT_FOUND: { title: 'That job no longer exists.', next: 'It was removed from the history; open the jobs list.' },
  INVALID_STATE: { title: 'That is not possible right now.', next: 'Wait for the current step to finish, then try again.' },
  BAD_ARGUMENTS: { title: 'Some values were not accepted.', next: 'Check the values entered.' },
  UNKNOWN_COMMAND: { title: 'The service does not know this command.', next: 'Update Restore Console: the page and the service differ in version.' },
  NOT_SUPPORTED: { title: 'Not available here.', next: 'Type the path instead (native dialogs exist only in the desktop app).' },
  SECRET_REQUIRED: { title: 'The password or token secret for this server was not kept.', next: 'Enter it again on the Sources page.' },
  INTERRUPTED: { title: 'The app stopped while this job ran.', next: 'Resume it: the chunks already written and synced are kept. Or delete the partial file.' },
  FOLDER_NOT_ALLOWED: { title: 'This folder cannot be listed here.', next: 'Pick a folder under your home folder, or type the full path.' },
  UNAUTHORIZED: { title: 'This page has no valid token.', next: 'Open the address that "restore-console serve" printed (it ends with ?token=…).' },
  FORBIDDEN: { title: 'The service refused this page.', next: 'Open the address that "restore-console serve" printed.' },
  TRANSPORT: { title: 'The Restore Console service cannot be reached.', next: 'Check that it is still running (restore-console serve): this page reconnects by itself.' },
};

/** Any thrown value (a RestoreError, an Error, a string) as words and a next step. */
export function explainError(e: unknown): Explained & { code?: ContractErrorCode; detail: string } {
  const err = (e ?? {}) as Partial<ContractError>;
  const code = typeof err.code === 'string' && err.code in TEXTS ? err.code : undefined;
  const detail = typeof err.message === 'string' ? err.message : String(e);
  if (!code) return { title: 'Something went wrong.', next: 'See the details and the log.', detail };
  // The port that was tried, not the usual one: a server moved to another port is the common case.
  if (code === 'CONNECTION_FAILED' && typeof err.port === 'number') return { ...TEXTS[code], next: `Check the host name, the port (${err.port}) and the network.`, code, detail };
  return { ...TEXTS[code], code, detail };
}

export function explainCode(code: ContractErrorCode): Explained {
  return TEXTS[code];
}

/** True for every code of the contract (the table above is complete by type). */
export function isContractErrorCode(v: unknown): v is ContractErrorCode {
  return typeof v === 'string' && Object.hasOwn(TEXTS, v);
}
