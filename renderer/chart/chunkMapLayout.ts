// The chunk map's layout: one cell per chunk in reading order, left to right, top to bottom.
// Images with more chunks than fit get several chunks per cell. A cell shows failed or in flight
// when any of its chunks is (trouble and activity never hide in an aggregate), else its most
// common state (ties: the less finished), so a run of zero chunks among written ones shows as
// about as many cells as it covers (showing the least finished chunk of each cell turned 1 024
// scattered zero chunks into ~8 cells). The rule is written under the map (cellRuleText). Pure:
// tested without a canvas.
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

/** The state a cell of chunks [from, to) shows: failed, else in flight, else the most common (ties: the less finished). */
export function cellState(states: Uint8Array, from: number, to: number): number {
  const n = [0, 0, 0, 0, 0];
  for (let i = from; i < to; i++) n[states[i]!]!++;
  if (n[ChunkState.failed]) return ChunkState.failed;
  if (n[ChunkState.inFlight]) return ChunkState.inFlight;
  let best: number = ChunkState.pending;
  for (const s of [ChunkState.done, ChunkState.zero]) if (n[s]! > n[best]!) best = s;
  return from < to ? best : (states[from] ?? ChunkState.pending);
}

/** The cell rule in words, for the legend. */
export function cellRuleText(per: number): string {
  if (per <= 1) return '1 cell = 1 chunk';
  return `1 cell = ${per.toLocaleString('en-US')} chunks; a cell shows failed or in flight if any of its chunks is, else its most common state`;
}
