// The one bound store. Slices are combined here and persist is applied here only, saving just
// the page preferences (zustand: "only apply middlewares in the combined store").
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { createAppSlice } from './appSlice.ts';
import { createCatalogSlice } from './catalogSlice.ts';
import { createFilesSlice } from './filesSlice.ts';
import { createJobsSlice } from './jobsSlice.ts';
import { createPrefsSlice } from './prefsSlice.ts';
import { createSourcesSlice } from './sourcesSlice.ts';
import type { AppState } from './state.ts';

export type { AppState } from './state.ts';

export const useStore = create<AppState>()(
  persist(
    (...a) => ({
      ...createAppSlice(...a),
      ...createSourcesSlice(...a),
      ...createCatalogSlice(...a),
      ...createJobsSlice(...a),
      ...createFilesSlice(...a),
      ...createPrefsSlice(...a),
    }),
    {
      name: 'restore-console-prefs',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ prefs: s.prefs }),
      merge: (persisted, current) => ({ ...current, prefs: { ...current.prefs, ...((persisted as Partial<AppState> | undefined)?.prefs ?? {}) } }),
    },
  ),
);
