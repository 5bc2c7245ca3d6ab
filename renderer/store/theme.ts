// Applies the theme preference: 'system' leaves the colours to prefers-color-scheme (the CSS
// variables in styles.css switch by themselves); 'light' or 'dark' pins them via data-theme.
import { useStore } from './index.ts';

export function startTheme(): void {
  const apply = (): void => {
    const t = useStore.getState().prefs.theme;
    if (t === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = t;
  };
  apply();
  useStore.subscribe((s, prev) => {
    if (s.prefs.theme !== prev.prefs.theme) apply();
  });
}
