// The one place that turns a source configuration into an open BackupSource. The rest of the
// service sees only BackupSource (electron/source/chunkSource.ts) and this small wrapper.
import { basename } from 'node:path';
import type { DatastoreInfo, SourceConfig } from '../../shared/contract.ts';
import type { BackupSource } from '../source/chunkSource.ts';
import { LocalDatastore } from '../source/localDatastore.ts';
import { ServiceError } from './errors.ts';

export interface OpenedSource {
  source: BackupSource;
  /** Where it is, for people: a path, or host:port/datastore. */
  label: string;
  listDatastores(): Promise<DatastoreInfo[]>;
  close(): Promise<void>;
}

export type SourceOpener = (config: SourceConfig) => Promise<OpenedSource>;

/** True when this build can reach PBS servers (see openPbs). */
export const PBS_AVAILABLE: boolean = false;

export async function openSource(config: SourceConfig): Promise<OpenedSource> {
  if (config.kind === 'datastore') {
    const store = await LocalDatastore.open(config.path);
    return {
      source: store,
      label: store.root,
      listDatastores: async () => [{ name: basename(store.root), path: store.root }],
      close: async () => {},
    };
  }
  return openPbs(config);
}

async function openPbs(config: Extract<SourceConfig, { kind: 'pbs' }>): Promise<OpenedSource> {
  // The PBS source (electron/source/pbs/pbsSource.ts) was not part of this tree when the service
  // was written; the lead wires it here (PbsSource.connect, listDatastores, close).
  void config;
  throw new ServiceError('PBS_UNAVAILABLE', 'PBS servers cannot be added in this build yet; add a datastore folder instead');
}
