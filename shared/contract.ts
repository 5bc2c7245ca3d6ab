// The one contract between the service (Node) and every shell that shows it: the Electron renderer
// through the preload, the browser through HTTP + Server-Sent Events, and tests calling the
// service directly. Types only.
//
// Commands are request → promise: `Commands` maps each name to its { args, result }, so callers
// and the service are typed from the same table and cannot drift (VS Code's ProxyChannel idea,
// made explicit). Events are subscriptions: `Events` maps each name to its payload, and `on`
// returns the function that unsubscribes. Cancelling a command goes through an AbortSignal on the
// caller's side (a call id on the wire; see RestoreConsoleBridge).
//
// Progress travels as cumulative counters plus a timestamp (ProgressCounters), at most about ten
// samples a second per job; the receiver derives rates. Per-chunk events never cross: the chunk
// map is sent as a compact snapshot (ChunkMap) with each progress sample while small, else about once a second.
import type { BackupType, GroupInfo, SnapshotFile, SnapshotInfo } from './catalog.ts';
import type { ContractError, ContractErrorCode } from './errors.ts';
import type { ProgressCounters, RestoreSummary } from './progress.ts';
import type { FileEntry, FilesBrowse, FilesJobInfo, FilesOpenArgs, FilesProgressEvent, FilesStartArgs } from './files.ts';

// ---------------------------------------------------------------------------------------------
// Errors: every command rejects with a ContractError (codes and shape live in errors.ts).

export type { ContractError, ContractErrorCode } from './errors.ts';

// ---------------------------------------------------------------------------------------------
// Sources

/** A PBS datastore directory read directly (USB disk, NFS mount, the PBS host itself). */
export interface DatastoreSourceConfig {
  kind: 'datastore';
  path: string;
}

/** A PBS server reached over HTTPS with an API token (or user and password). */
export interface PbsSourceConfig {
  kind: 'pbs';
  host: string;
  /** Default 8007. */
  port?: number;
  datastore: string;
  /** `user@realm!token` for API tokens, `user@realm` for a password. */
  authId: string;
  /** Token secret or password. Never returned by the service. */
  secret?: string;
  /** Pinned SHA-256 fingerprint of the server certificate (colon hex). */
  fingerprint?: string;
}

export type SourceConfig = DatastoreSourceConfig | PbsSourceConfig;

/** A source configuration as the service returns it: the secret is never included. */
export type PublicSourceConfig = DatastoreSourceConfig | Omit<PbsSourceConfig, 'secret'>;

/**
 * Where a source's secret is kept: 'none' (it has none), 'encrypted' (on disk through the OS
 * keychain, Electron's safeStorage), 'plain' (on disk unencrypted, because the user asked with
 * rememberSecret), 'session' (in memory until the app quits), 'missing' (needed, not known).
 */
export type SecretKeeping = 'none' | 'encrypted' | 'plain' | 'session' | 'missing';

export interface SourceInfo {
  id: string;
  label: string;
  config: PublicSourceConfig;
  secret: SecretKeeping;
  /** Epoch ms. */
  addedAt: number;
  /** Set on the demo datastore: where its key file is and the (public) password. */
  demo?: { keyFile: string; keyPassword: string };
}

export interface DatastoreInfo {
  name: string;
  comment?: string;
  /** For a datastore directory: its path. */
  path?: string;
}

export interface SourceTestResult {
  /** What the source calls itself (path or host:port/datastore). */
  label: string;
  datastores: DatastoreInfo[];
}

// ---------------------------------------------------------------------------------------------
// Catalog

export interface SnapshotSelector {
  /** Namespace, "" for the root. */
  ns: string;
  type: BackupType;
  id: string;
  /** Epoch seconds. */
  time: number;
}

/** A key file and its password, given per call and never stored. */
export interface KeyArgs {
  keyfile: string;
  password?: string;
}

export interface SnapshotFileDetail extends SnapshotFile {
  /** image: *.img.fidx (restorable); archive: *.didx (listed only); blob: *.blob. */
  kind: 'image' | 'archive' | 'blob';
  restorable: boolean;
}

