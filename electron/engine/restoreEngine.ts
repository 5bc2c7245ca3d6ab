// The restore engine: the buffer_unordered(N) idea of proxmox-backup-qemu's restore.rs with a
// limit that changes while the job runs.
//   positions are read lazily from the index (never an array of promises);
//   zero chunks (digest == zero digest for this chunk size and key) are never fetched;
//   up to `limit` chunks are fetched and decoded (verified) at once, completing in any order;
//   decoded chunks go to positional writes with a small limit of their own, so fetch, decode and
//   write overlap;
//   chunk data lives in pooled buffers (bufferPool.ts), and memory is bounded by the limit: a
//   chunk holds one buffer while it counts against the limit, and a "memory token" from the start
//   of its decode to the end of its write (covering the plaintext buffer of a compressed chunk,
//   then the buffer being written). With 2 × limit − 1 tokens, at most 3 × limit − 1 buffers are
//   in use, so memory stays within 3 × limit × chunk size at every limit, 1 included (there a
//   decode waits for the previous chunk's write, and the next fetch overlaps it);
//   repeated digests are fetched once while still needed, and the most used keep their data
//   (repeatCache.ts: up to MAX_CACHED more chunks, outside the pool) (docs/performance.md);
//   progress counts completions (commit 429256c: "they can come unordered").
// One AbortSignal reaches fetch, decode and write. The first chunk error stops new work, lets
// running work settle, and fails the job with the chunk's index, offset and digest.
// Resume (docs/resume.md): chunks an earlier run wrote and synced are given as `resumed`; they are
// counted as done (and as resumedBytes) before the first chunk starts and never fetched again.
// Stalls: a StallWatch names a source that stopped delivering while reads were under way, and
// fails the job with STALLED after its timeout.
import { EventEmitter } from 'node:events';
import { ChunkState } from '../../shared/chunkMap.ts';
import { clampConcurrency, DEFAULT_CONCURRENCY, maxChunkBlobBytes } from '../../shared/limits.ts';
import type { ProgressCounters, RestoreSummary } from '../../shared/progress.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import type { CryptMode } from '../pbs/dataBlob.ts';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { chunkRange, digestAt, type FixedIndex } from '../pbs/fixedIndex.ts';
import { toHex } from '../pbs/hex.ts';
import type { ChunkSource } from '../source/chunkSource.ts';
import type { RateMeter } from '../source/rateLimitedSource.ts';
import type { TuningCounters } from './autoTuner.ts';
import type { ChunkSet } from './chunkSet.ts';
import { BufferPool } from './bufferPool.ts';
import { inlineDecoder, type ChunkDecoder } from './decoder.ts';
import { LiveLimiter, type Slots } from './liveLimiter.ts';
import { RepeatCache } from './repeatCache.ts';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../source/retry.ts';
import { StallWatch, type StallChange, type StallOptions } from './stallWatch.ts';
import type { Target } from './target.ts';

/** Positional writes in flight: enough to keep a disk queue fed, few enough to bound memory. */
export const WRITE_SLOTS = 4;

/** Memory tokens for a limit: with the limit's own chunks, at most 3 × limit − 1 buffers in use. */
const tokensFor = (limit: number): number => 2 * limit - 1;

export interface EngineInput {
  index: FixedIndex;
  source: ChunkSource;
  cryptMode: CryptMode;
  zeroDigest: Uint8Array;
  crypt?: CryptConfig;
}

export interface EngineOptions {
  /** Undefined means verify only: decode and check every chunk, write nothing. */
  target?: Target;
  concurrency?: number;
  decoder?: ChunkDecoder;
  signal?: AbortSignal;
  retry?: RetryPolicy;
  /** Chunks already written and synced by an earlier run (resume): counted as done, never fetched. */
  resumed?: ChunkSet;
  /** The rate cap the source passes through (rateLimitedSource), for progress and stall detection. */
  rate?: RateMeter;
  stall?: StallOptions;
  /**
   * Slots shared with other engines (the disks of one whole-VM job, inside the machine's budget:
   * slotBudget.ts); `concurrency` is then ignored and setConcurrency, pause and resume act on the
   * shared slots. Default: a limiter of this engine's own.
   */
  slots?: Slots;
}

export interface ChunkEvent {
  index: number;
  state: ChunkState;
}

