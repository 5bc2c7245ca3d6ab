// Where the window opens: the bounds it had when last closed, when they still fit the displays
// connected now (a monitor may be gone), otherwise a default size centred on the primary display.
// Pure, so it is tested without Electron.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rect {
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1200, height: 800 };
const MIN = { width: 640, height: 480 };
/** How much of the window must lie on one display for the saved position to be kept. */
const VISIBLE = 120;

function overlap(a: Rect, b: Rect): { w: number; h: number } {
  return {
    w: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    h: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

function isRect(v: unknown): v is Rect {
  const r = v as Rect;
  return typeof r === 'object' && r !== null && [r.x, r.y, r.width, r.height].every(Number.isFinite);
}

/** `saved` as read from disk (anything), fitted to the work areas; the primary work area first. */
export function fitWindow(saved: unknown, workAreas: Rect[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE };
  const centred = (w: number, h: number): Rect => {
    const width = Math.min(w, primary.width);
    const height = Math.min(h, primary.height);
    return { x: Math.round(primary.x + (primary.width - width) / 2), y: Math.round(primary.y + (primary.height - height) / 2), width, height };
  };
  if (!isRect(saved)) return { ...centred(DEFAULT_SIZE.width, DEFAULT_SIZE.height), maximized: false };
  const maximized = (saved as Partial<WindowState>).maximized === true;
  const width = Math.max(MIN.width, Math.round(saved.width));
  const height = Math.max(MIN.height, Math.round(saved.height));
  const rect = { x: Math.round(saved.x), y: Math.round(saved.y), width, height };
  const home = workAreas.find((a) => {
    const o = overlap(rect, a);
    return o.w >= VISIBLE && o.h >= VISIBLE;
  });
  if (!home) return { ...centred(width, height), maximized };
  // Keep the position, but not larger than the display it is on.
  return { ...rect, width: Math.min(width, home.width), height: Math.min(height, home.height), maximized };
}
