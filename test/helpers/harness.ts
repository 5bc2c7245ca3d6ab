// Builds the contract scenarios' harness: a service on a fresh data folder whose only source is
// the small demo datastore, read through a gate; the API is the service itself or a client of it.
import { join } from 'node:path';
import type { RestoreConsoleApi } from '../../shared/contract.ts';
import type { DemoResult } from '../../electron/demo/demoDatastore.ts';
import { openSource } from '../../electron/service/openSource.ts';
import { RestoreService, type ServiceOptions } from '../../electron/service/service.ts';
import type { Harness } from '../service/scenarios.ts';
import { EventRecorder } from './events.ts';
import { Gate } from './gate.ts';
import { tempDir } from './tmp.ts';

export const MAP_MS = 200;

export async function startService(demo: DemoResult, extra: Partial<ServiceOptions> = {}): Promise<{ service: RestoreService; gate: Gate; dir: string }> {
  const gate = new Gate();
  const dir = await tempDir('rc-svc-');
  const service = await RestoreService.create({
    dataDir: join(dir, 'data'),
    demo: false,
    datastores: [demo.dir],
    openSource: async (config) => {
      const opened = await openSource(config);
      return { ...opened, source: gate.wrap(opened.source) };
    },
    chunkMapIntervalMs: MAP_MS,
    ...extra,
  });
  return { service, gate, dir };
}

/** The harness over `api` (the service, or a transport client of it). */
export async function makeHarness(api: RestoreConsoleApi, demo: DemoResult, gate: Gate, dir: string): Promise<Harness> {
  const events = new EventRecorder(api);
  const sources = await api.invoke('sources.list', {});
  return { api, events, gate, demo, sourceId: sources[0]!.id, out: dir, mapMs: MAP_MS };
}