/** What the engine emits, with each event's arguments. */
export interface EngineEvents {
  /** A chunk is done: written (or verified), or zero. */
  chunk: [event: ChunkEvent];
  /** The limit changed, and why ("user", "auto: probe up", …). */
  limit: [limit: number, reason: string];
  pause: [];
  resume: [];
  /** The source stalled, flows again, or stalled past the stall timeout (StallWatch). */
  stall: [change: StallChange];
  /** The job failed (its first error); chunks in flight still settle before run() resolves. */
  failed: [error: RestoreError];
}

const { pending: PENDING, inFlight: IN_FLIGHT, done: DONE, zero: ZERO, failed: FAILED } = ChunkState;

/** Emits EngineEvents: 'chunk' per completed chunk, 'limit' on limit changes, 'pause', 'resume' and 'stall'. */
export class RestoreEngine extends EventEmitter<EngineEvents> {
  readonly #in: EngineInput;
  readonly #opts: EngineOptions;
  readonly #limiter: Slots;
  /** Chunks of this engine holding a slot (the shared slots count other engines' too). */
  #inFlight = 0;
  readonly #writeSlots = new LiveLimiter(WRITE_SLOTS);
  readonly #memory: LiveLimiter;
  readonly #buffers: BufferPool;
  /** The limit #memory and #buffers are sized for. */
  #boundFor: number;
  readonly #writes = new Set<Promise<void>>();
  #fetchMs = 0;
  #fetches = 0;
  readonly #repeats: RepeatCache;
  readonly #abort = new AbortController();
  readonly #states: Uint8Array;
  #failure: RestoreError | undefined;
  #started = 0;
  #ended = 0;
  #limitReason = 'initial';
  #auto = false;
  #c = { doneBytes: 0, doneChunks: 0, zeroBytes: 0, zeroChunks: 0, sourceBytes: 0, reusedChunks: 0, resumedBytes: 0, resumedChunks: 0 };
  readonly #stall: StallWatch;
  #stallTimer: NodeJS.Timeout | undefined;
  /** Chunk reads under way (retries included; reads waiting for the rate cap too, see #reading()). */
  #reads = 0;

