// Preferences: the page's own (theme, byte units; kept in localStorage by persist) and the
// service's settings (default concurrency, sparse by default, …; kept by the service).
import type { Settings } from '../../shared/contract.ts';
import type { Units } from '../../shared/units.ts';
import type { Slice } from './state.ts';

export type ThemePref = 'system' | 'light' | 'dark';

/** The snapshot pane's width in Browse (px): dragged or keyed with its handle, kept with the prefs. */
export const DETAIL_WIDTH = { min: 320, max: 960, initial: 400, step: 24 };

export const clampDetailWidth = (px: number): number => Math.round(Math.min(DETAIL_WIDTH.max, Math.max(DETAIL_WIDTH.min, px)));

export interface PrefsSlice {
  prefs: { theme: ThemePref; units: Units; detailWidth: number };
  settings?: Settings;
  setPrefs(patch: Partial<PrefsSlice['prefs']>): void;
  setSettings(settings: Settings): void;
}

export const createPrefsSlice: Slice<PrefsSlice> = (set) => ({
  prefs: { theme: 'system', units: 'si', detailWidth: DETAIL_WIDTH.initial },
  setPrefs: (patch) => set((s) => ({ prefs: { ...s.prefs, ...patch } })),
  setSettings: (settings) => set({ settings }),
});
