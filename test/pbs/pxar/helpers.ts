// In-memory input for the pxar decoder, counting what it reads.
import type { PxarInput } from '../../../electron/pbs/pxar/accessor.ts';

export interface MemInput extends PxarInput {
  reads: number;
  bytesRead: number;
}

export function memInput(buf: Uint8Array): MemInput {
  const input: MemInput = {
    size: buf.length,
    reads: 0,
    bytesRead: 0,
    async read(offset, length) {
      input.reads++;
      const out = Uint8Array.from(buf.subarray(offset, Math.min(offset + length, buf.length)));
      input.bytesRead += out.length;
      return out;
    },
  };
  return input;
}