/** The guest configuration stored with the backup (qemu-server.conf.blob or pct.conf.blob). */
export interface GuestConfig {
  filename: string;
  encrypted: boolean;
  /** The decoded text (at most its first MiB); absent when it could not be decoded (see error). */
  text?: string;
  /** True when `text` is only the start of a larger configuration. */
  truncated?: boolean;
  error?: ContractError;
}

export interface SnapshotDetail {
  sourceId: string;
  info: SnapshotInfo;
  files: SnapshotFileDetail[];
  /** Any archive is encrypted (a key is needed to restore it). */
  encrypted: boolean;
  /** The manifest carries a signature (made with a key). */
  signed: boolean;
  /** The whole notes text (info.comment is only its first line). */
  notes?: string;
  verify?: { state: 'ok' | 'failed'; upid?: string };
  config?: GuestConfig;
}

export interface KeyCheckResult {
  needsPassword: boolean;
  /** True when the key could be unwrapped (password given and right, or none needed). */
  unlocked: boolean;
  /** Fingerprint recorded in the key file (colon hex). */
  fingerprint?: string;
  hint?: string;
}

// ---------------------------------------------------------------------------------------------
// Jobs

/**
 * queued → running ↔ paused → cancelling → cancelled | failed | succeeded.
 * A queued job can also be cancelled directly. No progress event follows a final state.
 */
export type JobState = 'queued' | 'running' | 'paused' | 'cancelling' | 'cancelled' | 'failed' | 'succeeded';
export type FinalJobState = 'cancelled' | 'failed' | 'succeeded';

export type Concurrency = number | 'auto';

export interface StartJobArgs {
  mode: 'restore' | 'verify';
  sourceId: string;
  snapshot: SnapshotSelector;
  /** One image archive, `drive-scsi0.img` or `drive-scsi0.img.fidx`. Give either this or `disks`. */
  archive?: string;
  /** With `archive`, required for a restore: a file (written as `<target>.partial` until done) or a block device. */
  target?: string;
  /**
   * Several disks of the snapshot in one job (a whole VM; docs/jobs.md): 'all' its image archives,
   * or the ones listed, each with its own target or into `targetDir`. Instead of `archive`.
   */
  disks?: 'all' | DiskChoice[];
  /** With `disks`: the folder for disks without a target (`<targetDir>/<disk>.raw`) and for the guest config. */
  targetDir?: string;
  /** Create targetDir when the job starts (one level: its parent must exist). */
  createTargetDir?: boolean;
  /**
   * With `disks`: where the guest config is written as text once every disk succeeded; default
   * `<targetDir>/qemu-server.conf` (`pct.conf`); without either, it is not written.
   */
  config?: string;
  /** Replace an existing file, or write to a block device. */
  force?: boolean;
  /** Leave zero chunks as holes in a file (default from settings, normally true). */
  sparse?: boolean;
  /** 1–64 or 'auto' (default from settings). */
  concurrency?: Concurrency;
  /** Cap on source bytes per second; 0: none (default from settings: defaultRate). */
  rate?: number;
  /**
   * Continue the partial target an earlier run of the same restore left (docs/resume.md): chunks it
   * wrote and synced are not fetched again. Nothing to continue: it starts from the beginning.
   */
  resume?: boolean;
  /** For encrypted archives. The password is used for this job only, never stored. */
  keyfile?: string;
  password?: string;
}

/** One disk of a whole-VM job. */
export interface DiskChoice {
  /** Image archive, `drive-scsi0.img` or `drive-scsi0.img.fidx`. */
  archive: string;
  /** A file or a block device; without one, `<targetDir>/<disk>.raw`. */
  target?: string;
  /** This disk's own force (replace its file, write its device); default the job's. */
  force?: boolean;
  /** This disk's own sparse; default the job's. */
  sparse?: boolean;
}

/** Jobs started together by jobs.startBatch (one per VM). */
export interface BatchRef {
  id: string;
  /** This job's place in the batch (0-based) and the batch's size. */
  index: number;
  count: number;
  /** The folder the batch restores into. */
  folder: string;
  /** This job's image bytes (its disks' sizes), known before it runs: the batch's total progress counts it. */
  bytes: number;
}

