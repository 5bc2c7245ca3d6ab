// Sources (datastore folders and PBS servers) as the service lists them, and the demo datastore's
// generation status.
import type { DemoStatus, SourceInfo } from '../../shared/contract.ts';
import type { Slice } from './state.ts';

export interface SourcesSlice {
  sources: SourceInfo[];
  demo?: DemoStatus;
  setSources(sources: SourceInfo[]): void;
  setDemo(demo: DemoStatus): void;
}

export const createSourcesSlice: Slice<SourcesSlice> = (set) => ({
  sources: [],
  setSources: (sources) => set({ sources }),
  setDemo: (demo) => set({ demo }),
});
