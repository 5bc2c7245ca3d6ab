// Preferences: the page's own (theme, byte units; kept in localStorage by persist) and the
// service's settings (default concurrency, sparse by default, …; kept by the service).
import type { Settings } from '../../shared/contract.ts';
import type { Units } from '../../shared/units.ts';
import type { Slice } from './state.ts';

export type ThemePref = 'system' | 'light' | 'dark';

export interface PrefsSlice {
  prefs: { theme: ThemePref; units: Units };
  settings?: Settings;
  setPrefs(patch: Partial<PrefsSlice['prefs']>): void;
  setSettings(settings: Settings): void;
}

export const createPrefsSlice: Slice<PrefsSlice> = (set) => ({
  prefs: { theme: 'system', units: 'si' },
  setPrefs: (patch) => set((s) => ({ prefs: { ...s.prefs, ...patch } })),
  setSettings: (settings) => set({ settings }),
});