/**
 * The job's request as the service shows it: never the password. A job over `disks` lists them
 * resolved once it has opened the snapshot: each disk's archive and target, in the snapshot's
 * order, and `config` where the guest config goes (absent: nowhere).
 */
export type JobRequest = Omit<StartJobArgs, 'password' | 'concurrency' | 'rate'> & { sourceLabel: string; batch?: BatchRef };

/** Restores of the newest snapshot of several groups, one job per VM, each into `<targetDir>/<type>-<id>/`. */
export interface StartBatchArgs {
  sourceId: string;
  snapshots: SnapshotSelector[];
  /** An existing folder; each job creates its own sub-folder in it. */
  targetDir: string;
  force?: boolean;
  sparse?: boolean;
  concurrency?: Concurrency;
  keyfile?: string;
  password?: string;
}

export interface JobInfo {
  id: string;
  mode: 'restore' | 'verify';
  state: JobState;
  request: JobRequest;
  /** The concurrency asked for (the limit in force is progress.limit). */
  concurrency: Concurrency;
  /** The job's own cap on source bytes per second, 0 for none (the cap in force, global cap included, is progress.rateLimit). */
  rate?: number;
  /** Epoch ms. */
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The last progress sample. */
  progress?: ProgressCounters;
  /** Set in a final state. */
  summary?: RestoreSummary;
  error?: ContractError;
  /** One line for people: what happened, and for a cancelled or failed restore that the target is partial. */
  message?: string;
  /** A file target was left partly written at this path (`<target>.partial`, or the device). */
  partialPath?: string;
  /** A whole-VM job: the partial targets of the disks it did not finish (`jobs.deletePartial` removes them all). */
  partialPaths?: string[];
  /** The partial target and its resume state are there: `jobs.continue` can finish it. */
  resumable?: boolean;
  /** This job continues the partial target of that job. */
  resumedFrom?: string;
  /** That job continued this one's partial target (this one is no longer resumable). */
  continuedBy?: string;
}

export interface JobProgressEvent {
  jobId: string;
  progress: ProgressCounters;
}

/**
 * Per-chunk states (0 pending, 1 in flight, 2 written or verified, 3 zero, 4 failed) as runs
 * (`[state, count, state, count, …]`) or, when that is longer, two bits per chunk (state & 3,
 * chunk i in byte i >> 2 at bit (i & 3) * 2, base64) with failed chunks listed apart.
 */
export type ChunkMap =
  | { total: number; encoding: 'runs'; runs: number[] }
  | { total: number; encoding: 'packed2'; data: string; failed: number[] };

export interface ChunkMapEvent {
  jobId: string;
  map: ChunkMap;
  /** A job over several disks: which one (its index in progress.disks); absent for a single-disk job. */
  disk?: number;
}

// ---------------------------------------------------------------------------------------------
// Files inside archives: their commands' arguments, jobs and events live with the entries they
// carry, in files.ts.

export type { FilesOpenArgs, FilesBrowse, FilesOutputArgs, FilesStartArgs, FilesJobState, FilesJobInfo, FilesProgressEvent } from './files.ts';

// ---------------------------------------------------------------------------------------------
// Logs, settings, demo, app

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  /** Increasing per service run. */
  seq: number;
  /** Epoch ms. */
  at: number;
  level: LogLevel;
  message: string;
  jobId?: string;
  sourceId?: string;
  code?: ContractErrorCode;
}

export interface Settings {
  /** Used when a job does not say. */
  defaultConcurrency: Concurrency;
  /** Cap on source bytes per second for a new job that does not say; 0: none. */
  defaultRate: number;
  /** One cap on source bytes per second shared by all running jobs together; 0: none. */
  globalRate: number;
  /** Jobs beyond this wait in 'queued'. */
  maxRunningJobs: number;
  /** Desktop notification when a job ends. */
  notifications: 'all' | 'errors' | 'off';
  /** Default of StartJobArgs.sparse. */
  sparseByDefault: boolean;
  /** Finished jobs kept in the history. */
  historyLimit: number;
  /**
   * Chunks in flight over all running jobs (the machine-wide budget; docs/jobs.md). Each job's own
   * concurrency applies within its fair share of it.
   */
  chunkBudget: number;
  /** The user removed the demo datastore: do not offer it again. */
  demoDismissed: boolean;
}

