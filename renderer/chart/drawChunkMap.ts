// Draws the chunk map on a canvas, with the layout of chunkMapLayout.ts.
import { cellState, GAP, type MapLayout } from './chunkMapLayout.ts';

export function drawChunkMap(ctx: CanvasRenderingContext2D, states: Uint8Array, layout: MapLayout, width: number, colors: string[]): void {
  ctx.clearRect(0, 0, width, layout.height);
  const { cell, cols, per } = layout;
  const cells = Math.ceil(states.length / per);
  for (let c = 0; c < cells; c++) {
    const s = per === 1 ? states[c]! : cellState(states, c * per, Math.min(states.length, (c + 1) * per));
    ctx.fillStyle = colors[s] ?? colors[0]!;
    ctx.fillRect((c % cols) * (cell + GAP), Math.floor(c / cols) * (cell + GAP), cell, cell);
  }
}
