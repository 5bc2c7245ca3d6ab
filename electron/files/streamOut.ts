// Sequential writes to a Node Writable (a file stream, an HTTP response) that wait for 'drain', so
// memory stays bounded however fast the producer is, and that fail instead of hanging when the
// stream errors or closes early (a browser that cancels a download destroys the response).
// Small pieces are gathered into one write: a zip of many tiny entries would otherwise hand the
// stream thousands of 30-byte buffers.
import type { Writable } from 'node:stream';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';

const GATHER_BYTES = 256 * 1024;
/** Pieces at least this big go on as they are (after what was gathered before them). */
const DIRECT_BYTES = 64 * 1024;

export class StreamOut {
  readonly #w: Writable;
  readonly #what: string;
  #error: Error | undefined;
  #ended = false;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Bytes handed on so far, gathered ones included (the offset of the next byte). */
  bytes = 0;

  constructor(w: Writable, what: string) {
    this.#w = w;
    this.#what = what;
    w.on('error', (e) => (this.#error ??= e));
    w.on('close', () => {
      if (!this.#ended) this.#error ??= new RestoreError('IO_ERROR', `${what} was closed before the end`);
    });
  }

  /** Queues bytes; the caller must not change them afterwards. */
  async write(chunk: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (chunk.length === 0) return;
    if (chunk.length >= DIRECT_BYTES) {
      await this.flush(signal);
      this.bytes += chunk.length;
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      return this.flush(signal);
    }
    this.bytes += chunk.length;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= GATHER_BYTES) await this.flush(signal);
  }

  async flush(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#check();
    if (this.#pending.length === 0) return;
    const out = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#w.write(out)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error): void => {
        this.#w.off('drain', onDrain);
        this.#w.off('error', onFail);
        this.#w.off('close', onClose);
        signal?.removeEventListener('abort', onAbort);
        if (e) reject(e);
        else resolve();
      };
      const onDrain = (): void => done();
      const onFail = (e: Error): void => done(e);
      const onClose = (): void => done(this.#error ?? new RestoreError('IO_ERROR', `${this.#what} was closed before the end`));
      const onAbort = (): void => done(signal!.reason instanceof Error ? signal!.reason : new RestoreError('CANCELLED', 'cancelled'));
      this.#w.on('drain', onDrain);
      this.#w.on('error', onFail);
      this.#w.on('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
    }).catch((e: unknown) => {
      throw toRestoreError(e, `writing ${this.#what}`);
    });
  }

  /** Writes what is gathered and ends the stream, resolving once everything reached it ('finish'). */
  async end(signal?: AbortSignal): Promise<void> {
    await this.flush(signal);
    this.#ended = true;
    await new Promise<void>((resolve, reject) => {
      this.#w.end((e?: Error | null) => (e ? reject(toRestoreError(e, `finishing ${this.#what}`)) : resolve()));
    });
    this.#check();
  }

  #check(): void {
    if (this.#error) throw toRestoreError(this.#error, `writing ${this.#what}`);
  }
}