/** Generating the demo datastore, reported like a job. */
export interface DemoStatus {
  state: 'absent' | 'generating' | 'ready' | 'failed';
  doneBytes: number;
  totalBytes: number;
  /**
   * The source id once usable: while still 'generating' it is set as soon as the first snapshot
   * is complete (browse and restore it; the rest follows).
   */
  sourceId?: string;
  /** Snapshots complete so far, and in all, while generating (each one is listed from then on). */
  snapshotsDone?: number;
  snapshotsTotal?: number;
  error?: ContractError;
}

export interface AppInfo {
  name: string;
  version: string;
  /** Which shell runs the service. */
  shell: 'electron' | 'browser' | 'embedded';
  platform: string;
  /** Where settings, sources and history are kept. */
  dataDir: string;
  /** Native folder and file pickers exist (shell.* commands). */
  dialogs: boolean;
  /** PBS servers can be added (not only datastore folders). */
  pbs: boolean;
  /**
   * The folder suggested for new restore targets: the user's Downloads folder when it exists, else
   * dataDir. Absent from older services (the UI then suggests dataDir).
   */
  targetDir?: string;
}

/** What a restore target path is now (targets.check), so the UI can warn before starting. */
export interface TargetCheck {
  /** The absolute path the service would write (a relative path is refused with TARGET_NOT_ABSOLUTE). */
  path: string;
  kind: 'missing' | 'file' | 'device' | 'directory' | 'other';
  /** A file's size, or a block device's capacity when it can be read. */
  size?: number;
  /** For a missing path: whether its folder exists (a restore does not create folders). */
  folderExists?: boolean;
  /**
   * Asked with an imageSize: what stops a restore of that size to this path with the overwrite
   * given (TARGET_NOT_WRITABLE, TARGET_EXISTS, TARGET_TOO_SMALL, TARGET_PARTIAL_EXISTS, a resume
   * that cannot be), or absent when nothing does.
   */
  problem?: ContractError;
  /** A file target's `<path>.partial` left by an unfinished restore (docs/resume.md). */
  partial?: PartialTarget;
}

/** The sub-folders of one folder (targets.folders: browser mode's folder picker). */
export interface FolderListing {
  /** The folder listed, absolute, symlinks resolved. */
  path: string;
  /** Its parent, when that may be listed too (absent at a root). */
  parent?: string;
  folders: Array<{ name: string; path: string }>;
  /** More folders than the listing holds: type the path instead. */
  truncated: boolean;
  /** Where listing is allowed: the home folder, the suggested restore folder, earlier targets' folders. */
  roots: string[];
}

/** What an unfinished restore left at a target, as far as its resume state says. */
export interface PartialTarget {
  path: string;
  /** Its resume state is there and readable: `resume` continues it. */
  resumable: boolean;
  /** From the state: the snapshot (TYPE/ID/TIME) and archive it restores, chunks written of all. */
  snapshot?: string;
  archive?: string;
  doneChunks?: number;
  chunkCount?: number;
  /** Why it cannot be resumed (RESUME_STATE_MISSING, RESUME_STATE_INVALID). */
  error?: ContractError;
}

/** What the person allowed a restore to overwrite: an existing file, or a block device (named in a confirmation). */
export type TargetOverwrite = 'file' | 'device';

// ---------------------------------------------------------------------------------------------
// The command and event tables

type NoArgs = Record<string, never>;
type JobRef = { id: string };

export interface Commands {
  'app.info': { args: NoArgs; result: AppInfo };

