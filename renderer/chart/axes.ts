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
