// One restore or verify job: its commands (pause, resume, cancel, concurrency), its run from the
// request to a final state through its own engine (prepareRestore), or its engines for a job over
// several disks of a snapshot (prepareSnapshotRestore; docs/jobs.md), under the machine's budget
// of chunks in flight either way, and what it keeps for the history. The state machine is jobState.ts, the events while it runs jobSampler.ts, the line it
// ends with jobText.ts. The final sample and map go out before the final state; nothing follows it.
//
// Resume (docs/resume.md): a restore that ends without success keeps its partial target and its
// resume state; the job says so (`resumable`) and remembers both files across restarts, so that
// `jobs.continue` can start a job that finishes it and `jobs.deletePartial` can remove them. A
// whole-VM job does the same for each disk it left partial (`resumeDisks`, `partialPaths`).
import type {
  BatchRef,
  ChunkMap,
  Concurrency,
  ContractError,
  Events,
  JobInfo,
  JobState,
  LogEntry,
  LogLevel,
  StartJobArgs,
} from '../../shared/contract.ts';
import { encodeChunkMap } from '../../shared/chunkMap.ts';
import { RestoreError, toContractError } from '../../shared/errors.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import { emptySummary, type RestoreSummary } from '../../shared/progress.ts';
import { formatBytes } from '../../shared/units.ts';
import { DEFAULT_CONCURRENCY } from '../../shared/limits.ts';
import type { AutoTuner } from '../engine/autoTuner.ts';
import type { ChunkDecoder } from '../engine/decoder.ts';
import { prepareRestore, type PreparedRestore, type RestoreRequest } from '../engine/restoreJob.ts';
import type { SlotBudget } from '../engine/slotBudget.ts';
import type { PreparedSnapshotRestore } from '../engine/snapshotRestore.ts';
import type { RateGate } from '../source/rateLimitedSource.ts';
import type { StallChange, StallOptions } from '../engine/stallWatch.ts';
import type { TokenBucket } from '../source/tokenBucket.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { toRef } from './catalog.ts';
import { JobSampler, type SampledJob } from './jobSampler.ts';
import { prepareVmJob, resolvedRequest } from './jobVm.ts';
import { exists, markInterrupted, NOT_RESUMABLE, vmLeftovers, vmResume, type ResumeFiles } from './jobResume.ts';
import { checkMove } from './jobState.ts';
import { describeEnd } from './jobText.ts';
import { loadKey } from './keys.ts';
import type { LogInput } from './logs.ts';
import type { OpenedSource } from './openSource.ts';

/** What a job needs from the service around it. */
export interface JobContext {
  openSource(sourceId: string): Promise<OpenedSource>;
  emit<E extends 'job' | 'progress' | 'chunkMap'>(event: E, payload: Events[E]): void;
  log(level: LogLevel, message: string, ctx: LogInput): LogEntry;
  /** The job changed in a way worth keeping (state, concurrency). */
  changed(job: Job): void;
  decoder?: ChunkDecoder;
  progressMs: number;
  mapMs: number;
  /** The data folder: block devices keep their resume state there. */
  stateDir: string;
  /** Caps shared by all jobs (the global rate cap). */
  sharedRates: readonly TokenBucket[];
  stall?: StallOptions;
  recorder?: RestoreRequest['recorder'];
  /** The machine's budget of chunks in flight, shared by every job. */
  budget?: SlotBudget;
}

/** What a running job steers, on either path: one disk's engine, or the coordinator of several. */
interface Steered {
  engine: SampledJob & { pause(): void; resume(): void; setConcurrency(n: number, reason: string): void; on(event: 'stall', l: (c: StallChange) => void): unknown };
  tuner: AutoTuner;
  gate: RateGate;
  disks: number;
}

export type { ResumeFiles } from './jobResume.ts';

/** A job as kept in jobs.json. */
export interface JobRecord extends JobInfo {
  log: LogEntry[];
  /** Kept from the moment the target is open, so an interrupted job can still be continued. */
  resumeFiles?: ResumeFiles;
  /** A whole-VM job: the same for each disk it was writing (not the ones found finished), then for each it left partial. */
  resumeDisks?: ResumeFiles[];
}


const MAX_JOB_LOG = 200;

