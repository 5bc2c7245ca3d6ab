// Jobs: start, queue, run side by side (each with its own engine), steer, and keep as history in
// jobs.json across restarts. At most `maxRunningJobs` run at once; the rest wait in 'queued'.
// A restore that ended without success can be continued by a new job (`continue`, docs/resume.md)
// or have what it left deleted (`deletePartial`). The running jobs share one budget of chunks in
// flight (settings.chunkBudget; docs/jobs.md), each within its fair share of it. A batch is
// several jobs started together, one per VM.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { BatchRef, ChunkMap, Concurrency, JobInfo, LogEntry, Settings, StartJobArgs } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import { removeState } from '../engine/resumeState.ts';
import { SlotBudget } from '../engine/slotBudget.ts';
import { Job, type JobContext, type JobRecord } from './job.ts';
import type { JsonFile } from './jsonFile.ts';
import { validJobRecords } from './records.ts';

export interface JobsFile {
  version: 1;
  jobs: JobRecord[];
}

const ACTIVE_ORDER = { running: 0, paused: 0, cancelling: 0, queued: 1 } as Record<string, number>;

export class JobManager {
  readonly #file: JsonFile<JobsFile>;
  readonly #ctx: Omit<JobContext, 'changed'>;
  readonly #settings: () => Settings;
  readonly #jobs = new Map<string, Job>();
  readonly #queue: Job[] = [];
  readonly #running = new Set<Job>();
  /** Where each job's target really leads, while it may still write. */
  readonly #targets = new Map<Job, string>();
  #saving: Promise<void> | undefined;
  #dirty = false;
  #closed = false;

  readonly #budget: SlotBudget;

  constructor(opts: { file: JsonFile<JobsFile>; ctx: Omit<JobContext, 'changed' | 'budget'>; settings: () => Settings }) {
    this.#file = opts.file;
    this.#budget = new SlotBudget(opts.settings().chunkBudget);
    this.#ctx = { ...opts.ctx, budget: this.#budget };
    this.#settings = opts.settings;
  }

  /** Reads jobs.json; a record that does not pass the schema is skipped and told to `onCorrupt`. */
  async load(onCorrupt?: (message: string) => void): Promise<void> {
    const data = await this.#file.read(onCorrupt);
    const records = validJobRecords((data as { jobs?: unknown } | undefined)?.jobs, (m) => onCorrupt?.(`jobs.json: ${m}`));
    let changed = false;
    for (const r of records) {
      const job = Job.fromRecord(r);
      changed ||= r.state !== job.state;
      changed = (await job.checkResumable()) || changed;
      this.#jobs.set(job.id, job);
    }
    if (changed) this.#saveSoon();
  }

