// Sources (datastore folders and PBS servers) as the service lists them, and the demo datastore's
// generation status.
import type { DemoStatus, SourceInfo } from '../../shared/contract.ts';
import type { Slice } from './state.ts';

export interface SourcesSlice {
  sources: SourceInfo[];
  demo?: DemoStatus;
  setSources(sources: SourceInfo[]): void;
  /** A source a command just returned (added or changed), before the 'sources' event brings the list. */
  upsertSource(source: SourceInfo): void;
  setDemo(demo: DemoStatus): void;
}

export const createSourcesSlice: Slice<SourcesSlice> = (set) => ({
  sources: [],
  setSources: (sources) => set({ sources }),
  upsertSource: (source) =>
    set((s) => ({ sources: s.sources.some((x) => x.id === source.id) ? s.sources.map((x) => (x.id === source.id ? source : x)) : [...s.sources, source] })),
  setDemo: (demo) => set({ demo }),
});
