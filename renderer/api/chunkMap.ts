// Decodes the chunk map the service sends (see ChunkMap in shared/contract.ts) into one state per
// chunk: 0 pending, 1 in flight, 2 written or verified, 3 zero, 4 failed.
import type { ChunkMap } from '../../shared/contract.ts';

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
  for (const i of map.failed) if (i >= 0 && i < map.total) out[i] = 4;
  return out;
}
