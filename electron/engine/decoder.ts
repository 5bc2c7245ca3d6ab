// The decode seam: turns a chunk's stored bytes into verified plaintext. The inline decoder runs
// CRC, AES-GCM and SHA-256 on the calling thread and zstd on libuv's pool; a worker pool
// implementation can replace it without the engine noticing.
import { decodeBlobAsync, type DecodeOptions } from '../pbs/dataBlob.ts';

export interface ChunkDecoder {
  decode(raw: Uint8Array, opts: DecodeOptions, signal?: AbortSignal): Promise<Buffer>;
  close(): Promise<void>;
}

export const inlineDecoder: ChunkDecoder = {
  decode: (raw, opts) => decodeBlobAsync(raw, opts),
  close: async () => {},
};
