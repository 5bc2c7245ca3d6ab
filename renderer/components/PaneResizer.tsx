// The handle between the backup list and the snapshot pane: drag it, or focus it and use the
// arrow keys (Home/End for the narrowest and widest), to give the pane the width its configs and
// names need. It is a focusable separator with its value (WAI-ARIA window splitter), and the width
// is kept in the prefs, so it is the same on the next visit.
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { clampDetailWidth, DETAIL_WIDTH } from '../store/prefsSlice.ts';
import { useStore } from '../store/index.ts';

export function PaneResizer({ controls }: { controls: string }) {
  const width = useStore((s) => s.prefs.detailWidth);
  const setPrefs = useStore((s) => s.setPrefs);
  const drag = useRef<{ x: number; width: number } | undefined>(undefined);
  const set = (px: number): void => setPrefs({ detailWidth: clampDetailWidth(px) });

  const onKey = (e: KeyboardEvent): void => {
    // The pane is on the right: moving the handle left widens it.
    const step = e.shiftKey ? DETAIL_WIDTH.step * 4 : DETAIL_WIDTH.step;
    const next = { ArrowLeft: width + step, ArrowRight: width - step, Home: DETAIL_WIDTH.max, End: DETAIL_WIDTH.min }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    set(next);
  };
  const onDown = (e: PointerEvent<HTMLDivElement>): void => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, width };
  };
  const onMove = (e: PointerEvent): void => {
    if (drag.current) set(drag.current.width + (drag.current.x - e.clientX));
  };
  const onUp = (): void => void (drag.current = undefined);

  return (
    <div
      className="pane-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-controls={controls}
      aria-label="Width of the snapshot pane"
      aria-valuemin={DETAIL_WIDTH.min}
      aria-valuemax={DETAIL_WIDTH.max}
      aria-valuenow={width}
      aria-valuetext={`${width} pixels`}
      tabIndex={0}
      title="Drag, or use the arrow keys, to resize the snapshot pane"
      onKeyDown={onKey}
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onPointerCancel={onUp}
    />
  );
}
