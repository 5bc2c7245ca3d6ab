// The chunk map as it crosses a process boundary (design.md: "a compact snapshot (two bits per
// chunk, or runs) at a low rate"). Runs are short for the usual picture (long stretches done,
// pending or zero); a fragmented map falls back to two bits per chunk, with the rare failed
// chunks listed apart because five states do not fit two bits. renderer/api/chunkMap.ts decodes.
import type { ChunkMap } from '../../shared/contract.ts';

const FAILED = 4;

export function encodeChunkMap(states: Uint8Array): ChunkMap {
  const total = states.length;
  const runs: number[] = [];
  for (let i = 0; i < total; ) {
    const s = states[i]!;
    let j = i + 1;
    while (j < total && states[j] === s) j++;
    runs.push(s, j - i);
    i = j;
  }
  // A run costs about 4 characters of JSON per number; packed costs 4/3 characters per 4 chunks.
  const packedChars = Math.ceil(total / 4) * (4 / 3);
  if (runs.length * 4 <= packedChars + 64) return { total, encoding: 'runs', runs };
  const bytes = new Uint8Array(Math.ceil(total / 4));
  const failed: number[] = [];
  for (let i = 0; i < total; i++) {
    const s = states[i]!;
    if (s === FAILED) failed.push(i);
    bytes[i >> 2]! |= (s & 3) << ((i & 3) * 2);
  }
  return { total, encoding: 'packed2', data: Buffer.from(bytes).toString('base64'), failed };
}
