// Canvas colours come from the same CSS variables as the rest of the page, read when drawing, so
// the chart and the chunk map follow the theme (light, dark, or the system's) without a rebuild.
export function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

export interface ChartColors {
  image: string;
  source: string;
  limit: string;
  /** The rate cap line. */
  cap: string;
  grid: string;
  text: string;
  paused: string;
}

export function chartColors(el: Element): ChartColors {
  return {
    image: cssVar(el, '--chart-image', '#2563eb'),
    source: cssVar(el, '--chart-source', '#8250df'),
    limit: cssVar(el, '--chart-limit', '#d97706'),
    cap: cssVar(el, '--chart-cap', '#cf222e'),
    grid: cssVar(el, '--chart-grid', '#d0d7de'),
    text: cssVar(el, '--muted', '#57606a'),
    paused: cssVar(el, '--chart-paused', 'rgba(128,128,128,0.15)'),
  };
}

/** Chunk map colours by state: pending, in flight, written, zero, failed. */
export function mapColors(el: Element): string[] {
  return [
    cssVar(el, '--map-pending', '#d0d7de'),
    cssVar(el, '--map-inflight', '#d97706'),
    cssVar(el, '--map-written', '#2563eb'),
    cssVar(el, '--map-zero', '#a5c8f5'),
    cssVar(el, '--map-failed', '#cf222e'),
  ];
}

/** Sizes a canvas to its CSS box at the device's pixel ratio; returns the 2D context in CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(cssWidth * ratio));
  const h = Math.max(1, Math.round(cssHeight * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext('2d');
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}
