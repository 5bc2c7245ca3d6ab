// Draws the throughput chart: image and source throughput over time (left axis), the rate cap on
// source bytes as a dotted step line on the same axis where one is set, and the concurrency limit
// as a step line on the same time axis (right axis), paused spans shaded. Pure
// canvas drawing from rate points; the component decides when (on new samples, at most once a
// frame).
import type { ChartColors } from './colors.ts';
import { niceCeil, rateAxis } from './axes.ts';
import type { RatePoint } from '../../shared/rates.ts';

export interface ChartOptions {
  width: number;
  height: number;
  colors: ChartColors;
  /** Formats a bytes-per-second value for the axis. */
  formatRate(bytesPerSec: number): string;
  /** The job has ended: the time axis fits its duration instead of the running frame. */
  final?: boolean;
}

const PAD = { left: 64, right: 36, top: 12, bottom: 24 };

export function drawThroughput(ctx: CanvasRenderingContext2D, points: readonly RatePoint[], o: ChartOptions): void {
  const { width, height, colors } = o;
  ctx.clearRect(0, 0, width, height);
  const plotW = Math.max(10, width - PAD.left - PAD.right);
  const plotH = Math.max(10, height - PAD.top - PAD.bottom);
  const lastT = points.at(-1)?.t ?? 0;
  // While it runs, the first half minute has a fixed frame, so the start does not zoom wildly;
  // a finished job's chart fits its whole run.
  const tMax = o.final ? Math.max(1, niceCeil(lastT)) : Math.max(30, niceCeil(lastT * 1.05));
  // The cap belongs on the chart even above the traffic: it says where the line is.
  const axis = rateAxis(Math.max(1, ...points.map((p) => Math.max(p.image, p.source, p.rateLimit))));
  const rMax = axis.top;
  const lines = Math.round(rMax / axis.step);
  // The concurrency axis shares the grid lines: whole numbers on each, the top a little above the highest limit.
  const lMax = lines * Math.max(1, Math.ceil((Math.max(4, ...points.map((p) => p.limit)) * 1.2) / lines));
  const x = (t: number): number => PAD.left + (t / tMax) * plotW;
  const yRate = (r: number): number => PAD.top + plotH - (r / rMax) * plotH;
  const yLimit = (l: number): number => PAD.top + plotH - (l / lMax) * plotH;

  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;

  // Paused spans.
  ctx.fillStyle = colors.paused;
  for (let i = 0; i < points.length; i++) {
    if (!points[i]!.paused) continue;
    const start = i > 0 ? points[i - 1]!.t : points[i]!.t;
    let j = i;
    while (j + 1 < points.length && points[j + 1]!.paused) j++;
    const end = j + 1 < points.length ? points[j + 1]!.t : points[j]!.t;
    ctx.fillRect(x(start), PAD.top, Math.max(1, x(end) - x(start)), plotH);
    i = j;
  }

  // Grid and axes labels: four rate lines, time ticks.
  ctx.strokeStyle = colors.grid;
  ctx.fillStyle = colors.text;
  ctx.textBaseline = 'middle';
  for (let k = 0; k <= lines; k++) {
    const r = axis.step * k;
    const y = Math.round(yRate(r)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(PAD.left, y);
    ctx.lineTo(PAD.left + plotW, y);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillText(o.formatRate(r), PAD.left - 6, y);
    ctx.textAlign = 'left';
    ctx.fillStyle = colors.limit;
    ctx.fillText(String((lMax / lines) * k), PAD.left + plotW + 6, y);
    ctx.fillStyle = colors.text;
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const step = niceCeil(tMax / 6);
  for (let k = 0; k * step <= tMax + 1e-9; k++) {
    const t = k * step;
    ctx.fillText(`${Number(t.toFixed(2))} s`, x(t), PAD.top + plotH + 6);
  }

  if (points.length < 2) return;

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
