// One job over several disk images of a snapshot (a whole VM): a RestoreEngine per disk, all
// running at once on one set of slots, so the job's limit counts chunks in flight over every disk
// and a slow disk never leaves the others (or the link) idle. This coordinator owns what belongs
// to the job as a whole: the limit and its reason (the auto-tuner steers it through
// TunableEngine), pause, resume and cancel, the totals, a progress row per disk, and the summary
// with each disk's result. Everything per chunk (zero and repeated chunks, verification, the
// target rules) stays in the disk's engine.
//
// Endings (docs/jobs.md): a disk that fails stops the job: the other disks stop too (their chunks
// in flight settle) and end "cancelled", their targets left `.partial`; disks that had finished
// stay finished. The job is failed, with the failed disk's error. Cancel stops every disk; the
// finished ones stay, the others are left `.partial`.
import { EventEmitter } from 'node:events';
import type { ArchiveSummary, DiskProgress, ProgressCounters, RestoreSummary } from '../../shared/progress.ts';
import { RestoreError } from '../../shared/errors.ts';
import type { ChunkDecoder } from './decoder.ts';
import type { Slots } from './liveLimiter.ts';
import { clampConcurrency } from '../../shared/limits.ts';
import { RestoreEngine, type ChunkEvent, type EngineInput } from './restoreEngine.ts';
import type { RateMeter } from '../source/rateLimitedSource.ts';
import type { RetryPolicy } from '../source/retry.ts';
import type { StallChange, StallOptions } from './stallWatch.ts';
import type { Target } from './target.ts';
import type { ChunkSet } from './chunkSet.ts';

export interface DiskInput {
  archive: string;
  input: EngineInput;
  /** Undefined: verify only. */
  target?: Target;
  /** Chunks an earlier run of the job wrote and synced (resume; every chunk for a finished disk). */
  resumed?: ChunkSet;
}

export interface MultiRestoreOptions {
  /** The job's slots (its limit; inside the machine's budget when the service runs it). */
  slots: Slots;
  decoder?: ChunkDecoder;
  signal?: AbortSignal;
  retry?: RetryPolicy;
  /** The job's rate gate, which every disk's reads pass (for progress and stall detection). */
  rate?: RateMeter;
  stall?: StallOptions;
}

/** A chunk event of one disk. */
export interface DiskChunkEvent extends ChunkEvent {
  disk: number;
}

interface Disk {
  archive: string;
  engine: RestoreEngine;
  result?: RestoreSummary;
}

/** What the coordinator emits: the engine's events for the job as a whole, plus a disk's end. */
export interface MultiEvents {
  /** A chunk of one disk is done. */
  chunk: [event: DiskChunkEvent];
  /** The job's limit changed, and why. */
  limit: [limit: number, reason: string];
  pause: [];
  resume: [];
  /** A disk's source stalled, flows again, or stalled past the timeout (its engine's StallWatch). */
  stall: [change: StallChange];
  /** A disk ended (succeeded, failed, or stopped); the job goes on until every disk has. */
  disk: [index: number, summary: RestoreSummary];
}

export class MultiRestore extends EventEmitter<MultiEvents> {
  readonly #disks: Disk[];
  readonly #slots: Slots;
  readonly #abort = new AbortController();
  readonly #mode: 'restore' | 'verify';
  #limitReason = 'initial';
  #auto = false;
  #started = 0;
  #ended = 0;
  /** The disk that failed first; its error is the job's. */
  #firstFailure: number | undefined;