  'sources.list': { args: NoArgs; result: SourceInfo[] };
  /** rememberSecret: without safeStorage, also write the secret to disk (unencrypted). */
  'sources.add': { args: { config: SourceConfig; label?: string; rememberSecret?: boolean }; result: SourceInfo };
  /** Connects and lists datastores; a saved source by id, or a configuration before saving it. */
  'sources.test': { args: { id: string } | { config: SourceConfig }; result: SourceTestResult };
  /**
   * Changes a saved source (host, port, datastore, auth id, secret, fingerprint, folder, label):
   * connects with the new configuration first and saves it only when that works. No secret in
   * `config`: the one known is kept. Pinning a server's new certificate is this with its fingerprint.
   */
  'sources.update': { args: { id: string; config: SourceConfig; label?: string; rememberSecret?: boolean }; result: SourceInfo };
  'sources.setSecret': { args: { id: string; secret: string; rememberSecret?: boolean }; result: SourceInfo };
  'sources.remove': { args: { id: string }; result: null };

  'catalog.datastores': { args: { sourceId: string }; result: DatastoreInfo[] };
  /** The namespace and all below it, `parent` first ("" is the root). */
  'catalog.namespaces': { args: { sourceId: string; parent?: string }; result: string[] };
  'catalog.groups': { args: { sourceId: string; ns: string }; result: GroupInfo[] };
  'catalog.snapshots': { args: { sourceId: string; ns: string; group?: { type: BackupType; id: string } }; result: SnapshotInfo[] };
  /** Files, notes, verify state and the guest config text (decoded with the key when encrypted). */
  'catalog.snapshot': { args: { sourceId: string; snapshot: SnapshotSelector; key?: KeyArgs }; result: SnapshotDetail };

  /** Reads a key file; with a password, proves it unlocks (WRONG_PASSWORD otherwise). */
  'keys.check': { args: KeyArgs; result: KeyCheckResult };

  /**
   * Looks at a target path without touching it: missing, a file (and its size), a block device
   * (and its capacity). With imageSize, also says what would stop that restore (TargetCheck.problem).
   */
  'targets.check': { args: { path: string; imageSize?: number; overwrite?: TargetOverwrite; resume?: boolean }; result: TargetCheck };
  /**
   * The sub-folders of `path` (default: the home folder), for a folder picker where there is no
   * native dialog. Only under the home folder, the suggested restore folder and earlier targets'
   * folders (FOLDER_NOT_ALLOWED elsewhere); hidden folders only with `hidden`.
   */
  'targets.folders': { args: { path?: string; hidden?: boolean }; result: FolderListing };

  'jobs.start': { args: StartJobArgs; result: JobInfo };
  'jobs.pause': { args: JobRef; result: JobInfo };
  'jobs.resume': { args: JobRef; result: JobInfo };
  'jobs.cancel': { args: JobRef; result: JobInfo };
  'jobs.setConcurrency': { args: { id: string; concurrency: Concurrency }; result: JobInfo };
  /** Changes a running job's cap on source bytes per second (0: none). */
  'jobs.setRate': { args: { id: string; rate: number }; result: JobInfo };
  /**
   * Starts a new restore that continues a failed, cancelled or interrupted one from its partial
   * target (the same request with `resume`); the password again for an encrypted archive.
   */
  'jobs.continue': { args: { id: string; password?: string }; result: JobInfo };
  /** Deletes what a finished, unsuccessful restore left: its partial file and resume state. */
  'jobs.deletePartial': { args: JobRef; result: JobInfo };
  /** Running and queued jobs first, then the history, newest first. */
  'jobs.list': { args: NoArgs; result: JobInfo[] };
  'jobs.get': { args: JobRef; result: JobInfo };
  /** The current chunk map; a finished job's final one (kept across restarts; null when none was kept). */
  'jobs.chunkMap': { args: { id: string; disk?: number }; result: ChunkMap | null };
  /**
   * A job's throughput history, thinned evenly to at most a few hundred samples: a finished job's
   * as kept with its record (its chart after a restart), a running job's so far (its chart on a
   * page opened while it runs). Empty when none was kept.
   */
  'jobs.samples': { args: JobRef; result: ProgressCounters[] };
  /** One restore job per snapshot (all its disks), queued under the budget, sharing a batch id. */
  'jobs.startBatch': { args: StartBatchArgs; result: { batch: string; jobs: JobInfo[] } };
  /** Removes a finished job from the history. */
  'jobs.forget': { args: JobRef; result: null };