  constructor(input: EngineInput, opts: EngineOptions = {}) {
    super();
    this.#in = input;
    this.#opts = opts;
    this.#limiter = opts.slots ?? new LiveLimiter(clampConcurrency(opts.concurrency ?? DEFAULT_CONCURRENCY));
    // The memory bound and the pool follow the limit in force, which a job's shared slots may
    // change without this engine (#followLimit).
    const limit = this.#limiter.limit;
    this.#boundFor = limit;
    this.#memory = new LiveLimiter(tokensFor(limit));
    // Big enough for any valid stored chunk of this index (limits.ts), so every read fits one.
    this.#buffers = new BufferPool(maxChunkBlobBytes(input.index.chunkSize), limit + tokensFor(limit));
    this.#states = new Uint8Array(input.index.count);
    const resumed = opts.resumed;
    if (resumed && resumed.count !== input.index.count) throw new RangeError(`resumed chunks: a set of ${resumed.count} for an index of ${input.index.count}`);
    if (resumed?.size) this.#countResumed(resumed);
    this.#repeats = new RepeatCache(input.index, input.zeroDigest, resumed?.size ? (i) => resumed.has(i) : undefined);
    this.#stall = new StallWatch(opts.stall);
    if (opts.signal) {
      const outer = opts.signal;
      if (outer.aborted) this.#abort.abort(outer.reason);
      else outer.addEventListener('abort', () => this.#abort.abort(outer.reason), { once: true });
    }
  }

  get mode(): 'restore' | 'verify' {
    return this.#opts.target ? 'restore' : 'verify';
  }

  get limit(): number {
    return this.#limiter.limit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Change the limit now; running chunks are never aborted. */
  setConcurrency(n: number, reason = 'user'): void {
    const next = clampConcurrency(n);
    this.#limitReason = reason;
    if (next === this.#limiter.limit) return;
    this.#limiter.limit = next;
    this.#followLimit();
    this.emit('limit', next, reason);
  }

  /** Sizes the memory bound and the pool for the limit in force, if it moved since. */
  #followLimit(): void {
    const limit = this.#limiter.limit;
    if (limit === this.#boundFor) return;
    this.#boundFor = limit;
    this.#memory.limit = tokensFor(limit);
    this.#buffers.max = limit + tokensFor(limit);
  }

  /** Marks the limit as owned by an auto-tuner (shown in progress). */
  setAuto(auto: boolean): void {
    this.#auto = auto;
  }

  get auto(): boolean {
    return this.#auto;
  }

  pause(): void {
    this.#limiter.pause();
    this.emit('pause');
  }

  resume(): void {
    this.#limiter.resume();
    this.emit('resume');
  }

  /** Stops the job; it ends as "cancelled". */
  cancel(reason = 'cancelled by the user'): void {
    this.#abort.abort(new RestoreError('CANCELLED', reason));
  }

  /** Since when the source stalls (epoch ms), or undefined. */
  get stalledSince(): number | undefined {
    return this.#stall.since;
  }

  /** What the auto-tuner reads besides progress: fetch times and how busy the decoders are. */
  tuning(): TuningCounters {
    const load = this.#opts.decoder?.load?.();
    return { fetchMs: this.#fetchMs, fetches: this.#fetches, decodeBusyMs: load?.busyMs ?? 0, decodeWorkers: load?.workers ?? 0 };
  }

  /** Chunk buffers allocated so far and the most held at once (the memory bound, for tests and the bench). */
  bufferStats(): { allocated: number; peak: number; capacity: number } {
    return { ...this.#buffers.stats, capacity: this.#buffers.capacity };
  }

  /** A copy of the per-chunk states (see ChunkState). */
  chunkStates(): Uint8Array {
    return this.#states.slice();
  }

  progress(): ProgressCounters {
    const { index } = this.#in;
    const now = performance.now();
    return {
      at: Date.now(),
      elapsedMs: this.#started ? (this.#ended || now) - this.#started : 0,
      totalBytes: index.size,
      totalChunks: index.count,
      ...this.#c,
      inFlight: this.#inFlight,
      writing: this.#writeSlots.active,
      limit: this.#limiter.limit,
      auto: this.#auto,
      limitReason: this.#limitReason,
      paused: this.#limiter.paused,
      ...(this.#opts.rate ? { rateLimit: this.#opts.rate.limit, rateLimited: this.#opts.rate.limited } : {}),
      ...(this.#stall.since !== undefined ? { stalledSince: this.#stall.since } : {}),
    };
  }

  /** Runs the job to its end. Never throws: the summary says how it ended. */
  async run(): Promise<RestoreSummary> {
    this.#started = performance.now();
    const signal = this.#abort.signal;
    const running = new Set<Promise<void>>();
    this.#stall.check(0);
    if (this.#stall.tickMs > 0) this.#stallTimer = setInterval(() => this.checkStall(), this.#stall.tickMs);
    this.#limiter.join?.();
    try {
      for (const pos of this.#positions()) {
        if (this.#failure || signal.aborted) break;
        await this.#limiter.acquire(signal);
        this.#followLimit();
        if (this.#failure || signal.aborted) {
          this.#limiter.release();
          break;
        }
        this.#inFlight++;
        const p: Promise<void> = this.#runChunk(pos.i, pos.start, pos.len, pos.zero).finally(() => {
          this.#inFlight--;
          this.#limiter.release();
          running.delete(p);
        });
        running.add(p);
      }
    } catch (e) {
      if (!signal.aborted) this.#fail(toRestoreError(e, 'scheduling'));
    } finally {
      this.#limiter.leave?.();
    }
    while (running.size) await Promise.allSettled([...running]);
    while (this.#writes.size) await Promise.allSettled([...this.#writes]);
    if (this.#stallTimer) clearInterval(this.#stallTimer);
    this.#stallChanges(this.#stall.check(0));
    return this.#finish();
  }

  /** Looks for a stall now (the engine does this every stall tick by itself). */
  checkStall(): void {
    this.#stallChanges(this.#stall.check(this.#reads - (this.#opts.rate?.waiting ?? 0)));
  }

  #stallChanges(changes: StallChange[]): void {
    for (const c of changes) {
      this.emit('stall', c);
      if (c.kind === 'timeout') {
        const secs = Math.round(this.#stall.timeoutMs / 1000);
        this.#fail(new RestoreError('STALLED', `no data arrived from the source for ${secs} s while chunks were being read (the stall timeout)`));
      }
    }
  }

  /** Counts the chunks an earlier run finished as done before this run starts any. */
  #countResumed(resumed: ChunkSet): void {
    const { index, zeroDigest } = this.#in;
    for (let i = 0; i < index.count; i++) {
      if (!resumed.has(i)) continue;
      const { start, end } = chunkRange(index, i);
      const len = end - start;
      const zero = len === index.chunkSize && digestAt(index, i).equals(zeroDigest);
      this.#states[i] = zero ? ZERO : DONE;
      if (zero) this.#countZero(len);
      else {
        this.#c.doneBytes += len;
        this.#c.doneChunks++;
      }
      this.#c.resumedBytes += len;
      this.#c.resumedChunks++;
    }
  }

  /** Lazily yields the chunks that need work; zero chunks that need no write are counted here. */
  *#positions(): Generator<{ i: number; start: number; len: number; zero: boolean }> {
    const { index, zeroDigest } = this.#in;
    const writesZeros = this.#opts.target?.writesZeros ?? false;
    const resumed = this.#opts.resumed;
    for (let i = 0; i < index.count; i++) {
      if (resumed?.has(i)) continue;
      const { start, end } = chunkRange(index, i);
      const zero = end - start === index.chunkSize && digestAt(index, i).equals(zeroDigest);
      if (zero && !writesZeros) {
        this.#states[i] = ZERO;
        this.#countZero(end - start);
        this.emit('chunk', { index: i, state: ZERO } satisfies ChunkEvent);
        continue;
      }
      yield { i, start, len: end - start, zero };
    }
  }

  #countZero(len: number): void {
    this.#c.doneBytes += len;
    this.#c.doneChunks++;
    this.#c.zeroBytes += len;
    this.#c.zeroChunks++;
  }

  /** Fetch and decode (holding a slot of the limit), then hand the data to a positional write. */
  async #runChunk(i: number, start: number, len: number, zero: boolean): Promise<void> {
    const signal = this.#abort.signal;
    const digest = digestAt(this.#in.index, i);
    this.#states[i] = IN_FLIGHT;
    // Whether this chunk holds a memory token, and whether its data is a pooled buffer it owns.
    let token = false;
    const takeToken = async (): Promise<void> => {
      if (token) return;
      await this.#memory.acquire(signal);
      token = true;
    };
    let data: Uint8Array | undefined;
    let pooled = false;
    let writing = false;
    try {
      if (zero) {
        data = zeroBuffer(len);
      } else if (this.#repeats.has(digest)) {
        // Shared between the positions of a digest, so never a pooled buffer (one owner each).
        const got = await this.#repeats.get(digest, () => this.#fetchAndDecode(digest, len, signal, takeToken));
        if (got.reused) this.#c.reusedChunks++;
        data = got.data;
      } else {
        data = await this.#fetchAndDecode(digest, len, signal, takeToken, this.#buffers);
        pooled = true;
      }
      signal.throwIfAborted();
      const target = this.#opts.target;
      if (!target) return this.#done(i, digest, len, zero);
      // Data decoded by another position of the same digest still needs a token for its write.
      if (!zero) await takeToken();
      // Backpressure: the fetch slot is held until a write slot is free, which bounds memory.
      await this.#writeSlots.acquire(signal);
      const owned = data;
      const hadToken = token;
      const w: Promise<void> = this.#write(target, owned, i, start, len, zero, digest).finally(() => {
        this.#writeSlots.release();
        if (hadToken) this.#memory.release();
        if (pooled) this.#buffers.give(owned.buffer);
        this.#writes.delete(w);
      });
      writing = true;
      this.#writes.add(w);
    } catch (e) {
      this.#chunkFailed(e, i, start, digest);
    } finally {
      if (!writing) {
        if (token) this.#memory.release();
        if (pooled && data) this.#buffers.give(data.buffer);
      }
    }
  }

  /** Reads the stored chunk (into a pooled buffer when `buffers` is given), then verifies and decodes it. */
  async #fetchAndDecode(digest: Buffer, len: number, signal: AbortSignal, takeToken: () => Promise<void>, buffers?: BufferPool): Promise<Buffer> {
    const { source, crypt, cryptMode } = this.#in;
    this.#reads++;
    let raw: Uint8Array;
    // A chunk larger than any valid blob for this chunk size is refused by the source before it is read whole.
    const max = maxChunkBlobBytes(this.#in.index.chunkSize);
    const alloc = buffers ? (size: number): Buffer => buffers.take(size) : undefined;
    const t0 = performance.now();
    try {
      raw = await withRetry(() => source.readChunk(digest, signal, max, alloc), signal, this.#opts.retry ?? DEFAULT_RETRY);
    } finally {
      this.#reads--;
    }
    this.#fetchMs += performance.now() - t0;
    this.#fetches++;
    this.#c.sourceBytes += raw.length;
    this.#stallChanges(this.#stall.flow());
    try {
      signal.throwIfAborted();
      await takeToken();
    } catch (e) {
      buffers?.give(raw.buffer);
      throw e;
    }
    const decoder = this.#opts.decoder ?? inlineDecoder;
    return decoder.decode(raw, { expectedDigest: digest, expectedSize: len, cryptMode, ...(crypt ? { crypt } : {}) }, signal, buffers);
  }

  async #write(target: Target, data: Uint8Array, i: number, start: number, len: number, zero: boolean, digest: Buffer): Promise<void> {
    try {
      this.#abort.signal.throwIfAborted();
      await target.write(data, start);
      this.#done(i, digest, len, zero);
    } catch (e) {
      this.#chunkFailed(e, i, start, digest);
    }
  }

  #done(i: number, digest: Buffer, len: number, zero: boolean): void {
    this.#repeats.release(digest);
    this.#states[i] = zero ? ZERO : DONE;
    if (zero) this.#countZero(len);
    else {
      this.#c.doneBytes += len;
      this.#c.doneChunks++;
    }
    this.emit('chunk', { index: i, state: this.#states[i] as ChunkState } satisfies ChunkEvent);
  }

  #chunkFailed(e: unknown, i: number, start: number, digest: Buffer): void {
    if (this.#abort.signal.aborted) {
      // Stopped by a cancel or by another chunk's failure: this chunk simply did not finish.
      this.#states[i] = PENDING;
      return;
    }
    this.#states[i] = FAILED;
    const err = toRestoreError(e, `chunk ${i}`);
    if (!err.chunk) {
      err.chunk = { index: i, offset: start, digest: toHex(digest) };
      err.message = `chunk ${i} at offset ${start} (digest ${toHex(digest)}): ${err.message}`;
    }
    this.#fail(err);
  }

  #fail(err: RestoreError): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#abort.abort(err);
    this.emit('failed', err);
  }

  async #finish(): Promise<RestoreSummary> {
    const target = this.#opts.target;
    let status: RestoreSummary['status'] = this.#failure ? 'failed' : this.#abort.signal.aborted ? 'cancelled' : 'succeeded';
    if (status === 'succeeded' && this.#c.doneChunks !== this.#in.index.count) {
      this.#failure = new RestoreError('INTERNAL', `only ${this.#c.doneChunks} of ${this.#in.index.count} chunks were done`);
      status = 'failed';
    }
    if (target) {
      if (status === 'succeeded') {
        try {
          await target.commit();
        } catch (e) {
          this.#failure = toRestoreError(e, `finishing ${target.path}`);
          status = 'failed';
        }
      }
      if (status !== 'succeeded') await target.abandon();
    }
    this.#ended = performance.now();
    const seconds = (this.#ended - this.#started) / 1000;
    const worked = this.#c.doneBytes - this.#c.resumedBytes;
    const error = status === 'failed' ? this.#failure! : status === 'cancelled' ? cancelReason(this.#abort.signal) : undefined;
    return {
      status,
      mode: this.mode,
      bytes: this.#c.doneBytes,
      zeroBytes: this.#c.zeroBytes,
      sourceBytes: this.#c.sourceBytes,
      resumedBytes: this.#c.resumedBytes,
      chunks: this.#c.doneChunks,
      zeroChunks: this.#c.zeroChunks,
      seconds,
      mbPerSec: seconds > 0 ? worked / 1e6 / seconds : 0,
      ...(target ? { target: status === 'succeeded' ? target.path : target.writePath, partial: status !== 'succeeded' } : {}),
      ...(error ? { error: error.toInfo() } : {}),
    };
  }
}

function cancelReason(signal: AbortSignal): RestoreError {
  const r = signal.reason;
  return r instanceof RestoreError && r.code === 'CANCELLED' ? r : new RestoreError('CANCELLED', 'cancelled');
}

let zeros: Buffer | undefined;
/** One shared zero buffer for explicit zero writes (devices, non-sparse files); never mutated. */
function zeroBuffer(len: number): Buffer {
  if (!zeros || zeros.length < len) zeros = Buffer.alloc(len);
  return zeros.subarray(0, len);
}