  constructor(disks: DiskInput[], opts: MultiRestoreOptions) {
    super();
    if (disks.length === 0) throw new RestoreError('INTERNAL', 'a restore job needs at least one disk');
    this.#slots = opts.slots;
    this.#mode = disks[0]!.target ? 'restore' : 'verify';
    if (opts.signal) {
      const outer = opts.signal;
      if (outer.aborted) this.#abort.abort(outer.reason);
      else outer.addEventListener('abort', () => this.#abort.abort(outer.reason), { once: true });
    }
    this.#disks = disks.map((d, i) => {
      const engine = new RestoreEngine(d.input, {
        ...(d.target ? { target: d.target } : {}),
        ...(d.resumed ? { resumed: d.resumed } : {}),
        ...(opts.decoder ? { decoder: opts.decoder } : {}),
        ...(opts.retry ? { retry: opts.retry } : {}),
        signal: this.#abort.signal,
        slots: this.#slots,
        ...(opts.rate ? { rate: opts.rate } : {}),
        ...(opts.stall ? { stall: opts.stall } : {}),
      });
      engine.on('chunk', (e: ChunkEvent) => this.emit('chunk', { ...e, disk: i } satisfies DiskChunkEvent));
      engine.on('stall', (c) => this.emit('stall', c));
      // Stop the other disks at the first error, not once this disk has settled: they would go on
      // writing (and might even finish) while its chunks in flight drain.
      engine.on('failed', () => this.#stopFor(i));
      return { archive: d.archive, engine };
    });
  }

  get mode(): 'restore' | 'verify' {
    return this.#mode;
  }

  /** The archives, in the order given (the snapshot's). */
  get archives(): string[] {
    return this.#disks.map((d) => d.archive);
  }

  get limit(): number {
    return this.#slots.limit;
  }