  /** Oldest first; `afterSeq` to page on, `jobId` for one job's log. */
  'logs.get': { args: { jobId?: string; afterSeq?: number; limit?: number }; result: LogEntry[] };

  'settings.get': { args: NoArgs; result: Settings };
  'settings.set': { args: Partial<Settings>; result: Settings };

  'demo.status': { args: NoArgs; result: DemoStatus };
  /** Generates the demo datastore (again) in the background and adds it as a source. */
  'demo.create': { args: NoArgs; result: DemoStatus };

  /** Opens an archive of a snapshot for browsing (ARCHIVE_NOT_FOUND, MISSING_KEY, … as a restore). */
  'files.open': { args: FilesOpenArgs; result: FilesBrowse };
  /** A folder's entries in the archive's order (PATH_NOT_FOUND, NOT_A_DIRECTORY, FS_UNSUPPORTED). */
  'files.list': { args: { browseId: string; path: string }; result: FileEntry[] };
  'files.close': { args: { browseId: string }; result: null };
  'files.start': { args: FilesStartArgs; result: FilesJobInfo };
  'files.cancel': { args: JobRef; result: FilesJobInfo };
  /** Running files jobs first, then the last finished ones (kept in memory only). */
  'files.jobs': { args: NoArgs; result: FilesJobInfo[] };

  /** Native dialogs: Electron only (NOT_SUPPORTED in browser mode; type the path instead). */
  'shell.chooseDatastoreFolder': { args: NoArgs; result: string | null };
  'shell.chooseTargetFile': { args: { defaultName?: string }; result: string | null };
  'shell.showInFolder': { args: { path: string }; result: null };
  /** Where to save a download (a zip or one file), proposing this name. */
  'shell.chooseSaveFile': { args: { defaultName: string }; result: string | null };
  /** A folder to extract files into. */
  'shell.chooseFolder': { args: NoArgs; result: string | null };
}

export interface Events {
  /** A job was created or changed state, concurrency or message. */
  job: JobInfo;
  /** A job was removed from the history. */
  'job.removed': { id: string };
  progress: JobProgressEvent;
  chunkMap: ChunkMapEvent;
  log: LogEntry;
  /** The whole source list after any change. */
  sources: SourceInfo[];
  settings: Settings;
  demo: DemoStatus;
  /** A files job was created or changed state. */
  filesJob: FilesJobInfo;
  filesProgress: FilesProgressEvent;
}

export type CommandName = keyof Commands;
export type CommandArgs<C extends CommandName> = Commands[C]['args'];
export type CommandResult<C extends CommandName> = Commands[C]['result'];
export type EventName = keyof Events;
export type Listener<E extends EventName> = (payload: Events[E]) => void;
export type Unsubscribe = () => void;

export interface CallOptions {
  /** Aborting rejects the call with CANCELLED and tells the service to stop working on it. */
  signal?: AbortSignal;
}

/** The contract as code uses it: the service itself, and the renderer's client over either transport. */
export interface RestoreConsoleApi {
  /** Resolves with the result or rejects with an error carrying a ContractError `code`. */
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>, opts?: CallOptions): Promise<CommandResult<C>>;
  on<E extends EventName>(event: E, listener: Listener<E>): Unsubscribe;
}

/** A command's outcome as it crosses a process boundary (errors keep their code this way). */
export type CallOutcome<R> = { ok: true; value: R } | { ok: false; error: ContractError };

/**
 * What the preload exposes as `window.restoreConsole`. Outcomes instead of rejections, because
 * errors crossing contextBridge keep only their message; call ids instead of AbortSignals,
 * because signals cannot cross it.
 */
export interface RestoreConsoleBridge {
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>, callId?: string): Promise<CallOutcome<CommandResult<C>>>;
  /** Stops a call started with this callId. */
  cancel(callId: string): void;
  on<E extends EventName>(event: E, listener: Listener<E>): Unsubscribe;
}
