// The live throughput chart. It never re-renders with the data: a store subscription notices new
// progress for this job and schedules one canvas draw per animation frame from the sample history
// (store/samples.ts). React renders the canvas, its legend and the readout: pointing at the chart,
// or focusing it and moving with the arrow keys, reads one moment out (time, throughput, source
// rate, limit, rate cap) below it.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { loadSamples } from '../actions/jobs.ts';
import { chartColors, fitCanvas } from '../chart/colors.ts';
import { pointAt, readout, stepCursor, type ChartFrame, type Readout } from '../chart/chartFrame.ts';
import { drawThroughput } from '../chart/drawThroughput.ts';
import { isFinalState } from '../../shared/jobStates.ts';
import { ratePoints, type RatePoint } from '../../shared/rates.ts';
import { formatRate } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';
import { samplesOf } from '../store/samples.ts';
import { useCanvasRedraw } from './useCanvasRedraw.ts';

const HEIGHT = 200;

export function ThroughputChart({ jobId }: { jobId: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drawn = useRef<{ points: RatePoint[]; frame: ChartFrame } | undefined>(undefined);
  const cursor = useRef<number | undefined>(undefined);
  const [shown, setShown] = useState<Readout | undefined>(undefined);
  // A job this page did not watch from its start: its chart so far from the service.
  useEffect(() => void loadSamples(jobId), [jobId]);

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
    const points = ratePoints(samplesOf(jobId));
    const frame = drawThroughput(ctx, points, {
      width,
      height: HEIGHT,
      colors: chartColors(canvas),
      formatRate: (r) => formatRate(r, units),
      final,
      ...(cursor.current !== undefined ? { cursor: cursor.current } : {}),
    });
    drawn.current = { points, frame };
  }, [jobId]);

  const schedule = useCanvasRedraw(canvasRef, draw, (s, prev) => {
    const a = s.jobs[jobId];
    const b = prev.jobs[jobId];
    return a?.progress !== b?.progress || a?.state !== b?.state || s.prefs.units !== prev.prefs.units || s.histories[jobId] !== prev.histories[jobId];
  });

  const show = (index: number | undefined): void => {
    cursor.current = index;
    const p = index !== undefined ? drawn.current?.points[index] : undefined;
    const units = useStore.getState().prefs.units;
    setShown(p ? readout(p, (r) => formatRate(r, units)) : undefined);
    schedule();
  };

  const onMove = (e: MouseEvent<HTMLCanvasElement>): void => {
    const d = drawn.current;
    if (!d) return;
    const box = e.currentTarget.getBoundingClientRect();
    show(pointAt(d.points, d.frame, e.clientX - box.left));
  };

  const onKey = (e: KeyboardEvent<HTMLCanvasElement>): void => {
    const d = drawn.current;
    if (!d) return;
    if (e.key === 'Escape') return show(undefined);
    const next = stepCursor(d.points, cursor.current, e.key, e.shiftKey);
    if (next === cursor.current && !['Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    show(next);
  };

  return (
    <figure className="chart">
      <div className="chart-canvas">
        <canvas
          ref={canvasRef}
          role="img"
          tabIndex={0}
          data-testid="throughput-chart"
          aria-label="Throughput over time: image and source bytes per second, the rate cap where one is set, and the concurrency limit on the right axis. Use the left and right arrow keys to read out a moment; the numbers are listed next to the chart."
          aria-describedby={`${jobId}-readout`}
          onMouseMove={onMove}
          onMouseLeave={() => show(undefined)}
          onKeyDown={onKey}
          onBlur={() => show(undefined)}
        />
      </div>
      <p id={`${jobId}-readout`} className="chart-readout small" data-testid="chart-readout" aria-live="polite">
        {shown ? (
          <>
            <strong>{shown.time}</strong> · throughput <span className="key key-image">{shown.image}</span> · source <span className="key key-source">{shown.source}</span> · limit{' '}
            <span className="key key-limit">{shown.limit}</span> · rate cap {shown.cap === 'none' ? 'none' : <span className="key key-cap">{shown.cap}</span>}
          </>
        ) : (
          <span className="muted">Point at the chart, or focus it and use the arrow keys, to read out a moment.</span>
        )}
      </p>
      <figcaption className="legend">
        <span className="key key-image">image throughput</span>
        <span className="key key-source">source read (network or disk)</span>
        <span className="key key-limit">concurrency limit (right axis)</span>
        <span className="key key-cap">rate cap</span>
        <span className="key key-paused">paused (drawn as zero)</span>
      </figcaption>
    </figure>
  );
}
