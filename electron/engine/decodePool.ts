// A pool of decode workers sized to the machine, so decoding runs on every core while the main
// thread only schedules and writes. Upstream pbs-restore decodes on up to 4 runtime threads; we
// use one worker per core. Measured on a 2-core machine (1 GiB image, 32 in flight, /dev/shm
// target): 2 workers 1017-1178 MB/s at event-loop utilisation ~0.4, 1 worker 773-998 MB/s at ~0.3,
// so leaving a core to the main thread and libuv's I/O threads did not pay (docs/performance.md).
// Each worker gets at most two tasks at once: one running, one queued behind it, so a worker never
// idles waiting for the main thread's next message.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { isCompressedBlob, type DecodeOptions } from '../pbs/dataBlob.ts';
import { abortReason } from '../../shared/abort.ts';
import { RestoreError } from '../../shared/errors.ts';
import type { BufferPool } from './bufferPool.ts';
import type { ChunkDecoder } from './decoder.ts';
import { transferable, type DecodeRequest, type DecodeResponse } from './decodeMessages.ts';

// Where a bundle carries its worker as a file of its own next to it, the bundler defines this
// (scripts/buildRuntime.ts); from the sources it is undefined.
declare const RESTORE_CONSOLE_WORKER: string | undefined;
let workerUrl = new URL(typeof RESTORE_CONSOLE_WORKER === 'string' ? RESTORE_CONSOLE_WORKER : './decodeWorker.ts', import.meta.url);

/** Where the worker script is; the Electron build points this at its bundled worker. */
export function setDecodeWorkerUrl(url: URL): void {
  workerUrl = url;
}

interface Task {
  req: DecodeRequest;
  transfer: ArrayBuffer[];
  /** Where the buffers go back to when the worker returns them. */
  buffers?: BufferPool;
  resolve: (b: Buffer) => void;
  reject: (e: unknown) => void;
  /** Stops watching the caller's signal (once the task left the queue). */
  unwatch?: () => void;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
  /** When the worker last went from idle to busy (performance.now()). */
  busySince: number;
  /** The worker's garbage-collection time so far, as its last reply said. */
  gcMs: number;
}

const PER_WORKER = 2;

export class DecodePool implements ChunkDecoder {
  readonly size: number;
  #slots: Slot[] = [];
  #queue: Task[] = [];
  #nextId = 1;
  #closed = false;
  /** Time the workers had work, summed over workers, for the periods that ended (ms). */
  #busyMs = 0;
  /** GC time of workers that are gone. */
  #goneGcMs = 0;

  constructor(size = defaultPoolSize()) {
    this.size = Math.max(1, size);
  }

  decode(raw: Uint8Array, opts: DecodeOptions, signal?: AbortSignal, buffers?: BufferPool): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new RestoreError('INTERNAL', 'decode pool is closed'));
    signal?.throwIfAborted();
    const out = buffers && opts.expectedSize !== undefined && isCompressedBlob(raw) ? buffers.take(opts.expectedSize) : undefined;
    const req: DecodeRequest = {
      id: this.#nextId++,
      raw: raw.buffer as ArrayBuffer,
      offset: raw.byteOffset,
      length: raw.byteLength,
      ...(out ? { out: out.buffer as ArrayBuffer } : {}),
      ...(opts.expectedDigest ? { digest: Uint8Array.from(opts.expectedDigest) } : {}),
      ...(opts.expectedSize !== undefined ? { size: opts.expectedSize } : {}),
      ...(opts.cryptMode ? { cryptMode: opts.cryptMode } : {}),
      ...(opts.crypt ? { key: Uint8Array.from(opts.crypt.encKey) } : {}),
    };
    return new Promise<Buffer>((resolve, reject) => {
      const task: Task = { req, transfer: transferable([req.raw, ...(req.out ? [req.out] : [])]), ...(buffers ? { buffers } : {}), resolve, reject };
      if (signal) {
        // A cancelled job's decodes must not take the shared pool from other jobs: a task still
        // queued when its signal aborts is dropped. One already at a worker runs to its end.
        const onAbort = (): void => {
          const i = this.#queue.indexOf(task);
          if (i < 0) return;
          this.#queue.splice(i, 1);
          // Its buffers never left this thread: they go back to the job's pool.
          buffers?.give(req.raw);
          if (req.out) buffers?.give(req.out);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        task.unwatch = () => signal.removeEventListener('abort', onAbort);
      }
      this.#queue.push(task);
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length) {
      const slot = this.#freeSlot();
      if (!slot) return;
      const task = this.#queue.shift()!;
      task.unwatch?.();
      if (slot.tasks.size === 0) slot.busySince = performance.now();
      slot.tasks.set(task.req.id, task);
      slot.worker.ref();
      slot.worker.postMessage(task.req, task.transfer);
    }
  }

  #freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.#slots) if (s.tasks.size < PER_WORKER && (!best || s.tasks.size < best.tasks.size)) best = s;
    if (best && best.tasks.size === 0) return best;
    if (this.#slots.length < this.size) return this.#spawn();
    return best;
  }

  #spawn(): Slot {
    const worker = new Worker(workerUrl);
    const slot: Slot = { worker, tasks: new Map(), busySince: 0, gcMs: 0 };
    // An idle pool must not keep the process alive; a busy one must.
    worker.unref();
    worker.on('message', (m: DecodeResponse) => {
      slot.gcMs = m.gcMs;
      const task = slot.tasks.get(m.id);
      if (!task) return;
      slot.tasks.delete(m.id);
      if (slot.tasks.size === 0) {
        worker.unref();
        this.#busyMs += performance.now() - slot.busySince;
      }
      const data = m.error ? undefined : m.buffers[m.data.index]!;
      for (const b of m.buffers) if (b !== data) task.buffers?.give(b);
      if (m.error) task.reject(new RestoreError(m.error.code, m.error.message));
      else task.resolve(Buffer.from(data!, m.data.offset, m.data.length));
      this.#pump();
    });
    const die = (why: string): void => {
      if (this.#slots.includes(slot)) this.#goneGcMs += slot.gcMs;
      this.#slots = this.#slots.filter((s) => s !== slot);
      for (const t of slot.tasks.values()) t.reject(new RestoreError('INTERNAL', `decode worker ${why}`));
      slot.tasks.clear();
      if (!this.#closed) this.#pump();
    };
    worker.on('error', (e) => die(`failed: ${e.message}`));
    worker.on('exit', (code) => die(`exited with code ${code}`));
    this.#slots.push(slot);
    return slot;
  }

  /**
   * How busy the workers were: time with work, summed over workers (ms), and the pool's size. A
   * pool whose workers always have work is what bounds a restore (the auto-tuner reads this).
   * Also their garbage-collection time so far (ms), for the bench.
   */
  load(): { busyMs: number; workers: number; gcMs: number } {
    const now = performance.now();
    let busy = this.#busyMs;
    let gcMs = this.#goneGcMs;
    for (const s of this.#slots) {
      if (s.tasks.size > 0) busy += now - s.busySince;
      gcMs += s.gcMs;
    }
    return { busyMs: busy, workers: this.size, gcMs };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#queue.splice(0)) {
      t.unwatch?.();
      t.reject(new RestoreError('INTERNAL', 'decode pool closed'));
    }
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
    this.#slots = [];
  }
}

export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

let shared: DecodePool | undefined;

/** One pool per process, shared by all jobs (workers start on first use). */
export function sharedDecodePool(): DecodePool {
  shared ??= new DecodePool();
  return shared;
}
