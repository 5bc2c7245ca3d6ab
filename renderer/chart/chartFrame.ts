// Where things go on the throughput chart, computed once per draw and shared by the drawing, the
// hover readout and the keyboard cursor (pure: tested without a canvas): the time and rate axes,
// the concurrency axis on the right, the mapping from values to pixels and back, and what the
// readout says about one point.
import { formatTick, limitAxisTop, rateTicks, timeAxis } from './axes.ts';
import type { RatePoint } from '../../shared/rates.ts';

export const PAD = { left: 64, right: 36, top: 12, bottom: 24 };

export interface FrameOptions {
  width: number;
  height: number;
  /** Formats a bytes-per-second value (the axis, the readout). */
  formatRate(bytesPerSec: number): string;
  /** The job has ended: the time axis spans exactly its run. */
  final?: boolean;
}

export interface ChartFrame {
  plotW: number;
  plotH: number;
  span: number;
  timeTicks: number[];
  rateTicks: number[];
  rateLabels: string[];
  rateTop: number;
  /** The concurrency axis: its top and a label per rate grid line. */
  limitTop: number;
  limitLabels: string[];
  x(t: number): number;
  yRate(r: number): number;
  yLimit(l: number): number;
}

export function chartFrame(points: readonly RatePoint[], o: FrameOptions): ChartFrame {
  const plotW = Math.max(10, o.width - PAD.left - PAD.right);
  const plotH = Math.max(10, o.height - PAD.top - PAD.bottom);
  const time = timeAxis(points.at(-1)?.t ?? 0, o.final === true);
  // The cap belongs on the chart even above the traffic: it says where the line is.
  let max = 0;
  let maxLimit = 4;
  for (const p of points) {
    max = Math.max(max, p.image, p.source, p.rateLimit);
    maxLimit = Math.max(maxLimit, p.limit);
  }
  const rates = rateTicks(max, o.formatRate);
  const lines = rates.ticks.length - 1;
  // The concurrency axis shares the grid lines: round whole numbers on each, the top a little above the highest limit.
  const limitTop = limitAxisTop(maxLimit, lines);
  return {
    plotW,
    plotH,
    span: time.span,
    timeTicks: time.ticks,
    rateTicks: rates.ticks,
    rateLabels: rates.labels,
    rateTop: rates.top,
    limitTop,
    limitLabels: rates.ticks.map((_, k) => String((limitTop / lines) * k)),
    x: (t) => PAD.left + (t / time.span) * plotW,
    yRate: (r) => PAD.top + plotH - (r / rates.top) * plotH,
    yLimit: (l) => PAD.top + plotH - (l / limitTop) * plotH,
  };
}

/** The point nearest to pixel column `px` (undefined without points or outside the plot). */
export function pointAt(points: readonly RatePoint[], frame: ChartFrame, px: number): number | undefined {
  if (!points.length || px < PAD.left - 4 || px > PAD.left + frame.plotW + 4) return undefined;
  const t = ((px - PAD.left) / frame.plotW) * frame.span;
  return nearestIndex(points, t);
}

/** The index of the point nearest to `t` seconds. */
export function nearestIndex(points: readonly RatePoint[], t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1]!.t - t) <= Math.abs(points[lo]!.t - t)) return lo - 1;
  return lo;
}

/** The keyboard cursor: arrow keys move by a second (with Shift by ten), Home and End to the ends. */
export function stepCursor(points: readonly RatePoint[], index: number | undefined, key: string, shift: boolean): number | undefined {
  if (!points.length) return undefined;
  const last = points.length - 1;
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  if (key !== 'ArrowLeft' && key !== 'ArrowRight') return index;
  if (index === undefined) return key === 'ArrowLeft' ? last : 0;
  const dir = key === 'ArrowLeft' ? -1 : 1;
  const t = points[Math.min(index, last)]!.t + dir * (shift ? 10 : 1);
  const next = nearestIndex(points, t);
  // Always move at least one point, so sparse samples (a history) still step.
  return next === index ? Math.max(0, Math.min(last, index + dir)) : next;
}

export interface Readout {
  time: string;
  image: string;
  source: string;
  limit: string;
  cap: string;
}

/** What the hover readout says about one point. */
export function readout(p: RatePoint, formatRate: (r: number) => string): Readout {
  return {
    time: formatTick(Math.round(p.t * 10) / 10),
    image: p.paused ? 'paused' : formatRate(p.image),
    source: p.paused ? 'paused' : formatRate(p.source),
    limit: `${p.limit} chunk${p.limit === 1 ? '' : 's'} in flight`,
    cap: p.rateLimit > 0 ? formatRate(p.rateLimit) : 'none',
  };
}