export class Job {
  readonly id: string;
  readonly #info: JobInfo;
  readonly #log: LogEntry[];
  readonly #ctx: JobContext | undefined;
  readonly #abort = new AbortController();
  #password: string | undefined;
  #prepared: PreparedRestore | undefined;
  /** A job over several disks, while it runs. */
  #vm: PreparedSnapshotRestore | undefined;
  #pauseWanted = false;
  #sampler: JobSampler | undefined;
  #finalMaps: ChunkMap[] | undefined;
  #done: Promise<void> | undefined;
  #resumeFiles: ResumeFiles | undefined;
  #resumeDisks: ResumeFiles[] | undefined;

  private constructor(info: JobInfo, log: LogEntry[], ctx: JobContext | undefined, password?: string, resumeFiles?: ResumeFiles, resumeDisks?: ResumeFiles[]) {
    this.id = info.id;
    this.#info = info;
    this.#log = log;
    this.#ctx = ctx;
    this.#password = password;
    this.#resumeFiles = resumeFiles;
    this.#resumeDisks = resumeDisks;
  }

  /** `resumeOf`: the job whose partial target this one continues. */
  static create(
    id: string,
    args: StartJobArgs,
    sourceLabel: string,
    defaults: { concurrency: Concurrency; sparse: boolean; rate: number },
    ctx: JobContext,
    resumeOf?: Job,
    batch?: BatchRef,
  ): Job {
    const { password, concurrency: _c, rate: _r, ...rest } = args;
    const request = { ...rest, sourceLabel, ...(args.mode === 'restore' ? { sparse: args.sparse ?? defaults.sparse, force: args.force ?? false } : {}), ...(batch ? { batch } : {}) };
    const info: JobInfo = {
      id,
      mode: args.mode,
      state: 'queued',
      request,
      concurrency: args.concurrency ?? defaults.concurrency,
      rate: args.rate ?? defaults.rate,
      createdAt: Date.now(),
      ...(resumeOf ? { resumedFrom: resumeOf.id } : {}),
    };
    return new Job(info, [], ctx, password, resumeOf ? resumeOf.#resumeFiles : undefined, resumeOf ? resumeOf.#resumeDisks : undefined);
  }

  /** A job from the history file. One that was not final when the app stopped is failed now (and resumable). */
  static fromRecord(r: JobRecord): Job {
    const { log, resumeFiles, resumeDisks, ...info } = r;
    if (!isFinalState(info.state)) markInterrupted(info, resumeFiles, resumeDisks);
    return new Job(info, Array.isArray(log) ? log : [], undefined, undefined, resumeFiles, resumeDisks);
  }

  /**
   * A job read back as resumable stays so only while its partial target and its state are both
   * there; true when that changed it (the history needs writing).
   */
  async checkResumable(): Promise<boolean> {
    if (!this.#info.resumable) return false;
    if (this.#resumeDisks) {
      const { resumable, partial } = await vmLeftovers(this.#resumeDisks);
      const same = resumable && partial.length === this.#info.partialPaths?.length;
      this.#vmPartials(partial, resumable);
      return !same;
    }
    const f = this.#resumeFiles;
    if (f && (await exists(f.writePath)) && (await exists(f.statePath))) return false;
    this.#info.resumable = false;
    return true;
  }

  get resumeFiles(): ResumeFiles | undefined {
    return this.#resumeFiles;
  }

  /** A whole-VM job's partial disks (with their states). */
  get resumeDisks(): ResumeFiles[] | undefined {
    return this.#resumeDisks;
  }

  get request(): JobInfo['request'] {
    return this.#info.request;
  }

  get concurrency(): Concurrency {
    return this.#info.concurrency;
  }

  get rate(): number {
    return this.#info.rate ?? 0;
  }

  get resumable(): boolean {
    return this.#info.resumable === true;
  }

  /** Another job now continues this one's partial target. */
  continuedBy(id: string): void {
    this.#info.resumable = false;
    this.#info.continuedBy = id;
    this.#changed();
  }

  /** A whole-VM job's disks still partial (none: nothing to keep), and whether they can be continued. */
  #vmPartials(left: ResumeFiles[], resumable: boolean): void {
    this.#resumeDisks = left.length ? left : undefined;
    if (left.length) this.#info.partialPaths = left.map((d) => d.writePath);
    else delete this.#info.partialPaths;
    if (resumable) this.#info.resumable = true;
    else if (this.#info.resumable) this.#info.resumable = false;
  }

  /** Its partial target and state were deleted. */
  partialDeleted(): void {
    const what = this.#info.partialPath ?? this.#info.partialPaths?.join(', ');
    const several = (this.#info.partialPaths?.length ?? 0) > 1;
    this.#info.resumable = false;
    delete this.#info.partialPath;
    delete this.#info.partialPaths;
    this.#resumeDisks = undefined;
    this.#info.message = `${this.#info.message ?? this.#info.state}; the partial target${several ? 's were' : ' was'} deleted`;
    this.#note('info', `deleted the partial target${several ? 's' : ''}${what ? ` ${what}` : ''} and ${several ? 'their' : 'its'} resume state${several ? 's' : ''}`);
    this.#changed();
  }

  get state(): JobState {
    return this.#info.state;
  }

  get sourceId(): string {
    return this.#info.request.sourceId;
  }

  get createdAt(): number {
    return this.#info.createdAt;
  }

  get final(): boolean {
    return isFinalState(this.#info.state);
  }

  /** The job now; progress fresh from the engine while it runs. */
  info(): JobInfo {
    const steered = this.#steered();
    const live = steered && !this.final ? { progress: steered.engine.progress() } : {};
    return structuredClone({ ...this.#info, ...live });
  }

  record(): JobRecord {
    const files = { ...(this.#resumeFiles ? { resumeFiles: this.#resumeFiles } : {}), ...(this.#resumeDisks ? { resumeDisks: this.#resumeDisks } : {}) };
    return { ...structuredClone(this.#info), log: this.#log.slice(-MAX_JOB_LOG), ...structuredClone(files) };
  }

  logLines(afterSeq = 0, limit = 500): LogEntry[] {
    return this.#log.filter((e) => e.seq > afterSeq).slice(0, limit);
  }

  /** A disk's chunk map (disk 0 for a single-disk job); null once the engines are gone. */
  chunkMap(disk = 0): ChunkMap | null {
    const steered = this.#steered();
    if (steered && !this.final) {
      if (disk >= steered.disks) throw new RestoreError('BAD_ARGUMENTS', `job ${this.id} has ${steered.disks} disk${steered.disks === 1 ? '' : 's'}; there is no disk ${disk}`);
      return encodeChunkMap(steered.engine.chunkStates(disk));
    }
    return this.#finalMaps?.[disk] ?? null;
  }

  #steered(): Steered | undefined {
    if (this.#prepared) return { engine: this.#prepared.engine, tuner: this.#prepared.tuner, gate: this.#prepared.gate, disks: 1 };
    if (this.#vm) return { engine: this.#vm.multi, tuner: this.#vm.tuner, gate: this.#vm.gate, disks: this.#vm.disks.length };
    return undefined;
  }

  /** Resolves when the job reached a final state (at once for history entries). */
  whenDone(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  // -- commands ---------------------------------------------------------------------------------

  pause(): void {
    const s = this.#info.state;
    if (s === 'paused') return;
    if (s !== 'running') throw new RestoreError('INVALID_STATE', `job ${this.id} is ${s}; only a running job can pause`);
    this.#pauseWanted = true;
    this.#steered()?.engine.pause();
    this.#setState('paused');
    this.#note('info', 'paused: chunks in flight finish, no new ones start');
  }

  resume(): void {
    const s = this.#info.state;
    if (s === 'running') return;
    if (s !== 'paused') throw new RestoreError('INVALID_STATE', `job ${this.id} is ${s}; only a paused job can resume`);
    this.#pauseWanted = false;
    this.#steered()?.engine.resume();
    this.#setState('running');
    this.#note('info', 'resumed');
  }

  /** Queued: cancelled at once. Running or paused: cancelling until the engine has stopped. */
  cancel(): void {
    const s = this.#info.state;
    if (s === 'cancelling') return;
    if (this.final) throw new RestoreError('INVALID_STATE', `job ${this.id} already ${s}`);
    if (s === 'queued') {
      this.#password = undefined;
      this.#finish(emptySummary('cancelled', this.#info.mode), { code: 'CANCELLED', message: 'cancelled before it started' });
      return;
    }
    this.#setState('cancelling');
    this.#note('info', 'cancelling: waiting for chunks in flight to stop');
    this.#abort.abort(new RestoreError('CANCELLED', 'cancelled by the user'));
  }

  /** The job's own cap on source bytes per second (0: none), in force for the next chunk read. */
  setRate(rate: number): void {
    if (this.final) throw new RestoreError('INVALID_STATE', `job ${this.id} already ${this.#info.state}`);
    this.#info.rate = rate;
    const steered = this.#steered();
    if (steered) steered.gate.rate = rate;
    this.#note('info', rate ? `rate cap set to ${formatBytes(rate)}/s` : 'rate cap removed');
    this.#ctx?.emit('job', this.info());
    this.#ctx?.changed(this);
    this.#sampler?.poke();
  }

  setConcurrency(c: Concurrency): void {
    if (this.final) throw new RestoreError('INVALID_STATE', `job ${this.id} already ${this.#info.state}`);
    this.#info.concurrency = c;
    this.#applyConcurrency();
    this.#note('info', c === 'auto' ? 'concurrency: auto' : `concurrency set to ${c}`);
    this.#ctx?.emit('job', this.info());
    this.#ctx?.changed(this);
    this.#sampler?.poke();
  }

  // -- running ----------------------------------------------------------------------------------

  /** Runs the job to a final state; never throws. Called once, when a slot is free. */
  run(): Promise<void> {
    this.#done ??= this.#run();
    return this.#done;
  }

  async #run(): Promise<void> {
    const ctx = this.#ctx!;
    if (this.#info.state !== 'queued') return;
    this.#info.startedAt = Date.now();
    this.#setState('running');
    const r = this.#info.request;
    const what = r.archive ?? (r.disks === 'all' || r.disks === undefined ? 'every disk' : r.disks.map((d) => d.archive).join(', '));
    const where = r.target ?? r.targetDir ?? 'their targets';
    this.#note('info', `${r.mode === 'restore' ? `restoring ${what} to ${where}` : `verifying ${what}`} from ${r.sourceLabel}`);
    const signal = this.#abort.signal;
    let summary: RestoreSummary;
    let error: ContractError | undefined;
    try {
      let crypt: CryptConfig | undefined;
      if (r.keyfile) crypt = await loadKey(r.keyfile, this.#password, signal);
      this.#password = undefined;
      const opened = await ctx.openSource(r.sourceId);
      signal.throwIfAborted();
      const slots = ctx.budget?.lender(DEFAULT_CONCURRENCY);
      const shared = { concurrency: this.#info.concurrency, rate: this.#info.rate ?? 0, sharedRates: ctx.sharedRates, ...(ctx.stall ? { stall: ctx.stall } : {}), ...(ctx.decoder ? { decoder: ctx.decoder } : {}), ...(slots ? { slots } : {}) };
      const vmOptions = { ...shared, ...(crypt ? { crypt } : {}), stateDir: ctx.stateDir, ...(ctx.recorder ? { recorder: ctx.recorder } : {}), signal };
      const prepared = r.archive === undefined ? await prepareVmJob(r, opened.source, vmOptions) : await prepareRestore({
        source: opened.source,
        ref: toRef(r.snapshot),
        archive: r.archive,
        ...(crypt ? { crypt } : {}),
        ...(r.mode === 'restore' ? { target: { path: r.target!, force: r.force ?? false, sparse: r.sparse ?? true, resume: r.resume === true }, stateDir: ctx.stateDir } : {}),
        ...shared,
        ...(ctx.recorder ? { recorder: ctx.recorder } : {}),
        signal,
      });
      if ('multi' in prepared) this.#attachVm(prepared);
      else this.#attach(prepared);
      summary = await prepared.run();
      if (summary.error) error = summary.error;
    } catch (e) {
      this.#password = undefined;
      error = signal.aborted ? toContractError(signal.reason) : toContractError(e);
      const status = signal.aborted || error.code === 'CANCELLED' ? 'cancelled' : 'failed';
      if (status === 'cancelled') error = { code: 'CANCELLED', message: error.message };
      summary = emptySummary(status, r.mode, (Date.now() - this.#info.startedAt) / 1000);
    }
    this.#finish(summary, error);
  }

  #attach(prepared: PreparedRestore): void {
    const ctx = this.#ctx!;
    this.#prepared = prepared;
    const { engine } = prepared;
    this.#info.request = { ...this.#info.request, archive: prepared.plan.archive };
    const t = prepared.target;
    if (t) {
      this.#resumeFiles = { writePath: t.target.writePath, statePath: t.target.statePath };
      if (t.freshBecause) this.#note('info', `nothing to resume (${t.freshBecause}); restoring from the start`);
      if (t.resumed?.size) this.#note('info', `resuming: ${t.resumed.size} of ${prepared.plan.index.count} chunks are already written and synced`);
      ctx.changed(this);
    }
    this.#watch(this.#steered()!);
  }

  #attachVm(vm: PreparedSnapshotRestore): void {
    this.#vm = vm;
    this.#info.request = resolvedRequest(this.#info.request, vm);
    if (this.#info.mode === 'restore') {
      const { files, notes } = vmResume(vm, this.#info.request.resume === true);
      this.#resumeDisks = files;
      for (const n of notes) this.#note('info', n);
    }
    this.#changed();
    this.#watch(this.#steered()!);
  }

  /** Stall notes, the concurrency asked for, and the sampler, for whichever path runs. */
  #watch(steered: Steered): void {
    const ctx = this.#ctx!;
    steered.engine.on('stall', (c: StallChange) => {
      if (c.kind === 'stalled') this.#note('warn', `stalled: no data from the source since ${new Date(c.since).toISOString()} while chunks are being read`);
      else if (c.kind === 'cleared') this.#note('info', `the stall is over: data flows again after ${((c.at - c.since) / 1000).toFixed(0)} s`);
      this.#sampler?.poke();
    });
    if (this.#pauseWanted) steered.engine.pause();
    this.#applyConcurrency();
    this.#sampler = new JobSampler(steered.engine, steered.disks, {
      jobId: this.id,
      emit: (event, payload) => ctx.emit(event, payload),
      onSample: (progress) => (this.#info.progress = progress),
      progressMs: ctx.progressMs,
      mapMs: ctx.mapMs,
    });
  }

  #applyConcurrency(): void {
    const p = this.#steered();
    if (!p) return;
    const c = this.#info.concurrency;
    if (c === 'auto') p.tuner.enable();
    else {
      p.tuner.disable();
      p.engine.setConcurrency(c, 'user');
    }
  }

  #finish(summary: RestoreSummary, error: ContractError | undefined): void {
    // The last word on counters and chunks, then silence: no progress after a final state.
    const attached = this.#prepared?.target !== undefined || this.#vm !== undefined;
    const last = this.#sampler?.finish(summary.mbPerSec * 1e6);
    this.#sampler = undefined;
    if (last) {
      this.#finalMaps = last.maps;
      this.#info.progress = last.progress;
    }
    this.#prepared = undefined;
    this.#vm = undefined;
    this.#info.endedAt = Date.now();
    if (summary.seconds > 0) summary = { ...summary, peakMbPerSec: Math.round((last?.peak ?? summary.mbPerSec * 1e6) / 1e4) / 100 };
    this.#info.summary = summary;
    if (error) this.#info.error = error;
    let partial = summary.partial && summary.target ? summary.target : undefined;
    // A continuing job that stopped before it opened the target leaves the earlier partial as it was.
    if (!partial && !attached && this.#info.resumedFrom && this.#resumeFiles && summary.status !== 'succeeded') partial = this.#resumeFiles.writePath;
    if (partial) this.#info.partialPath = partial;
    if (partial && this.#resumeFiles && !NOT_RESUMABLE.has(error?.code ?? '')) this.#info.resumable = true;
    // A whole-VM job's partial targets are in its summary, one per disk that did not finish.
    const partials = summary.archives ? summary.archives.flatMap((a) => (a.partial && a.target ? [a.target] : [])) : partial ? [partial] : [];
    // A whole-VM job: the disks left partial stay to continue or delete (a continuing job that
    // stopped before it opened its disks keeps the earlier job's).
    const left = summary.status === 'succeeded' ? [] : (this.#resumeDisks ?? []).filter((d) => !attached || partials.includes(d.writePath));
    if (this.#resumeDisks) this.#vmPartials(left, left.length > 0 && !NOT_RESUMABLE.has(error?.code ?? ''));
    this.#info.message = describeEnd(this.#info, summary, error, partials.length || attached ? partials : (this.#info.partialPaths ?? []));
    this.#note(summary.status === 'failed' ? 'error' : 'info', this.#info.message, error?.code);
    this.#setState(summary.status);
  }

  #changed(): void {
    this.#ctx?.emit('job', this.info());
    this.#ctx?.changed(this);
  }

  #setState(next: JobState): void {
    const from = this.#info.state;
    if (from === next) return;
    checkMove(this.id, from, next);
    this.#info.state = next;
    this.#ctx?.emit('job', this.info());
    this.#ctx?.changed(this);
  }

  #note(level: LogLevel, message: string, code?: ContractError['code']): void {
    if (!this.#ctx) return;
    const entry = this.#ctx.log(level, message, { jobId: this.id, sourceId: this.sourceId, ...(code ? { code } : {}) });
    this.#log.push(entry);
    if (this.#log.length > MAX_JOB_LOG * 2) this.#log.splice(0, this.#log.length - MAX_JOB_LOG);
  }
}
