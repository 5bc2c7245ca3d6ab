// Records which chunks of a restore are written and synced, in the resume state file, by standing
// between the engine and its target: every whole-chunk write that completes is noted, and a save
// first syncs the target (fdatasync) and only then writes the state naming the chunks written
// before that sync. So the state never names a chunk whose bytes could still be lost (docs/resume.md).
// Saves come a couple of seconds after the first unrecorded write, or sooner once 0.5 % of the
// image waits to be recorded, never overlapping; a cancel or failure saves once more before the
// target is closed; success removes the state after the target is in place.
import type { Target } from './target.ts';
import { ChunkSet } from './chunkSet.ts';
import { removeState, writeState, type ResumeIdentity, type StateWriteHooks } from './resumeState.ts';

export interface RecorderOptions {
  statePath: string;
  identity: ResumeIdentity;
  /** Chunks already written and synced (a resumed restore's state). */
  done?: ChunkSet;
  /** Longest wait between the first unrecorded write and the save that records it (default 2000 ms). */
  saveAfterMs?: number;
  /** Save as soon as this many writes wait to be recorded (default: 0.5 % of the chunks, at least one). */
  saveAfterChunks?: number;
  /** After each save: the chunks now on record, and the state file (a whole-VM job has one per disk). */
  onSaved?: (done: ChunkSet, statePath: string) => void;
  /** A save that failed (the restore goes on; the state on disk stays the last good one). */
  onSaveError?: (e: unknown) => void;
  hooks?: StateWriteHooks;
}

export class ResumeRecorder implements Target {
  readonly #t: Target;
  readonly #o: RecorderOptions;
  readonly #done: ChunkSet;
  #pending: ChunkSet;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> | undefined;
  #closed = false;
  readonly #saveAfterMs: number;
  readonly #saveAfterChunks: number;

  constructor(target: Target, opts: RecorderOptions) {
    this.#t = target;
    this.#o = opts;
    const count = opts.identity.chunkCount;
    this.#done = new ChunkSet(count);
    if (opts.done) this.#done.addAll(opts.done);
    this.#pending = new ChunkSet(count);
    this.#saveAfterMs = opts.saveAfterMs ?? 2000;
    this.#saveAfterChunks = Math.max(1, opts.saveAfterChunks ?? Math.ceil(count / 200));
  }

  get path(): string {
    return this.#t.path;
  }

  get writePath(): string {
    return this.#t.writePath;
  }

  get kind(): 'file' | 'device' {
    return this.#t.kind;
  }

  get writesZeros(): boolean {
    return this.#t.writesZeros;
  }

  get statePath(): string {
    return this.#o.statePath;
  }

  /** Chunks on record in the state file now. */
  get recorded(): number {
    return this.#done.size;
  }

  async write(buf: Uint8Array, offset: number): Promise<void> {
    await this.#t.write(buf, offset);
    const { chunkSize, chunkCount, size } = this.#o.identity;
    const i = offset / chunkSize;
    // Only whole chunks at their own offset are recorded (the engine writes nothing else).
    if (!Number.isInteger(i) || i >= chunkCount || buf.length !== Math.min(chunkSize, size - offset)) return;
    this.#pending.add(i);
    if (this.#closed) return;
    if (this.#pending.size >= this.#saveAfterChunks) this.#saveSoon(0);
    else this.#saveSoon(this.#saveAfterMs);
  }

  sync(): Promise<void> {
    return this.#t.sync();
  }

  /** The target moves into place; then the state is no longer needed. */
  async commit(): Promise<void> {
    await this.#stop();
    await this.#t.commit();
    await removeState(this.#o.statePath).catch((e) => this.#o.onSaveError?.(e));
  }

  /** A cancel or failure: record what is written, then close the target. */
  async abandon(): Promise<void> {
    await this.#stop();
    if (this.#pending.size) await this.#save().catch((e) => this.#o.onSaveError?.(e));
    await this.#t.abandon();
  }

  async #stop(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#saving) await this.#saving;
  }

  /** A save in `ms` unless one is already due sooner or running (a running one re-checks after). */
  #saveSoon(ms: number): void {
    if (this.#saving) return;
    if (this.#timer && ms > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#saving = this.#save()
        .catch((e) => this.#o.onSaveError?.(e))
        .finally(() => {
          this.#saving = undefined;
          if (this.#closed || this.#pending.size === 0) return;
          this.#saveSoon(this.#pending.size >= this.#saveAfterChunks ? 0 : this.#saveAfterMs);
        });
    }, ms);
  }

  /** Sync first, then record the chunks written before the sync. */
  async #save(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new ChunkSet(this.#o.identity.chunkCount);
    // A failed sync throws here: the batch is not durable and not recorded (fetched again on resume).
    await this.#t.sync();
    this.#done.addAll(batch);
    await this.#write();
    this.#o.onSaved?.(this.#done, this.#o.statePath);
  }

  #write(): Promise<void> {
    return writeState(this.#o.statePath, { identity: this.#o.identity, done: this.#done, savedAt: Date.now() }, this.#o.hooks);
  }
}
