// The live throughput chart. It never re-renders with the data: a store subscription notices new
// progress for this job and schedules one canvas draw per animation frame from the sample history
// (store/samples.ts). React renders the canvas and its legend once.
import { useCallback, useRef } from 'react';
import { chartColors, fitCanvas } from '../chart/colors.ts';
import { drawThroughput } from '../chart/drawThroughput.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import { ratePoints } from '../../shared/rates.ts';
import { formatRate } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';
import { samplesOf } from '../store/samples.ts';
import { useCanvasRedraw } from './useCanvasRedraw.ts';

const HEIGHT = 200;

export function ThroughputChart({ jobId }: { jobId: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  const draw = useCallback(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const width = canvas.parentElement?.clientWidth ?? 600;
    const ctx = fitCanvas(canvas, width, HEIGHT);
    if (!ctx) return;
    const st = useStore.getState();
    const units = st.prefs.units;
    const state = st.jobs[jobId]?.state;
    const final = state !== undefined && isFinalState(state);
    drawThroughput(ctx, ratePoints(samplesOf(jobId)), { width, height: HEIGHT, colors: chartColors(canvas), formatRate: (r) => formatRate(r, units), final });
  }, [jobId]);

  useCanvasRedraw(canvasRef, draw, (s, prev) => {
    const a = s.jobs[jobId];
    const b = prev.jobs[jobId];
    return a?.progress !== b?.progress || a?.state !== b?.state || s.prefs.units !== prev.prefs.units;
  });

  return (
    <figure className="chart">
      <div className="chart-canvas">
        <canvas ref={canvasRef} role="img" aria-label="Throughput over time: image and source bytes per second, the rate cap where one is set, and the concurrency limit on the right axis. The numbers are listed next to the chart." />
      </div>
      <figcaption className="legend">
        <span className="key key-image">image throughput</span>
        <span className="key key-source">source read (network or disk)</span>
        <span className="key key-limit">concurrency limit (right axis)</span>
        <span className="key key-cap">rate cap</span>
        <span className="key key-paused">paused</span>
      </figcaption>
    </figure>
  );
}
