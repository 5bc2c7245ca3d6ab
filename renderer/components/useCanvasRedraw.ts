// Redraws a canvas outside React renders: at most once per animation frame, when a store change
// concerns it (`changed`), when its container resizes, or when the colours may have changed (the
// system switched light/dark, or the user picked another theme; canvases read CSS variables at
// draw time). Used by the throughput chart and the chunk map; returns the scheduler (the chart's
// cursor redraws through it).
import { useCallback, useEffect, useRef, type RefObject } from 'react';
import { useStore, type AppState } from '../store/index.ts';

export function useCanvasRedraw(
  canvasRef: RefObject<HTMLCanvasElement | null>,
  draw: () => void,
  changed: (s: AppState, prev: AppState) => boolean,
): () => void {
  const frame = useRef(0);
  const changedRef = useRef(changed);
  changedRef.current = changed;
  const schedule = useCallback(() => {
    if (!frame.current) {
      frame.current = requestAnimationFrame(() => {
        frame.current = 0;
        draw();
      });
    }
  }, [draw]);

  useEffect(() => {
    const off = useStore.subscribe((s, prev) => {
      if (changedRef.current(s, prev) || s.prefs.theme !== prev.prefs.theme) schedule();
    });
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', schedule);
    const resize = new ResizeObserver(schedule);
    if (canvasRef.current?.parentElement) resize.observe(canvasRef.current.parentElement);
    schedule();
    return () => {
      off();
      mq.removeEventListener('change', schedule);
      resize.disconnect();
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [canvasRef, schedule]);
  return schedule;
}