  /** The job's limit over all disks; running chunks are never aborted. */
  setConcurrency(n: number, reason = 'user'): void {
    const next = clampConcurrency(n);
    this.#limitReason = reason;
    if (next === this.#slots.limit) return;
    this.#slots.limit = next;
    this.emit('limit', next, reason);
  }

  setAuto(auto: boolean): void {
    this.#auto = auto;
  }

  get auto(): boolean {
    return this.#auto;
  }

  pause(): void {
    this.#slots.pause();
    this.emit('pause');
  }

  resume(): void {
    this.#slots.resume();
    this.emit('resume');
  }

  cancel(reason = 'cancelled by the user'): void {
    this.#abort.abort(new RestoreError('CANCELLED', reason));
  }

  /** A copy of one disk's chunk states. */
  chunkStates(disk = 0): Uint8Array {
    const d = this.#disks[disk];
    if (!d) throw new RangeError(`no disk ${disk} in this job`);
    return d.engine.chunkStates();
  }

  /** The job's totals, with a row per disk when there are several. */
  progress(): ProgressCounters {
    const ps = this.#disks.map((d) => d.engine.progress());
    const sum = (k: 'totalBytes' | 'totalChunks' | 'doneBytes' | 'doneChunks' | 'zeroBytes' | 'zeroChunks' | 'sourceBytes' | 'reusedChunks' | 'inFlight' | 'writing' | 'resumedBytes' | 'resumedChunks'): number =>
      ps.reduce((s, p) => s + (p[k] ?? 0), 0);
    const resumedBytes = sum('resumedBytes');
    const now = performance.now();
    // A disk that has ended no longer stalls the job.
    const stalled = ps.flatMap((p, i) => (p.stalledSince !== undefined && !this.#disks[i]!.result ? [p.stalledSince] : []));
    const disks: DiskProgress[] = ps.map((p, i) => ({
      archive: this.#disks[i]!.archive,
      totalBytes: p.totalBytes,
      totalChunks: p.totalChunks,
      doneBytes: p.doneBytes,
      doneChunks: p.doneChunks,
      zeroBytes: p.zeroBytes,
      state: this.#disks[i]!.result?.status ?? 'running',
    }));
    return {
      at: Date.now(),
      elapsedMs: this.#started ? (this.#ended || now) - this.#started : 0,
      totalBytes: sum('totalBytes'),
      totalChunks: sum('totalChunks'),
      doneBytes: sum('doneBytes'),
      doneChunks: sum('doneChunks'),
      zeroBytes: sum('zeroBytes'),
      zeroChunks: sum('zeroChunks'),
      sourceBytes: sum('sourceBytes'),
      reusedChunks: sum('reusedChunks'),
      // Counted from the start, as one engine does, so rates cover only this run's work.
      ...(resumedBytes ? { resumedBytes, resumedChunks: sum('resumedChunks') } : {}),
      inFlight: sum('inFlight'),
      writing: sum('writing'),
      limit: this.#slots.limit,
      auto: this.#auto,
      limitReason: this.#limitReason,
      paused: this.#slots.paused,
      // One gate for the job: every disk reports the same cap.
      ...(ps[0]!.rateLimit !== undefined ? { rateLimit: ps[0]!.rateLimit, rateLimited: ps.some((p) => p.rateLimited) } : {}),
      ...(stalled.length ? { stalledSince: Math.min(...stalled) } : {}),
      ...(this.#disks.length > 1 ? { disks } : {}),
    };
  }

  /** Runs every disk to its end. Never throws: the summary says how the job and each disk ended. */
  async run(): Promise<RestoreSummary> {
    this.#started = performance.now();
    await Promise.all(
      this.#disks.map(async (d, i) => {
        const s = await d.engine.run();
        d.result = s;
        if (s.status === 'failed') this.#stopFor(i);
        this.emit('disk', i, s);
      }),
    );
    this.#ended = performance.now();
    return this.#summary();
  }

  /** Disk `i` failed: the first failure is the job's, and stops every other disk. */
  #stopFor(i: number): void {
    if (this.#firstFailure !== undefined) return;
    this.#firstFailure = i;
    this.#abort.abort(new RestoreError('CANCELLED', `stopped because ${this.#disks[i]?.archive ?? `disk ${i}`} failed`));
  }

  #summary(): RestoreSummary {
    const results = this.#disks.map((d) => d.result!);
    const sum = (k: 'bytes' | 'zeroBytes' | 'sourceBytes' | 'chunks' | 'zeroChunks' | 'resumedBytes'): number => results.reduce((s, r) => s + (r[k] ?? 0), 0);
    const seconds = (this.#ended - this.#started) / 1000;
    const status: RestoreSummary['status'] = this.#firstFailure !== undefined ? 'failed' : results.some((r) => r.status !== 'succeeded') ? 'cancelled' : 'succeeded';
    let error = undefined as RestoreSummary['error'];
    if (this.#firstFailure !== undefined) {
      const d = this.#disks[this.#firstFailure]!;
      const e = d.result!.error!;
      error = this.#disks.length > 1 ? { ...e, message: `${d.archive}: ${e.message}` } : e;
    } else if (status === 'cancelled') {
      error = results.find((r) => r.error)?.error ?? { code: 'CANCELLED', message: 'cancelled' };
    }
    const archives: ArchiveSummary[] = results.map((r, i) => ({
      archive: this.#disks[i]!.archive,
      ...(r.target ? { target: r.target } : {}),
      status: r.status,
      bytes: r.bytes,
      zeroBytes: r.zeroBytes,
      sourceBytes: r.sourceBytes,
      chunks: r.chunks,
      zeroChunks: r.zeroChunks,
      resumedBytes: r.resumedBytes ?? 0,
      ...(r.partial !== undefined ? { partial: r.partial } : {}),
      ...(r.error ? { error: r.error } : {}),
    }));
    const only = results.length === 1 ? results[0]! : undefined;
    return {
      status,
      mode: this.#mode,
      bytes: sum('bytes'),
      zeroBytes: sum('zeroBytes'),
      sourceBytes: sum('sourceBytes'),
      resumedBytes: sum('resumedBytes'),
      chunks: sum('chunks'),
      zeroChunks: sum('zeroChunks'),
      seconds,
      // This run's work: what earlier runs wrote is reported apart (resumedBytes).
      mbPerSec: seconds > 0 ? (sum('bytes') - sum('resumedBytes')) / 1e6 / seconds : 0,
      // One disk: the summary a single-disk job always had.
      ...(only?.target ? { target: only.target, partial: only.partial ?? false } : {}),
      ...(error ? { error } : {}),
      archives,
    };
  }
}
