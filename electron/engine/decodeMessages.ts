// Messages between the decode pool and its workers, and the transfer rule both sides use.
// Buffers travel both ways by transfer, never by copy: the stored chunk and the buffer for its
// plaintext go to the worker, and both come back (one holding the plaintext) to be used again.
import type { ContractErrorCode } from '../../shared/errors.ts';
import type { CryptMode } from '../pbs/dataBlob.ts';

export interface DecodeRequest {
  id: number;
  raw: ArrayBuffer;
  offset: number;
  length: number;
  /** Where a compressed chunk's plaintext goes (bytes 0 … size). */
  out?: ArrayBuffer;
  digest?: Uint8Array;
  size?: number;
  cryptMode?: CryptMode;
  /** The 32-byte encryption key, for encrypted chunks. */
  key?: Uint8Array;
}

/**
 * Every buffer of the request comes back in `buffers` (plus one the worker had to allocate);
 * `gcMs` is the worker's garbage-collection time so far.
 */
export type DecodeResponse =
  | { id: number; gcMs: number; buffers: ArrayBuffer[]; data: { index: number; offset: number; length: number }; error?: undefined }
  | { id: number; gcMs: number; buffers: ArrayBuffer[]; error: { code: ContractErrorCode; message: string } };

const MIN_TRANSFER = 64 * 1024;

/**
 * The buffers worth transferring: those that save a real copy. Small ones may live in Node's shared
 * Buffer pool, which must not be transferred (other Buffers share it): those are cloned.
 */
export function transferable(buffers: ArrayBufferLike[]): ArrayBuffer[] {
  return buffers.filter((ab): ab is ArrayBuffer => ab instanceof ArrayBuffer && ab.byteLength >= MIN_TRANSFER && ab.byteLength !== Buffer.poolSize);
}
