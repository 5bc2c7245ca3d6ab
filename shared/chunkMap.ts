// The state of each chunk of an image (the chunk map), as the engine records it, the service
// sends it and every shell shows it, and the compact form it crosses a process boundary in: runs
// for the usual picture (long stretches done, pending or zero), or two bits per chunk for a
// fragmented map, with the rare failed chunks listed apart because five states do not fit two
// bits (the wire format is ChunkMap in contract.ts). Pure code.
import type { ChunkMap } from './contract.ts';

/** The per-chunk states, as numbers so a map is one byte per chunk (a Uint8Array). */
export const ChunkState = { pending: 0, inFlight: 1, done: 2, zero: 3, failed: 4 } as const;
export type ChunkState = (typeof ChunkState)[keyof typeof ChunkState];

/**
 * Each state in words, by number ("done" is written, or verified by a verify job). A chunk is in
 * flight from its fetch until its write ends, so the map's count is the progress's in flight plus
 * writing.
 */
export const CHUNK_STATE_NAMES: readonly string[] = ['pending', 'in flight or writing', 'written', 'zero (not fetched)', 'failed'];

/** How many chunks are in each state: [pending, in flight, done, zero, failed]. */
export function countStates(states: Uint8Array): number[] {
  const counts = [0, 0, 0, 0, 0];
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

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
    if (s === ChunkState.failed) failed.push(i);
    bytes[i >> 2]! |= (s & 3) << ((i & 3) * 2);
  }
  return { total, encoding: 'packed2', data: toBase64(bytes), failed };
}

/** One state per chunk from the compact form. */
export function decodeChunkMap(map: ChunkMap): Uint8Array {
  const out = new Uint8Array(map.total);
  if (map.encoding === 'runs') {
    let i = 0;
    for (let r = 0; r + 1 < map.runs.length; r += 2) {
      const state = map.runs[r]!;
      const end = Math.min(map.total, i + map.runs[r + 1]!);
      out.fill(state, i, end);
      i = end;
    }
    return out;
  }
  const bin = atob(map.data);
  for (let i = 0; i < map.total; i++) out[i] = (bin.charCodeAt(i >> 2) >> ((i & 3) * 2)) & 3;
  for (const i of map.failed) if (i >= 0 && i < map.total) out[i] = ChunkState.failed;
  return out;
}

/** Base64 with the platform's btoa (Node and browsers both have it), in slices to bound the argument list. */
function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
