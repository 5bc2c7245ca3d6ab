// Round numbers for the chart's axes (pure: tested without a canvas).

/** 1, 2, 5 × 10^n at or above v. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** A round grid step (1, 2, 5 × 10^n) and the axis top for values up to `max`: 3–5 lines. */
export function rateAxis(max: number): { step: number; top: number } {
  const step = niceCeil(Math.max(max, 1) / 4);
  return { step, top: step * Math.max(1, Math.ceil((Math.max(max, 1) * 1.05) / step)) };
}

/**
 * The lowest top of the rate axis: an empty or nearly empty chart still gets a scale whose labels
 * read apart (a top of 1 B/s labelled "0 B/s, 1 B/s, 1 B/s, 1 B/s, 1 B/s").
 */
export const MIN_RATE_TOP = 1000;

/**
 * The rate axis with its labels: round steps whose labels, as `format` writes them, all differ
 * (coarser steps until they do), from zero to the top.
 */
export function rateTicks(max: number, format: (v: number) => string): { step: number; top: number; ticks: number[]; labels: string[] } {
  let { step, top } = rateAxis(Math.max(max, MIN_RATE_TOP));
  for (;;) {
    const ticks: number[] = [];
    for (let k = 0; k * step <= top + step * 1e-9; k++) ticks.push(k * step);
    const labels = ticks.map(format);
    if (new Set(labels).size === labels.length || ticks.length <= 2) return { step, top, ticks, labels };
    step = niceCeil(step * 1.5);
    top = step * Math.ceil(top / step);
  }
}

/** Steps of the concurrency axis: whole numbers, powers of two among them (limits often are). */
const LIMIT_STEPS = [1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 40, 50, 64];

/**
 * The concurrency axis on the rate axis's `lines` grid lines: a round step per line, the top a
 * little above the highest limit (0, 16, 32, 48 rather than 0, 13, 26, 39).
 */
export function limitAxisTop(maxLimit: number, lines: number): number {
  const n = Math.max(1, lines);
  const step = LIMIT_STEPS.find((s) => s * n >= Math.max(4, maxLimit) * 1.1) ?? Math.ceil((maxLimit * 1.1) / n);
  return step * n;
}

/** Steps of the time axis in seconds: round in seconds, then in minutes, then in hours. */
const TIME_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400];

/** The shortest time axis while a job runs: its first seconds do not zoom wildly. */
export const MIN_RUNNING_SPAN = 10;

/**
 * The time axis: a finished job's spans exactly its run; a running job's spans its run so far plus
 * a tenth, rounded up to a whole step (so it grows in steps, not every frame), at least
 * MIN_RUNNING_SPAN. Ticks at round steps (at most about 6) up to the end.
 */
export function timeAxis(lastT: number, final: boolean): { span: number; step: number; ticks: number[] } {
  const wanted = final ? Math.max(lastT, 0.1) : Math.max(MIN_RUNNING_SPAN, lastT * 1.1);
  const step = TIME_STEPS.find((s) => wanted / s <= 6) ?? niceCeil(wanted / 6);
  const span = final ? wanted : step * Math.ceil(wanted / step - 1e-9);
  const ticks: number[] = [];
  for (let k = 0; k * step <= span + 1e-9; k++) ticks.push(Number((k * step).toFixed(3)));
  return { span, step, ticks };
}

/** A time-axis label: "0.5 s", "45 s", "2 min", "2:30", "1 h", "1:30 h". */
export function formatTick(t: number): string {
  if (t < 60) return `${Number(t.toFixed(1))} s`;
  if (t < 3600) return t % 60 === 0 ? `${t / 60} min` : `${Math.floor(t / 60)}:${String(Math.round(t % 60)).padStart(2, '0')}`;
  const m = Math.round(t / 60);
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')} h`;
}
