// Keeps the route and location.hash in step (both ways), so a reload or the back button lands
// on the same screen. The first route without a hash: Browse when there are sources, else Sources.
import { routeFromHash, routeToHash } from './appSlice.ts';
import { useStore } from './index.ts';

export function startRouting(): void {
  const fromHash = routeFromHash(window.location.hash);
  if (fromHash) useStore.setState({ route: fromHash });
  else {
    // Decide once the sources are known.
    const off = useStore.subscribe((s) => {
      if (!s.loaded) return;
      off();
      if (!routeFromHash(window.location.hash)) s.navigate({ view: s.sources.length ? 'browse' : 'sources' });
    });
  }
  useStore.subscribe((s, prev) => {
    if (s.route === prev.route) return;
    const hash = routeToHash(s.route);
    if (window.location.hash !== hash) window.history.pushState(null, '', hash);
    // Move focus to the new screen's heading, so keyboard and screen reader users land there.
    requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
  });
  window.addEventListener('popstate', () => {
    const r = routeFromHash(window.location.hash);
    if (r) useStore.setState({ route: r });
  });
}
