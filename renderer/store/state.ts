// The store's whole shape: one zustand store built from slices per domain (zustand's slices
// pattern). Each slice file holds its state and the plain setters that change it; actions that
// call the contract live in renderer/actions/.
import type { StateCreator } from 'zustand';
// Loads the persist middleware's mutator type (the slices are typed for the persisted store).
import type {} from 'zustand/middleware';
import type { AppSlice } from './appSlice.ts';
import type { CatalogSlice } from './catalogSlice.ts';
import type { FilesSlice } from './filesSlice.ts';
import type { JobsSlice } from './jobsSlice.ts';
import type { PrefsSlice } from './prefsSlice.ts';
import type { SourcesSlice } from './sourcesSlice.ts';

export type AppState = AppSlice & SourcesSlice & CatalogSlice & JobsSlice & FilesSlice & PrefsSlice;

/** A slice creator typed against the whole store (persist is applied once, on the combined store). */
export type Slice<T> = StateCreator<AppState, [['zustand/persist', unknown]], [], T>;
