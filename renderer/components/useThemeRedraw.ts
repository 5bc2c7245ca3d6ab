// Calls `redraw` when the colours may have changed: the system switched light/dark, or the user
// picked another theme. Canvases read their colours from CSS variables at draw time.
import { useEffect } from 'react';
import { useStore } from '../store/index.ts';

export function useThemeRedraw(redraw: () => void): void {
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', redraw);
    const off = useStore.subscribe((s, prev) => {
      if (s.prefs.theme !== prev.prefs.theme) redraw();
    });
    return () => {
      mq.removeEventListener('change', redraw);
      off();
    };
  }, [redraw]);
}
