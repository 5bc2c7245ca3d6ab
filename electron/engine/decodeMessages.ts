// Messages between the decode pool and its workers, and the transfer rule both sides use.
import type { ContractErrorCode } from '../../shared/errors.ts';
import type { CryptMode } from '../pbs/dataBlob.ts';

export interface DecodeRequest {
  id: number;
  raw: ArrayBuffer;
  offset: number;
  length: number;
  digest?: Uint8Array;
  size?: number;
  cryptMode?: CryptMode;
  /** The 32-byte encryption key, for encrypted chunks. */
  key?: Uint8Array;
}

export type DecodeResponse =
  | { id: number; data: ArrayBuffer; offset: number; length: number; error?: undefined }
  | { id: number; error: { code: ContractErrorCode; message: string } };

const MIN_TRANSFER = 64 * 1024;

/**
 * Transfer a view's ArrayBuffer when that saves a real copy. Small buffers may live in Node's
 * shared Buffer pool, which must not be transferred (other Buffers share it): those are cloned.
 */
export function transferList(view: Uint8Array): ArrayBuffer[] {
  const ab = view.buffer;
  if (!(ab instanceof ArrayBuffer) || view.byteLength < MIN_TRANSFER || ab.byteLength === Buffer.poolSize) return [];
  return [ab];
}
