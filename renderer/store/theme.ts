// Applies the theme preference as html[data-theme] = 'light' | 'dark': 'system' is resolved here
// from prefers-color-scheme (and follows it when the system switches), so styles/theme.css
// writes the dark palette once, for [data-theme='dark'] only.
import { useStore } from './index.ts';

export function startTheme(): void {
  const mq = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = (): void => {
    const t = useStore.getState().prefs.theme;
    document.documentElement.dataset.theme = t === 'system' ? (mq.matches ? 'dark' : 'light') : t;
  };
  apply();
  mq.addEventListener('change', apply);
  useStore.subscribe((s, prev) => {
    if (s.prefs.theme !== prev.prefs.theme) apply();
  });
}
