// Draws the throughput chart: image and source throughput over time (left axis), the rate cap on
// source bytes as a dotted step line on the same axis where one is set, and the concurrency limit
// as a step line on the same time axis (right axis), paused spans shaded with the rates at zero
// (shared/rates.ts), and the readout's cursor. The geometry is chartFrame.ts's. Pure
// canvas drawing from rate points; the component decides when (on new samples, at most once a
// frame).
import type { ChartColors } from './colors.ts';
import { chartFrame, PAD, type ChartFrame, type FrameOptions } from './chartFrame.ts';
import { formatTick } from './axes.ts';
import type { RatePoint } from '../../shared/rates.ts';

export interface ChartOptions extends FrameOptions {
  colors: ChartColors;
  /** The point under the pointer or the keyboard cursor: a vertical line and its dots. */
  cursor?: number;
}

export function drawThroughput(ctx: CanvasRenderingContext2D, points: readonly RatePoint[], o: ChartOptions): ChartFrame {
  const { width, height, colors } = o;
  ctx.clearRect(0, 0, width, height);
  const f = chartFrame(points, o);
  const { plotW, plotH, x, yRate, yLimit } = f;
  const lastT = points.at(-1)?.t ?? 0;

  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;

  // Paused spans: from the first paused sample to the sample that resumed.
  ctx.fillStyle = colors.paused;
  for (let i = 0; i < points.length; i++) {
    if (!points[i]!.paused) continue;
    const start = points[i]!.t;
    let j = i;
    while (j + 1 < points.length && points[j + 1]!.paused) j++;
    const end = j + 1 < points.length ? points[j + 1]!.t : points[j]!.t;
    ctx.fillRect(x(start), PAD.top, Math.max(2, x(end) - x(start)), plotH);
    i = j;
  }

  // Grid and axes labels: rate lines (left), the concurrency on the same lines (right), time ticks.
  ctx.strokeStyle = colors.grid;
  ctx.textBaseline = 'middle';
  f.rateTicks.forEach((r, k) => {
    const y = Math.round(yRate(r)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(PAD.left, y);
    ctx.lineTo(PAD.left + plotW, y);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillStyle = colors.text;
    ctx.fillText(f.rateLabels[k]!, PAD.left - 6, y);
    ctx.textAlign = 'left';
    ctx.fillStyle = colors.limit;
    ctx.fillText(f.limitLabels[k]!, PAD.left + plotW + 6, y);
  });
  ctx.fillStyle = colors.text;
  ctx.textBaseline = 'top';
  for (const t of f.timeTicks) {
    // The last tick sits at the right edge: align it so it is not cut off.
    ctx.textAlign = x(t) > PAD.left + plotW - 12 ? 'right' : 'center';
    ctx.fillText(formatTick(t), x(t), PAD.top + plotH + 6);
  }

  if (points.length < 2) return f;

  // Image throughput: filled area and line.
  ctx.beginPath();
  ctx.moveTo(x(points[0]!.t), yRate(0));
  for (const p of points) ctx.lineTo(x(p.t), yRate(p.image));
  ctx.lineTo(x(lastT), yRate(0));
  ctx.closePath();
  ctx.globalAlpha = 0.18;
  ctx.fillStyle = colors.image;
  ctx.fill();
  ctx.globalAlpha = 1;
  line(ctx, points, (p) => [x(p.t), yRate(p.image)], colors.image, 2);

  // Source throughput, dashed.
  ctx.setLineDash([5, 4]);
  line(ctx, points, (p) => [x(p.t), yRate(p.source)], colors.source, 1.5);
  ctx.setLineDash([]);

  // Rate cap as steps, only where one is set.
  ctx.setLineDash([2, 3]);
  ctx.strokeStyle = colors.cap;
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const prev = points[i - 1];
    if (!p.rateLimit) continue;
    if (!prev?.rateLimit) ctx.moveTo(x(p.t), yRate(p.rateLimit));
    else {
      ctx.lineTo(x(p.t), yRate(prev.rateLimit));
      ctx.lineTo(x(p.t), yRate(p.rateLimit));
    }
  }
  ctx.stroke();
  ctx.setLineDash([]);

  // Concurrency limit as steps: it holds until the next sample changes it.
  ctx.beginPath();
  ctx.strokeStyle = colors.limit;
  ctx.lineWidth = 2;
  ctx.moveTo(x(points[0]!.t), yLimit(points[0]!.limit));
  for (let i = 1; i < points.length; i++) {
    ctx.lineTo(x(points[i]!.t), yLimit(points[i - 1]!.limit));
    ctx.lineTo(x(points[i]!.t), yLimit(points[i]!.limit));
  }
  ctx.stroke();

  // The cursor: where the readout below the chart reads from.
  const c = o.cursor !== undefined ? points[o.cursor] : undefined;
  if (c) {
    const cx = Math.round(x(c.t)) + 0.5;
    ctx.strokeStyle = colors.text;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(cx, PAD.top);
    ctx.lineTo(cx, PAD.top + plotH);
    ctx.stroke();
    for (const [y, color] of [[yRate(c.image), colors.image], [yRate(c.source), colors.source], [yLimit(c.limit), colors.limit]] as const) {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(cx, y, 3.5, 0, Math.PI * 2);
      ctx.fill();
    }
  }
  return f;
}

function line(ctx: CanvasRenderingContext2D, points: readonly RatePoint[], at: (p: RatePoint) => [number, number], color: string, width: number): void {
  ctx.beginPath();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  points.forEach((p, i) => {
    const [px, py] = at(p);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  });
  ctx.stroke();
}
