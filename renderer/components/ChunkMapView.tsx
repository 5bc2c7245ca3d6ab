// The chunk map of a job's image: drawn on a canvas from the ChunkMap events (with each progress
// sample while the map is small, else about once a second), through a store subscription, not
// through React renders. The legend counts each state in text, so the map never relies on colour
// alone, and says how many chunks a cell holds and which state it shows.
import { useCallback, useRef } from 'react';
import type { ChunkMap } from '../../shared/contract.ts';
import { CHUNK_STATE_NAMES, countStates, decodeChunkMap } from '../../shared/chunkMap.ts';
import { fitCanvas, mapColors } from '../chart/colors.ts';
import { cellRuleText, chunkMapLayout } from '../chart/chunkMapLayout.ts';
import { drawChunkMap } from '../chart/drawChunkMap.ts';
import { formatCount } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';
import { mapKey } from '../store/jobsSlice.ts';
import { useCanvasRedraw } from './useCanvasRedraw.ts';


export function ChunkMapView({ jobId, verify, disk }: { jobId: string; verify: boolean; disk?: number }) {
  const key = mapKey(jobId, disk);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const countRefs = useRef<Array<HTMLSpanElement | null>>([]);
  const emptyRef = useRef<HTMLParagraphElement>(null);
  const ruleRef = useRef<HTMLSpanElement>(null);

  const draw = useCallback(() => {
    const canvas = canvasRef.current;
    const map: ChunkMap | undefined = useStore.getState().chunkMaps[key];
    if (!canvas) return;
    canvas.hidden = !map;
    if (emptyRef.current) emptyRef.current.hidden = !!map;
    if (!map) return;
    const states = decodeChunkMap(map);
    const width = canvas.parentElement?.clientWidth ?? 600;
    const layout = chunkMapLayout(states.length, width);
    const ctx = fitCanvas(canvas, width, layout.height);
    if (!ctx) return;
    drawChunkMap(ctx, states, layout, width, mapColors(canvas));
    if (ruleRef.current) ruleRef.current.textContent = cellRuleText(layout.per);
    const counts = countStates(states);
    counts.forEach((n, i) => {
      const el = countRefs.current[i];
      if (el) el.textContent = formatCount(n);
    });
    canvas.setAttribute('aria-label', `Chunk map of ${formatCount(states.length)} chunks${layout.per > 1 ? `, ${layout.per} per cell` : ''}: ${counts.map((n, i) => `${n} ${CHUNK_STATE_NAMES[i]}`).join(', ')}`);
  }, [key]);

  useCanvasRedraw(canvasRef, draw, (s, prev) => s.chunkMaps[key] !== prev.chunkMaps[key]);

  return (
    <figure className="chunkmap">
      <div className="chunkmap-canvas">
        <canvas ref={canvasRef} role="img" aria-label="Chunk map" />
        <p ref={emptyRef} className="muted" hidden>
          No chunk map for this job.
        </p>
      </div>
      <figcaption className="legend">
        <span className="legend-rule muted" data-testid="cell-rule" ref={ruleRef} />
        {CHUNK_STATE_NAMES.map((name, i) => (
          <span key={name} className={`key map-${i}`}>
            {i === 2 && verify ? 'verified' : name}: <span ref={(el) => void (countRefs.current[i] = el)}>0</span>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
