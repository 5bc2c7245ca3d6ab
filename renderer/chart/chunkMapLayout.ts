// The chunk map's layout: one cell per chunk in reading order, left to right, top to bottom.
// Images with more chunks than fit get several chunks per cell, and a cell shows its least
// finished chunk (failed, then in flight, then pending), so trouble never hides in an aggregate.
// Pure: tested without a canvas.
import { ChunkState } from '../../shared/chunkMap.ts';

export interface MapLayout {
  cell: number;
  cols: number;
  rows: number;
  /** Chunks per cell. */
  per: number;
  height: number;
}

/** Pixels between cells. */
export const GAP = 1;

export function chunkMapLayout(total: number, width: number, maxHeight = 180): MapLayout {
  const n = Math.max(1, total);
  // Biggest cell (3–16 px) that fits every chunk into width × maxHeight.
  for (let cell = 16; cell >= 3; cell--) {
    const cols = Math.max(1, Math.floor((width + GAP) / (cell + GAP)));
    const rows = Math.ceil(n / cols);
    if (rows * (cell + GAP) <= maxHeight) return { cell, cols, rows, per: 1, height: rows * (cell + GAP) };
  }
  const cell = 3;
  const cols = Math.max(1, Math.floor((width + GAP) / (cell + GAP)));
  const maxRows = Math.max(1, Math.floor(maxHeight / (cell + GAP)));
  const per = Math.ceil(n / (cols * maxRows));
  const rows = Math.ceil(n / per / cols);
  return { cell, cols, rows, per, height: rows * (cell + GAP) };
}

/** Rank of a state when several chunks share a cell: higher shows. */
const RANK: Record<ChunkState, number> = { [ChunkState.failed]: 4, [ChunkState.inFlight]: 3, [ChunkState.pending]: 2, [ChunkState.done]: 1, [ChunkState.zero]: 0 };

export function cellState(states: Uint8Array, from: number, to: number): number {
  let best = states[from] ?? 0;
  for (let i = from + 1; i < to; i++) {
    const s = states[i]!;
    if (RANK[s as ChunkState] > RANK[best as ChunkState]) best = s;
  }
  return best;
}
