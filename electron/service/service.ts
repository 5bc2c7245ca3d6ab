// The service: one object implementing the contract (shared/contract.ts) in Node, the same in the
// Electron app, in browser mode (`restore-console serve`) and in tests. It owns the sources
// registry, the jobs and their history, settings, logs and the demo datastore; its data lives as
// JSON files in `dataDir`. Every call is checked against the contract's argument shapes before it
// acts, whatever transport it came through, and every error leaves as a RestoreError carrying a
// contract code.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type {
  AppInfo,
  CallOptions,
  CommandArgs,
  CommandName,
  CommandResult,
  EventName,
  Events,
  Listener,
  RestoreConsoleApi,
  Settings,
  Unsubscribe,
} from '../../shared/contract.ts';
import { raceAbort } from '../../shared/abort.ts';
import type { DemoScale } from '../demo/demoDatastore.ts';
import type { ChunkDecoder } from '../engine/decoder.ts';
import type { RestoreRequest } from '../engine/restoreJob.ts';
import type { StallOptions } from '../engine/stallWatch.ts';
import { TokenBucket } from '../source/tokenBucket.ts';
import { checkTargetOutside, resolveTargetPath } from '../engine/target.ts';
import { snapshotDetail, type KeyState } from './catalog.ts';
import { DemoProvider } from './demo.ts';
import { RestoreError, toContractError } from '../../shared/errors.ts';
import { EventHub, type AnyListener } from './events.ts';
import { listFolders } from './folders.ts';
import { openFileTree, type FileTreeOpener } from '../files/openFiles.ts';
import { BrowseSessions } from './filesBrowse.ts';
import { FilesJobs, type DownloadStream } from './filesJobs.ts';
import { JobManager, type JobsFile } from './jobs.ts';
import { JsonFile } from './jsonFile.ts';
import { checkKey, loadKey } from './keys.ts';
import { LogBook } from './logs.ts';
import { openSource, type SourceOpener } from './openSource.ts';
import { validateCall } from './schema.ts';
import { redact, type SecretBox } from './secrets.ts';
import { DEFAULT_SETTINGS, mergeSettings, type SettingsFile } from './settings.ts';
import { SourceRegistry, type SourcesFile } from './sources.ts';
import { checkTarget } from './targets.ts';
import { batchJobs, checkStartArgs, writtenPaths } from './jobArgs.ts';

export interface ServiceOptions {
  /** Where settings.json, sources.json, jobs.json and the demo datastore live. */
  dataDir: string;
  shell?: AppInfo['shell'];
  version?: string;
  /** Electron's safeStorage, injected by the shell; absent in browser mode. */
  secrets?: SecretBox;
  /** Replaces openSource (tests wrap sources to hold or fail reads). */
  openSource?: SourceOpener;
  /** Replaces how archives are opened for browsing (tests give in-memory trees). */
  openFiles?: FileTreeOpener;
  /** First start without sources: generate the demo datastore (default 'full'); false never does. */
  demo?: false | { scale?: DemoScale; holdAfterFirst?: () => Promise<void> };
  /** Datastore folders to add as sources at start (`serve --datastore`). */
  datastores?: string[];
  /** Decoder for every job (default: the engine's shared worker pool). */
  decoder?: ChunkDecoder;
  /** Progress samples at most this often per job (default 100 ms: 10 Hz). */
  progressIntervalMs?: number;
  /** Chunk map and heartbeat period (default 1000 ms). */
  chunkMapIntervalMs?: number;
  /** Every log entry, e.g. to print it. */
  onLog?: (line: string) => void;
  /** Stall detection of every job (default: stalled after 10 s, failed after 300 s). */
  stall?: StallOptions;
  /** How often jobs save their resume state (tests save after every chunk). */
  recorder?: RestoreRequest['recorder'];
  /**
   * The folder the UI suggests for restore targets (AppInfo.targetDir). Default: ~/Downloads when
   * it exists, else dataDir. The Electron shell may pass app.getPath('downloads').
   */
  targetDir?: string;
  /** The person's home folder (default os.homedir()): the suggested folder and the folder picker's root. */
  home?: string;
}

type Handlers = { [C in CommandName]: (args: CommandArgs<C>, signal: AbortSignal | undefined) => Promise<CommandResult<C>> | CommandResult<C> };