  /**
   * Queues a job (`resumeOf`: the job it continues; `batch`: the batch it belongs to). `realTarget`
   * is where its target (or a whole-VM job's folder) really leads (resolveTargetPath): a target
   * that a queued or running job will write is refused (TARGET_BUSY), checked and claimed in one
   * step. The engine's target lock catches every other writer.
   */
  start(args: StartJobArgs, sourceLabel: string, resumeOf?: Job, realTarget?: string, batch?: BatchRef): JobInfo {
    if (this.#closed) throw new RestoreError('INVALID_STATE', 'the service is shutting down');
    if (realTarget !== undefined) {
      for (const [other, t] of this.#targets) {
        if (t === realTarget && !other.final) {
          throw new RestoreError('TARGET_BUSY', `${args.target ?? args.targetDir} is the target of job ${other.id} (${other.state}): cancel it or choose another target`);
        }
      }
    }
    const s = this.#settings();
    const id = `job-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const ctx: JobContext = { ...this.#ctx, changed: () => this.#saveSoon() };
    const job = Job.create(id, args, sourceLabel, { concurrency: s.defaultConcurrency, sparse: s.sparseByDefault, rate: s.defaultRate }, ctx, resumeOf, batch);
    this.#jobs.set(id, job);
    const claimed = realTarget ?? args.target ?? args.targetDir;
    if (claimed !== undefined) this.#targets.set(job, claimed);
    this.#queue.push(job);
    const info = job.info();
    this.#ctx.emit('job', info);
    this.#saveSoon();
    this.#pump();
    return info;
  }

  list(): JobInfo[] {
    const jobs = [...this.#jobs.values()];
    const rank = (j: Job): number => ACTIVE_ORDER[j.state] ?? 2;
    jobs.sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt);
    return jobs.map((j) => j.info());
  }

  get(id: string): JobInfo {
    return this.#job(id).info();
  }

  chunkMap(id: string, disk?: number): ChunkMap | null {
    return this.#job(id).chunkMap(disk);
  }

  logLines(id: string, afterSeq?: number, limit?: number): LogEntry[] {
    return this.#job(id).logLines(afterSeq, limit);
  }

  pause(id: string): JobInfo {
    const job = this.#job(id);
    job.pause();
    return job.info();
  }

  resume(id: string): JobInfo {
    const job = this.#job(id);
    job.resume();
    return job.info();
  }

  cancel(id: string): JobInfo {
    const job = this.#job(id);
    const wasQueued = job.state === 'queued';
    job.cancel();
    if (wasQueued) {
      this.#queue.splice(this.#queue.indexOf(job), 1);
      this.#targets.delete(job);
    }
    return job.info();
  }

  setConcurrency(id: string, c: Concurrency): JobInfo {
    const job = this.#job(id);
    job.setConcurrency(c);
    return job.info();
  }

  setRate(id: string, rate: number): JobInfo {
    const job = this.#job(id);
    job.setRate(rate);
    return job.info();
  }

  /**
   * A new job that finishes what a failed, cancelled or interrupted restore left (the same request,
   * resumed); `realTarget` as for start().
   */
  continueRestore(id: string, sourceLabel: (sourceId: string) => string, password?: string, realTarget?: string): JobInfo {
    const old = this.#job(id);
    if (!old.final || old.state === 'succeeded' || !old.resumable) {
      throw new RestoreError('INVALID_STATE', `job ${id} has nothing to continue${old.final ? '' : ` (it is ${old.state})`}`);
    }
    this.#refuseActiveTarget(old, realTarget);
    const { sourceLabel: _l, ...request } = old.request;
    const args: StartJobArgs = { ...request, mode: 'restore', resume: true, concurrency: old.concurrency, rate: old.rate, ...(password !== undefined ? { password } : {}) };
    const info = this.start(args, sourceLabel(request.sourceId), old, realTarget);
    old.continuedBy(info.id);
    return info;
  }

  /**
   * Deletes the partial file (never a device) and the resume state an unsuccessful restore left; for
   * a whole-VM job, those of every disk it left partial (never a disk it finished).
   */
  async deletePartial(id: string, realTarget?: string): Promise<JobInfo> {
    const job = this.#job(id);
    const info = job.info();
    const files = job.resumeDisks ?? (job.resumeFiles ? [job.resumeFiles] : []);
    const partials = info.partialPaths ?? (info.partialPath ? [info.partialPath] : []);
    if (!job.final || job.state === 'succeeded' || !partials.length) throw new RestoreError('INVALID_STATE', `job ${id} left no partial target`);
    this.#refuseActiveTarget(job, realTarget);
    for (const partial of partials) if (partial.endsWith('.partial')) await rm(partial, { force: true });
    for (const f of files) await removeState(f.statePath);
    job.partialDeleted();
    return job.info();
  }

  /** Another job (queued or running) claims this job's target (or folder) now: TARGET_BUSY, as start() says it. */
  #refuseActiveTarget(job: Job, target = job.request.target ?? job.request.targetDir): void {
    for (const [other, t] of this.#targets) {
      if (other !== job && !other.final && t === target) throw new RestoreError('TARGET_BUSY', `${job.request.target ?? job.request.targetDir} is the target of job ${other.id} (${other.state}) now`);
    }
  }

  forget(id: string): void {
    const job = this.#job(id);
    if (!job.final) throw new RestoreError('INVALID_STATE', `job ${id} is ${job.state}; cancel it first`);
    this.#jobs.delete(id);
    this.#saveSoon();
  }

  /** True while a job that is not final reads from this source. */
  usesSource(sourceId: string): boolean {
    return [...this.#jobs.values()].some((j) => !j.final && j.sourceId === sourceId);
  }

  /** Starts queued jobs while slots are free (also after maxRunningJobs was raised). */
  pump(): void {
    this.#budget.total = this.#settings().chunkBudget;
    this.#pump();
  }

  /** Cancels every job still going, waits for them to stop, and writes the history. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of [...this.#queue]) this.cancel(job.id);
    const going = [...this.#running];
    for (const job of going) if (!job.final && job.state !== 'cancelling') job.cancel();
    await Promise.all(going.map((j) => j.whenDone()));
    await this.#save();
  }

  #job(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new RestoreError('JOB_NOT_FOUND', `no job with id ${JSON.stringify(id)}`);
    return job;
  }

  #pump(): void {
    const max = this.#settings().maxRunningJobs;
    while (!this.#closed && this.#running.size < max && this.#queue.length) {
      const job = this.#queue.shift()!;
      this.#running.add(job);
      void job.run().finally(() => {
        this.#running.delete(job);
        this.#targets.delete(job);
        this.#prune();
        this.#pump();
      });
    }
  }

  /** Keeps at most historyLimit finished jobs, dropping the oldest. */
  #prune(): void {
    const finished = [...this.#jobs.values()].filter((j) => j.final).sort((a, b) => b.createdAt - a.createdAt);
    for (const j of finished.slice(this.#settings().historyLimit)) this.#jobs.delete(j.id);
  }

  /** Coalesces bursts of changes into one write; writes never overlap. */
  #saveSoon(): void {
    this.#dirty = true;
    if (this.#saving) return;
    this.#saving = (async () => {
      while (this.#dirty) {
        this.#dirty = false;
        await new Promise((r) => setImmediate(r));
        await this.#write().catch((e) => this.#ctx.log('error', `cannot write the job history: ${(e as Error).message}`, {}));
      }
      this.#saving = undefined;
    })();
  }

  async #save(): Promise<void> {
    while (this.#saving) await this.#saving;
    await this.#write();
  }

  #write(): Promise<void> {
    return this.#file.write({ version: 1, jobs: [...this.#jobs.values()].map((j) => j.record()) });
  }

  /** Resolves once pending history writes are on disk. */
  async flush(): Promise<void> {
    while (this.#saving) await this.#saving;
    await this.#file.flush();
  }
}