export class RestoreService implements RestoreConsoleApi {
  readonly dataDir: string;
  readonly #o: ServiceOptions;
  readonly #hub: EventHub;
  readonly #logs: LogBook;
  readonly #sources: SourceRegistry;
  readonly #jobs: JobManager;
  readonly #browse: BrowseSessions;
  readonly #filesJobs: FilesJobs;
  readonly #demo: DemoProvider | undefined;
  readonly #settingsFile: JsonFile<SettingsFile>;
  #settings: Settings = { ...DEFAULT_SETTINGS };
  /** The cap on source bytes per second shared by all jobs (settings.globalRate). */
  readonly #globalRate = new TokenBucket(0);
  #targetDir = '';
  get #home(): string {
    return resolve(this.#o.home ?? homedir());
  }
  #started = false;
  #closed = false;

  /** Creates the service and loads its files; the demo (if offered) generates in the background. */
  static async create(opts: ServiceOptions): Promise<RestoreService> {
    const s = new RestoreService(opts);
    await s.#start();
    return s;
  }

  private constructor(opts: ServiceOptions) {
    this.#o = opts;
    this.dataDir = resolve(opts.dataDir);
    this.#hub = new EventHub((e) => this.#logs.add('error', `an event listener failed: ${(e as Error)?.message ?? e}`));
    this.#logs = new LogBook({
      redact: (text) => redact(text, this.#sources.knownSecrets()),
      onEntry: (entry) => {
        this.#hub.emit('log', entry);
        opts.onLog?.(`${new Date(entry.at).toISOString()} ${entry.level}${entry.jobId ? ` ${entry.jobId}` : ''}: ${entry.message}`);
      },
    });
    this.#settingsFile = new JsonFile(join(this.dataDir, 'settings.json'));
    this.#sources = new SourceRegistry({
      file: new JsonFile<SourcesFile>(join(this.dataDir, 'sources.json')),
      ...(opts.secrets ? { secrets: opts.secrets } : {}),
      opener: opts.openSource ?? openSource,
      onChange: (list) => this.#hub.emit('sources', list),
    });
    this.#jobs = new JobManager({
      file: new JsonFile<JobsFile>(join(this.dataDir, 'jobs.json')),
      settings: () => this.#settings,
      ctx: {
        openSource: (id) => this.#sources.open(id),
        emit: (event, payload) => this.#hub.emit(event, payload),
        log: (level, message, ctx) => this.#logs.add(level, message, ctx),
        ...(opts.decoder ? { decoder: opts.decoder } : {}),
        progressMs: opts.progressIntervalMs ?? 100,
        mapMs: opts.chunkMapIntervalMs ?? 1000,
        stateDir: this.dataDir,
        sharedRates: [this.#globalRate],
        ...(opts.stall ? { stall: opts.stall } : {}),
        ...(opts.recorder ? { recorder: opts.recorder } : {}),
      },
    });
    this.#browse = new BrowseSessions({
      openSource: (id) => this.#sources.open(id),
      openTree: opts.openFiles ?? openFileTree,
      log: (level, message, sourceId) => void this.#logs.add(level, message, { sourceId }),
    });
    this.#filesJobs = new FilesJobs({
      sessions: this.#browse,
      sourceLabel: (id) => this.#sources.get(id).label,
      emit: (event, payload) => this.#hub.emit(event, payload),
      log: (level, message, ctx) => void this.#logs.add(level, message, ctx),
      progressMs: opts.progressIntervalMs ?? 100,
    });
    if (opts.demo !== false) {
      this.#demo = new DemoProvider({
        dir: join(this.dataDir, 'demo'),
        scale: opts.demo?.scale ?? 'full',
        ...(opts.demo?.holdAfterFirst ? { holdAfterFirst: opts.demo.holdAfterFirst } : {}),
        emit: (status) => this.#hub.emit('demo', status),
        log: (level, message) => this.#logs.add(level, message),
        onReady: async (loc) => {
          const info = await this.#sources.add({ kind: 'datastore', path: loc.store }, { label: 'Demo datastore', demo: { keyFile: loc.keyFile, keyPassword: loc.keyPassword } });
          this.#logs.add('info', `the demo datastore is a source: ${loc.store} (key file ${loc.keyFile}, password ${loc.keyPassword})`, { sourceId: info.id });
          return info.id;
        },
      });
    }
  }

  async #start(): Promise<void> {
    const corrupt = (message: string): void => void this.#logs.add('warn', message);
    this.#settings = mergeSettings((await this.#settingsFile.read(corrupt))?.settings);
    this.#globalRate.rate = this.#settings.globalRate;
    this.#targetDir = this.#o.targetDir ? resolve(this.#o.targetDir) : await defaultTargetDir(this.#home);
    await this.#sources.load(corrupt);
    await this.#jobs.load(corrupt);
    for (const dir of this.#o.datastores ?? []) {
      const config = { kind: 'datastore', path: dir } as const;
      if (!this.#sources.findByConfig(config)) await this.#sources.add(config);
    }
    this.#started = true;
    // A demo whose generation was stopped midway (quit, crash) is written again.
    if (this.#demo && !this.#settings.demoDismissed && (this.#sources.size === 0 || (await this.#demo.unfinished()))) this.#demo.start();
  }

  // -- the contract -----------------------------------------------------------------------------

  async invoke<C extends CommandName>(command: C, args: CommandArgs<C>, opts: CallOptions = {}): Promise<CommandResult<C>> {
    try {
      if (this.#closed || !this.#started) throw new RestoreError('INVALID_STATE', 'the service is not running');
      const clean = validateCall(command, args);
      const signal = opts.signal;
      signal?.throwIfAborted();
      const work = Promise.resolve((this.#handlers[command] as Handlers[C])(clean, signal));
      return await raceAbort(work, signal);
    } catch (e) {
      throw RestoreError.from(toContractError(e));
    }
  }

  on<E extends EventName>(event: E, listener: Listener<E>): Unsubscribe {
    return this.#hub.on(event, listener);
  }

  /** Every event in emission order (what the transports forward). */
  onAny(listener: AnyListener): Unsubscribe {
    return this.#hub.onAny(listener);
  }

  /** Cancels running jobs (their targets stay `.partial`), closes sources, writes every file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#jobs.close();
    await this.#filesJobs.closeAll();
    await this.#browse.closeAll();
    this.#demo?.cancel(false);
    await this.#demo?.whenIdle();
    await this.#sources.close();
    await this.#settingsFile.flush();
  }

  /** A waiting files download, claimed by the HTTP server that streams it (once). */
  takeDownload(jobId: string): DownloadStream {
    return this.#filesJobs.takeDownload(jobId);
  }

  /** Resolves when a demo generation under way has ended (tests, shutdown). */
  whenDemoIdle(): Promise<void> {
    return this.#demo?.whenIdle() ?? Promise.resolve();
  }

  // -- handlers ---------------------------------------------------------------------------------

  readonly #handlers: Handlers = {
    'app.info': () => ({
      name: 'Restore Console',
      version: this.#o.version ?? '0.0.0',
      shell: this.#o.shell ?? 'embedded',
      platform: process.platform,
      dataDir: this.dataDir,
      dialogs: this.#o.shell === 'electron',
      pbs: true,
      targetDir: this.#targetDir,
    }),

    'sources.list': () => this.#sources.list(),
    'sources.add': async ({ config, label, rememberSecret }) => {
      const info = await this.#sources.add(config, { ...(label ? { label } : {}), ...(rememberSecret !== undefined ? { rememberSecret } : {}) });
      this.#logs.add('info', `source ${info.label} saved (secret: ${info.secret})`, { sourceId: info.id });
      return info;
    },
    'sources.test': (args) => this.#sources.test(args),
    'sources.setSecret': ({ id, secret, rememberSecret }) => this.#sources.setSecret(id, secret, rememberSecret ?? false),
    'sources.update': async ({ id, config, label, rememberSecret }) => {
      // Jobs and open archives read through the source's connection: it is replaced.
      if (this.#jobs.usesSource(id)) throw new RestoreError('INVALID_STATE', 'a job is reading from this source; wait for it or cancel it first');
      if (this.#browse.usesSource(id)) throw new RestoreError('INVALID_STATE', 'a files job is reading from this source; cancel it first');
      await this.#browse.closeSource(id);
      const info = await this.#sources.update(id, config, { ...(label ? { label } : {}), ...(rememberSecret !== undefined ? { rememberSecret } : {}) });
      this.#logs.add('info', `source ${info.label} changed (secret: ${info.secret})`, { sourceId: id });
      return info;
    },
    'sources.remove': async ({ id }) => {
      if (this.#jobs.usesSource(id)) throw new RestoreError('INVALID_STATE', 'a job is reading from this source; cancel it first');
      if (this.#browse.usesSource(id)) throw new RestoreError('INVALID_STATE', 'a files job is reading from this source; cancel it first');
      await this.#browse.closeSource(id);
      const removed = await this.#sources.remove(id);
      this.#logs.add('info', `source ${removed.label} removed`, { sourceId: id });
      if (removed.demo) this.#demo?.cancel(true);
      if (removed.demo && !this.#settings.demoDismissed) await this.#setSettings({ demoDismissed: true });
      return null;
    },

    'catalog.datastores': async ({ sourceId }) => (await this.#sources.open(sourceId)).listDatastores(),
    'catalog.namespaces': async ({ sourceId, parent }) => (await this.#sources.open(sourceId)).source.listNamespaces(parent ?? ''),
    'catalog.groups': async ({ sourceId, ns }) => (await this.#sources.open(sourceId)).source.listGroups(ns),
    'catalog.snapshots': async ({ sourceId, ns, group }) => (await this.#sources.open(sourceId)).source.listSnapshots(ns, group),
    'catalog.snapshot': async ({ sourceId, snapshot, key }) => {
      const opened = await this.#sources.open(sourceId);
      const keyState: KeyState = {};
      if (key) {
        try {
          keyState.crypt = await loadKey(key.keyfile, key.password);
        } catch (e) {
          keyState.error = toContractError(e);
        }
      }
      return snapshotDetail(opened.source, sourceId, snapshot, keyState);
    },

    'keys.check': ({ keyfile, password }) => checkKey(keyfile, password),
    'targets.check': async ({ path, imageSize, overwrite, resume }) => {
      if (!isAbsolute(path)) throw new RestoreError('TARGET_NOT_ABSOLUTE', `the target ${JSON.stringify(path)} is not an absolute path`);
      const check = await checkTarget(path, imageSize === undefined ? undefined : { imageSize, ...(overwrite ? { overwrite } : {}), ...(resume ? { resume } : {}) });
      // What jobs.start would refuse too, and before anything else (no checkbox lifts it): a target,
      // or a target folder asked without a size, inside a datastore source.
      try {
        await checkTargetOutside(path, this.#sources.datastorePaths());
        return check;
      } catch (e) {
        return { ...check, problem: toContractError(e) };
      }
    },

    'targets.folders': ({ path, hidden }) => {
      // Earlier targets' folders: a restore to a USB disk outside home can be picked again.
      const earlier = this.#jobs.list().flatMap((j) => (j.request.targetDir ? [j.request.targetDir] : j.request.target?.startsWith('/dev/') || !j.request.target ? [] : [dirname(j.request.target)]));
      return listFolders({ roots: [this.#home, this.#targetDir, ...new Set(earlier)], ...(path !== undefined ? { path } : {}), ...(hidden ? { hidden } : {}) });
    },

    'jobs.start': async (args) => {
      const source = this.#sources.get(args.sourceId);
      const clean = checkStartArgs(args);
      // Inside any datastore source, not only the one read: they are all someone's backups.
      for (const p of writtenPaths(clean)) await checkTargetOutside(p, this.#sources.datastorePaths());
      // A whole-VM job claims its folder, a single-disk job its target (TARGET_BUSY for another job).
      const claim = clean.target ?? clean.targetDir;
      return this.#jobs.start(clean, source.label, undefined, claim ? await resolveTargetPath(claim) : undefined);
    },
    'jobs.startBatch': async (args) => {
      const source = this.#sources.get(args.sourceId);
      const { folder, jobs } = await batchJobs(args, (await this.#sources.open(args.sourceId)).source);
      await checkTargetOutside(folder, this.#sources.datastorePaths());
      const batch = `batch-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
      this.#logs.add('info', `restoring ${jobs.length} VM${jobs.length === 1 ? '' : 's'} into ${folder} (${batch})`, { sourceId: source.id });
      const started = [];
      for (const [index, j] of jobs.entries()) {
        const ref = { id: batch, index, count: jobs.length, folder, bytes: j.bytes };
        started.push(this.#jobs.start(j.args, source.label, undefined, await resolveTargetPath(j.args.targetDir!), ref));
      }
      return { batch, jobs: started };
    },
    'jobs.pause': ({ id }) => this.#jobs.pause(id),
    'jobs.resume': ({ id }) => this.#jobs.resume(id),
    'jobs.cancel': ({ id }) => this.#jobs.cancel(id),
    'jobs.setConcurrency': ({ id, concurrency }) => this.#jobs.setConcurrency(id, concurrency),
    'jobs.setRate': ({ id, rate }) => this.#jobs.setRate(id, rate),
    'jobs.continue': async ({ id, password }) => this.#jobs.continueRestore(id, (sourceId) => this.#sources.get(sourceId).label, password, await this.#realTargetOf(id)),
    'jobs.deletePartial': async ({ id }) => this.#jobs.deletePartial(id, await this.#realTargetOf(id)),
    'jobs.list': () => this.#jobs.list(),
    'jobs.get': ({ id }) => this.#jobs.get(id),
    'jobs.chunkMap': ({ id, disk }) => this.#jobs.chunkMap(id, disk),
    'jobs.samples': ({ id }) => this.#jobs.samples(id),
    'jobs.forget': ({ id }) => {
      this.#jobs.forget(id);
      this.#hub.emit('job.removed', { id });
      return null;
    },

    'logs.get': ({ jobId, afterSeq, limit }) => (jobId ? this.#jobs.logLines(jobId, afterSeq, limit) : this.#logs.get({ ...(afterSeq !== undefined ? { afterSeq } : {}), ...(limit ? { limit } : {}) })),

    'settings.get': () => ({ ...this.#settings }),
    'settings.set': (patch) => this.#setSettings(patch),

    'demo.status': () => this.#demo?.status() ?? { state: 'absent', doneBytes: 0, totalBytes: 0 },
    'demo.create': () => {
      if (!this.#demo) throw new RestoreError('NOT_SUPPORTED', 'this service was started without the demo datastore');
      return this.#demo.start();
    },

    'files.open': (args, signal) => this.#browse.open(args, signal),
    'files.list': ({ browseId, path }, signal) => this.#browse.list(browseId, path, signal),
    'files.close': async ({ browseId }) => {
      await this.#browse.close(browseId);
      return null;
    },
    'files.start': (args) => this.#filesJobs.start(args),
    'files.cancel': ({ id }) => this.#filesJobs.cancel(id),
    'files.jobs': () => this.#filesJobs.list(),

    'shell.chooseDatastoreFolder': () => notInThisShell(),
    'shell.chooseTargetFile': () => notInThisShell(),
    'shell.showInFolder': () => notInThisShell(),
    'shell.chooseSaveFile': () => notInThisShell(),
    'shell.chooseFolder': () => notInThisShell(),
  };

  /** Where a job's target really leads (as jobs.start claims it), to compare with the running jobs'. */
  async #realTargetOf(id: string): Promise<string | undefined> {
    const r = this.#jobs.get(id).request;
    const target = r.target ?? r.targetDir;
    return target ? resolveTargetPath(target) : undefined;
  }

  async #setSettings(patch: Partial<Settings>): Promise<Settings> {
    this.#settings = { ...this.#settings, ...patch };
    this.#globalRate.rate = this.#settings.globalRate;
    await this.#settingsFile.write({ version: 1, settings: this.#settings });
    this.#hub.emit('settings', { ...this.#settings });
    this.#jobs.pump();
    return { ...this.#settings };
  }
}

/**
 * ~/Downloads when it is a folder (where people look for what an app produced), else the home
 * folder itself: never the data folder, a hidden configuration folder nobody looks in.
 */
export async function defaultTargetDir(home: string): Promise<string> {
  const downloads = join(home, 'Downloads');
  return (await stat(downloads).catch(() => undefined))?.isDirectory() ? downloads : resolve(home);
}

function notInThisShell(): never {
  throw new RestoreError('NOT_SUPPORTED', 'native dialogs exist only in the desktop app; type the path instead');
}

